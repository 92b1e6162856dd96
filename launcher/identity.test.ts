import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { launcherId, runDirFor, sameIdentity, vmiIdentity } from './identity.js';

const a = { namespace: 'default', name: 'demo', uid: '1111-2222' };

describe('launcher identity', () => {
  it('is 10 hex digits of sha256(ns/name/uid)', () => {
    const expected = createHash('sha256').update('default/demo/1111-2222').digest('hex').slice(0, 10);
    expect(launcherId(a)).toBe(expected);
    expect(launcherId(a)).toMatch(/^[0-9a-f]{10}$/);
  });

  it.each([
    ['namespace', { ...a, namespace: 'other' }],
    ['name', { ...a, name: 'demo2' }],
    ['uid', { ...a, uid: '1111-2223' }],
  ])('differs when the %s differs', (_field, other) => {
    expect(launcherId(other)).not.toBe(launcherId(a));
    expect(sameIdentity(a, other)).toBe(false);
  });

  it('puts the run dir under the run root', () => {
    expect(runDirFor('/run/kvt', a)).toBe(`/run/kvt/${launcherId(a)}`);
    expect(runDirFor('/tmp/kvt-1000/', a)).toBe(`/tmp/kvt-1000/${launcherId(a)}`);
  });

  it('reads an identity from an object, defaulting the namespace', () => {
    expect(vmiIdentity({ metadata: { name: 'demo', uid: '1111-2222' } })).toEqual(a);
    expect(sameIdentity(vmiIdentity({ metadata: { namespace: 'default', name: 'demo', uid: '1111-2222' } }), a)).toBe(true);
    expect(vmiIdentity({ metadata: {} })).toEqual({ namespace: 'default', name: '', uid: '' });
  });
});
