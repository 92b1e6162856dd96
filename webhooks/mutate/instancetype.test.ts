// Instancetype and preference expansion (shared/design/kubevirt/mutation.md §4, rules C09–C13):
// golden expansions of KubeVirt's example instancetypes and preferences, then one behaviour per row.
import { describe, expect, it } from 'vitest';
import type {
  ApiKind, VirtualMachineInstanceSpec, VirtualMachineInstanceTemplateSpec, VirtualMachineInstancetypeSpec, VirtualMachinePreferenceSpec,
} from '../../crd-gen/index.js';
import { CauseType } from '../cause.js';
import { expandInstancetypes, type ExpansionResult, type InstancetypeMatchers } from './instancetype.js';
import { overcommittedRequest } from './instancetype-apply.js';
import { lookupsFromObjects } from '../admission-lookups.js';

const NS = 'default';

const it1 = (name: string, spec: VirtualMachineInstancetypeSpec): ApiKind => ({ apiVersion: 'instancetype.kubevirt.io/v1beta1', kind: 'VirtualMachineInstancetype', metadata: { name, namespace: NS }, spec });
const pref1 = (name: string, spec: VirtualMachinePreferenceSpec): ApiKind => ({ apiVersion: 'instancetype.kubevirt.io/v1beta1', kind: 'VirtualMachinePreference', metadata: { name, namespace: NS }, spec });

// KubeVirt's examples/csmall.yaml, clarge.yaml, cluster-csmall.yaml, virtio.yaml and windows.yaml.
const CSMALL = it1('csmall', { cpu: { guest: 1 }, memory: { guest: '128Mi' } });
const CLARGE = it1('clarge', { cpu: { guest: 4 }, memory: { guest: '2Gi' } });
const CLUSTER_CSMALL: ApiKind = { apiVersion: 'instancetype.kubevirt.io/v1beta1', kind: 'VirtualMachineClusterInstancetype', metadata: { name: 'cluster-csmall' }, spec: { cpu: { guest: 1 }, memory: { guest: '128Mi' } } };
const VIRTIO = pref1('virtio', { devices: { preferredDiskBus: 'virtio', preferredInterfaceModel: 'virtio' } });
const WINDOWS = pref1('windows', {
  clock: { preferredClockOffset: { utc: {} }, preferredTimer: { hpet: { present: false }, hyperv: {}, pit: { tickPolicy: 'delay' }, rtc: { tickPolicy: 'catchup' } } },
  cpu: { preferredCPUTopology: 'preferSockets' },
  devices: { preferredDiskBus: 'sata', preferredInterfaceModel: 'e1000', preferredTPM: {} },
  features: { preferredAcpi: {}, preferredApic: {}, preferredHyperv: { relaxed: {}, spinlocks: { spinlocks: 8191 }, vapic: {} }, preferredSmm: {} },
  firmware: { preferredUseEfi: true, preferredUseSecureBoot: true },
});

const LOOKUPS = lookupsFromObjects([CSMALL, CLARGE, CLUSTER_CSMALL, VIRTIO, WINDOWS]);

// The cirros template of KubeVirt's vm-cirros-clarge-windows.yaml.
function cirros(domain: Partial<VirtualMachineInstanceSpec['domain']> = {}, more: Partial<VirtualMachineInstanceSpec> = {}): VirtualMachineInstanceTemplateSpec {
  return {
    metadata: { labels: { 'kubevirt.io/vm': 'vm-cirros' } },
    spec: {
      domain: { devices: { disks: [{ name: 'containerdisk', disk: {} }, { name: 'cloudinitdisk', disk: {} }] }, resources: {}, ...domain },
      terminationGracePeriodSeconds: 0,
      volumes: [
        { name: 'containerdisk', containerDisk: { image: 'registry:5000/kubevirt/cirros-container-disk-demo:devel' } },
        { name: 'cloudinitdisk', cloudInitNoCloud: { userData: "#!/bin/sh\necho 'printed from cloud-init userdata'\n" } },
      ],
      ...more,
    },
  };
}

const ns = (kind: string) => ({ kind, name: '' });
function expand(template: VirtualMachineInstanceTemplateSpec, instancetype?: string, preference?: string, lookups = LOOKUPS): ExpansionResult {
  const matchers: InstancetypeMatchers = {
    ...(instancetype === undefined ? {} : { instancetype: { ...ns('VirtualMachineInstancetype'), name: instancetype } }),
    ...(preference === undefined ? {} : { preference: { ...ns('VirtualMachinePreference'), name: preference } }),
  };
  return expandInstancetypes(template, matchers, NS, lookups);
}

function expanded(result: ExpansionResult): VirtualMachineInstanceTemplateSpec {
  if (!result.ok) throw new Error(`expansion refused: ${JSON.stringify(result.causes)}`);
  return result.template;
}

describe('expandInstancetypes: golden expansions of KubeVirt examples', () => {
  it('C10–C13 admitted: clarge + windows fills CPU, memory and every windows preference, field by field', () => {
    const out = expanded(expand(cirros(), 'clarge', 'windows'));
    const domain = out.spec!.domain;
    expect(domain.cpu).toEqual({ sockets: 4, cores: 1, threads: 1 });
    expect(domain.memory).toEqual({ guest: '2Gi' });
    expect(domain.resources).toEqual({});
    expect(domain.devices.disks).toEqual([{ name: 'containerdisk', disk: { bus: 'sata' } }, { name: 'cloudinitdisk', disk: { bus: 'sata' } }]);
    expect(domain.devices.tpm).toEqual({});
    expect(domain.devices.interfaces).toBeUndefined();
    expect(domain.features).toEqual({ acpi: {}, apic: {}, hyperv: { relaxed: {}, spinlocks: { spinlocks: 8191 }, vapic: {} }, smm: {} });
    expect(domain.firmware).toEqual({ bootloader: { efi: { secureBoot: true } } });
    expect(domain.clock).toEqual({ utc: {}, timer: { hpet: { present: false }, hyperv: {}, pit: { tickPolicy: 'delay' }, rtc: { tickPolicy: 'catchup' } } });
    expect(domain.machine).toBeUndefined();
    expect(out.spec!.terminationGracePeriodSeconds).toBe(0);
    expect(out.spec!.volumes).toEqual(cirros().spec!.volumes);
    expect(out.metadata).toEqual({
      labels: { 'kubevirt.io/vm': 'vm-cirros' },
      annotations: { 'kubevirt.io/instancetype-name': 'clarge', 'kubevirt.io/preference-name': 'windows' },
    });
  });

  it('C10–C13 admitted: clarge + virtio puts the disks and interfaces on virtio', () => {
    const template = cirros({}, { networks: [{ name: 'default', pod: {} }] });
    template.spec!.domain.devices.interfaces = [{ name: 'default', masquerade: {} }];
    const out = expanded(expand(template, 'clarge', 'virtio'));
    expect(out.spec!.domain.cpu).toEqual({ sockets: 4, cores: 1, threads: 1 });
    expect(out.spec!.domain.memory).toEqual({ guest: '2Gi' });
    expect(out.spec!.domain.devices.disks).toEqual([{ name: 'containerdisk', disk: { bus: 'virtio' } }, { name: 'cloudinitdisk', disk: { bus: 'virtio' } }]);
    expect(out.spec!.domain.devices.interfaces).toEqual([{ name: 'default', masquerade: {}, model: 'virtio' }]);
    expect(out.spec!.domain.features).toBeUndefined();
  });

  it('C10–C13 admitted: csmall alone gives one vCPU and 128Mi', () => {
    const out = expanded(expand(cirros(), 'csmall'));
    expect(out.spec!.domain.cpu).toEqual({ sockets: 1, cores: 1, threads: 1 });
    expect(out.spec!.domain.memory).toEqual({ guest: '128Mi' });
    expect(out.spec!.domain.devices.disks).toEqual(cirros().spec!.domain.devices.disks);
    expect(out.metadata?.annotations).toEqual({ 'kubevirt.io/instancetype-name': 'csmall' });
  });

  it('C10–C13 admitted: an empty matcher kind means the cluster kind (cluster-csmall)', () => {
    const result = expandInstancetypes(cirros(), { instancetype: { name: 'cluster-csmall' } }, NS, LOOKUPS);
    const out = expanded(result);
    expect(out.spec!.domain.memory).toEqual({ guest: '128Mi' });
    expect(out.metadata?.annotations).toEqual({ 'kubevirt.io/cluster-instancetype-name': 'cluster-csmall' });
  });

  it('never changes its input', () => {
    const template = cirros();
    const copy = structuredClone(template);
    expand(template, 'clarge', 'windows');
    expect(template).toEqual(copy);
  });
});

describe('expandInstancetypes: conflicts', () => {
  const base = 'spec.template.spec.domain';
  it.each([
    ['C10 requests.cpu', { resources: { requests: { cpu: '1' } } }, [`${base}.resources.requests.cpu`]],
    ['C10 limits.cpu', { resources: { limits: { cpu: '2' } } }, [`${base}.resources.limits.cpu`]],
    ['C10 every topology field at once', { cpu: { sockets: 1, cores: 2, threads: 1 } }, [`${base}.cpu.sockets`, `${base}.cpu.cores`, `${base}.cpu.threads`]],
    ['C11 memory.guest (first memory conflict only)', { memory: { guest: '128Mi' }, resources: { requests: { memory: '1Gi' } } }, [`${base}.memory.guest`]],
    ['C11 requests.memory', { resources: { requests: { memory: '1Gi' }, limits: { memory: '1Gi' } } }, [`${base}.resources.requests.memory`]],
    ['C11 limits.memory', { resources: { limits: { memory: '1Gi' } } }, [`${base}.resources.limits.memory`]],
    ['C10+C11 CPU and memory groups together', { cpu: { cores: 2 }, memory: { guest: '1Gi' } }, [`${base}.cpu.cores`, `${base}.memory.guest`]],
  ])('%s is denied with one cause per field', (_n, domain, fields) => {
    const result = expand(cirros(domain), 'clarge');
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.causes).toEqual(fields.map((field) => ({ type: CauseType.Invalid, field, message: `VM field(s) ${field} conflicts with selected instance type` })));
  });

  const rich = it1('rich', {
    cpu: { guest: 2, model: 'Haswell', dedicatedCPUPlacement: true, isolateEmulatorThread: true, numa: { guestMappingPassthrough: {} }, realtime: {} },
    memory: { guest: '1Gi', hugepages: { pageSize: '2Mi' }, maxGuest: '4Gi' },
    nodeSelector: { zone: 'a' }, schedulerName: 'custom', ioThreadsPolicy: 'auto', ioThreads: { supplementalPoolThreadCount: 2 },
    launchSecurity: { sev: {} }, gpus: [{ name: 'g', deviceName: 'nvidia/t4' }], hostDevices: [{ name: 'h', deviceName: 'intel/qat' }],
    annotations: { 'example.org/a': 'from-instancetype' },
  });
  const richLookups = lookupsFromObjects([rich]);

  it.each([
    ['C10 model', { domain: { cpu: { model: 'host-passthrough' } } }, `${base}.cpu.model`],
    ['C10 dedicatedCpuPlacement (real field name)', { domain: { cpu: { dedicatedCpuPlacement: true } } }, `${base}.cpu.dedicatedCpuPlacement`],
    ['C10 isolateEmulatorThread', { domain: { cpu: { isolateEmulatorThread: true } } }, `${base}.cpu.isolateEmulatorThread`],
    ['C10 numa', { domain: { cpu: { numa: {} } } }, `${base}.cpu.numa`],
    ['C10 realtime', { domain: { cpu: { realtime: {} } } }, `${base}.cpu.realtime`],
    ['C11 hugepages', { domain: { memory: { hugepages: { pageSize: '1Gi' } } } }, `${base}.memory.hugepages`],
    ['C11 maxGuest', { domain: { memory: { maxGuest: '8Gi' } } }, `${base}.memory.maxGuest`],
    ['C12 nodeSelector', { nodeSelector: { zone: 'b' } }, 'spec.template.spec.nodeSelector'],
    ['C12 schedulerName', { schedulerName: 'other' }, 'spec.template.spec.schedulerName'],
    ['C12 ioThreadsPolicy', { domain: { ioThreadsPolicy: 'shared' } }, `${base}.ioThreadsPolicy`],
    ['C12 ioThreads.supplementalPoolThreadCount', { domain: { ioThreads: { supplementalPoolThreadCount: 4 } } }, `${base}.ioThreads.supplementalPoolThreadCount`],
    ['C12 launchSecurity', { domain: { launchSecurity: { sev: {} } } }, `${base}.launchSecurity`],
    ['C12 gpus', { domain: { devices: { gpus: [{ name: 'x', deviceName: 'nvidia/a100' }] } } }, `${base}.devices.gpus`],
    ['C12 hostDevices', { domain: { devices: { hostDevices: [{ name: 'y', deviceName: 'intel/x' }] } } }, `${base}.devices.hostDevices`],
  ])('%s set by both is denied', (_n, edit, field) => {
    const { domain, ...rest } = edit as { domain?: Partial<VirtualMachineInstanceSpec['domain']> } & Partial<VirtualMachineInstanceSpec>;
    const template = cirros({}, rest);
    template.spec!.domain = { ...template.spec!.domain, ...domain, devices: { ...template.spec!.domain.devices, ...domain?.devices } };
    const result = expand(template, 'rich', undefined, richLookups);
    expect(result.ok ? [] : result.causes).toEqual([{ type: CauseType.Invalid, field, message: `VM field(s) ${field} conflicts with selected instance type` }]);
  });

  it('C13 an instancetype annotation already on the template with another value is denied on annotations.<key>', () => {
    const template = cirros();
    template.metadata = { annotations: { 'example.org/a': 'from-vm' } };
    const result = expand(template, 'rich', undefined, richLookups);
    expect(result.ok ? [] : result.causes).toEqual([{ type: CauseType.Invalid, field: 'annotations.example.org/a', message: 'VM field(s) annotations.example.org/a conflicts with selected instance type' }]);
  });

  it('C10–C13 admitted: the same annotation value is no conflict, and every owned field is copied in', () => {
    const template = cirros();
    template.metadata = { annotations: { 'example.org/a': 'from-instancetype' } };
    const out = expanded(expand(template, 'rich', undefined, richLookups));
    const spec = out.spec!;
    expect(spec.domain.cpu).toEqual({ model: 'Haswell', dedicatedCpuPlacement: true, isolateEmulatorThread: true, numa: { guestMappingPassthrough: {} }, realtime: {}, sockets: 2, cores: 1, threads: 1 });
    expect(spec.domain.memory).toEqual({ guest: '1Gi', hugepages: { pageSize: '2Mi' }, maxGuest: '4Gi' });
    expect([spec.nodeSelector, spec.schedulerName, spec.domain.ioThreadsPolicy, spec.domain.ioThreads]).toEqual([{ zone: 'a' }, 'custom', 'auto', { supplementalPoolThreadCount: 2 }]);
    expect([spec.domain.launchSecurity, spec.domain.devices.gpus, spec.domain.devices.hostDevices]).toEqual([{ sev: {} }, [{ name: 'g', deviceName: 'nvidia/t4' }], [{ name: 'h', deviceName: 'intel/qat' }]]);
    expect(out.metadata?.annotations).toEqual({ 'example.org/a': 'from-instancetype', 'kubevirt.io/instancetype-name': 'rich' });
  });
});

describe('expandInstancetypes: CPU topology and spread (C09)', () => {
  const topo = (preferredCPUTopology?: string, spreadOptions?: object, extra: object = {}) =>
    pref1('p', { cpu: { ...(preferredCPUTopology === undefined ? {} : { preferredCPUTopology }), ...(spreadOptions ? { spreadOptions } : {}) } as never, ...extra });

  it.each([
    ['sockets by default', undefined, undefined, {}, 6, { sockets: 6, cores: 1, threads: 1 }],
    ['cores', 'cores', undefined, {}, 6, { sockets: 1, cores: 6, threads: 1 }],
    ['threads (deprecated preferThreads)', 'preferThreads', undefined, {}, 6, { sockets: 1, cores: 1, threads: 6 }],
    ['any as sockets', 'any', undefined, {}, 6, { sockets: 6, cores: 1, threads: 1 }],
    ['spread over sockets and cores, ratio 2', 'spread', undefined, {}, 6, { sockets: 3, cores: 2, threads: 1 }],
    ['spread with the legacy ratio', 'preferSpread', undefined, { preferSpreadSocketToCoreRatio: 3 }, 6, { sockets: 2, cores: 3, threads: 1 }],
    ['spread ratio from spreadOptions over the legacy one', 'spread', { ratio: 4 }, { preferSpreadSocketToCoreRatio: 3 }, 8, { sockets: 2, cores: 4, threads: 1 }],
    ['spread over cores and threads', 'spread', { across: 'CoresThreads' }, {}, 8, { sockets: 1, cores: 4, threads: 2 }],
    ['spread over sockets, cores and threads', 'spread', { across: 'SocketsCoresThreads', ratio: 2 }, {}, 8, { sockets: 2, cores: 2, threads: 2 }],
    ['one vCPU is always 1/1/1', 'cores', undefined, {}, 1, { sockets: 1, cores: 1, threads: 1 }],
  ])('C09 admitted: %s', (_n, topology, options, extra, guest, cpu) => {
    const lookups = lookupsFromObjects([it1('t', { cpu: { guest }, memory: { guest: '1Gi' } }), topo(topology, options, extra)]);
    expect(expanded(expand(cirros(), 't', 'p', lookups)).spec!.domain.cpu).toEqual(cpu);
  });

  it.each([
    ['SocketsCores, even a single vCPU over ratio 2', undefined, 1, '1 vCPUs provided by the instance type are not divisible by the preference\'s spread ratio 2'],
    ['SocketsCores, 3 vCPUs over ratio 2', undefined, 3, '3 vCPUs provided by the instance type are not divisible by the preference\'s spread ratio 2'],
    ['CoresThreads, 5 vCPUs', { across: 'CoresThreads' }, 5, '5 vCPUs provided by the instance type are not divisible by the 2 threads per core'],
    ['SocketsCoresThreads, 6 vCPUs over 2×2', { across: 'SocketsCoresThreads' }, 6, '6 vCPUs provided by the instance type are not divisible by 2 threads per core and the preference\'s spread ratio 2'],
  ])('C09 denied: %s, on instancetype.spec.cpu.guest', (_n, options, guest, message) => {
    const lookups = lookupsFromObjects([it1('t', { cpu: { guest }, memory: { guest: '1Gi' } }), topo('spread', options)]);
    const result = expand(cirros(), 't', 'p', lookups);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.causes).toHaveLength(1);
    expect(result.causes[0]).toMatchObject({ type: CauseType.Invalid, field: 'instancetype.spec.cpu.guest' });
    expect(result.causes[0]!.message).toContain(message);
  });
});

describe('expandInstancetypes: memory overcommit', () => {
  it.each([
    ['128Mi at 10%, in float32 like KubeVirt', '128Mi', 10, '120795952'],
    ['1Gi at 50%', '1Gi', 50, '512Mi'],
    ['1G (decimal) at 50%', '1G', 50, '500M'],
  ])('%s', (_n, guest, percent, request) => {
    expect(overcommittedRequest(guest, percent)).toBe(request);
    const lookups = lookupsFromObjects([it1('o', { cpu: { guest: 1 }, memory: { guest, overcommitPercent: percent } })]);
    const out = expanded(expand(cirros(), 'o', undefined, lookups));
    expect(out.spec!.domain.memory?.guest).toBe(guest);
    expect(out.spec!.domain.resources?.requests).toEqual({ memory: request });
  });
});

describe('expandInstancetypes: lookups', () => {
  it('carries on without a missing instancetype or preference, saying which', () => {
    const result = expand(cirros(), 'nope', 'gone');
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.template.spec).toEqual(cirros().spec);
    expect(result.missing).toEqual(['instancetype "nope" was not found in namespace "default"', 'preference "gone" was not found in namespace "default"']);
  });

  it('ignores a matcher that still infers from a volume', () => {
    const result = expandInstancetypes(cirros(), { instancetype: { inferFromVolume: 'containerdisk' } }, NS, LOOKUPS);
    expect(result.ok && result.template).toEqual(cirros());
  });

  it.each([
    ['instancetype', { instancetype: { name: 'csmall', kind: 'VirtualMachineFlavor' } }, 'spec.instancetype'],
    ['preference', { preference: { name: 'virtio', kind: 'Preference' } }, 'spec.preference'],
  ])('denies a %s matcher kind KubeVirt does not know, naming the kind', (_n, matchers, field) => {
    const result = expandInstancetypes(cirros(), matchers, NS, LOOKUPS);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.causes).toHaveLength(1);
    expect(result.causes[0]).toMatchObject({ type: CauseType.NotFound, field });
    expect(result.causes[0]!.message).toMatch(/unexpected kind "(VirtualMachineFlavor|Preference)"/);
  });

  it('matches kinds case-insensitively, singular or plural', () => {
    const result = expandInstancetypes(cirros(), { instancetype: { name: 'csmall', kind: 'virtualmachineinstancetypes' } }, NS, LOOKUPS);
    expect(expanded(result).spec!.domain.memory).toEqual({ guest: '128Mi' });
  });
});
