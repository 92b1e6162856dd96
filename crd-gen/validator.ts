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

/**
 * The ajv instance our schemas compile in: every error, the k8s vocabulary, OpenAPI's formats.
 * `verbose` gives each error its schema node (to tell our closing constraints from the CRD's own);
 * `inlineRefs: false` keeps each `$defs` entry of a closed schema a function of its own.
 */
export function newAjv(): Ajv {
  const ajv = new Ajv({ allErrors: true, verbose: true, inlineRefs: false, strict: true, strictTypes: false, strictRequired: false, validateFormats: true });
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

/**
 * Fields the schema does not know, which a structural schema would prune, in the order they appear
 * in the data. The walk keeps the path as a stack of keys and list indexes and renders it only for a
 * field it reports, so a known field costs a property lookup and no allocation.
 */
export function unknownFields(schema: Schema, data: unknown): SchemaCause[] {
  const out: SchemaCause[] = [];
  walkUnknown(schema, data, [], out);
  return out;
}

type Path = (string | number)[];

function walkUnknown(schema: Schema, data: unknown, path: Path, out: SchemaCause[]): void {
  if (schema['x-kubernetes-preserve-unknown-fields'] === true) return;
  if (Array.isArray(data)) walkUnknownItems(schema, data, path, out);
  else if (isPlainObject(data) && schema['type'] === 'object') walkUnknownKeys(schema, data, path, out);
}

function walkUnknownItems(schema: Schema, data: readonly unknown[], path: Path, out: SchemaCause[]): void {
  const items = schema['items'];
  if (!isPlainObject(items)) return;
  for (let i = 0; i < data.length; i += 1) {
    path.push(i);
    walkUnknown(items, data[i], path, out);
    path.pop();
  }
}

function walkUnknownKeys(schema: Schema, data: Record<string, unknown>, path: Path, out: SchemaCause[]): void {
  const props = schema['properties'];
  const known = isPlainObject(props) ? props : undefined;
  const additional = schema['additionalProperties'];
  for (const key of Object.keys(data)) {
    // Object metadata belongs to the API machinery, which checks it itself.
    if (path.length === 0 && key === 'metadata') continue;
    const sub = known !== undefined ? known[key] : additional;
    path.push(key);
    if (isPlainObject(sub)) walkUnknown(sub, data[key], path, out);
    else {
      const field = renderPath(path);
      out.push({ field, message: `unknown field "${field}"` });
    }
    path.pop();
  }
}

/** `['spec', 'disks', 1, 'name']` → `spec.disks[1].name`; keys that are not identifiers go in brackets. */
function renderPath(path: readonly (string | number)[]): string {
  let out = '';
  for (const seg of path) out = typeof seg === 'number' ? `${out}[${seg}]` : join(out, seg);
  return out;
}

/** A CRD schema prepared for compiling (see `closeSchema`). */
export interface ClosedSchema {
  readonly schema: Schema;
  /** The nodes that got `additionalProperties: false` from us rather than from the CRD. */
  readonly closed: ReadonlySet<object>;
  /** Whether passing the closed schema proves that `unknownFields` finds nothing. */
  readonly exact: boolean;
}

/**
 * The schema as we compile it: the same contract, in a form that checks unknown fields too and that
 * V8 runs fast.
 *
 * - Closed: `additionalProperties: false` on each object node whose unknown keys `unknownFields`
 *   reports, so one ajv pass answers both "valid?" and "any unknown field?". The walk's exceptions
 *   are kept: nothing under `x-kubernetes-preserve-unknown-fields`, the root's `metadata`, or inside
 *   `anyOf` (the walk does not descend there) is closed. `closed` holds the nodes that got the
 *   constraint, so their errors can be told from the schema's own. `exact` is false when some node
 *   has a shape whose unknown keys cannot be closed without changing the schema's own errors
 *   (declared properties beside an additionalProperties schema, or a property whose schema is not
 *   an object); the walk then runs on every object. Structural schemas, ours included, are exact.
 * - Split: each object node with declared properties moves to `$defs` and is referenced from where
 *   it was. ajv compiles a referenced schema to a function of its own (with `inlineRefs: false`),
 *   and V8 optimises small functions: ajv's single function for a whole VMI schema is about 500 kB
 *   of source, which V8 never optimises. Errors keep their instance paths, messages and order;
 *   only their schema paths change.
 */
export function closeSchema(schema: Schema): ClosedSchema {
  if ('$defs' in schema) throw new Error('a CRD schema has no $defs (structural schemas have no references)');
  const closer = new Closer();
  const top = closer.node(schema, true);
  // The root object itself may be in `closed`: the definitions go onto it, not onto a copy.
  const root: Record<string, unknown> = top === schema ? { ...schema } : top;
  root['$defs'] = closer.defs;
  return { schema: root, closed: closer.closed, exact: closer.exact };
}

/** The state of one `closeSchema`: the definitions lifted so far, the nodes closed, exactness. */
class Closer {
  readonly closed = new Set<object>();
  readonly defs: Record<string, Schema> = {};
  exact = true;
  private count = 0;

  /** A copy of `node` with its subtree closed; an object node with properties comes back as a `$ref`. */
  node(node: Schema, root: boolean): Schema {
    if (node['x-kubernetes-preserve-unknown-fields'] === true) return node;
    const out: Record<string, unknown> = { ...node };
    const items = node['items'];
    if (isPlainObject(items)) out['items'] = this.node(items, false);
    if (node['type'] !== 'object') return out;
    const props = node['properties'];
    const additional = node['additionalProperties'];
    if (isPlainObject(props)) {
      out['properties'] = this.properties(props, root);
      if (isPlainObject(additional)) this.exact = false;
      else this.shut(out);
      return root ? out : this.lift(out);
    }
    if (isPlainObject(additional)) out['additionalProperties'] = this.node(additional, false);
    else this.shut(out);
    return out;
  }

  private properties(props: Schema, root: boolean): Schema {
    const subs: Record<string, unknown> = {};
    for (const [key, sub] of Object.entries(props)) {
      if (!isPlainObject(sub)) this.exact = false;
      subs[key] = (root && key === 'metadata') || !isPlainObject(sub) ? sub : this.node(sub, false);
    }
    return subs;
  }

  /** No keys beyond the declared ones (unless the CRD already says so itself). */
  private shut(out: Record<string, unknown>): void {
    if (out['additionalProperties'] === false) return;
    out['additionalProperties'] = false;
    this.closed.add(out);
  }

  private lift(node: Schema): Schema {
    const name = `node${this.count}`;
    this.count += 1;
    this.defs[name] = node;
    return { $ref: `#/$defs/${name}` };
  }
}

/** One kind's compiled check. */
interface Compiled {
  /** The closed schema's validator (see `closeSchema`). */
  readonly fn: ValidateFunction;
  /** The CRD's own schema, which the unknown-field walk reads. */
  readonly schema: Schema;
  readonly closed: ReadonlySet<object>;
  readonly exact: boolean;
}

/**
 * A validator for the given schemas (kind → openAPIV3Schema). Each kind's validator is compiled
 * on first use and kept: compiling is the expensive part, checking is cheap.
 *
 * Each kind compiles once, from its closed schema (`closeSchema`). An object that passes has no
 * problems and no unknown fields: that is the whole cost of the common case, one ajv pass. Only an
 * object that fails pays for more: the closing constraints' errors are dropped (what is left is
 * exactly what the CRD's own schema reports), and the unknown-field walk names the fields.
 */
export function createSchemaValidator(schemaOf: (kind: KindName) => Record<string, unknown>): SchemaValidator {
  const ajv = newAjv();
  const compiled = new Map<KindName, Compiled>();
  const get = (kind: KindName): Compiled => {
    let entry = compiled.get(kind);
    if (entry === undefined) {
      const schema = schemaOf(kind);
      const closed = closeSchema(schema);
      entry = { fn: ajv.compile(closed.schema), schema, closed: closed.closed, exact: closed.exact };
      compiled.set(kind, entry);
    }
    return entry;
  };
  return {
    validate(kind, object) {
      const { fn, schema, closed, exact } = get(kind);
      if (fn(object) && exact) return { errors: [], warnings: [] };
      // `verbose` puts each error's schema node on it: an `additionalProperties` error of a node we
      // closed is an unknown field, which the walk reports as a warning.
      const own = (fn.errors ?? []).filter((e) => !(e.keyword === 'additionalProperties' && closed.has(e.parentSchema as object)));
      return { errors: own.length === 0 ? [] : toCauses(own, object), warnings: unknownFields(schema, object) };
    },
    compile(kinds) {
      for (const kind of kinds) get(kind);
    },
  };
}
