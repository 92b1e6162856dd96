/**
 * Guest device names of disks: `vd*` for virtio, `sd*` shared by sata, scsi and usb, handed out in
 * disk-list order (a…z, then aa, ab… as Linux names them). Targets recorded in
 * `status.volumeStatus` for plain disks are reserved first and kept, so a restarted guest sees its
 * disks where it saw them before.
 * @see https://github.com/kubevirt/kubevirt/blob/main/pkg/virt-launcher/virtwrap/converter/converter.go (makeDeviceName, FormatDeviceName, newDeviceNamer)
 */
import type { Disk as VmiDisk, VolumeStatus } from '../../crd-gen/index.js';

/** The bus of a disk, whichever of disk/lun/cdrom it is. */
export function busOf(disk: VmiDisk): string {
  return disk.disk?.bus ?? disk.lun?.bus ?? disk.cdrom?.bus ?? '';
}

/** The device-name prefix of a bus. */
export function prefixOf(bus: string): 'vd' | 'sd' {
  return bus === 'virtio' ? 'vd' : 'sd';
}

/** Linux's sd naming: index 0 → a, 25 → z, 26 → aa, 701 → zz, 702 → aaa. */
export function formatDeviceName(prefix: string, index: number): string {
  let name = '';
  for (let i = index; i >= 0; i = Math.floor(i / 26) - 1) name = String.fromCharCode(97 + (i % 26)) + name;
  return prefix + name;
}

/** A target name and its index in its prefix's space (the SCSI unit). */
export interface Target {
  readonly dev: string;
  readonly index: number;
}

const MAX_INDEX = 26 * 26 * 26;

function indexOf(prefix: string, dev: string): number {
  for (let i = 0; i < MAX_INDEX; i += 1) if (formatDeviceName(prefix, i) === dev) return i;
  return 0;
}

/** Reserved targets: plain disks whose volume already has one in status. */
function reserved(disks: readonly VmiDisk[], statuses: readonly VolumeStatus[]): Map<string, string> {
  const known = new Map(statuses.filter((s) => s.target !== '').map((s) => [s.name, s.target]));
  const out = new Map<string, string>();
  for (const disk of disks) {
    const target = known.get(disk.name);
    if (disk.disk !== undefined && target !== undefined) out.set(disk.name, target);
  }
  return out;
}

/** The target of every disk, in list order (index-aligned with `disks`). */
export function assignTargets(disks: readonly VmiDisk[], statuses: readonly VolumeStatus[]): Target[] {
  const keep = reserved(disks, statuses);
  const used = new Set(keep.values());
  return disks.map((disk) => {
    const prefix = prefixOf(busOf(disk));
    const kept = keep.get(disk.name);
    if (kept !== undefined && kept.startsWith(prefix)) return { dev: kept, index: indexOf(prefix, kept) };
    let index = 0;
    while (used.has(formatDeviceName(prefix, index))) index += 1;
    const dev = formatDeviceName(prefix, index);
    used.add(dev);
    return { dev, index };
  });
}
