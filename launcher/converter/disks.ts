/**
 * One `<disk>` per `spec.domain.devices.disks[]`, in list order: device kind, bus and target name,
 * the prepared source of its volume, the QEMU driver settings, and the user alias `ua-<name>`.
 * Cache and io left unset are decided later by the launcher for its host (KubeVirt's manager
 * does the same after conversion).
 * @see https://github.com/kubevirt/kubevirt/blob/main/pkg/virt-launcher/virtwrap/converter/converter.go (Convert_v1_Disk_To_api_Disk)
 */
import { ConversionError } from '../../core/errors.js';
import type { Disk as VmiDisk, VirtualMachineInstance } from '../../crd-gen/index.js';
import type { Disk, DiskDriver } from '../domain/schema.js';
import { withDevices, type Configurator } from './configurator.js';
import type { ConverterContext } from './context.js';
import { requestedVcpus } from './cpu-topology.js';
import { EMPTY_DRIVE, checkLunVolume, preparedSource, type SourcePart } from './disk-source.js';
import { assignTargets, busOf, type Target } from './disk-targets.js';
import { diskDevicePart, type DeviceKind } from './disk-device.js';
import { oneOf } from './values.js';

type Vmi = Readonly<VirtualMachineInstance>;

const BUSES = ['virtio', 'sata', 'scsi', 'usb'] as const;
const ERROR_POLICIES = ['stop', 'ignore', 'report', 'enospace'] as const;

function kindOf(field: string, disk: VmiDisk): DeviceKind {
  if (disk.disk !== undefined) return 'disk';
  if (disk.lun !== undefined) return 'lun';
  if (disk.cdrom !== undefined) return 'cdrom';
  throw new ConversionError(field, 'has none of disk, lun or cdrom (admission sets disk)');
}

function checkBus(field: string, kind: DeviceKind, bus: string): string {
  if (bus === '') throw new ConversionError(`${field}.${kind}.bus`, 'is not set (admission sets it)');
  const checked = oneOf(`${field}.${kind}.bus`, bus, BUSES);
  if (kind === 'cdrom' && checked === 'virtio') throw new ConversionError(`${field}.cdrom.bus`, 'virtio cannot carry a cdrom; use sata, scsi or usb');
  return checked;
}

/** The prepared source of the disk's volume; a cdrom without a volume is an empty drive. */
function sourceFor(vmi: Vmi, ctx: ConverterContext, disk: VmiDisk, field: string): SourcePart {
  const volume = (vmi.spec.volumes ?? []).find((v) => v.name === disk.name);
  if (volume === undefined) {
    if (disk.cdrom !== undefined) return EMPTY_DRIVE;
    throw new ConversionError(`${field}.name`, `no volume named "${disk.name}" in spec.volumes`);
  }
  const prepared = ctx.volumes[disk.name];
  if (prepared === undefined) throw new ConversionError(`${field}.name`, `volume "${disk.name}" has no prepared source on this host`);
  checkLunVolume(field, disk, volume, prepared);
  return preparedSource(prepared);
}

/** KubeVirt passes guest discards through for disks and luns, and for the empty cdrom drive. */
function discard(ctx: ConverterContext, disk: VmiDisk, source: SourcePart): Pick<DiskDriver, 'discard'> {
  const passes = disk.cdrom === undefined || source === EMPTY_DRIVE;
  return passes && !(ctx.volumesDiscardIgnore ?? []).includes(disk.name) ? { discard: 'unmap' } : {};
}

/** A shareable disk must bypass the host cache; an unset cache becomes none. */
function cacheOf(field: string, disk: VmiDisk): Pick<DiskDriver, 'cache'> {
  const cache = disk.cache || undefined;
  if (disk.disk === undefined || disk.shareable !== true) return cache === undefined ? {} : { cache };
  if (cache !== undefined && cache !== 'none') throw new ConversionError(`${field}.cache`, `a shareable disk needs cache none, not ${cache}`);
  return { cache: 'none' };
}

function queues(vmi: Vmi, bus: string): Pick<DiskDriver, 'queues'> {
  return vmi.spec.domain.devices.blockMultiQueue === true && bus === 'virtio' ? { queues: requestedVcpus(vmi) } : {};
}

interface DiskRef {
  readonly disk: VmiDisk;
  readonly field: string;
  readonly bus: string;
}

function driverOf(vmi: Vmi, ctx: ConverterContext, ref: DiskRef, source: SourcePart): DiskDriver {
  const { disk, field } = ref;
  return {
    ...cacheOf(field, disk),
    errorPolicy: oneOf(`${field}.errorPolicy`, disk.errorPolicy ?? 'stop', ERROR_POLICIES),
    ...(disk.io ? { io: disk.io } : {}),
    name: 'qemu',
    type: source.format,
    ...queues(vmi, ref.bus),
    ...discard(ctx, disk, source),
  };
}

function placement(source: SourcePart): Pick<Disk, 'type' | 'source' | 'backingStore'> {
  return {
    type: source.type,
    ...(source.source === undefined ? {} : { source: source.source }),
    ...(source.backingStore === undefined ? {} : { backingStore: source.backingStore }),
  };
}

function convertDisk(vmi: Vmi, ctx: ConverterContext, disk: VmiDisk, at: { readonly index: number; readonly target: Target }): Disk {
  const field = `spec.domain.devices.disks[${at.index}]`;
  const kind = kindOf(field, disk);
  const bus = checkBus(field, kind, busOf(disk));
  const source = sourceFor(vmi, ctx, disk, field);
  const device = diskDevicePart(vmi, { disk, field, kind, bus, target: at.target });
  return { device: kind, ...placement(source), ...device, target: device.target ?? { bus, dev: at.target.dev }, driver: driverOf(vmi, ctx, { disk, field, bus }, source) };
}

/** Sets `<disk>` for every disk of the VMI, in list order. */
export const configureDisks: Configurator = (vmi, ctx, domain) => {
  const disks = vmi.spec.domain.devices.disks ?? [];
  const targets = assignTargets(disks, vmi.status?.volumeStatus ?? []);
  return withDevices(domain, { disks: disks.map((disk, index) => convertDisk(vmi, ctx, disk, { index, target: targets[index] as Target })) });
};
