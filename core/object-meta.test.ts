import { describe, expect, it } from 'vitest';
import { MAX_ANNOTATIONS_BYTES, metaTypeProblems, nameProblems, nameRuleOf, objectMetaCauses, qualifiedNameProblems, type MetaRules } from './object-meta.js';

const NAMESPACED: MetaRules = { namespaced: true, nameRule: 'dns1123-subdomain' };
const withMeta = (metadata: unknown): unknown => ({ apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachine', metadata });
const fields = (metadata: unknown, rules = NAMESPACED): string[] => objectMetaCauses(withMeta(metadata), rules).map((c) => `${c.field}: ${c.message}`);
/** Each line of `actual` starts as the matching line of `expected` does. */
const starts = (expected: string[]): unknown[] => expected.map((e) => expect.stringMatching(`^${e.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));

describe('objectMetaCauses', () => {
  it.each([
    [{ name: 'vm-1', namespace: 'default' }],
    [{ name: 'a.b.c', labels: { 'kubevirt.io/flavor': 'small', app: '' }, annotations: { 'Example.COM/Note': 'anything at all !' } }],
    [{ generateName: 'web-' }],
    [{ name: 'x'.repeat(253) }],
  ])('admits %j', (metadata) => {
    expect(fields(metadata)).toEqual([]);
  });

  it.each([
    ['a bad name', { name: 'Bad_Name!!/../x' }, ['metadata.name: Invalid value: "Bad_Name!!/../x": a lowerca']],
    ['a path as a name', { name: '../../../../tmp/preset' }, ['metadata.name: Invalid value: "../../../../tmp/preset": a']],
    ['a namespace with a path', { name: 'ok', namespace: '../etc' }, ['metadata.namespace: Invalid value: "../etc": a lowercase RF']],
    ['a label key with a space', { name: 'ok', labels: { 'bad key!': 'v' } }, ['metadata.labels: Invalid value: "bad key!": name part must c']],
    ['a label value too long', { name: 'ok', labels: { k: 'v'.repeat(64) } }, ['metadata.labels: Invalid value: "vvvvvvvvvvvvvvvvvvvvvvvvvvv']],
    ['a NUL in a name', { name: 'a\u0000b' }, ['metadata.name: Invalid value: "a\\u0000b": a lowercase RFC 11']],
    ['a boolean as a name (YAML yes)', { name: true }, ['metadata.name: Invalid value: true: must be a string']],
    ['no name', { namespace: 'default' }, ['metadata.name: Required value: name or generateName is requ']],
    ['a name too long', { name: 'x'.repeat(254) }, ['metadata.name: Invalid value: "xxxxxxxxxxxxxxxxxxxxxxxxxxxxx']],
    ['a bad generateName', { generateName: 'Web_' }, ['metadata.generateName: Invalid value: "Web_": a lowercase']],
    ['a number as a label value', { name: 'ok', labels: { k: 5 } }, ['metadata.labels.k: Invalid value: 5: must be a string']],
    ['annotations too big', { name: 'ok', annotations: { k: 'v'.repeat(MAX_ANNOTATIONS_BYTES) } }, ['metadata.annotations: Too long: may not be more than 262']],
  ])('refuses %s', (_title, metadata, expected) => {
    expect(fields(metadata)).toEqual(starts(expected));
  });

  it('ignores the namespace of a cluster-scoped kind, and checks a Namespace name as a label', () => {
    expect(fields({ name: 'ok', namespace: 'Whatever' }, { namespaced: false, nameRule: 'dns1123-subdomain' })).toEqual([]);
    expect(fields({ name: 'a.b' }, { namespaced: false, nameRule: nameRuleOf('Namespace') })).toEqual(starts(['metadata.name: Invalid value: "a.b": a lowercase RFC 1123 label']));
    expect(nameRuleOf('Service')).toBe('dns1035-label');
    expect(nameRuleOf('VirtualMachine')).toBe('dns1123-subdomain');
  });

  it('is linear on a huge name (one pass of each pattern)', () => {
    expect(nameProblems(`${'a.'.repeat(1_000_000)}!`, 'dns1123-subdomain')).toHaveLength(2);
  });
});

describe('qualifiedNameProblems', () => {
  it.each([
    ['app', []],
    ['kubevirt.io/domain', []],
    ['a/b/c', 1],
    ['/x', 1],
    ['Example.com/x', 1],
    [`${'n'.repeat(64)}`, 1],
  ])('%s', (key, expected) => {
    const problems = qualifiedNameProblems(key);
    if (Array.isArray(expected)) expect(problems).toEqual(expected);
    else expect(problems).toHaveLength(expected);
  });
});

describe('metaTypeProblems', () => {
  it('names each field of the wrong JSON type', () => {
    expect(metaTypeProblems(withMeta({ name: 5, labels: ['a'], annotations: { a: 1 } }))).toEqual([
      'metadata.name is number, not a string', 'metadata.labels is not a map of strings to strings', 'metadata.annotations is not a map of strings to strings',
    ]);
    expect(metaTypeProblems(withMeta('x'))).toEqual(['metadata is string, not an object']);
    expect(metaTypeProblems(withMeta({ name: 'ok', labels: { a: 'b' } }))).toEqual([]);
  });
});
