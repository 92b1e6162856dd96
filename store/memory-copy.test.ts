import { describe, expect, it } from 'vitest';
import { copyObject } from './memory-copy.js';

const sparse: unknown[] = [1];
sparse[2] = 3;

describe('copyObject', () => {
  it.each<[string, unknown]>([
    ['null', null],
    ['a string', 'x'],
    ['a number', 4.5],
    ['a boolean', false],
    ['undefined', undefined],
    ['an empty object', {}],
    ['a VMI-shaped object', { apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachineInstance', metadata: { name: 'a', labels: { app: 'x' }, ownerReferences: [{ uid: 'u', controller: true }] }, spec: { domain: { devices: { disks: [{ name: 'd', disk: { bus: 'virtio' } }] } } }, status: { conditions: [] } }],
    ['members that are undefined', { a: undefined, b: [undefined, null] }],
    ['a sparse array', { list: sparse }],
    ['nested arrays', [[1, [2, [3]]], []]],
    ['a Date inside', { at: new Date('2026-01-01T00:00:00Z') }],
    ['a Map inside', { m: new Map([['k', { v: 1 }]]) }],
    ['an object without a prototype inside', { o: Object.assign(Object.create(null) as object, { k: 1 }) }],
    ['an own __proto__ member', JSON.parse('{"__proto__": {"polluted": true}, "k": 1}') as unknown],
  ])('%s: equal to structuredClone', (_name, value) => {
    const copied = copyObject(value);
    expect(copied).toStrictEqual(structuredClone(value));
    if (typeof value === 'object' && value !== null) expect(copied).not.toBe(value);
  });

  it('keeps an own __proto__ member as a member, never as the prototype', () => {
    const copied = copyObject(JSON.parse('{"__proto__": {"polluted": true}}') as Record<string, unknown>);
    expect(Object.getPrototypeOf(copied)).toBe(Object.prototype);
    expect(Object.keys(copied)).toEqual(['__proto__']);
    expect((copied as { polluted?: boolean }).polluted).toBeUndefined();
  });

  it('shares nothing with its input: changing the copy leaves the original as it was', () => {
    const original = { metadata: { labels: { a: '1' } }, spec: { list: [{ x: 1 }] } };
    const copied = copyObject(original);
    copied.metadata.labels.a = '2';
    (copied.spec.list[0] as { x: number }).x = 2;
    copied.spec.list.push({ x: 3 });
    expect(original).toEqual({ metadata: { labels: { a: '1' } }, spec: { list: [{ x: 1 }] } });
  });

  it.each<[string, unknown]>([
    ['a function', { f: () => 1 }],
    ['a symbol', { s: Symbol('s') }],
  ])('throws as structuredClone does for %s', (_name, value) => {
    expect(() => structuredClone(value)).toThrow();
    expect(() => copyObject(value)).toThrow();
  });
});
