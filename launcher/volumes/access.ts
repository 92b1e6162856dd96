/**
 * How QEMU will open a volume's file, from the disks that use it: a plain disk or lun is opened
 * read-write unless it says `readonly: true`; a cdrom is read-only unless it says `readonly: false`
 * (KubeVirt's default for cdroms). The launcher grants the QEMU user exactly that.
 * @see https://kubevirt.io/user-guide/storage/disks_and_volumes/#disks
 */
import type { Disk, VirtualMachineInstance } from '../../crd-gen/index.js';
import type { Access } from './types.js';

function isWritable(disk: Readonly<Disk>): boolean {
  if (disk.cdrom !== undefined) return disk.cdrom.readonly === false;
  if (disk.lun !== undefined) return disk.lun.readonly !== true;
  return disk.disk?.readonly !== true;
}

/** `write` when any disk of the volume is writable; `read` otherwise (also for a volume no disk uses). */
export function volumeAccess(vmi: Readonly<VirtualMachineInstance>, volume: string): Access {
  const disks = (vmi.spec.domain.devices.disks ?? []).filter((d) => d.name === volume);
  return disks.some(isWritable) ? 'write' : 'read';
}
