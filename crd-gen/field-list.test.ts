import { describe, expect, it } from 'vitest';
import { checkCoverage, parseFieldList } from './field-list.js';

const LIST = [
  '# title',
  '## Thing (and ClusterThing)',
  '```',
  'spec: object (required)',
  'spec.size: quantity (int-or-string)',
  'spec.disks[]: object',
  'spec.disks[].name: string (required)',
  'spec.affinity: core/v1 Affinity',
  '```',
].join('\n');

const schema = {
  type: 'object',
  required: ['spec'],
  properties: {
    spec: {
      type: 'object',
      properties: {
        size: { 'x-kubernetes-int-or-string': true },
        disks: { type: 'array', items: { type: 'object', required: ['name'], properties: { name: { type: 'string' } } } },
        affinity: { type: 'object', properties: { nodeAffinity: { type: 'object' } } },
      },
    },
  },
};

describe('field list coverage', () => {
  it('parses sections with their kinds and fields', () => {
    const [section] = parseFieldList(LIST);
    expect(section?.kinds).toEqual(['Thing', 'ClusterThing']);
    expect(section?.fields).toContainEqual({ path: 'spec.disks[].name', type: 'string', required: true });
  });
  it('finds nothing wrong with a matching schema (core types are opaque)', () => {
    const [section] = parseFieldList(LIST);
    expect(checkCoverage('Thing', schema, section!)).toEqual({ kind: 'Thing', missing: [], mismatched: [], extra: [] });
  });
  it('reports missing, mistyped, wrongly required and extra fields', () => {
    const [section] = parseFieldList(LIST);
    const bad = structuredClone(schema) as unknown as { properties: { spec: { properties: Record<string, unknown> } } };
    delete bad.properties.spec.properties['size'];
    bad.properties.spec.properties['disks'] = { type: 'array', items: { type: 'object', properties: { name: { type: 'integer' }, extra: { type: 'string' } } } };
    const report = checkCoverage('Thing', bad, section!);
    expect(report.missing).toEqual(['spec.size: quantity (int-or-string)']);
    expect(report.mismatched.join()).toMatch(/spec\.disks\[\]\.name: listed string/);
    expect(report.extra).toEqual(['spec.disks[].extra']);
  });
});
