/**
 * RFC 6902 JSON Patch between two JSON documents, as a mutating webhook answers: `diff(original,
 * mutated)` is the patch the API server applies to what it sent. Pointers escape `~` as `~0` and `/`
 * as `~1` (RFC 6901), so keys such as `kubevirt.io/created-by` address the right member.
 *
 * Values are JSON: a member whose value is `undefined` counts as absent (JSON.stringify drops it),
 * so the patch describes what goes over the wire. Arrays are patched per index: the common prefix is
 * diffed element by element, extra elements are appended, surplus ones removed from the end.
 * @see https://datatracker.ietf.org/doc/html/rfc6902
 * @see https://datatracker.ietf.org/doc/html/rfc6901
 */
import { KubevirtError } from './errors.js';

/** A JSON value. */
export type JsonValue = null | boolean | number | string | readonly JsonValue[] | { readonly [key: string]: JsonValue };

/** One patch operation (the three a diff needs; `test` is accepted by {@link applyPatch}). */
export type Op =
  | { readonly op: 'add'; readonly path: string; readonly value: unknown }
  | { readonly op: 'replace'; readonly path: string; readonly value: unknown }
  | { readonly op: 'remove'; readonly path: string }
  | { readonly op: 'test'; readonly path: string; readonly value: unknown };

/** One reference token of a JSON Pointer, escaped (`a/b` → `a~1b`, `a~b` → `a~0b`). */
export function escapePointerToken(token: string): string {
  return token.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** One reference token unescaped (`~1` → `/`, then `~0` → `~`, in that order as RFC 6901 says). */
export function unescapePointerToken(token: string): string {
  return token.replace(/~1/g, '/').replace(/~0/g, '~');
}

/** A JSON Pointer from unescaped tokens: `['metadata', 'labels', 'kubevirt.io/vm']` → `/metadata/labels/kubevirt.io~1vm`. */
export function toPointer(tokens: readonly (string | number)[]): string {
  return tokens.map((t) => `/${escapePointerToken(String(t))}`).join('');
}

type Obj = Readonly<Record<string, unknown>>;

function isObject(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * The value as it would go over the wire, `JSON.parse(JSON.stringify(value))` (`undefined` members
 * dropped, `undefined` array items null, -0 as 0, NaN and infinities null). Plain data is copied
 * directly (the text round trip cost ten times more: every JSON patch copies its whole document);
 * anything else (a Date, a toJSON, a Map) goes through the text.
 */
function wire(value: unknown): unknown {
  return value === undefined ? undefined : wireValue(value);
}

/** Members and items JSON.stringify leaves out of objects (and writes as null in arrays). */
const unserialisable = (v: unknown): boolean => v === undefined || typeof v === 'function' || typeof v === 'symbol';

function wireValue(value: unknown): unknown {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value + 0 : null;
  if (Array.isArray(value) && Object.getPrototypeOf(value) === Array.prototype) return wireArray(value);
  if (isPlainRecord(value)) return wireRecord(value);
  return JSON.parse(JSON.stringify(value)) as unknown;
}

function isPlainRecord(value: unknown): value is Obj {
  return typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype && typeof (value as Obj)['toJSON'] !== 'function';
}

function wireArray(source: readonly unknown[]): unknown[] {
  const out: unknown[] = new Array<unknown>(source.length);
  for (let i = 0; i < source.length; i += 1) out[i] = unserialisable(source[i]) ? null : wireValue(source[i]);
  return out;
}

function wireRecord(source: Obj): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(source)) {
    const v = source[key];
    if (unserialisable(v)) continue;
    // JSON.parse makes "__proto__" an own member; assigning it would set the prototype instead.
    if (key === '__proto__') Object.defineProperty(out, key, { value: wireValue(v), enumerable: true, writable: true, configurable: true });
    else out[key] = wireValue(v);
  }
  return out;
}

/**
 * Whether two values serialise to the same JSON (member order ignored). Every write of the
 * in-memory API server and admission compare whole objects with it, so it allocates nothing: the
 * defined members of `a` must equal those of `b`, and `b` must have no more defined members.
 */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((x, i) => jsonEqual(x ?? null, b[i] ?? null));
  return isObject(a) && isObject(b) && objectsEqual(a, b);
}

function objectsEqual(a: Obj, b: Obj): boolean {
  let defined = 0;
  for (const key of Object.keys(a)) {
    const value = a[key];
    if (value === undefined) continue;
    // A defined member equals only a defined one, so b has every defined member a has.
    if (!jsonEqual(value, b[key])) return false;
    defined += 1;
  }
  for (const key of Object.keys(b)) if (b[key] !== undefined) defined -= 1;
  return defined === 0;
}

function definedKeys(o: Obj): string[] {
  return Object.keys(o).filter((k) => o[k] !== undefined);
}

/** The operations that turn `before` into `after`; empty when they are equal as JSON. */
export function diff(before: unknown, after: unknown): Op[] {
  const ops: Op[] = [];
  diffInto(ops, '', before, after);
  return ops;
}

function diffInto(ops: Op[], at: string, before: unknown, after: unknown): void {
  if (jsonEqual(before, after)) return;
  if (isObject(before) && isObject(after)) diffObjects(ops, at, before, after);
  else if (Array.isArray(before) && Array.isArray(after)) diffArrays(ops, at, before, after);
  else ops.push({ op: 'replace', path: at, value: wire(after) ?? null });
}

function diffObjects(ops: Op[], at: string, before: Obj, after: Obj): void {
  for (const key of definedKeys(before)) {
    if (after[key] === undefined) ops.push({ op: 'remove', path: `${at}/${escapePointerToken(key)}` });
  }
  for (const key of definedKeys(after)) {
    const path = `${at}/${escapePointerToken(key)}`;
    if (before[key] === undefined) ops.push({ op: 'add', path, value: wire(after[key]) });
    else diffInto(ops, path, before[key], after[key]);
  }
}

function diffArrays(ops: Op[], at: string, before: readonly unknown[], after: readonly unknown[]): void {
  const common = Math.min(before.length, after.length);
  for (let i = 0; i < common; i++) diffInto(ops, `${at}/${i}`, before[i] ?? null, after[i] ?? null);
  for (let i = common; i < after.length; i++) ops.push({ op: 'add', path: `${at}/${i}`, value: wire(after[i]) ?? null });
  // From the end, so every index still names the element it meant when the op runs.
  for (let i = before.length - 1; i >= common; i--) ops.push({ op: 'remove', path: `${at}/${i}` });
}

/** A patch that cannot be applied to the document (a test helper's broken invariant). */
export class JsonPatchError extends KubevirtError {}

function parsePointer(path: string): string[] {
  if (path === '') return [];
  if (!path.startsWith('/')) throw new JsonPatchError(`not a JSON Pointer: ${JSON.stringify(path)}`);
  return path.slice(1).split('/').map(unescapePointerToken);
}

type Container = Record<string, unknown> | unknown[];

function arrayIndex(arr: readonly unknown[], token: string, forAdd: boolean): number {
  if (forAdd && token === '-') return arr.length;
  if (!/^(0|[1-9][0-9]*)$/.test(token)) throw new JsonPatchError(`not an array index: ${JSON.stringify(token)}`);
  const i = Number(token);
  if (i > arr.length || (!forAdd && i === arr.length)) throw new JsonPatchError(`array index ${i} out of range (length ${arr.length})`);
  return i;
}

function child(node: unknown, token: string): unknown {
  if (Array.isArray(node)) return node[arrayIndex(node, token, false)];
  if (isObject(node) && Object.hasOwn(node, token)) return node[token];
  throw new JsonPatchError(`no member ${JSON.stringify(token)}`);
}

function parentOf(doc: unknown, tokens: readonly string[]): Container {
  const parent = tokens.slice(0, -1).reduce(child, doc);
  if (Array.isArray(parent) || isObject(parent)) return parent as Container;
  throw new JsonPatchError(`parent of /${tokens.join('/')} is not a container`);
}

function applyOne(doc: unknown, op: Op): unknown {
  const tokens = parsePointer(op.path);
  const last = tokens[tokens.length - 1];
  if (op.op === 'test') {
    if (!jsonEqual(tokens.reduce(child, doc), op.value)) throw new JsonPatchError(`test failed at ${op.path}`);
    return doc;
  }
  if (last === undefined) {
    if (op.op === 'remove') throw new JsonPatchError('cannot remove the whole document');
    return structuredClone(op.value);
  }
  const parent = parentOf(doc, tokens);
  if (Array.isArray(parent)) applyToArray(parent, last, op);
  else applyToObject(parent, last, op);
  return doc;
}

function applyToArray(arr: unknown[], token: string, op: Exclude<Op, { op: 'test' }>): void {
  const i = arrayIndex(arr, token, op.op === 'add');
  if (op.op === 'add') arr.splice(i, 0, structuredClone(op.value));
  else if (op.op === 'remove') arr.splice(i, 1);
  else arr[i] = structuredClone(op.value);
}

function applyToObject(obj: Record<string, unknown>, key: string, op: Exclude<Op, { op: 'test' }>): void {
  if (op.op !== 'add' && !Object.hasOwn(obj, key)) throw new JsonPatchError(`no member ${JSON.stringify(key)} to ${op.op}`);
  if (op.op === 'remove') delete obj[key];
  else obj[key] = structuredClone(op.value);
}

/** `doc` with the operations applied in order; the input is left untouched. Throws a JsonPatchError when an op does not fit. */
export function applyPatch(doc: unknown, ops: readonly Op[]): unknown {
  return ops.reduce(applyOne, wire(doc) ?? null);
}
