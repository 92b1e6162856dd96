import { describe, expect, it } from 'vitest';
import { resolveJsonPath, structuralProblems } from './structural.testing.js';

const d = (extra: object) => ({ description: 'x', ...extra });

describe('structuralProblems', () => {
  it('accepts a typed tree and int-or-string nodes', () => {
    const schema = { type: 'object', properties: { a: d({ type: 'string' }), q: d({ anyOf: [{ type: 'integer' }, { type: 'string' }], 'x-kubernetes-int-or-string': true }) } };
    expect(structuralProblems(schema)).toEqual([]);
  });
  it.each([
    ['a node without type', { type: 'object', properties: { a: d({}) } }, /<root>\.a: every node needs a type/],
    ['properties beside additionalProperties', d({ type: 'object', properties: {}, additionalProperties: { type: 'string' } }), /mutually exclusive/],
    ['a $ref', { type: 'object', properties: { a: d({ $ref: '#/$defs/A' }) } }, /keyword \$ref is not allowed/],
    ['a typed int-or-string', { type: 'object', properties: { q: d({ type: 'string', 'x-kubernetes-int-or-string': true }) } }, /must not set type/],
    ['an array without items', { type: 'object', properties: { l: d({ type: 'array' }) } }, /an array needs items/],
    ['a field without description', { type: 'object', properties: { a: { type: 'string' } } }, /<root>\.a: no description/],
    ['a required field that does not exist', { type: 'object', required: ['b'], properties: {} }, /required field b is not a property/],
  ])('reports %s', (_n, schema, problem) => {
    expect(structuralProblems(schema).join('\n')).toMatch(problem);
  });
});

describe('resolveJsonPath', () => {
  const schema = {
    type: 'object',
    properties: {
      spec: { type: 'object', properties: { replicas: { type: 'integer' } } },
      status: {
        type: 'object',
        properties: {
          conditions: { type: 'array', items: { type: 'object', properties: { status: { type: 'string' } } } },
          interfaces: { type: 'array', items: { type: 'object', properties: { ipAddress: { type: 'string' } } } },
        },
      },
    },
  };
  it.each([
    ['.spec.replicas', 'integer'],
    [".status.conditions[?(@.type=='Ready')].status", 'string'],
    ['.status.interfaces[0].ipAddress', 'string'],
  ])('resolves %s', (path, type) => {
    expect(resolveJsonPath(schema, path)?.['type']).toBe(type);
  });
  it.each(['.spec.nope', 'spec.replicas', '.status.conditions.status', '.spec.replicas[0]'])('does not resolve %s', (path) => {
    expect(resolveJsonPath(schema, path)).toBeUndefined();
  });
});
