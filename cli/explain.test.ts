import { describe, expect, it } from 'vitest';
import { loadSchema } from '../crd-gen/crds.js';
import { explain, typeName, wrap } from './explain.js';

const SCHEMA = {
  description: 'A thing.',
  type: 'object',
  required: ['spec'],
  properties: {
    apiVersion: { type: 'string', description: 'The version.' },
    metadata: { type: 'object' },
    spec: {
      type: 'object',
      required: ['size'],
      properties: {
        size: { type: 'integer', description: 'How big.' },
        mode: { type: 'string', enum: ['Fast', 'Slow'] },
        disks: { type: 'array', items: { type: 'object', properties: { name: { type: 'string', description: 'Its name.' } } } },
        labels: { type: 'object', additionalProperties: { type: 'string' } },
        port: { 'x-kubernetes-int-or-string': true },
      },
    },
  },
};
const TARGET = { group: 'example.io', version: 'v1', kind: 'Thing' };

describe('typeName', () => {
  it.each<[string, Record<string, unknown>, string]>([
    ['string', { type: 'string' }, 'string'],
    ['object', { type: 'object', properties: { a: {} } }, 'Object'],
    ['list of objects', { type: 'array', items: { type: 'object' } }, '[]Object'],
    ['list of strings', { type: 'array', items: { type: 'string' } }, '[]string'],
    ['map', { type: 'object', additionalProperties: { type: 'string' } }, 'map[string]string'],
    ['int or string', { 'x-kubernetes-int-or-string': true }, 'IntOrString'],
  ])('%s', (_name, schema, expected) => expect(typeName(schema)).toBe(expected));
});

describe('explain', () => {
  it.each<[string, string[], boolean, string]>([
    ['a leaf with an enum', ['spec', 'mode'], false, 'GROUP:      example.io\nKIND:       Thing\nVERSION:    v1\n\nFIELD: mode <string>\n\nENUM:\n    Fast\n    Slow\n\nDESCRIPTION:\n    <empty>\n'],
    ['an object: its fields with types, -required- and descriptions', ['spec'], false,
      'GROUP:      example.io\nKIND:       Thing\nVERSION:    v1\n\nFIELD: spec <Object>\n\nDESCRIPTION:\n    <empty>\n\nFIELDS:\n  disks\t<[]Object>\n    <no description>\n\n  labels\t<map[string]string>\n    <no description>\n\n  mode\t<string>\n    <no description>\n\n  port\t<IntOrString>\n    <no description>\n\n  size\t<integer> -required-\n    How big.\n'],
    ['through a list to its items', ['spec', 'disks', 'name'], false, 'GROUP:      example.io\nKIND:       Thing\nVERSION:    v1\n\nFIELD: name <string>\n\nDESCRIPTION:\n    Its name.\n'],
    ['the kind, recursive', [], true,
      'GROUP:      example.io\nKIND:       Thing\nVERSION:    v1\n\nDESCRIPTION:\n    A thing.\n\nFIELDS:\n  apiVersion\t<string>\n  metadata\t<ObjectMeta>\n  spec\t<Object> -required-\n    disks\t<[]Object>\n      name\t<string>\n    labels\t<map[string]string>\n    mode\t<string>\n    port\t<IntOrString>\n    size\t<integer> -required-\n'],
  ])('%s', (_name, path, recursive, expected) => {
    expect(explain(SCHEMA, { ...TARGET, path }, { recursive })).toEqual({ text: expected });
  });

  it('the root metadata, bare in a CRD schema, is documented as ObjectMeta', () => {
    expect(explain(SCHEMA, { ...TARGET, path: ['metadata'] }, { recursive: false })).toEqual({
      text: 'GROUP:      example.io\nKIND:       Thing\nVERSION:    v1\n\nFIELD: metadata <ObjectMeta>\n\nDESCRIPTION:\n    Standard object\'s metadata. More info:\n    https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata\n',
    });
  });

  it('a path that is not a field names the step', () => {
    expect(explain(SCHEMA, { ...TARGET, path: ['spec', 'sise'] }, { recursive: false })).toEqual({ error: 'field "sise" does not exist' });
  });

  it('our VirtualMachine schema: spec.runStrategy', () => {
    const out = explain(loadSchema('VirtualMachine'), { group: 'kubevirt.io', version: 'v1', kind: 'VirtualMachine', path: ['spec', 'runStrategy'] }, { recursive: false });
    if (!('text' in out)) throw new Error(out.error);
    expect(out.text).toMatch(/^GROUP: {6}kubevirt\.io\nKIND: {7}VirtualMachine\nVERSION: {4}v1\n\nFIELD: runStrategy <string>\n\nENUM:\n {4}Always\n/);
    expect(out.text).toContain('DESCRIPTION:\n    When an instance should be running');
    for (const line of out.text.split('\n')) expect(line.length).toBeLessThanOrEqual(80);
  });
});

describe('wrap', () => {
  it('breaks at the width and keeps paragraphs', () => {
    expect(wrap('aaa bbb ccc\nddd', 2, 10)).toEqual(['  aaa bbb', '  ccc', '  ddd']);
  });
});
