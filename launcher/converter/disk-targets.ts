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

/**
 * The index of a device name in its prefix's space (the inverse of formatDeviceName); 0 for a
 * name that is not one of the first MAX_INDEX names of that prefix.
 */
function indexOf(prefix: string, dev: string): number {
  if (!dev.startsWith(prefix) || dev.length === prefix.length) return 0;
  let n = 0;
  for (let i = prefix.length; i < dev.length; i += 1) {
    const letter = dev.charCodeAt(i) - 96;
    if (letter < 1 || letter > 26) return 0;
    n = n * 26 + letter;
    if (n > MAX_INDEX) return 0;
  }
  return n - 1 < MAX_INDEX ? n - 1 : 0;
}

/** Reserved targets: plain disks whose volume already has one in status. */
function reserved(disks: readonly VmiDisk[], statuses: readonly VolumeStatus[]): Map<string, string> {
  const out = new Map<string, string>();
  if (statuses.length === 0) return out;
  const known = new Map(statuses.filter((s) => s.target !== '').map((s) => [s.name, s.target]));
  for (const disk of disks) {
    const target = known.get(disk.name);
    if (disk.disk !== undefined && target !== undefined) out.set(disk.name, target);
  }
  return out;
}

/**
 * The target of every disk, in list order (index-aligned with `disks`): each disk takes the
 * first free name of its prefix. Names only ever get taken, so the first free one never moves
 * back: the search for the next disk of a prefix starts where the last one ended.
 */
export function assignTargets(disks: readonly VmiDisk[], statuses: readonly VolumeStatus[]): Target[] {
  const keep = reserved(disks, statuses);
  const used = new Set(keep.values());
  const firstFree: Record<'vd' | 'sd', number> = { vd: 0, sd: 0 };
  return disks.map((disk) => {
    const prefix = prefixOf(busOf(disk));
    const kept = keep.get(disk.name);
    if (kept !== undefined && kept.startsWith(prefix)) return { dev: kept, index: indexOf(prefix, kept) };
    let index = firstFree[prefix];
    let dev = formatDeviceName(prefix, index);
    while (used.has(dev)) {
      index += 1;
      dev = formatDeviceName(prefix, index);
    }
    used.add(dev);
    firstFree[prefix] = index + 1;
    return { dev, index };
  });
}
