/**
 * Generated and mutated AdmissionReview bodies for fuzzing the webhook server and its routes, from
 * a seeded PRNG so a failure reproduces from its seed and case number. Each case is the body's
 * text (it may not be JSON). Test support only: never imported by production code.
 */

import type { Random } from '../../test/builders/random.js';

/** The seeded PRNG the cases are drawn from (test/builders/random.ts). */
export { seededRandom, type Random } from '../../test/builders/random.js';

/** One fuzz input. */
export interface FuzzCase {
  /** What made it, e.g. `wrong-type request.object.spec` (for failure messages). */
  readonly label: string;
  readonly text: string;
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Path = readonly (string | number)[];

const int = (rnd: Random, n: number): number => Math.floor(rnd() * n);
const pick = <T>(rnd: Random, items: readonly T[]): T => items[int(rnd, items.length)] as T;

const ODD_STRINGS = ['', ' ', '\u0000', '\ud800', '💥', '../../etc/passwd', '${jndi:x}', '<script>', '\\', '"', 'CREATE', 'admission.k8s.io/v1', '-1', 'null', 'a'.repeat(300)];
const ODD_NUMBERS = [0, -0, -1, 1.5, 2 ** 53 + 1, -(2 ** 63), 1e308, -1e-308, 4294967296];

/** A random JSON value of at most `depth` levels. */
export function randomJson(rnd: Random, depth = 4): Json {
  const kind = int(rnd, depth <= 0 ? 4 : 6);
  if (kind === 0) return null;
  if (kind === 1) return rnd() < 0.5;
  if (kind === 2) return pick(rnd, ODD_NUMBERS);
  if (kind === 3) return rnd() < 0.5 ? pick(rnd, ODD_STRINGS) : `s${int(rnd, 1000)}`;
  if (kind === 4) return Array.from({ length: int(rnd, 4) }, () => randomJson(rnd, depth - 1));
  const keys = ['apiVersion', 'kind', 'request', 'uid', 'object', 'spec', 'metadata', 'name', 'operation', 'domain', 'x'];
  return Object.fromEntries(Array.from({ length: int(rnd, 5) }, () => [pick(rnd, keys), randomJson(rnd, depth - 1)]));
}

/** A value of another JSON type than `value` has. */
function otherType(rnd: Random, value: unknown): Json {
  const choices: Json[] = [null, true, 42, 'wrong', [], {}, [1, 'a'], { unexpected: 'field' }];
  const typeOf = (v: unknown): string => (Array.isArray(v) ? 'array' : v === null ? 'null' : typeof v);
  const others = choices.filter((c) => typeOf(c) !== typeOf(value));
  return pick(rnd, others);
}

/** Every path in a JSON value, root first. */
export function pathsOf(value: unknown, prefix: Path = []): Path[] {
  const out: Path[] = [prefix];
  if (Array.isArray(value)) value.forEach((v, i) => out.push(...pathsOf(v, [...prefix, i])));
  else if (typeof value === 'object' && value !== null) for (const [k, v] of Object.entries(value)) out.push(...pathsOf(v, [...prefix, k]));
  return out;
}

/** A copy of `root` with the value at `path` replaced (`undefined` deletes it). */
function setAt(root: Json, path: Path, value: Json | undefined): Json {
  if (path.length === 0) return value ?? null;
  const copy = structuredClone(root);
  let node = copy as Record<string | number, Json>;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, Json>;
  const last = path[path.length - 1] as string | number;
  if (value === undefined && Array.isArray(node)) node.splice(last as number, 1);
  else if (value === undefined) delete node[last];
  else node[last] = value;
  return copy;
}

function getAt(root: Json, path: Path): Json {
  let node: Json = root;
  for (const key of path) node = (node as Record<string | number, Json>)[key] as Json;
  return node;
}

const isPrefix = (a: Path, b: Path): boolean => a.length <= b.length && a.every((k, i) => k === b[i]);

const label = (path: Path): string => path.join('.') || '<root>';

/** A placeholder that a case's text replaces with nesting too deep to build as an object. */
const DEEP = '"\u0001deep\u0001"';

function deepText(rnd: Random): string {
  const depth = 100 + int(rnd, rnd() < 0.125 ? 500_000 : 10_000);
  return rnd() < 0.5 ? `${'['.repeat(depth)}${']'.repeat(depth)}` : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
}

type Mutation = (rnd: Random, review: Json, path: Path, paths: readonly Path[]) => FuzzCase;

function swap(_rnd: Random, review: Json, path: Path, other: Path): FuzzCase {
  const related = isPrefix(path, other) || isPrefix(other, path);
  const moved = setAt(review, path, getAt(review, other));
  // A path and its ancestor cannot trade places: the value is copied one way only.
  const swapped = related ? moved : setAt(moved, other, getAt(review, path));
  return { label: `swap ${label(path)} ${label(other)}`, text: JSON.stringify(swapped) };
}

/** The mutations, each as likely as the others. */
const MUTATIONS: readonly Mutation[] = [
  (rnd, review, path) => ({ label: `wrong-type ${label(path)}`, text: JSON.stringify(setAt(review, path, otherType(rnd, getAt(review, path)))) }),
  (_rnd, review, path) => ({ label: `delete ${label(path)}`, text: JSON.stringify(setAt(review, path, undefined)) }),
  (rnd, review, path, paths) => swap(rnd, review, path, pick(rnd, paths)),
  // Mostly tens of kilobytes; one in eight up to 2 MiB, still within the 3 MiB limit.
  (rnd, review, path) => ({ label: `huge-string ${label(path)}`, text: JSON.stringify(setAt(review, path, 'x'.repeat(int(rnd, rnd() < 0.125 ? 2 * 1024 * 1024 : 65_536)))) }),
  (rnd, review, path) => ({ label: `deep ${label(path)}`, text: JSON.stringify(setAt(review, path, DEEP.slice(1, -1))).replace(DEEP, deepText(rnd)) }),
  (rnd, review, path) => ({ label: `random-value ${label(path)}`, text: JSON.stringify(setAt(review, path, randomJson(rnd))) }),
  (rnd, review) => {
    const text = JSON.stringify(review);
    const at = int(rnd, text.length);
    return { label: `truncate @${at}`, text: text.slice(0, at) };
  },
  (rnd, review) => {
    const text = JSON.stringify(review);
    const at = int(rnd, text.length);
    return { label: `byte @${at}`, text: `${text.slice(0, at)}${pick(rnd, ['"', '{', ']', ',', ':', '\\', '\u0000', 'x'])}${text.slice(at + 1)}` };
  },
  (rnd, review) => ({ label: 'duplicate request key', text: JSON.stringify(review).replace(/^\{/, `{"request":${JSON.stringify(randomJson(rnd))},`) }),
];

/** One random mutation of a valid review. */
function mutate(rnd: Random, review: Json, paths: readonly Path[]): FuzzCase {
  return pick(rnd, MUTATIONS)(rnd, review, pick(rnd, paths), paths);
}

/** An AdmissionReview request as the apiserver sends it, for `object` (and `oldObject` on UPDATE/DELETE). */
export function reviewFor(object: Json, operation: 'CREATE' | 'UPDATE' | 'DELETE', uid: string): Json {
  const o = object as { apiVersion?: string; kind?: string; metadata?: { name?: string; namespace?: string } };
  const apiVersion = o.apiVersion ?? 'v1';
  const slash = apiVersion.indexOf('/');
  const group = slash < 0 ? '' : apiVersion.slice(0, slash);
  const version = apiVersion.slice(slash + 1);
  const kind = o.kind ?? '';
  return {
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid,
      kind: { group, version, kind },
      resource: { group, version, resource: `${kind.toLowerCase()}s` },
      name: o.metadata?.name ?? '',
      namespace: o.metadata?.namespace ?? 'default',
      operation,
      userInfo: { username: 'system:serviceaccount:kube-system:fuzzer', groups: ['system:serviceaccounts'] },
      ...(operation === 'DELETE' ? {} : { object }),
      // A copy: structuredClone keeps shared references, and a mutation must hit one of the two only.
      ...(operation === 'CREATE' ? {} : { oldObject: structuredClone(object) }),
      dryRun: false,
    },
  };
}

/**
 * `count` random cases from the seed objects: a seventh random JSON, the rest valid reviews (all
 * three operations) of a seed, each with one mutation; a valid review now and then unmutated.
 */
export function randomCases(seeds: readonly Json[], count: number, rnd: Random): FuzzCase[] {
  const cases: FuzzCase[] = [];
  for (let i = 0; i < count; i += 1) {
    const uid = rnd() < 0.9 ? `fuzz-${i}` : pick(rnd, ODD_STRINGS);
    const review = reviewFor(pick(rnd, seeds), pick(rnd, ['CREATE', 'UPDATE', 'DELETE'] as const), uid);
    const roll = rnd();
    if (roll < 1 / 7) cases.push({ label: 'random json', text: JSON.stringify(randomJson(rnd, 6)) });
    else if (roll < 0.2) cases.push({ label: 'valid', text: JSON.stringify(review) });
    else cases.push(mutate(rnd, review, pathsOf(review)));
  }
  return cases;
}

/** Every path of a review of each seed with a value of each other JSON type: wrong types at every level. */
export function wrongTypeCases(seeds: readonly Json[], rnd: Random): FuzzCase[] {
  const cases: FuzzCase[] = [];
  seeds.forEach((seed, s) => {
    const review = reviewFor(seed, 'CREATE', `wrong-type-${s}`);
    for (const path of pathsOf(review)) {
      cases.push({ label: `seed ${s} wrong-type ${label(path)}`, text: JSON.stringify(setAt(review, path, otherType(rnd, getAt(review, path)))) });
    }
  });
  return cases;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function statusProblems(status: unknown): string[] {
  if (status === undefined) return [];
  if (!isRecord(status)) return ['response.status is not an object'];
  const out: string[] = [];
  if (!Number.isInteger(status['code'])) out.push('response.status.code is not an integer');
  if (typeof status['message'] !== 'string') out.push('response.status.message is not a string');
  const causes = isRecord(status['details']) ? status['details']['causes'] : [];
  if (!Array.isArray(causes)) out.push('response.status.details.causes is not a list');
  else if (!causes.every((c) => isRecord(c) && typeof c['type'] === 'string' && typeof c['field'] === 'string' && typeof c['message'] === 'string')) out.push('a cause is not {type, field, message} strings');
  return out;
}

function patchProblems(response: Record<string, unknown>): string[] {
  if (response['patch'] === undefined && response['patchType'] === undefined) return [];
  if (response['patchType'] !== 'JSONPatch' || typeof response['patch'] !== 'string') return ['patch without patchType JSONPatch, or not a string'];
  try {
    const ops: unknown = JSON.parse(Buffer.from(response['patch'], 'base64').toString('utf8'));
    return Array.isArray(ops) && ops.every((op) => isRecord(op) && typeof op['op'] === 'string' && typeof op['path'] === 'string') ? [] : ['patch is not a list of operations'];
  } catch {
    return ['patch is not base64 of JSON'];
  }
}

function uidProblems(actual: unknown, expected: string | undefined): string[] {
  if (typeof actual !== 'string') return ['response.uid is not a string'];
  return expected === undefined || actual === expected ? [] : [`response.uid ${JSON.stringify(actual.slice(0, 40))} is not the request's`];
}

function fieldProblems(response: Record<string, unknown>): string[] {
  const out: string[] = [];
  if (typeof response['allowed'] !== 'boolean') out.push('response.allowed is not a boolean');
  const warnings = response['warnings'];
  if (warnings !== undefined && !(Array.isArray(warnings) && warnings.every((w) => typeof w === 'string'))) out.push('response.warnings is not a list of strings');
  return out;
}

/**
 * What is wrong with an answer as an admission.k8s.io/v1 AdmissionReview response (nothing: an
 * empty list); with `uid`, the response must carry exactly it.
 */
export function reviewResponseProblems(answer: unknown, uid?: string): string[] {
  if (!isRecord(answer) || answer['apiVersion'] !== 'admission.k8s.io/v1' || answer['kind'] !== 'AdmissionReview') return ['not an admission.k8s.io/v1 AdmissionReview'];
  const response = answer['response'];
  if (!isRecord(response)) return ['response is not an object'];
  return [...uidProblems(response['uid'], uid), ...fieldProblems(response), ...statusProblems(response['status']), ...patchProblems(response)];
}

/** The request uid of a parsed body when it is a string. */
export function uidOf(body: unknown): string | undefined {
  const request = isRecord(body) ? body['request'] : undefined;
  return isRecord(request) && typeof request['uid'] === 'string' ? request['uid'] : undefined;
}

/** A copy of `value` whose `name` (when it has a string one) ends in `-i`: distinct list entries. */
function renamed(value: Json, i: number): Json {
  if (!isRecord(value) || typeof value['name'] !== 'string') return value;
  return { ...value, name: `${value['name']}-${i}` };
}

/**
 * Large repeated lists: for every list in a review of each seed, the same review with that list
 * grown to `length` entries, once as copies of its first entry (every name repeated) and once
 * with each copy's name made distinct. The class of input that makes a pairwise rule quadratic.
 */
export function* repeatedListCases(seeds: readonly Json[], length: number): Generator<FuzzCase> {
  for (const [s, seed] of seeds.entries()) {
    const review = reviewFor(seed, 'CREATE', `repeated-${s}`);
    for (const path of pathsOf(review)) {
      const list = getAt(review, path);
      if (!Array.isArray(list) || list.length === 0) continue;
      const first = list[0] as Json;
      const copies = Array.from({ length }, () => first);
      const distinct = Array.from({ length }, (_, i) => renamed(first, i));
      yield { label: `seed ${s} repeated ${label(path)} x${length}`, text: JSON.stringify(setAt(review, path, copies)) };
      if (isRecord(first) && typeof first['name'] === 'string') {
        yield { label: `seed ${s} distinct ${label(path)} x${length}`, text: JSON.stringify(setAt(review, path, distinct)) };
      }
    }
  }
}
