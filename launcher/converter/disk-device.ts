/**
 * The guest-facing half of a `<disk>`: target (bus, name, tray), SCSI drive address or PCI address,
 * virtio model, read-only/shareable flags, serial, boot order, block sizes and the user alias.
 * @see https://github.com/kubevirt/kubevirt/blob/main/pkg/virt-launcher/virtwrap/converter/converter.go (Convert_v1_Disk_To_api_Disk, Convert_v1_BlockSize_To_api_BlockIO)
 */
import { ConversionError } from '../../core/errors.js';
import type { Disk as VmiDisk, VirtualMachineInstance } from '../../crd-gen/index.js';
import type { Disk } from '../domain/schema.js';
import type { Target } from './disk-targets.js';
import { matching, oneOf, pciAddress, userAlias, virtioModel } from './values.js';

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

type Part = Partial<Disk>;

function target(f: DiskFacts): Part {
  const tray = f.disk.cdrom?.tray;
  const checkedTray = tray ? { tray: oneOf(`${f.field}.cdrom.tray`, tray, TRAYS) } : {};
  const scsi = f.bus === 'scsi' && f.kind !== 'cdrom' ? { address: { type: 'drive', controller: '0', bus: '0', unit: String(f.target.index) } } : {};
  return { target: { bus: f.bus, dev: f.target.dev, ...checkedTray }, ...scsi };
}

function readonly(f: DiskFacts): boolean {
  const d = f.disk;
  if (f.kind === 'cdrom') return d.cdrom?.readonly !== false;
  return (f.kind === 'disk' ? d.disk?.readonly : d.lun?.readonly) === true;
}

/** Settings libvirt knows only on plain disks: virtio model, PCI address, serial, shareable. */
function plainDisk(vmi: Readonly<VirtualMachineInstance>, f: DiskFacts): Part {
  if (f.kind !== 'disk') return {};
  const d = f.disk;
  const pci = d.disk?.pciAddress;
  if (pci && f.bus !== 'virtio') throw new ConversionError(`${f.field}.disk.pciAddress`, 'a PCI address needs the virtio bus');
  return {
    ...(f.bus === 'virtio' ? { model: virtioModel(vmi.spec.domain.devices.useVirtioTransitional) } : {}),
    ...(pci ? { address: pciAddress(`${f.field}.disk.pciAddress`, pci) } : {}),
    ...(d.serial ? { serial: matching(`${f.field}.serial`, d.serial, DISK_SERIAL, 'letters, digits, "_", ".", "+", "-" and space only') } : {}),
    ...(d.shareable === true ? { shareable: true } : {}),
  };
}

function blockio(f: DiskFacts): Part {
  const size = f.disk.blockSize;
  if (size?.matchVolume !== undefined && size.matchVolume.enabled !== false) {
    throw new ConversionError(`${f.field}.blockSize.matchVolume`, 'is not supported by kubevirt-ts (it needs the host block sizes); give blockSize.custom');
  }
  const custom = size?.custom;
  if (custom === undefined) return {};
  return {
    blockio: {
      ...(custom.logical === undefined ? {} : { logicalBlockSize: custom.logical }),
      ...(custom.physical === undefined ? {} : { physicalBlockSize: custom.physical }),
      ...(custom.discardGranularity === undefined ? {} : { discardGranularity: custom.discardGranularity }),
    },
  };
}

/** The guest-facing parts of one disk. */
export function diskDevicePart(vmi: Readonly<VirtualMachineInstance>, f: DiskFacts): Part {
  const boot = f.disk.bootOrder;
  return {
    ...target(f),
    ...plainDisk(vmi, f),
    ...(readonly(f) ? { readonly: true } : {}),
    alias: userAlias(`${f.field}.name`, f.disk.name),
    ...(boot === undefined ? {} : { boot: { order: boot } }),
    ...blockio(f),
  };
}
