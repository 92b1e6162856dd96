import { describe, expect, it } from 'vitest';
import type { LabelSelector } from '../crd-gen/index.js';
import { parseFieldSelector, parseLabelSelector, parseSelectorString, selectorToString } from './labels.js';

describe('parseSelectorString', () => {
  const labels = { app: 'web', tier: 'front', 'kubevirt.io/created-by': 'u1', empty: '' };
  it.each<[string, boolean]>([
    ['', true],
    ['   ', true],
    ['app=web', true],
    ['app==web', true],
    ['app = web', true],
    ['app=db', false],
    ['app!=db', true],
    ['app!=web', false],
    ['missing!=x', true],
    ['app in (db,web)', true],
    ['app in (db, cache)', false],
    ['app notin (db)', true],
    ['app notin (web,db)', false],
    ['missing notin (x)', true],
    ['missing in (x)', false],
    ['app', true],
    ['missing', false],
    ['!missing', true],
    ['!app', false],
    ['app=web,tier=front', true],
    ['app=web, tier=back', false],
    ['kubevirt.io/created-by=u1', true],
    ['empty=', true],
    ['app=', false],
    [' app in ( web ) , !missing ', true],
  ])('%j matches: %s', (text, expected) => {
    const parsed = parseSelectorString(text);
    expect(parsed.ok).toBe(true);
    if (parsed.ok) expect(parsed.matches(labels)).toBe(expected);
  });

  it.each<string>(['app=web,', ',app', 'app in', 'app in ()', 'app in (a', 'app in (a b)', 'app=b c', '!', '!=x', 'a/b/c=d', 'app=bad value!', 'app=-x', 'app ~ x', 'app in (a,)'])(
    'refuses %j, naming labelSelector',
    (text) => {
      const parsed = parseSelectorString(text);
      expect(parsed.ok).toBe(false);
      if (!parsed.ok) {
        expect(parsed.field).toBe('labelSelector');
        expect(parsed.message).toContain(JSON.stringify(text));
      }
    },
  );

  it('treats undefined labels as none', () => {
    const parsed = parseSelectorString('!a');
    expect(parsed.ok && parsed.matches(undefined)).toBe(true);
  });
});

describe('selectorToString', () => {
  it.each<[LabelSelector | undefined, string]>([
    [undefined, ''],
    [{}, ''],
    [{ matchLabels: { b: '2', a: '1' } }, 'a=1,b=2'],
    [{ matchExpressions: [{ key: 'z', operator: 'In', values: ['y', 'x'] }] }, 'z in (x,y)'],
    [{ matchExpressions: [{ key: 'n', operator: 'NotIn', values: ['a'] }] }, 'n notin (a)'],
    [{ matchExpressions: [{ key: 'e', operator: 'Exists' }, { key: 'd', operator: 'DoesNotExist' }] }, '!d,e'],
    [{ matchLabels: { m: 'v' }, matchExpressions: [{ key: 'a', operator: 'Exists' }, { key: 'z', operator: 'DoesNotExist' }] }, 'a,m=v,!z'],
  ])('%j → %j', (selector, expected) => {
    expect(selectorToString(selector)).toBe(expected);
  });

  it.each<LabelSelector>([
    { matchLabels: { app: 'web', 'kubevirt.io/x': 'y' } },
    { matchExpressions: [{ key: 'a', operator: 'In', values: ['1', '2'] }, { key: 'b', operator: 'NotIn', values: ['3'] }, { key: 'c', operator: 'Exists' }, { key: 'd', operator: 'DoesNotExist' }] },
  ])('round-trips %j through parseSelectorString', (selector) => {
    const fromObject = parseLabelSelector(selector);
    const fromString = parseSelectorString(selectorToString(selector));
    expect(fromObject.ok && fromString.ok).toBe(true);
    const samples = [{}, { app: 'web' }, { app: 'web', 'kubevirt.io/x': 'y' }, { a: '1', c: '' }, { a: '3', c: '' }, { a: '2', b: '3', c: 'x' }, { a: '1', c: 'x', d: '' }];
    for (const labels of samples) {
      if (fromObject.ok && fromString.ok) expect(fromString.matches(labels)).toBe(fromObject.matches(labels));
    }
  });
});

describe('parseFieldSelector', () => {
  const pod = { metadata: { name: 'p', namespace: 'ns' }, spec: { nodeName: 'n1' }, status: { phase: 'Running' } };
  it.each<[string, boolean]>([
    ['', true],
    ['metadata.name=p', true],
    ['metadata.name==p', true],
    ['metadata.name=q', false],
    ['metadata.namespace=ns,spec.nodeName=n1', true],
    ['spec.nodeName!=n1', false],
    ['status.phase!=Failed', true],
    ['status.nodeName=', true],
    ['status.nodeName!=', false],
    [' status.phase = Running ', true],
  ])('%j matches: %s', (text, expected) => {
    const parsed = parseFieldSelector(text);
    expect(parsed.ok).toBe(true);
    if (parsed.ok) expect(parsed.matches(pod)).toBe(expected);
  });

  it.each<[string, string]>([
    ['spec.hostname=x', 'field label not supported: spec.hostname'],
    ['metadata.name', 'invalid selector'],
    ['metadata.name=a,', 'invalid selector'],
  ])('refuses %j', (text, message) => {
    const parsed = parseFieldSelector(text);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) {
      expect(parsed.field).toBe('fieldSelector');
      expect(parsed.message).toContain(message);
    }
  });
});
