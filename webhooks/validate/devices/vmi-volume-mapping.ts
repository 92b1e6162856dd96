/**
 * KubeVirt's VMI-only volume mapping rules (B29–B32): every volume but a memory dump is used by a
 * disk or a filesystem, a containerPath volume by a filesystem only, away from KubeVirt's own
 * runtime directories. A VM template is not checked: its VMI is, when it is created.
 *
 * KubeVirt reports B29 on `spec.domain.volumes[i].name`; we report the volume's real field.
 * @see https://github.com/kubevirt/kubevirt/blob/main/pkg/virt-api/webhooks/validating-webhook/admitters/vmi-create-admitter.go
 */
import type { FieldPath } from '../../../core/field-path.js';
import type { Volume } from '../../../crd-gen/index.js';
import type { Cause } from '../../cause.js';
import type { SpecValidator } from '../types.js';
import { devicesOf, invalid, quote } from './common.js';

/** Directories a containerPath volume must not reach into (a plain prefix test, as KubeVirt's). */
const RESERVED_PREFIXES = ['/var/run/kubevirt', '/var/run/libvirt'];

interface Users {
  readonly disks: ReadonlySet<string>;
  readonly filesystems: ReadonlySet<string>;
}

/** B29. */
function usedByDevice(volume: Readonly<Volume>, users: Users, field: FieldPath): Cause[] {
  if (volume.memoryDump !== undefined || users.disks.has(volume.name) || users.filesystems.has(volume.name)) return [];
  const at = field.child('name');
  return [invalid(at, `${at} '${volume.name}' not found.`)];
}

/** B30–B32. */
function containerPath(volume: Readonly<Volume>, users: Users, field: FieldPath): Cause[] {
  const source = volume.containerPath;
  if (source === undefined) return [];
  const out: Cause[] = [];
  if (users.disks.has(volume.name)) out.push(invalid(field, `${field}: the containerPath volume ${quote(volume.name)} must map to a filesystem, not a disk`));
  if (!users.filesystems.has(volume.name)) out.push(invalid(field, `${field}: the containerPath volume ${quote(volume.name)} needs a filesystem of the same name`));
  const reserved = RESERVED_PREFIXES.find((prefix) => (source.path ?? '').startsWith(prefix));
  if (reserved !== undefined) {
    const at = field.child('containerPath').child('path');
    out.push(invalid(at, `${at} ${quote(source.path)} uses the reserved prefix ${reserved}`));
  }
  return out;
}

/** B29–B32, for VMIs only. */
export const validateVmiVolumeMapping: SpecValidator = (spec, path, ctx) => {
  if (ctx.origin !== 'VirtualMachineInstance') return [];
  const devices = devicesOf(spec);
  const users: Users = {
    disks: new Set((devices.disks ?? []).map((d) => d.name)),
    filesystems: new Set((devices.filesystems ?? []).map((f) => f.name)),
  };
  return (spec.volumes ?? []).flatMap((volume, i) => {
    const field = path.child('volumes').index(i);
    return [...usedByDevice(volume, users, field), ...containerPath(volume, users, field)];
  });
};
