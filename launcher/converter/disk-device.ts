/**
 * The guest-facing half of a `<disk>`: target (bus, name, tray), SCSI drive address or PCI address,
 * virtio model, read-only/shareable flags, serial, boot order, block sizes and the user alias.
 * @see https://github.com/kubevirt/kubevirt/blob/main/pkg/virt-launcher/virtwrap/converter/converter.go (Convert_v1_Disk_To_api_Disk, Convert_v1_BlockSize_To_api_BlockIO)
 */
import { ConversionError } from '../../core/errors.js';
import type { Disk as VmiDisk } from '../../crd-gen/index.js';
import type { Disk } from '../domain/schema.js';
import type { Target } from './disk-targets.js';
import { matching, oneOf, pciAddress, userAlias } from './values.js';

/** What a VMI disk is attached as. */
export type DeviceKind = 'disk' | 'lun' | 'cdrom';

/** One VMI disk with what the converter already worked out about it. */
export interface DiskFacts {
  readonly disk: VmiDisk;
  /** Its field path, `spec.domain.devices.disks[i]`. */
  readonly field: string;
  readonly kind: DeviceKind;
  readonly bus: string;
  readonly target: Target;
}

/** libvirt's `diskSerial`. */
const DISK_SERIAL = /^[A-Za-z0-9_.+\- ]+$/;
const TRAYS = ['open', 'closed'] as const;

function readonly(f: DiskFacts): boolean {
  const d = f.disk;
  if (f.kind === 'cdrom') return d.cdrom?.readonly !== false;
  return (f.kind === 'disk' ? d.disk?.readonly : d.lun?.readonly) === true;
}

/** Settings libvirt knows only on plain disks: virtio model, PCI address, serial, shareable. */
function addPlainDiskParts(f: DiskFacts, virtioModel: string, out: Disk): void {
  const d = f.disk;
  const pci = d.disk?.pciAddress;
  if (pci && f.bus !== 'virtio') throw new ConversionError(`${f.field}.disk.pciAddress`, 'a PCI address needs the virtio bus');
  if (f.bus === 'virtio') out.model = virtioModel;
  if (pci) out.address = pciAddress(`${f.field}.disk.pciAddress`, pci);
  if (d.serial) out.serial = matching(`${f.field}.serial`, d.serial, DISK_SERIAL, 'letters, digits, "_", ".", "+", "-" and space only');
  if (d.shareable === true) out.shareable = true;
}

function blockio(f: DiskFacts): Disk['blockio'] {
  const size = f.disk.blockSize;
  if (size === undefined) return undefined;
  if (size.matchVolume !== undefined && size.matchVolume.enabled !== false) {
    throw new ConversionError(`${f.field}.blockSize.matchVolume`, 'is not supported by kubevirt-ts (it needs the host block sizes); give blockSize.custom');
  }
  const custom = size.custom;
  if (custom === undefined) return undefined;
  const out: NonNullable<Disk['blockio']> = {};
  if (custom.logical !== undefined) out.logicalBlockSize = custom.logical;
  if (custom.physical !== undefined) out.physicalBlockSize = custom.physical;
  if (custom.discardGranularity !== undefined) out.discardGranularity = custom.discardGranularity;
  return out;
}

/**
 * Adds the guest-facing parts of one disk to `out`, the `<disk>` its caller is building (with
 * its target bus and name already set). `virtioModel` is the VMI's virtio model, the same for
 * every disk. Fields are set one by one rather than spread together: this runs once per disk.
 */
export function addDiskDeviceParts(f: DiskFacts, virtioModel: string, out: Disk): void {
  const d = f.disk;
  const tray = d.cdrom?.tray;
  if (tray) out.target.tray = oneOf(`${f.field}.cdrom.tray`, tray, TRAYS);
  if (f.bus === 'scsi' && f.kind !== 'cdrom') out.address = { type: 'drive', controller: '0', bus: '0', unit: String(f.target.index) };
  if (f.kind === 'disk') addPlainDiskParts(f, virtioModel, out);
  if (readonly(f)) out.readonly = true;
  out.alias = userAlias(`${f.field}.name`, d.name);
  if (d.bootOrder !== undefined) out.boot = { order: d.bootOrder };
  const io = blockio(f);
  if (io !== undefined) out.blockio = io;
}
