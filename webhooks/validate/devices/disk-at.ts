/**
 * One disk of `domain.devices.disks` as the per-disk rules see it: the list (for name clashes),
 * the disk, its index and field path, and its target type and bus as KubeVirt reads them.
 */
import type { FieldPath } from '../../../core/field-path.js';
import type { Disk } from '../../../crd-gen/index.js';
import type { Cause } from '../../cause.js';
import type { SpecValidator } from '../types.js';
import { devicesOf, devicesPath } from './common.js';

/** A disk under validation. */
export interface DiskAt {
  readonly disks: readonly Readonly<Disk>[];
  readonly disk: Readonly<Disk>;
  readonly index: number;
  /** `<spec>.domain.devices.disks`. */
  readonly base: FieldPath;
  /** `<spec>.domain.devices.disks[index]`. */
  readonly field: FieldPath;
}

/** One per-disk rule. */
export type DiskCheck = (at: DiskAt) => Cause[];

/**
 * A validator running `checks`, in order, on each disk of `domain.devices.disks`: the one walk over
 * the disks that KubeVirt's rules (disks.ts) and kubevirt-ts' refusals (disk-support.ts) share, so
 * both see each disk with the same list, index and field paths.
 */
export function perDisk(checks: readonly DiskCheck[]): SpecValidator {
  return (spec, path) => {
    const disks = devicesOf(spec).disks ?? [];
    const base = devicesPath(path).child('disks');
    return disks.flatMap((disk, index) => {
      const at: DiskAt = { disks, disk, index, base, field: base.index(index) };
      return checks.flatMap((check) => check(at));
    });
  };
}

/** The target type a disk sets, as KubeVirt picks it: disk, then lun, then cdrom; empty when none. */
export type DiskType = 'disk' | 'lun' | 'cdrom' | '';

/** The first target type set on the disk (KubeVirt's `getDiskType`). */
export function diskTypeOf(disk: Readonly<Disk>): DiskType {
  if (disk.disk !== undefined) return 'disk';
  if (disk.lun !== undefined) return 'lun';
  return disk.cdrom === undefined ? '' : 'cdrom';
}

/** The bus of that target type, or empty (KubeVirt's `getDiskBus`). */
export function diskBusOf(disk: Readonly<Disk>): string {
  const type = diskTypeOf(disk);
  return type === '' ? '' : (disk[type]?.bus ?? '');
}
