/**
 * VMI builders for tests, libvmi style: `newVmi(withMemory('1Gi'), withContainerDisk('root'))`.
 * `newVmi` passes the object through the real admission defaults, so fixtures look like admitted
 * VMIs; `newRawVmi` leaves it as written, for tests of what the converter does with odd input.
 */
import { DEFAULT_CLUSTER_CONFIG, type ClusterConfig } from '../../core/cluster-config.js';
import type { Disk, DomainSpec, Interface, Network, VirtualMachineInstance, VirtualMachineInstanceSpec, Volume } from '../../crd-gen/index.js';
import { hasLaunchStatus, vmiLaunchStatus } from '../../core/vmi-launch-status.js';
import { applyVmiDefaults } from '../../webhooks/mutate/vmi-defaults.js';

/** A change to a VMI under construction. */
export type VmiOption = (vmi: VirtualMachineInstance) => void;

/** The firmware UUID every built VMI gets, so outputs are stable. */
export const TEST_FIRMWARE_UUID = '5d307ca9-b3ef-428c-8861-06e72d69f223';
/** The uid every built VMI gets. */
export const TEST_UID = 'f4686d2c-6e8d-4335-b8fd-81bee22f4814';

function base(): VirtualMachineInstance {
  return {
    apiVersion: 'kubevirt.io/v1',
    kind: 'VirtualMachineInstance',
    metadata: { name: 'testvmi', namespace: 'mynamespace', uid: TEST_UID },
    spec: { domain: { devices: {}, resources: { requests: { memory: '256Mi' } } } },
  };
}

/** A VMI as written, with the options applied and no defaults. */
export function newRawVmi(...options: readonly VmiOption[]): VirtualMachineInstance {
  const vmi = base();
  for (const option of options) option(vmi);
  return vmi;
}

/** A VMI as admission leaves it (KubeVirt's defaults applied). */
export function newVmi(...options: readonly VmiOption[]): VirtualMachineInstance {
  return admitted(newRawVmi(...options));
}

/** The VMI with admission defaults applied. */
export function admitted(vmi: VirtualMachineInstance, cfg: ClusterConfig = DEFAULT_CLUSTER_CONFIG): VirtualMachineInstance {
  return applyVmiDefaults(vmi, cfg, { firmwareUuid: TEST_FIRMWARE_UUID });
}

/**
 * The VMI with the launch status the VMI controller writes before it renders the launcher pod (a
 * status that already has one is kept, e.g. a test's own `runtimeUser`).
 */
export function launched(vmi: VirtualMachineInstance, cfg: ClusterConfig = DEFAULT_CLUSTER_CONFIG): VirtualMachineInstance {
  if (hasLaunchStatus(vmi.status)) return vmi;
  return { ...vmi, status: { ...vmi.status, ...vmiLaunchStatus(vmi.spec, cfg, vmi.status) } };
}

/** Edits the spec in place. */
export function withSpec(edit: (spec: VirtualMachineInstanceSpec) => void): VmiOption {
  return (vmi) => edit(vmi.spec);
}

/** Merges fields into `spec.domain`. */
export function withDomain(fields: Partial<DomainSpec>): VmiOption {
  return (vmi) => { vmi.spec.domain = { ...vmi.spec.domain, ...fields }; };
}

/** Merges fields into `spec.domain.devices`. */
export function withDevices(fields: Partial<DomainSpec['devices']>): VmiOption {
  return (vmi) => { vmi.spec.domain.devices = { ...vmi.spec.domain.devices, ...fields }; };
}

/** Sets name and namespace. */
export function withName(name: string, namespace?: string): VmiOption {
  return (vmi) => { vmi.metadata = { ...vmi.metadata, name, namespace }; };
}

/** Adds an annotation. */
export function withAnnotation(key: string, value: string): VmiOption {
  return (vmi) => { vmi.metadata = { ...vmi.metadata, annotations: { ...vmi.metadata.annotations, [key]: value } }; };
}

/** Sets the memory request (and nothing else about memory). */
export function withMemory(request: string): VmiOption {
  return (vmi) => { vmi.spec.domain.resources = { ...vmi.spec.domain.resources, requests: { ...vmi.spec.domain.resources?.requests, memory: request } }; };
}

/** Adds a disk and, when given, its volume. */
export function withDisk(disk: Disk, volume?: Omit<Volume, 'name'>): VmiOption {
  return (vmi) => {
    vmi.spec.domain.devices.disks = [...(vmi.spec.domain.devices.disks ?? []), disk];
    if (volume !== undefined) vmi.spec.volumes = [...(vmi.spec.volumes ?? []), { name: disk.name, ...volume }];
  };
}

/** Adds a container disk on the virtio bus. */
export function withContainerDisk(name: string, image = 'registry.example/img:1'): VmiOption {
  return withDisk({ name, disk: { bus: 'virtio' } }, { containerDisk: { image } });
}

/** Adds an interface and, when given, its network. */
export function withInterface(iface: Interface, network?: Omit<Network, 'name'>): VmiOption {
  return (vmi) => {
    vmi.spec.domain.devices.interfaces = [...(vmi.spec.domain.devices.interfaces ?? []), iface];
    if (network !== undefined) vmi.spec.networks = [...(vmi.spec.networks ?? []), { name: iface.name, ...network }];
  };
}
