// KubeVirt's VMI defaults on CREATE (shared/design/kubevirt/mutation.md §2), one behaviour per row.
import { describe, expect, it } from 'vitest';
import { DEFAULT_CLUSTER_CONFIG, type ClusterConfig } from '../../core/cluster-config.js';
import type { VirtualMachineInstance, VirtualMachineInstanceSpec } from '../../crd-gen/index.js';
import { defaultImagePullPolicy } from '../../core/image-ref.js';
import { applyVmiDefaults } from './vmi-defaults.js';

const UUID = '5d307ca9-b3ef-428c-8861-06e72d69f223';

type SpecInput = Omit<Partial<VirtualMachineInstanceSpec>, 'domain'> & { domain?: Partial<VirtualMachineInstanceSpec['domain']> };

function vmi(spec: SpecInput = {}): VirtualMachineInstance {
  const { domain, ...rest } = spec;
  return { apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachineInstance', metadata: { name: 't', namespace: 'default' }, spec: { ...rest, domain: { devices: {}, ...domain } } };
}

const defaulted = (v: VirtualMachineInstance, cfg: Partial<ClusterConfig> = {}) => applyVmiDefaults(v, { ...DEFAULT_CLUSTER_CONFIG, ...cfg }, { firmwareUuid: UUID });

describe('applyVmiDefaults', () => {
  it('fills a minimal VMI as KubeVirt does', () => {
    const out = defaulted(vmi({ domain: { resources: { requests: { memory: '128Mi' } } } }));
    expect(out.spec.architecture).toBe('amd64');
    expect(out.spec.domain.machine).toEqual({ type: 'q35' });
    expect(out.spec.domain.memory).toEqual({ guest: '128Mi' });
    expect(out.spec.domain.cpu).toEqual({ sockets: 1, cores: 1, threads: 1, model: 'host-model', maxSockets: 4 });
    expect(out.spec.domain.firmware).toEqual({ uuid: UUID });
    expect(out.spec.domain.features).toEqual({ acpi: { enabled: true } });
    expect(out.spec.networks).toEqual([{ name: 'default', pod: {} }]);
    expect(out.spec.domain.devices.interfaces).toEqual([{ name: 'default', bridge: {} }]);
    expect(out.metadata.annotations).toEqual({ 'kubevirt.io/pci-topology-version': 'v3' });
  });

  it('never mutates its input and is idempotent', () => {
    const input = vmi({ domain: { resources: { requests: { memory: '1Gi' } } }, volumes: [{ name: 'v', emptyDisk: { capacity: '1Gi' } }] });
    const copy = structuredClone(input);
    const once = defaulted(input);
    expect(input).toEqual(copy);
    expect(defaulted(once)).toEqual(once);
  });

  it.each([
    ['requests', { requests: { memory: '256Mi' } }, undefined, '256Mi'],
    ['limits when there is no request', { limits: { memory: '512Mi' } }, undefined, '512Mi'],
    ['requests over limits', { requests: { memory: '256Mi' }, limits: { memory: '512Mi' } }, undefined, '256Mi'],
    ['the hugepage size as a last resort', {}, { hugepages: { pageSize: '2Mi' } }, '2Mi'],
  ])('derives guest memory from %s', (_n, resources, memory, guest) => {
    expect(defaulted(vmi({ domain: { resources, ...(memory ? { memory } : {}) } })).spec.domain.memory?.guest).toBe(guest);
  });

  it('leaves guest memory unset with nothing to derive it from, and keeps an explicit one', () => {
    expect(defaulted(vmi()).spec.domain.memory).toBeUndefined();
    expect(defaulted(vmi({ domain: { memory: { guest: '64Mi' }, resources: { requests: { memory: '1Gi' } } } })).spec.domain.memory?.guest).toBe('64Mi');
  });

  it.each([
    ['the CPU limit (copied into requests first)', { limits: { cpu: '3' } }, 3],
    ['the CPU request, rounded up', { requests: { cpu: '1500m' } }, 2],
    ['1 without any CPU resources', {}, 1],
  ])('takes sockets from %s', (_n, resources, sockets) => {
    const out = defaulted(vmi({ domain: { resources } }));
    expect(out.spec.domain.cpu).toMatchObject({ sockets, cores: 1, threads: 1 });
  });

  it('copies a CPU limit into an absent request, and keeps a partial topology as given', () => {
    expect(defaulted(vmi({ domain: { resources: { limits: { cpu: '2' } } } })).spec.domain.resources?.requests).toEqual({ cpu: '2' });
    expect(defaulted(vmi({ domain: { cpu: { cores: 2 } } })).spec.domain.cpu).toEqual({ cores: 2, model: 'host-model' });
  });

  it('writes a non-default cluster CPU request, but not the 100m default', () => {
    expect(defaulted(vmi(), { cpuRequest: '250m' }).spec.domain.resources?.requests).toEqual({ cpu: '250m' });
    expect(defaulted(vmi()).spec.domain.resources).toEqual({});
  });

  it.each([
    ['quay.io/kubevirt/cirros:latest', 'Always'],
    ['cirros', 'Always'],
    ['quay.io/kubevirt/cirros:v1.0', 'IfNotPresent'],
    ['quay.io/kubevirt/cirros@sha256:abc', 'IfNotPresent'],
    ['localhost:5000/cirros', 'IfNotPresent'],
  ])('pull policy of %s is %s', (image, policy) => {
    expect(defaultImagePullPolicy(image)).toBe(policy);
  });

  it('adds a disk for every volume without one, then gives disks and cdroms their bus', () => {
    const out = defaulted(vmi({
      domain: { devices: { disks: [{ name: 'root', disk: {} }, { name: 'iso', cdrom: {} }] } },
      volumes: [{ name: 'root', containerDisk: { image: 'img:1' } }, { name: 'iso', emptyDisk: { capacity: '1Gi' } }, { name: 'extra', emptyDisk: { capacity: '1Gi' } }],
    }));
    expect(out.spec.domain.devices.disks).toEqual([
      { name: 'root', disk: { bus: 'sata' } },
      { name: 'iso', cdrom: { bus: 'sata', readonly: true, tray: 'closed' } },
      { name: 'extra', disk: { bus: 'sata' } },
    ]);
    expect(out.spec.volumes?.[0]?.containerDisk?.imagePullPolicy).toBe('IfNotPresent');
  });

  it('adds no pod network when interfaces or networks exist, or autoattachPodInterface is false', () => {
    expect(defaulted(vmi({ networks: [{ name: 'n', multus: { networkName: 'x' } }] })).spec.domain.devices.interfaces).toBeUndefined();
    expect(defaulted(vmi({ domain: { devices: { autoattachPodInterface: false } } })).spec.networks).toBeUndefined();
    expect(defaulted(vmi(), { defaultNetworkInterface: 'masquerade' }).spec.domain.devices.interfaces).toEqual([{ name: 'default', masquerade: {} }]);
  });

  it('enables present features and Hyper-V enlightenments, with their dependencies and vmx for evmcs', () => {
    const out = defaulted(vmi({ domain: { features: { smm: {}, apic: {}, hyperv: { synictimer: {}, spinlocks: {}, evmcs: {} } } } }));
    expect(out.spec.domain.features).toEqual({
      acpi: { enabled: true }, smm: { enabled: true }, apic: { enabled: true },
      hyperv: {
        synictimer: { enabled: true }, synic: { enabled: true }, vpindex: { enabled: true },
        spinlocks: { enabled: true, spinlocks: 4096 }, evmcs: { enabled: true }, vapic: { enabled: true },
      },
    });
    expect(out.spec.domain.cpu?.features).toEqual([{ name: 'vmx', policy: 'require' }]);
  });

  it('stops the dependency walk at an explicitly disabled dependency', () => {
    const out = defaulted(vmi({ domain: { features: { hyperv: { synictimer: {}, synic: { enabled: false } } } } }));
    expect(out.spec.domain.features?.hyperv).toEqual({ synictimer: { enabled: true }, synic: { enabled: false } });
  });

  it('marks present timers present, creates an i6300esb watchdog with reset, and defaults inputs and probes', () => {
    const out = defaulted(vmi({
      domain: { clock: { utc: {}, timer: { rtc: { tickPolicy: 'catchup' }, hpet: { present: false } } }, devices: { watchdog: { name: 'w' }, inputs: [{ name: 'tab', type: '' }] } },
      readinessProbe: { tcpSocket: { port: 22 } },
    }));
    expect(out.spec.domain.clock?.timer).toEqual({ rtc: { tickPolicy: 'catchup', present: true }, hpet: { present: false } });
    expect(out.spec.domain.devices.watchdog).toEqual({ name: 'w', i6300esb: { action: 'reset' } });
    expect(out.spec.domain.devices.inputs).toEqual([{ name: 'tab', type: 'tablet', bus: 'usb' }]);
    expect(out.spec.readinessProbe).toEqual({ tcpSocket: { port: 22 }, timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3 });
  });

  it.each([
    ['4× a 1Gi guest', { guest: '1Gi' }, {}, '4Gi'],
    ['nothing below 1Gi', { guest: '512Mi' }, {}, undefined],
    ['nothing for a guest not aligned to 2Mi', { guest: '1025Mi' }, {}, undefined],
    ['the cluster maximum when it is at least the guest', { guest: '2Gi' }, { maxGuest: '8Gi' }, '8Gi'],
  ])('sets maxGuest to %s', (_n, memory, cfg, maxGuest) => {
    expect(defaulted(vmi({ domain: { memory } }), cfg).spec.domain.memory?.maxGuest).toBe(maxGuest);
  });

  it('caps maxSockets so that vCPUs stay within 512, and honours a cluster maximum', () => {
    expect(defaulted(vmi({ domain: { cpu: { sockets: 2, cores: 64, threads: 2 } } })).spec.domain.cpu?.maxSockets).toBe(4);
    expect(defaulted(vmi({ domain: { cpu: { sockets: 3, cores: 1, threads: 1 } } }), { maxCpuSockets: 2 }).spec.domain.cpu?.maxSockets).toBe(3);
    expect(defaulted(vmi({ domain: { cpu: { cores: 2 } } }), { maxCpuSockets: 6 }).spec.domain.cpu?.maxSockets).toBe(6);
  });

  it('sets no hotplug maxima outside the LiveUpdate rollout strategy', () => {
    const out = defaulted(vmi({ domain: { memory: { guest: '1Gi' } } }), { vmRolloutStrategy: 'Stage' });
    expect(out.spec.domain.cpu).toEqual({ sockets: 1, cores: 1, threads: 1, model: 'host-model' });
    expect(out.spec.domain.memory).toEqual({ guest: '1Gi' });
  });

  it.each([
    ['no resources', {}, {}],
    ['resources kept as given', { resources: { limits: { memory: '1Gi' } } }, { limits: { memory: '1Gi' } }],
  ])('always writes domain.resources (a struct in KubeVirt): %s', (_n, domain, resources) => {
    expect(defaulted(vmi({ domain })).spec.domain.resources).toEqual(resources);
  });

  it('keeps an existing firmware UUID, CPU model and pci-topology annotation', () => {
    const input = vmi({ domain: { firmware: { uuid: 'keep' }, cpu: { model: 'Skylake-Client' } } });
    input.metadata.annotations = { 'kubevirt.io/pci-topology-version': 'v2' };
    const out = defaulted(input);
    expect(out.spec.domain.firmware?.uuid).toBe('keep');
    expect(out.spec.domain.cpu?.model).toBe('Skylake-Client');
    expect(out.metadata.annotations?.['kubevirt.io/pci-topology-version']).toBe('v2');
  });
});
