import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseFieldList, checkCoverage } from './field-list.js';
import { CRDS, loadSchema } from './crds.js';
import { KINDS, resolveKindName, type KindName } from './index.js';
import { resolveJsonPath, structuralProblems } from './structural.testing.js';
import { DEFAULT_FIELD_LIST } from './coverage-path.js';

// The facts of ../shared/design/KUBEVIRT-REFERENCE.md ("API groups and kinds").
const EXPECTED: Record<string, { plural: string; shortNames: string[]; scope: string; status: boolean; columns: string[] }> = {
  VirtualMachineInstance: { plural: 'virtualmachineinstances', shortNames: ['vmi', 'vmis'], scope: 'Namespaced', status: true, columns: ['Age', 'Phase', 'IP', 'NodeName', 'Ready', 'Live-Migratable', 'Paused'] },
  VirtualMachine: { plural: 'virtualmachines', shortNames: ['vm', 'vms'], scope: 'Namespaced', status: true, columns: ['Age', 'Status', 'Ready'] },
  VirtualMachineInstanceReplicaSet: { plural: 'virtualmachineinstancereplicasets', shortNames: ['vmirs', 'vmirss'], scope: 'Namespaced', status: true, columns: ['Desired', 'Current', 'Ready', 'Age'] },
  VirtualMachineInstancePreset: { plural: 'virtualmachineinstancepresets', shortNames: ['vmipreset', 'vmipresets'], scope: 'Namespaced', status: false, columns: [] },
  VirtualMachineInstancetype: { plural: 'virtualmachineinstancetypes', shortNames: ['vminstancetype', 'vminstancetypes', 'vmf', 'vmfs'], scope: 'Namespaced', status: false, columns: [] },
  VirtualMachineClusterInstancetype: { plural: 'virtualmachineclusterinstancetypes', shortNames: ['vmclusterinstancetype', 'vmclusterinstancetypes', 'vmcf', 'vmcfs'], scope: 'Cluster', status: false, columns: [] },
  VirtualMachinePreference: { plural: 'virtualmachinepreferences', shortNames: ['vmpref', 'vmprefs', 'vmp', 'vmps'], scope: 'Namespaced', status: false, columns: [] },
  VirtualMachineClusterPreference: { plural: 'virtualmachineclusterpreferences', shortNames: ['vmcp', 'vmcps'], scope: 'Cluster', status: false, columns: [] },
};

describe.each(CRDS.map((crd) => [crd.spec.names.kind, crd] as const))('CRD %s', (kind, crd) => {
  const version = crd.spec.versions[0]!;
  const schema = version.schema.openAPIV3Schema;
  const expected = EXPECTED[kind]!;

  it('is named and scoped as KubeVirt serves it', () => {
    expect(crd.metadata.name).toBe(`${expected.plural}.${crd.spec.group}`);
    expect(crd.spec.names.plural).toBe(expected.plural);
    expect(crd.spec.names.shortNames).toEqual(expected.shortNames);
    expect(crd.spec.scope).toBe(expected.scope);
    expect(crd.spec.names.categories ?? []).toEqual(crd.spec.group === 'kubevirt.io' ? ['all'] : []);
    expect(crd.spec.versions).toHaveLength(1);
    expect(version).toMatchObject({ served: true, storage: true });
  });

  it('has a structural schema (every node typed, no $ref, int-or-string marked, every field described)', () => {
    expect(structuralProblems(schema)).toEqual([]);
  });

  it('has the status subresource exactly when the kind has a status', () => {
    expect(version.subresources?.['status'] !== undefined).toBe(expected.status);
  });

  it('has KubeVirt\'s printer columns, each pointing at a field that exists', () => {
    const columns = version.additionalPrinterColumns ?? [];
    expect(columns.map((c) => c.name)).toEqual(expected.columns);
    for (const c of columns) {
      if (c.jsonPath.startsWith('.metadata.')) continue; // served by the API machinery
      expect(resolveJsonPath(schema, c.jsonPath), c.jsonPath).toBeDefined();
    }
  });

  it('resolves every name a user may type (kind, plural, singular, short names)', () => {
    for (const name of [kind, kind.toLowerCase(), crd.spec.names.plural, crd.spec.names.singular, ...(crd.spec.names.shortNames ?? [])]) {
      expect(resolveKindName(name)).toBe(kind);
    }
  });
});

describe('scale subresource', () => {
  it('points at replica and selector fields that exist in the ReplicaSet schema', () => {
    const crd = CRDS.find((c) => c.spec.names.kind === 'VirtualMachineInstanceReplicaSet')!;
    const scale = crd.spec.versions[0]!.subresources?.['scale'] as { specReplicasPath: string; statusReplicasPath: string; labelSelectorPath: string };
    const schema = crd.spec.versions[0]!.schema.openAPIV3Schema;
    expect(resolveJsonPath(schema, scale.specReplicasPath)?.['type']).toBe('integer');
    expect(resolveJsonPath(schema, scale.statusReplicasPath)?.['type']).toBe('integer');
    expect(resolveJsonPath(schema, scale.labelSelectorPath)?.['type']).toBe('string');
  });
});

describe('the generated kind table', () => {
  it('agrees with the CRDs', () => {
    for (const crd of CRDS) {
      const info = KINDS[crd.spec.names.kind as KindName];
      expect(info.plural).toBe(crd.spec.names.plural);
      expect(info.apiVersion).toBe(`${crd.spec.group}/${crd.spec.versions[0]!.name}`);
      expect(loadSchema(info.kind)).toBe(crd.spec.versions[0]!.schema.openAPIV3Schema);
    }
  });
});

// Every field of KubeVirt v1.8's API (the design reference's field list) is in our schemas.
describe.runIf(existsSync(DEFAULT_FIELD_LIST))('coverage of KubeVirt\'s field list', () => {
  const sections = existsSync(DEFAULT_FIELD_LIST) ? parseFieldList(readFileSync(DEFAULT_FIELD_LIST, 'utf8')) : [];
  it.each(Object.keys(EXPECTED))('%s has every listed field, typed and required as listed', (kind) => {
    const section = sections.find((s) => s.kinds.includes(kind));
    expect(section, `no section for ${kind}`).toBeDefined();
    expect(checkCoverage(kind, loadSchema(kind as KindName), section!)).toEqual({ kind, missing: [], mismatched: [], extra: [] });
  });
});
