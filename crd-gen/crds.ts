/**
 * The CRDs we serve and schema validation against them: the heavy half of the API contract (the
 * generated CRDs are 1.6 MB of JSON, the validator is ajv), apart from crd-gen/index.ts so that
 * only the code that validates or installs pays for loading them.
 */
import crdsJson from './generated/crds.json' with { type: 'json' };
import type { KindName } from './generated/kinds.js';
import type { CustomResourceDefinition } from './index.js';

/** Every CRD we serve, in a stable order (by kind file name). */
// A JSON module's inferred type widens our literal fields (`apiVersion`, `scope`); generate.ts wrote the file from this very interface.
export const CRDS: readonly CustomResourceDefinition[] = crdsJson as unknown as CustomResourceDefinition[];

/** The CRD of a served kind. */
export function crdOf(kind: KindName): CustomResourceDefinition {
  const crd = CRDS.find((c) => c.spec.names.kind === kind);
  if (crd === undefined) throw new Error(`no CRD for served kind ${kind}`);
  return crd;
}

/** The inlined openAPIV3Schema of a served kind: the exact bytes the CRD carries. */
export function loadSchema(kind: KindName): Record<string, unknown> {
  const version = crdOf(kind).spec.versions[0];
  if (version === undefined) throw new Error(`CRD of ${kind} has no version`);
  return version.schema.openAPIV3Schema;
}

export { createSchemaValidator, QUANTITY_PATTERN, type SchemaCause, type SchemaCheck, type SchemaValidator } from './validator.js';
