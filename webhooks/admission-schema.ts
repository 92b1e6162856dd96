/**
 * The structural-schema check of admission: the CRD's own openAPIV3Schema through crd-gen's ajv
 * validator (compiled once per kind, on first use), problems as causes on the offending node's path,
 * unknown fields as warnings. Every validating path runs it first, as the API server and KubeVirt's
 * `ValidateSchema` do, so semantic rules only ever see objects of the right shape.
 */
import { createSchemaValidator, loadSchema } from '../crd-gen/crds.js';
import { KINDS, type KindName } from '../crd-gen/index.js';
import { CauseType, type Cause } from './cause.js';

/** The schema verdict on one object. */
export interface SchemaVerdict {
  readonly causes: readonly Cause[];
  /** `field: message` for each field the schema does not know (a structural schema would prune it). */
  readonly warnings: readonly string[];
}

const SCHEMAS = createSchemaValidator(loadSchema);

/** Compiles every kind's validator now (once, at start-up, not on the first request). */
export function compileSchemas(): void {
  SCHEMAS.compile(Object.keys(KINDS) as KindName[]);
}

/** The object checked against the schema of `kind`. */
export function checkSchema(kind: KindName, object: unknown): SchemaVerdict {
  const result = SCHEMAS.validate(kind, object);
  return {
    causes: result.errors.map((e): Cause => ({
      type: e.message === 'Required value' ? CauseType.Required : CauseType.Invalid,
      field: e.field,
      message: e.message,
    })),
    warnings: result.warnings.map((w) => `${w.field}: ${w.message}`),
  };
}

/** The paths of the fields `object` has that the schema of `kind` does not declare (`spec.template.spec.domain.cpu.core`). */
export function undeclaredFields(kind: KindName, object: unknown): readonly string[] {
  return SCHEMAS.validate(kind, object).warnings.map((w) => w.field);
}
