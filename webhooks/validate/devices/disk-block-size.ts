/**
 * KubeVirt's custom block size rules (B17–B21). Only the first failing rule of B17–B20 reports;
 * when none fails, logical and physical sizes are checked against the 512 B to 2 MiB power-of-two
 * range, one cause each at most.
 * @see https://github.com/kubevirt/kubevirt/blob/main/pkg/storage/admitters/disks.go (validateBlockSize)
 */
import type { FieldPath } from '../../../core/field-path.js';
import type { CustomBlockSize } from '../../../crd-gen/index.js';
import type { Cause } from '../../cause.js';
import { invalid, isOn } from './common.js';
import { diskBusOf, type DiskCheck } from './disk-at.js';

/** The smallest block size QEMU takes, and the only logical size SATA emulates. */
const MIN_BLOCK = 512;
/** The largest block size KubeVirt accepts (2 MiB). */
const MAX_BLOCK = 2_097_152;

function isPowerOfTwo(n: number): boolean {
  return Number.isInteger(n) && n > 0 && (n & (n - 1)) === 0;
}

/** B21 for one of logical/physical: below the minimum, above the maximum, or not a power of two. */
function sizeRange(field: FieldPath, size: number): Cause[] {
  if (size < MIN_BLOCK) return [invalid(field, `${field} ${size} is below the supported minimum of ${MIN_BLOCK}`)];
  if (size > MAX_BLOCK) return [invalid(field, `${field} ${size} is above the supported maximum of ${MAX_BLOCK}`)];
  return isPowerOfTwo(size) ? [] : [invalid(field, `${field} ${size} is not a power of 2`)];
}

/** B18–B21 for a custom size whose matchVolume is off; Go reads unset sizes as 0. */
function customCauses(custom: Readonly<CustomBlockSize>, at: FieldPath, bus: string): Cause[] {
  const logical = custom.logical ?? 0;
  const physical = custom.physical ?? 0;
  const logicalAt = at.child('logical');
  if (logical > physical) return [invalid(logicalAt, `${logicalAt} ${logical} must be at most the physical size ${physical}`)];
  if (bus === 'sata' && logical !== MIN_BLOCK) return [invalid(logicalAt, `${logicalAt} ${logical} must be ${MIN_BLOCK} on the sata bus`)];
  const granularity = custom.discardGranularity;
  if (granularity !== undefined && logical !== 0 && granularity % logical !== 0) {
    const granularityAt = at.child('discardGranularity');
    return [invalid(granularityAt, `${granularityAt} ${granularity} must be a multiple of the logical size ${logical}`)];
  }
  return [...sizeRange(logicalAt, logical), ...sizeRange(at.child('physical'), physical)];
}

/** B17–B21 for one disk. */
export const blockSizeCauses: DiskCheck = ({ disk, field }) => {
  const custom = disk.blockSize?.custom;
  if (custom === undefined) return [];
  const at = field.child('blockSize');
  const matchVolume = disk.blockSize?.matchVolume;
  if (isOn(matchVolume)) {
    const enabled = matchVolume?.enabled === undefined ? 'unset, which means true' : String(matchVolume.enabled);
    return [invalid(at, `${at} sets a custom size, so matchVolume must not be enabled as well (matchVolume.enabled is ${enabled})`)];
  }
  return customCauses(custom, at.child('custom'), diskBusOf(disk));
};
