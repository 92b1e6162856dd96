/**
 * The convenience edits of a VirtualMachineInstance spec (pure, in place on a spec the construct
 * owns): a disk with the volume behind it, an interface with its network, labels that select a
 * preset. VMI, VM and replica-set constructs apply them to their (template) spec.
 */
import type { Disk, Interface, Network, Volume, VirtualMachineInstanceSpec } from '../../crd-gen/index.js';

/** The disk bus of a convenience disk. */
export type DiskBus = 'virtio' | 'sata' | 'scsi' | 'usb';

/** Options every convenience disk takes. */
export interface DiskOptions {
  /**
   * The disk's bus.
   * @default "virtio"
   */
  readonly bus?: DiskBus;
  /** The boot order (1 boots first). @default none */
  readonly bootOrder?: number;
}

/** Adds a disk and the volume of the same name behind it; a name used twice is an error naming it. */
export function addDiskVolume(spec: VirtualMachineInstanceSpec, volume: Volume, options: DiskOptions = {}): void {
  const devices = (spec.domain.devices ??= {});
  const disks = (devices.disks ??= []);
  const volumes = (spec.volumes ??= []);
  if (disks.some((d) => d.name === volume.name) || volumes.some((v) => v.name === volume.name)) {
    throw new Error(`spec.domain.devices.disks: a disk or volume named ${JSON.stringify(volume.name)} exists already`);
  }
  const disk: Disk = { name: volume.name, disk: { bus: options.bus ?? 'virtio' }, ...(options.bootOrder === undefined ? {} : { bootOrder: options.bootOrder }) };
  disks.push(disk);
  volumes.push(volume);
}

/** How an interface connects. */
export type InterfaceBinding = 'masquerade' | 'bridge';

/** Adds an interface and the pod network of the same name behind it. */
export function addPodInterface(spec: VirtualMachineInstanceSpec, name: string, binding: InterfaceBinding): void {
  const devices = (spec.domain.devices ??= {});
  const interfaces = (devices.interfaces ??= []);
  const networks = (spec.networks ??= []);
  if (interfaces.some((i) => i.name === name) || networks.some((n) => n.name === name)) {
    throw new Error(`spec.domain.devices.interfaces: an interface or network named ${JSON.stringify(name)} exists already`);
  }
  const iface: Interface = binding === 'masquerade' ? { name, masquerade: {} } : { name, bridge: {} };
  const network: Network = { name, pod: {} };
  interfaces.push(iface);
  networks.push(network);
}

/** The volume sources the convenience methods build. */
export const volumes = {
  containerDisk: (name: string, image: string): Volume => ({ name, containerDisk: { image } }),
  cloudInitNoCloud: (name: string, userData: string): Volume => ({ name, cloudInitNoCloud: { userData } }),
  emptyDisk: (name: string, capacity: string): Volume => ({ name, emptyDisk: { capacity } }),
  persistentVolumeClaim: (name: string, claimName: string): Volume => ({ name, persistentVolumeClaim: { claimName } }),
} as const;
