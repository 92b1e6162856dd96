/**
 * KubeVirt's disk bus rules (B06–B10): no IDE, no virtio CD-ROM, no read-only SATA hard disk, only
 * known buses, and dedicated I/O threads only on virtio.
 * @see https://github.com/kubevirt/kubevirt/blob/main/pkg/storage/admitters/disks.go (validateBusSupport)
 */
import { CauseType, cause, type Cause } from '../../cause.js';
import { invalid, listOf, quote } from './common.js';
import { diskBusOf, diskTypeOf, type DiskAt, type DiskCheck } from './disk-at.js';

/** The buses KubeVirt knows, in the order its message lists them. */
const BUSES = ['virtio', 'scsi', 'sata', 'usb'];

/** B06, B07, B08, B09 for a disk with a bus set. */
function busValue({ disk, field }: DiskAt, bus: string): Cause[] {
  const type = diskTypeOf(disk);
  const at = field.child(type).child('bus');
  if (bus === 'ide') return [invalid(at, `${at} ${quote(bus)}: the IDE bus is not supported; use one of ${listOf(BUSES)}`)];
  if (!BUSES.includes(bus)) return [invalid(at, `${field} has the unrecognized bus ${quote(bus)}; it must be one of ${listOf(BUSES)}`)];
  if (bus === 'virtio' && type === 'cdrom') return [invalid(at, `${at} ${quote(bus)} is invalid for a CD-ROM; use sata, scsi or usb`)];
  if (bus === 'sata' && disk.disk?.readonly === true) return [invalid(at, `${at} ${quote(bus)}: SATA hard disks cannot be read-only; use virtio or scsi, or a cdrom`)];
  return [];
}

/**
 * B10: a dedicated I/O thread needs virtio; an empty bus fails too, since admission sees it before
 * any default. KubeVirt's doubled path prefix is reported as the disk's real path.
 */
function dedicatedIoThread({ disk, field }: DiskAt, bus: string): Cause[] {
  if (disk.dedicatedIOThread !== true || bus === 'virtio') return [];
  return [cause(CauseType.NotSupported, field, `${field} asks for a dedicated IOThread, which is not supported on the ${quote(bus)} bus; use virtio`)];
}

/** B06–B10 for one disk. */
export const busCauses: DiskCheck = (at) => {
  const bus = diskBusOf(at.disk);
  return [...(bus === '' ? [] : busValue(at, bus)), ...dedicatedIoThread(at, bus)];
};
