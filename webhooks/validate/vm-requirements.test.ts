// Preference requirements (shared/design/kubevirt/rules-other-kinds.md C14–C17) and reserved
// template labels (C19), through validateVm.
import { describe, expect, it } from 'vitest';
import { DEFAULT_CLUSTER_CONFIG } from '../../core/cluster-config.js';
import type { ApiKind, DomainSpec, VirtualMachine, VirtualMachinePreferenceSpec } from '../../crd-gen/index.js';
import { lookupsFromObjects } from '../admission-lookups.js';
import { CauseType } from '../cause.js';
import type { AdmissionContext } from '../context.js';
import { kubevirtServiceAccount } from './vmi-update-accounts.js';
import { validateVm } from './vm.js';

const PREFIX = 'failure checking preference requirements: ';

function ctx(pref: VirtualMachinePreferenceSpec, username?: string): AdmissionContext {
  const objects: ApiKind[] = [
    { apiVersion: 'instancetype.kubevirt.io/v1beta1', kind: 'VirtualMachineClusterPreference', metadata: { name: 'req' }, spec: pref },
    { apiVersion: 'instancetype.kubevirt.io/v1beta1', kind: 'VirtualMachineClusterInstancetype', metadata: { name: 'two' }, spec: { cpu: { guest: 2 }, memory: { guest: '2Gi' } } },
  ];
  return { cfg: DEFAULT_CLUSTER_CONFIG, lookups: lookupsFromObjects(objects), ids: { uuid: () => 'u' }, now: new Date(0), ...(username ? { user: { username } } : {}) };
}

function vm(domain: Partial<DomainSpec> = {}, instancetype = false): VirtualMachine {
  return {
    apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachine', metadata: { name: 'v', namespace: 'ns' },
    spec: {
      runStrategy: 'Halted',
      preference: { name: 'req' },
      ...(instancetype ? { instancetype: { name: 'two' } } : {}),
      template: {
        spec: {
          domain: { devices: { disks: [{ name: 'root', disk: { bus: 'virtio' } }] }, ...(instancetype ? {} : { resources: { requests: { memory: '1Gi' } } }), ...domain },
          volumes: [{ name: 'root', containerDisk: { image: 'quay.io/containerdisks/fedora:40' } }],
        },
      },
    },
  };
}

describe('validateVm: preference requirements', () => {
  it.each([
    ['C14 the instancetype gives too few vCPUs', { requirements: { cpu: { guest: 4 } } }, vm({}, true), 'spec.instancetype', 'insufficient CPU resources of 2 vCPU provided by instance type, preference requires 4 vCPU'],
    ['C15 too few sockets (the default topology)', { requirements: { cpu: { guest: 2 } } }, vm(), 'spec.template.spec.domain.cpu.sockets', 'insufficient CPU resources of 1 vCPU provided by VirtualMachine, preference requires 2 vCPU provided as sockets'],
    ['C15 too few cores', { cpu: { preferredCPUTopology: 'cores' as const }, requirements: { cpu: { guest: 2 } } }, vm({ cpu: { sockets: 4, cores: 1, threads: 1 } }), 'spec.template.spec.domain.cpu.cores', 'insufficient CPU resources of 1 vCPU provided by VirtualMachine, preference requires 2 vCPU provided as cores'],
    ['C15 too few threads', { cpu: { preferredCPUTopology: 'preferThreads' as const }, requirements: { cpu: { guest: 2 } } }, vm(), 'spec.template.spec.domain.cpu.threads', 'insufficient CPU resources of 1 vCPU provided by VirtualMachine, preference requires 2 vCPU provided as threads'],
    ['C15 any counts all three', { cpu: { preferredCPUTopology: 'any' as const }, requirements: { cpu: { guest: 8 } } }, vm({ cpu: { sockets: 2, cores: 2, threads: 1 } }),
      'spec.template.spec.domain.cpu.cores, spec.template.spec.domain.cpu.sockets, spec.template.spec.domain.cpu.threads', 'insufficient CPU resources of 4 vCPU provided by VirtualMachine, preference requires 8 vCPU provided as cores, sockets and threads'],
    ['C15 spread counts sockets × cores', { cpu: { preferredCPUTopology: 'spread' as const }, requirements: { cpu: { guest: 8 } } }, vm({ cpu: { sockets: 2, cores: 2, threads: 2 } }),
      'spec.template.spec.domain.cpu.sockets, spec.template.spec.domain.cpu.cores', 'insufficient CPU resources of 4 vCPU provided by VirtualMachine, preference requires 8 vCPU provided as SocketsCores'],
    ['C16 the instancetype gives too little memory', { requirements: { memory: { guest: '4Gi' } } }, vm({}, true), 'spec.instancetype', 'insufficient Memory resources of 2Gi provided by instance type, preference requires 4Gi'],
    ['C16 the template gives too little memory', { requirements: { memory: { guest: '2Gi' } } }, vm(), 'spec.template.spec.domain.memory', 'insufficient Memory resources of 1Gi provided by VirtualMachine, preference requires 2Gi'],
    ['C17 another architecture than required', { requirements: { architecture: 'arm64' } }, vm(), 'spec.template.spec.architecture', 'preference requires architecture arm64 but amd64 is being requested'],
    ['C14–C17 only the first unmet requirement', { requirements: { cpu: { guest: 2 }, memory: { guest: '8Gi' }, architecture: 's390x' } }, vm(), 'spec.template.spec.domain.cpu.sockets', 'insufficient CPU resources of 1 vCPU provided by VirtualMachine, preference requires 2 vCPU provided as sockets'],
  ])('%s is denied', (_n, pref, input, field, message) => {
    const causes = validateVm(input, undefined, ctx(pref)).filter((c) => c.message.startsWith(PREFIX));
    expect(causes).toEqual([{ type: CauseType.NotFound, field, message: `${PREFIX}${message}` }]);
  });

  it.each([
    ['C14/C16 admitted: the instancetype meets both', { requirements: { cpu: { guest: 2 }, memory: { guest: '2Gi' } } }, vm({}, true)],
    ['C15 admitted: the defaulted sockets from the CPU request', { requirements: { cpu: { guest: 2 } } }, vm({ resources: { requests: { memory: '1Gi', cpu: '2' } } })],
    ['C16 admitted: guest memory derived from the request', { requirements: { memory: { guest: '1Gi' } } }, vm()],
    ['C17 admitted: the defaulted architecture', { requirements: { architecture: 'amd64' } }, vm()],
  ])('%s', (_n, pref, input) => {
    expect(validateVm(input, undefined, ctx(pref))).toEqual([]);
  });
});

describe('validateVm: reserved template labels (C19)', () => {
  const labelled = (): VirtualMachine => {
    const v = vm();
    delete v.spec.preference;
    v.spec.template.metadata = { labels: { 'kubevirt.io/nodeName': 'node-1', 'kubevirt.io/created-by': 'me', app: 'x' } };
    return v;
  };

  it('C19 reserved kubevirt.io/ labels from a user are denied on spec.template.metadata.labels, naming them', () => {
    const causes = validateVm(labelled(), undefined, ctx({}, 'alice'));
    expect(causes).toHaveLength(1);
    expect(causes[0]).toMatchObject({ type: CauseType.NotSupported, field: 'spec.template.metadata.labels' });
    expect(causes[0]!.message).toMatch(/"kubevirt.io\/nodeName", "kubevirt.io\/created-by"/);
  });

  it.each([
    ['C19 admitted: from the KubeVirt controller', kubevirtServiceAccount('controller')],
    ['C19 admitted: from virt-handler', kubevirtServiceAccount('handler')],
  ])('%s', (_n, username) => {
    expect(validateVm(labelled(), undefined, ctx({}, username))).toEqual([]);
  });
});
