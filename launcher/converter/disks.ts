/**
 * One `<disk>` per `spec.domain.devices.disks[]`, in list order: device kind, bus and target name,
 * the prepared source of its volume, the QEMU driver settings, and the user alias `ua-<name>`.
 * Cache and io left unset are decided later by the launcher for its host (KubeVirt's manager
 * does the same after conversion).
 * @see https://github.com/kubevirt/kubevirt/blob/main/pkg/virt-launcher/virtwrap/converter/converter.go (Convert_v1_Disk_To_api_Disk)
 */
import { ConversionError } from '../../core/errors.js';
import type { Disk as VmiDisk, VirtualMachineInstance, Volume } from '../../crd-gen/index.js';
import type { Disk, DiskDriver } from '../domain/schema.js';
import type { Configurator } from './configurator.js';
import type { ConverterContext } from './context.js';
import { requestedVcpus } from './cpu-topology.js';
import { EMPTY_DRIVE, checkLunVolume, preparedSource, type SourcePart } from './disk-source.js';
import { assignTargets, busOf, type Target } from './disk-targets.js';
import { addDiskDeviceParts, type DeviceKind, type DiskFacts } from './disk-device.js';
import { oneOf, virtioModel } from './values.js';

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

/** What every disk of one VMI shares, worked out once per conversion rather than once per disk. */
interface DiskScope {
  readonly ctx: ConverterContext;
  /** `spec.volumes` by name (the first of a name, as a search of the list would find it). */
  readonly volumes: ReadonlyMap<string, Volume>;
  readonly virtioModel: string;
  /** virtio-blk queues with `blockMultiQueue` (one per vCPU), undefined without it. */
  readonly virtioQueues: number | undefined;
}

function diskScope(vmi: Vmi, ctx: ConverterContext): DiskScope {
  const volumes = new Map<string, Volume>();
  for (const v of vmi.spec.volumes ?? []) if (!volumes.has(v.name)) volumes.set(v.name, v);
  const devices = vmi.spec.domain.devices;
  return { ctx, volumes, virtioModel: virtioModel(devices.useVirtioTransitional), virtioQueues: devices.blockMultiQueue === true ? requestedVcpus(vmi) : undefined };
}

/** The prepared source of the disk's volume; a cdrom without a volume is an empty drive. */
function sourceFor(scope: DiskScope, disk: VmiDisk, field: string): SourcePart {
  const volume = scope.volumes.get(disk.name);
  if (volume === undefined) {
    if (disk.cdrom !== undefined) return EMPTY_DRIVE;
    throw new ConversionError(`${field}.name`, `no volume named "${disk.name}" in spec.volumes`);
  }
  const prepared = scope.ctx.volumes[disk.name];
  if (prepared === undefined) throw new ConversionError(`${field}.name`, `volume "${disk.name}" has no prepared source on this host`);
  checkLunVolume(field, disk, volume, prepared);
  return preparedSource(prepared);
}

/** KubeVirt passes guest discards through for disks and luns, and for the empty cdrom drive. */
function passesDiscards(ctx: ConverterContext, disk: VmiDisk, source: SourcePart): boolean {
  const passes = disk.cdrom === undefined || source === EMPTY_DRIVE;
  return passes && !(ctx.volumesDiscardIgnore ?? []).includes(disk.name);
}

/** A shareable disk must bypass the host cache; an unset cache becomes none. */
function cacheOf(field: string, disk: VmiDisk): string | undefined {
  const cache = disk.cache || undefined;
  if (disk.disk === undefined || disk.shareable !== true) return cache;
  if (cache !== undefined && cache !== 'none') throw new ConversionError(`${field}.cache`, `a shareable disk needs cache none, not ${cache}`);
  return 'none';
}

function driverOf(scope: DiskScope, f: DiskFacts, source: SourcePart): DiskDriver {
  const { disk, field } = f;
  const cache = cacheOf(field, disk);
  const driver: DiskDriver = { errorPolicy: oneOf(`${field}.errorPolicy`, disk.errorPolicy ?? 'stop', ERROR_POLICIES), name: 'qemu', type: source.format };
  if (cache !== undefined) driver.cache = cache;
  if (disk.io) driver.io = disk.io;
  if (scope.virtioQueues !== undefined && f.bus === 'virtio') driver.queues = scope.virtioQueues;
  if (passesDiscards(scope.ctx, disk, source)) driver.discard = 'unmap';
  return driver;
}

function convertDisk(scope: DiskScope, disk: VmiDisk, index: number, target: Target): Disk {
  const field = `spec.domain.devices.disks[${index}]`;
  const kind = kindOf(field, disk);
  const bus = checkBus(field, kind, busOf(disk));
  const source = sourceFor(scope, disk, field);
  const out: Disk = { device: kind, type: source.type, target: { bus, dev: target.dev } };
  if (source.source !== undefined) out.source = source.source;
  if (source.backingStore !== undefined) out.backingStore = source.backingStore;
  const facts: DiskFacts = { disk, field, kind, bus, target };
  addDiskDeviceParts(facts, scope.virtioModel, out);
  out.driver = driverOf(scope, facts, source);
  return out;
}

/** Sets `<disk>` for every disk of the VMI, in list order. */
export const configureDisks: Configurator = (vmi, ctx, domain) => {
  const disks = vmi.spec.domain.devices.disks ?? [];
  const targets = assignTargets(disks, vmi.status?.volumeStatus ?? []);
  const scope = diskScope(vmi, ctx);
  const out: Disk[] = [];
  for (let i = 0; i < disks.length; i += 1) out.push(convertDisk(scope, disks[i] as VmiDisk, i, targets[i] as Target));
  return { ...domain, devices: { ...domain.devices, disks: out } };
};
