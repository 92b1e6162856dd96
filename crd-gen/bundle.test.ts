import { describe, expect, it } from 'vitest';
import { buildCrd, collectDefs, danglingRefs, inlineRefs, SchemaSourceError, type KindSource } from './bundle.js';

const defs = {
  Disk: { type: 'object', description: 'A disk.', properties: { name: { type: 'string', description: 'Name.' } } },
  Devices: { type: 'object', description: 'Devices.', properties: { disks: { type: 'array', description: 'Disks.', items: { $ref: '#/$defs/Disk' } } } },
};

describe('collectDefs', () => {
  it('merges the definitions of every file', () => {
    expect(Object.keys(collectDefs([{ file: 'a', defs: { A: {} } }, { file: 'b', defs: { B: {} } }]))).toEqual(['A', 'B']);
  });
  it('refuses a name defined in two files, naming both', () => {
    expect(() => collectDefs([{ file: 'a.yaml', defs: { A: {} } }, { file: 'b.yaml', defs: { A: {} } }])).toThrow(/A is defined in both a.yaml and b.yaml/);
  });
});

describe('inlineRefs', () => {
  it('replaces refs by the definition, recursively', () => {
    const out = inlineRefs({ $ref: '#/$defs/Devices' }, defs) as { properties: { disks: { items: unknown } } };
    expect(out.properties.disks.items).toEqual(defs.Disk);
  });
  it('lets the field description beside $ref win over the type description', () => {
    expect(inlineRefs({ $ref: '#/$defs/Disk', description: 'The boot disk.' }, defs)).toMatchObject({ description: 'The boot disk.', type: 'object' });
  });
  it('does not change its input', () => {
    const input = { properties: { d: { $ref: '#/$defs/Disk' } } };
    inlineRefs(input, defs);
    expect(input).toEqual({ properties: { d: { $ref: '#/$defs/Disk' } } });
  });
  it.each([
    ['an unknown definition', { $ref: '#/$defs/Nope' }, {}, /unknown definition Nope/],
    ['a recursive definition', { $ref: '#/$defs/A' }, { A: { type: 'object', properties: { a: { $ref: '#/$defs/A' } } } }, /recursive definition A → A/],
    ['keywords beside $ref', { $ref: '#/$defs/A', type: 'object' }, { A: { type: 'string' } }, /only description may stand beside \$ref/],
  ])('refuses %s', (_name, node, d, message) => {
    expect(() => inlineRefs(node, d)).toThrow(SchemaSourceError);
    expect(() => inlineRefs(node, d)).toThrow(message);
  });
});

describe('danglingRefs', () => {
  it('lists referenced names nobody defines', () => {
    expect(danglingRefs([{ $ref: '#/$defs/Devices' }, { items: { $ref: '#/$defs/Gone' } }], defs)).toEqual(['Gone']);
  });
});

describe('buildCrd', () => {
  const kind: KindSource = {
    file: 'x.yaml',
    crd: {
      group: 'kubevirt.io', version: 'v1', kind: 'Thing', listKind: 'ThingList', plural: 'things', singular: 'thing',
      shortNames: ['th'], categories: ['all'], scope: 'Namespaced', subresources: { status: {} },
      printerColumns: [{ name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' }],
    },
    schema: { type: 'object', properties: { spec: { $ref: '#/$defs/Devices' } } },
  };
  it('emits an apiextensions.k8s.io/v1 CRD with names, scope, subresources and printer columns', () => {
    const crd = buildCrd(kind, defs) as { metadata: { name: string }; spec: { names: unknown; versions: { subresources: unknown; additionalPrinterColumns: unknown; schema: { openAPIV3Schema: unknown } }[] } };
    expect(crd.metadata.name).toBe('things.kubevirt.io');
    expect(crd.spec.names).toEqual({ kind: 'Thing', listKind: 'ThingList', plural: 'things', singular: 'thing', shortNames: ['th'], categories: ['all'] });
    expect(crd.spec.versions[0]?.subresources).toEqual({ status: {} });
    expect(JSON.stringify(crd.spec.versions[0]?.schema.openAPIV3Schema)).not.toContain('$ref');
  });
});
