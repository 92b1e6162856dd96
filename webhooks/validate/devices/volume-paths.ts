/**
 * KubeVirt's path rules for volumes (B36–B42): a containerDisk path is an absolute, clean file path
 * (not `/`), and a hostDisk has a path, a known type, and a capacity only when it may create the
 * file. The HostDisk feature gate (B39) guards a feature kubevirt-ts implements (the launcher
 * attaches host files below its allowed roots), so hostDisk volumes are accepted whatever the gates.
 * @see https://github.com/kubevirt/kubevirt/blob/main/pkg/storage/admitters/disks.go (ValidatePath)
 * @see https://github.com/kubevirt/kubevirt/blob/main/pkg/virt-api/webhooks/validating-webhook/admitters/vmi-create-admitter.go (validateHostDisk)
 */
import { posix } from 'node:path';
import type { FieldPath } from '../../../core/field-path.js';
import { isNonZeroQuantity } from '../../../core/quantity.js';
import type { Volume } from '../../../crd-gen/index.js';
import { CauseType, cause, type Cause } from '../../cause.js';
import { invalid, isSet, quote } from './common.js';

const HOST_DISK_TYPES = ['Disk', 'DiskOrCreate'];

/** Go's `filepath.Join("/", p)`: cleaned, absolute, without a trailing slash. */
function cleanedFromRoot(p: string): string {
  const normal = posix.normalize(`/${p}`);
  return normal.length > 1 && normal.endsWith('/') ? normal.slice(0, -1) : normal;
}

/**
 * Whether KubeVirt's `ValidatePath` takes `p`: after dropping one trailing slash (Go's
 * `TrimSuffix`), it must equal its cleaned form rooted at `/`. Exported for the kubevirt-ts image
 * path check, which only runs on paths KubeVirt already accepts.
 */
export function isCleanAbsolutePath(p: string): boolean {
  return p !== '/' && cleanedFromRoot(p) === (p.endsWith('/') ? p.slice(0, -1) : p);
}

/** B36, B37. */
export function containerDiskPathCauses(volume: Readonly<Volume>, field: FieldPath): Cause[] {
  const p = volume.containerDisk?.path;
  if (!isSet(p)) return [];
  const at = field.child('containerDisk');
  if (p === '/') return [invalid(at, `${at}.path ${quote(p)} must not point to the root`)];
  if (isCleanAbsolutePath(p)) return [];
  return [invalid(at, `${at}.path ${quote(p)} must be an absolute path to a file without relative components`)];
}

/** B40–B42 (B39, the gate, is accepted: see the file comment). */
export function hostDiskCauses(volume: Readonly<Volume>, field: FieldPath): Cause[] {
  const hostDisk = volume.hostDisk;
  if (hostDisk === undefined) return [];
  const at = field.child('hostDisk');
  const out: Cause[] = [];
  if (!isSet(hostDisk.path)) out.push(cause(CauseType.NotFound, at.child('path'), `${at}.path is required for a hostDisk volume`));
  const type = hostDisk.type as string | undefined;
  if (!HOST_DISK_TYPES.includes(type ?? '')) {
    out.push(invalid(at.child('type'), `${at}.type ${quote(type ?? '')} is invalid; allowed are 'Disk' or 'DiskOrCreate'`));
  }
  if (type === 'Disk' && isNonZeroQuantity(hostDisk.capacity)) {
    out.push(invalid(at.child('capacity'), `${at}.capacity ${quote(hostDisk.capacity)} is allowed only with the type 'DiskOrCreate'`));
  }
  return out;
}
