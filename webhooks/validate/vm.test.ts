// The VM admission pipeline (shared/design/kubevirt/rules-other-kinds.md "Pipeline facts"; C09–C22):
// expansion on a copy, defaults, then every rule group. The VMI spec rules themselves (C22) are
// tested by their own files; here only their prefix and metadata context are checked.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CLUSTER_CONFIG, type ClusterConfig } from '../../core/cluster-config.js';
import { path } from '../../core/field-path.js';
import { firmwareUuidFor } from '../../core/uuid.js';
import { parseKubeYamlDocuments } from '../../core/yaml.js';
import type { ApiKind, VirtualMachine } from '../../crd-gen/index.js';
import { CauseType } from '../cause.js';
import { NO_LOOKUPS, type AdmissionContext, type AdmissionLookups } from '../context.js';
import { lookupsFromObjects } from '../admission-lookups.js';
import { mutateVm } from '../mutate/vm-mutator.js';
import { applyVmiDefaults } from '../mutate/vmi-defaults.js';
import { validateVm, vmWarnings } from './vm.js';
import { validateVmiSpec } from './vmi-spec.js';

function ctx(lookups: AdmissionLookups = NO_LOOKUPS, cfg: Partial<ClusterConfig> = {}, username?: string): AdmissionContext {
  return { cfg: { ...DEFAULT_CLUSTER_CONFIG, ...cfg }, lookups, ids: { uuid: () => '11111111-2222-4333-8444-555555555555' }, now: new Date(0), ...(username ? { user: { username } } : {}) };
}

/** The repository's examples/vm-containerdisk-cloudinit.yaml, as written. */
function vm(): VirtualMachine {
  return {
    apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachine',
    metadata: { name: 'vm-cloudinit', namespace: 'default', labels: { 'kubevirt.io/vm': 'vm-cloudinit' } },
    spec: {
      runStrategy: 'Halted',
      template: {
        metadata: { labels: { 'kubevirt.io/vm': 'vm-cloudinit' } },
        spec: {
          domain: { devices: { disks: [{ name: 'containerdisk', disk: { bus: 'virtio' } }, { name: 'cloudinitdisk', disk: { bus: 'virtio' } }] }, resources: { requests: { memory: '128Mi' } } },
          terminationGracePeriodSeconds: 30,
          volumes: [{ name: 'containerdisk', containerDisk: { image: 'localhost/demo-guest:latest' } }, { name: 'cloudinitdisk', cloudInitNoCloud: { userData: '#!/bin/sh\n' } }],
        },
      },
    },
  };
}

const CLARGE: ApiKind = { apiVersion: 'instancetype.kubevirt.io/v1beta1', kind: 'VirtualMachineInstancetype', metadata: { name: 'clarge', namespace: 'default' }, spec: { cpu: { guest: 4 }, memory: { guest: '2Gi' } } };
const SPREAD: ApiKind = { apiVersion: 'instancetype.kubevirt.io/v1beta1', kind: 'VirtualMachinePreference', metadata: { name: 'spread3', namespace: 'default' }, spec: { cpu: { preferredCPUTopology: 'spread', spreadOptions: { ratio: 3 } } } };
const LOOKUPS = lookupsFromObjects([CLARGE, SPREAD]);

function withInstancetype(v: VirtualMachine, preference?: string): VirtualMachine {
  v.spec.instancetype = { kind: 'VirtualMachineInstancetype', name: 'clarge' };
  if (preference !== undefined) v.spec.preference = { kind: 'VirtualMachinePreference', name: preference };
  delete v.spec.template.spec!.domain.resources;
  return v;
}

describe('validateVm: pipeline', () => {
  it('admits the example VM as written and as mutated', () => {
    expect(validateVm(vm(), undefined, ctx())).toEqual([]);
    const mutated = mutateVm(vm(), undefined, ctx());
    expect(mutated.ok && validateVm(mutated.object, undefined, ctx())).toEqual([]);
  });

  it('admits a VM being deleted whatever it holds', () => {
    const v = vm();
    v.metadata.deletionTimestamp = '2026-01-01T00:00:00Z';
    delete v.spec.runStrategy;
    expect(validateVm(v, undefined, ctx())).toEqual([]);
  });

  it('C18 a missing template is denied with only that cause', () => {
    const { template: _t, runStrategy: _r, ...spec } = vm().spec;
    const v = { ...vm(), spec } as unknown as VirtualMachine;
    expect(validateVm(v, undefined, ctx())).toEqual([{ type: CauseType.Required, field: 'spec.template', message: 'missing virtual machine template: spec.template is required' }]);
  });

  it('C18 admitted: a template without a spec is validated as an empty one', () => {
    const v = vm();
    delete v.spec.template.spec;
    expect(validateVm(v, undefined, ctx()).filter((c) => c.field === 'spec.template')).toEqual([]);
  });

  it('C10 an instancetype conflict ends the checks: only the conflict is reported', () => {
    const v = withInstancetype(vm());
    v.spec.template.spec!.domain.cpu = { sockets: 2 };
    delete v.spec.runStrategy;
    expect(validateVm(v, undefined, ctx(LOOKUPS))).toEqual([{
      type: CauseType.Invalid, field: 'spec.template.spec.domain.cpu.sockets', message: 'VM field(s) spec.template.spec.domain.cpu.sockets conflicts with selected instance type',
    }]);
  });

  it('C09 an unspreadable instancetype ends the checks on instancetype.spec.cpu.guest', () => {
    const causes = validateVm(withInstancetype(vm(), 'spread3'), undefined, ctx(LOOKUPS));
    expect(causes).toHaveLength(1);
    expect(causes[0]).toMatchObject({ type: CauseType.Invalid, field: 'instancetype.spec.cpu.guest' });
    expect(causes[0]!.message).toMatch(/^4 vCPUs provided by the instance type are not divisible by the preference's spread ratio 3/);
  });

  it('C09–C13 admitted: the instancetype is applied on a copy, the VM itself is not changed', () => {
    const v = withInstancetype(vm());
    const copy = structuredClone(v);
    expect(validateVm(v, undefined, ctx(LOOKUPS))).toEqual([]);
    expect(v).toEqual(copy);
  });

  it('admits a VM whose instancetype does not exist (KubeVirt only logs it)', () => {
    const v = withInstancetype(vm());
    v.spec.instancetype!.name = 'missing';
    expect(validateVm(v, undefined, ctx(LOOKUPS)).filter((c) => c.field.startsWith('spec.instancetype'))).toEqual([]);
  });

  it('C22 runs the VMI spec rules on the expanded, defaulted template with prefix spec.template.spec', () => {
    const v = withInstancetype(vm());
    v.spec.template.spec!.domain.devices.disks = [{ name: 'containerdisk', disk: { bus: 'ide' } }, { name: 'containerdisk', cdrom: { bus: 'virtio' } }];
    const causes = validateVm(v, undefined, ctx(LOOKUPS));
    const expanded = structuredClone(v.spec.template.spec!);
    expanded.domain.cpu = { sockets: 4, cores: 1, threads: 1 };
    expanded.domain.memory = { guest: '2Gi' };
    const defaulted = applyVmiDefaults({ apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachineInstance', metadata: {}, spec: expanded }, DEFAULT_CLUSTER_CONFIG, { firmwareUuid: firmwareUuidFor('vm-cloudinit') }).spec;
    const metadata = { ...v.spec.template.metadata, annotations: { 'kubevirt.io/instancetype-name': 'clarge' } };
    const expected = validateVmiSpec(defaulted, path('spec', 'template', 'spec'), { cfg: DEFAULT_CLUSTER_CONFIG, metadata, metadataPath: path('spec', 'template', 'metadata'), origin: 'template' });
    for (const c of expected) expect(causes).toContainEqual(c);
    expect(causes.filter((c) => !c.field.startsWith('spec.template.spec.') && !c.field.startsWith('spec.template.metadata'))).toEqual([]);
  });

  it('reports every cause once, gathering the groups KubeVirt would stop between', () => {
    const v = vm();
    delete v.spec.runStrategy;
    v.spec.template.metadata = { labels: { 'kubevirt.io/nodeName': 'n1' } };
    v.spec.dataVolumeTemplates = [{ metadata: { name: '' }, spec: { pvc: {} } }];
    const fields = validateVm(v, undefined, ctx()).map((c) => c.field);
    expect(fields).toEqual(expect.arrayContaining(['spec.template.metadata.labels', 'spec.dataVolumeTemplate[0].name', 'spec.running']));
    expect(new Set(fields).size).toBe(fields.length);
  });
});

describe('validateVm: examples/vm-*.yaml', () => {
  const dir = join(import.meta.dirname, '../../examples');
  it.each(readdirSync(dir).filter((f) => /^vm-.*\.yaml$/.test(f)))('%s is admitted after mutation', (file) => {
    const objects = parseKubeYamlDocuments(readFileSync(join(dir, file), 'utf8')).map((d) => d.toJS() as ApiKind);
    const c = ctx(lookupsFromObjects(objects));
    for (const v of objects.filter((o): o is VirtualMachine => o.kind === 'VirtualMachine')) {
      const mutated = mutateVm(v, undefined, c);
      expect(mutated.ok).toBe(true);
      if (mutated.ok) expect(validateVm(mutated.object, undefined, c)).toEqual([]);
    }
  });
});

describe('vmWarnings', () => {
  it('warns about the deprecated spec.running only', () => {
    const v = vm();
    expect(vmWarnings(v)).toEqual([]);
    delete v.spec.runStrategy;
    v.spec.running = false;
    expect(vmWarnings(v)).toEqual(['spec.running is deprecated, please use spec.runStrategy instead.']);
  });
});
