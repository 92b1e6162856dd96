import { describe, expect, it } from 'vitest';
import { applyPatch, diff, escapePointerToken, jsonEqual, JsonPatchError, toPointer, unescapePointerToken, type Op } from './json-patch.js';
import { seededRandom } from '../test/builders/random.js';

const KEYS = ['a', 'b', 'spec', 'kubevirt.io/vm', 'a~b', '~1', '~0', '/', '', 'x/y~z', 'ä', '0', '-', 'metadata'];

function gen(r: () => number, depth: number): unknown {
  const pick = r();
  if (depth <= 0 || pick < 0.35) {
    const s = r();
    if (s < 0.2) return null;
    if (s < 0.4) return r() < 0.5;
    if (s < 0.6) return Math.floor(r() * 10) - 3;
    return KEYS[Math.floor(r() * KEYS.length)];
  }
  if (pick < 0.65) return Array.from({ length: Math.floor(r() * 5) }, () => gen(r, depth - 1));
  const out: Record<string, unknown> = {};
  for (let i = Math.floor(r() * 5); i > 0; i--) out[KEYS[Math.floor(r() * KEYS.length)] as string] = gen(r, depth - 1);
  return out;
}

/** A variation of `v`: some members changed, dropped or added, some array items too. */
function mutate(r: () => number, v: unknown, depth: number): unknown {
  if (r() < 0.15) return gen(r, depth);
  if (Array.isArray(v)) {
    const out = v.map((x) => (r() < 0.3 ? mutate(r, x, depth - 1) : x));
    if (r() < 0.3) out.splice(Math.floor(r() * (out.length + 1)), 0, gen(r, depth - 1));
    if (r() < 0.3 && out.length > 0) out.splice(Math.floor(r() * out.length), 1);
    return out;
  }
  if (typeof v === 'object' && v !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) if (r() > 0.2) out[k] = r() < 0.3 ? mutate(r, x, depth - 1) : x;
    if (r() < 0.4) out[KEYS[Math.floor(r() * KEYS.length)] as string] = gen(r, depth - 1);
    return out;
  }
  return v;
}

describe('diff / applyPatch round trip', () => {
  it('applyPatch(a, diff(a, b)) deep-equals b over 3000 generated pairs', () => {
    const r = seededRandom(6902);
    for (let n = 0; n < 3000; n++) {
      const a = gen(r, 4);
      const b = r() < 0.5 ? mutate(r, a, 4) : gen(r, 4);
      const before = JSON.stringify(a);
      const ops = diff(a, b);
      expect(applyPatch(a, ops), `case ${n}: ${before} → ${JSON.stringify(b)}`).toEqual(b);
      expect(JSON.stringify(a), 'diff and applyPatch leave their input alone').toBe(before);
    }
  });

  it('gives an empty patch for equal documents, whatever the member order', () => {
    const r = seededRandom(1);
    for (let n = 0; n < 500; n++) {
      const a = gen(r, 4);
      expect(diff(a, structuredClone(a))).toEqual([]);
    }
    expect(diff({ a: 1, b: { c: [1, 2] } }, { b: { c: [1, 2] }, a: 1 })).toEqual([]);
  });

  it('treats undefined members as absent, as JSON does', () => {
    expect(diff({ a: 1, b: undefined }, { a: 1 })).toEqual([]);
    expect(diff({ a: 1 }, { a: 1, b: undefined })).toEqual([]);
    expect(diff({ a: undefined }, { a: 2 })).toEqual([{ op: 'add', path: '/a', value: 2 }]);
  });
});

/** JSON text with members sorted: equal for values that serialise to the same JSON, member order aside. */
function canonical(v: unknown): string {
  return JSON.stringify(v, (_key, value: unknown) => (typeof value === 'object' && value !== null && !Array.isArray(value) ? Object.fromEntries(Object.entries(value).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0))) : value)) ?? 'undefined';
}

describe('jsonEqual', () => {
  it.each<[string, unknown, unknown, boolean]>([
    ['equal primitives', 'a', 'a', true],
    ['different primitives', 1, '1', false],
    ['member order', { a: 1, b: { c: [1, 2] } }, { b: { c: [1, 2] }, a: 1 }, true],
    ['an undefined member is absent', { a: 1, b: undefined }, { a: 1 }, true],
    ['absent against an undefined member', { a: 1 }, { a: 1, b: undefined }, true],
    ['a member only on the right', { a: 1 }, { a: 1, b: 2 }, false],
    ['a member only on the left', { a: 1, b: 2 }, { a: 1 }, false],
    ['same count, other members', { a: 1, b: undefined }, { b: 1 }, false],
    ['an undefined array item is null', [undefined, 1], [null, 1], true],
    ['array against object', [], {}, false],
    ['object against array', {}, [], false],
    ['null against an empty object', null, {}, false],
    ['nested difference', { a: { b: [{ c: 1 }] } }, { a: { b: [{ c: 2 }] } }, false],
  ])('%s', (_name, a, b, expected) => {
    expect(jsonEqual(a, b)).toBe(expected);
    expect(jsonEqual(b, a)).toBe(expected);
  });

  it('agrees with comparing sorted JSON text over 3000 generated pairs', () => {
    const r = seededRandom(7386);
    for (let n = 0; n < 3000; n++) {
      const a = gen(r, 4);
      const b = r() < 0.3 ? structuredClone(a) : r() < 0.7 ? mutate(r, a, 4) : gen(r, 4);
      expect(jsonEqual(a, b), `case ${n}: ${JSON.stringify(a)} vs ${JSON.stringify(b)}`).toBe(canonical(a) === canonical(b));
    }
  });
});

describe('applyPatch copies its document as JSON text would', () => {
  const holes: unknown[] = [1];
  holes[3] = 2;
  it.each<[string, unknown]>([
    ['undefined members and items', { a: undefined, b: [undefined, 1], c: { d: undefined } }],
    ['functions and symbols', { f: () => 1, s: Symbol('s'), list: [() => 1, Symbol('t')] }],
    ['-0, NaN and infinities', { z: -0, n: Number.NaN, i: [Infinity, -Infinity] }],
    ['holes in an array', { holes }],
    ['a Date and a toJSON', { at: new Date('2026-01-01T00:00:00Z'), custom: { toJSON: () => 'custom' } }],
    ['a Map and an object without a prototype', { m: new Map([['k', 1]]), o: Object.assign(Object.create(null) as object, { k: 1 }) }],
    ['an own __proto__ member', JSON.parse('{"__proto__": {"polluted": true}, "k": [1]}') as unknown],
    ['a top-level array', [1, 'a', null, { b: undefined }]],
  ])('%s', (_name, value) => {
    const copied = applyPatch(value, []);
    expect(copied).toStrictEqual(JSON.parse(JSON.stringify(value)));
    expect(Object.getPrototypeOf(copied)).toBe(Object.getPrototypeOf(JSON.parse(JSON.stringify(value))));
  });

  it('over 1000 generated documents, and a BigInt is refused as JSON.stringify refuses it', () => {
    const r = seededRandom(8259);
    for (let n = 0; n < 1000; n++) {
      const doc = gen(r, 5);
      expect(applyPatch(doc, [])).toStrictEqual(JSON.parse(JSON.stringify(doc) ?? 'null'));
    }
    expect(() => applyPatch({ big: 1n }, [])).toThrow(TypeError);
  });
});

describe('diff', () => {
  it.each<[string, unknown, unknown, Op[]]>([
    ['label keys with a slash', { metadata: { labels: {} } }, { metadata: { labels: { 'kubevirt.io/vm': 'x' } } },
      [{ op: 'add', path: '/metadata/labels/kubevirt.io~1vm', value: 'x' }]],
    ['keys with a tilde', { 'a~b': 1 }, { 'a~b': 2 }, [{ op: 'replace', path: '/a~0b', value: 2 }]],
    ['a tilde before a one', { '~1': 1 }, {}, [{ op: 'remove', path: '/~01' }]],
    ['the empty key', {}, { '': 1 }, [{ op: 'add', path: '/', value: 1 }]],
    ['a new object member', { spec: {} }, { spec: { a: { b: 1 } } }, [{ op: 'add', path: '/spec/a', value: { b: 1 } }]],
    ['a changed type', { a: [1] }, { a: { 0: 1 } }, [{ op: 'replace', path: '/a', value: { 0: 1 } }]],
    ['appended array items', { f: ['x'] }, { f: ['x', 'y', 'z'] },
      [{ op: 'add', path: '/f/1', value: 'y' }, { op: 'add', path: '/f/2', value: 'z' }]],
    ['removed array items, from the end', { f: [1, 2, 3] }, { f: [1] },
      [{ op: 'remove', path: '/f/2' }, { op: 'remove', path: '/f/1' }]],
    ['a changed array item', { f: [{ n: 1 }, { n: 2 }] }, { f: [{ n: 1 }, { n: 3 }] }, [{ op: 'replace', path: '/f/1/n', value: 3 }]],
    ['the root', 1, 'x', [{ op: 'replace', path: '', value: 'x' }]],
    ['null to object', { a: null }, { a: {} }, [{ op: 'replace', path: '/a', value: {} }]],
  ])('%s', (_name, before, after, ops) => {
    expect(diff(before, after)).toEqual(ops);
  });
});

describe('pointer tokens', () => {
  it.each([
    ['kubevirt.io/vm', 'kubevirt.io~1vm'],
    ['a~b', 'a~0b'],
    ['~1', '~01'],
    ['/~', '~1~0'],
    ['', ''],
  ])('%j ↔ %j', (raw, escaped) => {
    expect(escapePointerToken(raw)).toBe(escaped);
    expect(unescapePointerToken(escaped)).toBe(raw);
  });
  it('builds pointers from tokens', () => {
    expect(toPointer(['metadata', 'annotations', 'virtualmachinepreset.kubevirt.io/small'])).toBe('/metadata/annotations/virtualmachinepreset.kubevirt.io~1small');
    expect(toPointer(['spec', 'volumes', 0])).toBe('/spec/volumes/0');
  });
});

describe('applyPatch', () => {
  it('supports `-` for appending and `test`', () => {
    expect(applyPatch({ a: [1] }, [{ op: 'add', path: '/a/-', value: 2 }, { op: 'test', path: '/a/1', value: 2 }])).toEqual({ a: [1, 2] });
  });
  it.each<[string, unknown, Op[]]>([
    ['a missing member', { a: 1 }, [{ op: 'replace', path: '/b', value: 1 }]],
    ['a missing parent', {}, [{ op: 'add', path: '/a/b', value: 1 }]],
    ['an index past the end', { a: [] }, [{ op: 'add', path: '/a/1', value: 1 }]],
    ['a bad index', { a: [1] }, [{ op: 'remove', path: '/a/01' }]],
    ['a failed test', { a: 1 }, [{ op: 'test', path: '/a', value: 2 }]],
    ['a pointer without a slash', { a: 1 }, [{ op: 'remove', path: 'a' }]],
  ])('refuses %s', (_name, doc, ops) => {
    expect(() => applyPatch(doc, ops)).toThrow(JsonPatchError);
  });
});
