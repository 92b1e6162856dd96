/**
 * Schema validation of our kinds with ajv, compiled once per kind from the CRD's own
 * openAPIV3Schema, so `kvt validate`, admission and the API server check the same contract.
 *
 * Problems come back as values with KubeVirt-style field paths (`spec.domain.devices.disks[1].name`).
 * Unknown fields are warnings, as kubectl's field validation reports them: structural schemas prune
 * them, so they are never an error, but they are never dropped silently either.
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { KindName } from './generated/kinds.js';

/** One schema problem: the offending field and what is wrong with it. */
export interface SchemaCause {
  readonly field: string;
  readonly message: string;
}

/** The outcome of checking one object. */
export interface SchemaCheck {
  readonly errors: readonly SchemaCause[];
  readonly warnings: readonly SchemaCause[];
}

/** Checks objects of our kinds against their schemas. */
export interface SchemaValidator {
  validate(kind: KindName, object: unknown): SchemaCheck;
  /** Compiles the validators of these kinds now, so a server's first request does not pay for it. */
  compile(kinds: readonly KindName[]): void;
}

/** Kubernetes' resource quantity syntax, the pattern every quantity field carries. */
export const QUANTITY_PATTERN =
  '^(\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))))?$';

const K8S_KEYWORDS = [
  'x-kubernetes-preserve-unknown-fields',
  'x-kubernetes-int-or-string',
  'x-kubernetes-embedded-resource',
  'x-kubernetes-list-type',
  'x-kubernetes-list-map-keys',
  'x-kubernetes-map-type',
  'x-kubernetes-validations',
];

const INT32 = { min: -2147483648, max: 2147483647 };

type Schema = { readonly [key: string]: unknown };

function newAjv(): Ajv {
  const ajv = new Ajv({ allErrors: true, strict: true, strictTypes: false, strictRequired: false, validateFormats: true });
  ajv.addVocabulary(K8S_KEYWORDS);
  // ajv-formats is CommonJS: under NodeNext its function arrives as the default export's `default`.
  const addFormats = addFormatsModule as unknown as { default: (a: Ajv) => Ajv };
  addFormats.default(ajv);
  ajv.addFormat('int32', { type: 'number', validate: (n: number) => Number.isInteger(n) && n >= INT32.min && n <= INT32.max });
  ajv.addFormat('int64', { type: 'number', validate: (n: number) => Number.isInteger(n) });
  ajv.addFormat('double', { type: 'number', validate: () => true });
  ajv.addFormat('float', { type: 'number', validate: () => true });
  ajv.addFormat('byte', /^[A-Za-z0-9+/]*={0,2}$/);
  return ajv;
}

const IDENT = /^[A-Za-z_$][A-Za-z0-9_$-]*$/;

/** `/spec/disks/1/name` → `spec.disks[1].name`, looking at the data to tell list indexes from keys. */
export function pointerToPath(pointer: string, data: unknown): string {
  if (pointer === '') return '';
  let out = '';
  let node: unknown = data;
  for (const raw of pointer.slice(1).split('/')) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(node)) out += `[${seg}]`;
    else if (IDENT.test(seg)) out += out === '' ? seg : `.${seg}`;
    else out += `[${seg}]`;
    node = typeof node === 'object' && node !== null ? (node as Record<string, unknown>)[seg] : undefined;
  }
  return out;
}

function join(path: string, name: string): string {
  if (!IDENT.test(name)) return `${path}[${name}]`;
  return path === '' ? name : `${path}.${name}`;
}

function quote(values: readonly unknown[]): string {
  return values.map((v) => JSON.stringify(v)).join(', ');
}

function describe(e: ErrorObject, value: unknown): string {
  switch (e.keyword) {
    case 'enum':
      return `Unsupported value: ${JSON.stringify(value)}: supported values: ${quote((e.params as { allowedValues: unknown[] }).allowedValues)}`;
    case 'pattern':
      return (e.params as { pattern: string }).pattern === QUANTITY_PATTERN
        ? `must match quantity format (got ${JSON.stringify(value)}; for example 128Mi, 2Gi, 500m)`
        : `must match pattern ${(e.params as { pattern: string }).pattern} (got ${JSON.stringify(value)})`;
    case 'format':
      return `must be a valid ${(e.params as { format: string }).format} (got ${JSON.stringify(value)})`;
    case 'anyOf':
      return `must be an integer or a string (got ${typeof value})`;
    default:
      return e.message ?? 'is invalid';
  }
}

function valueAt(data: unknown, pointer: string): unknown {
  let node: unknown = data;
  for (const raw of pointer === '' ? [] : pointer.slice(1).split('/')) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    node = typeof node === 'object' && node !== null ? (node as Record<string, unknown>)[seg] : undefined;
  }
  return node;
}

/** Keywords that only make sense once a value has the right type: noise beside a type error. */
const VALUE_KEYWORDS = new Set(['enum', 'pattern', 'format', 'minimum', 'maximum', 'minLength', 'maxLength']);

/**
 * ajv errors → causes, one per field problem: int-or-string branch noise is folded into one, and a
 * value of the wrong type gets its type error alone (not also "Unsupported value" for the same node).
 */
export function toCauses(errors: readonly ErrorObject[], data: unknown): SchemaCause[] {
  const anyOfPaths = new Set(errors.filter((e) => e.keyword === 'anyOf').map((e) => e.instancePath));
  const typePaths = new Set(errors.filter((e) => e.keyword === 'type').map((e) => e.instancePath));
  const seen = new Set<string>();
  const causes: SchemaCause[] = [];
  for (const e of errors) {
    if (e.schemaPath.includes('/anyOf/') && anyOfPaths.has(e.instancePath)) continue;
    if (VALUE_KEYWORDS.has(e.keyword) && typePaths.has(e.instancePath)) continue;
    const base = pointerToPath(e.instancePath, data);
    const field = e.keyword === 'required' ? join(base, (e.params as { missingProperty: string }).missingProperty) : base;
    const message = e.keyword === 'required' ? 'Required value' : describe(e, valueAt(data, e.instancePath));
    const key = `${field}\u0000${message}`;
    if (!seen.has(key)) causes.push({ field, message });
    seen.add(key);
  }
  return causes;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Fields the schema does not know, which a structural schema would prune. */
export function unknownFields(schema: Schema, data: unknown, path = ''): SchemaCause[] {
  if (schema['x-kubernetes-preserve-unknown-fields'] === true) return [];
  if (Array.isArray(data)) return unknownInList(schema, data, path);
  if (!isPlainObject(data) || schema['type'] !== 'object') return [];
  const out: SchemaCause[] = [];
  for (const [key, value] of Object.entries(data)) {
    // Object metadata belongs to the API machinery, which checks it itself.
    if (path === '' && key === 'metadata') continue;
    const sub = fieldSchema(schema, key);
    const childPath = join(path, key);
    if (sub !== undefined) out.push(...unknownFields(sub, value, childPath));
    else out.push({ field: childPath, message: `unknown field "${childPath}"` });
  }
  return out;
}

function unknownInList(schema: Schema, data: readonly unknown[], path: string): SchemaCause[] {
  const items = schema['items'];
  return isPlainObject(items) ? data.flatMap((d, i) => unknownFields(items, d, `${path}[${i}]`)) : [];
}

/** The schema of one key of an object node: a declared property, or the map's value schema. */
function fieldSchema(schema: Schema, key: string): Schema | undefined {
  const props = schema['properties'];
  const additional = schema['additionalProperties'];
  const sub = isPlainObject(props) ? props[key] : additional;
  return isPlainObject(sub) ? sub : undefined;
}

/**
 * A validator for the given schemas (kind → openAPIV3Schema). Each kind's validator is compiled
 * on first use and kept: compiling is the expensive part, checking is cheap.
 */
export function createSchemaValidator(schemaOf: (kind: KindName) => Record<string, unknown>): SchemaValidator {
  const ajv = newAjv();
  const compiled = new Map<KindName, { fn: ValidateFunction; schema: Schema }>();
  const get = (kind: KindName): { fn: ValidateFunction; schema: Schema } => {
    let entry = compiled.get(kind);
    if (entry === undefined) {
      const schema = schemaOf(kind);
      entry = { fn: ajv.compile(schema), schema };
      compiled.set(kind, entry);
    }
    return entry;
  };
  return {
    validate(kind, object) {
      const { fn, schema } = get(kind);
      const ok = fn(object);
      return { errors: ok ? [] : toCauses(fn.errors ?? [], object), warnings: unknownFields(schema, object) };
    },
    compile(kinds) {
      for (const kind of kinds) get(kind);
    },
  };
}
