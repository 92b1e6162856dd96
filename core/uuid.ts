/**
 * Name-based UUIDs (RFC 4122 version 5, SHA-1), so identifiers derived from an object's name are
 * the same every time. KubeVirt's controller uses one for a VM's firmware UUID when none is set.
 * @see https://github.com/kubevirt/kubevirt/blob/main/pkg/virt-controller/watch/vm/firmware.go
 */
import { createHash } from 'node:crypto';

/** KubeVirt's namespace UUID for firmware UUIDs derived from a VM's name. */
export const FIRMWARE_UUID_NAMESPACE = '6a1a24a1-4061-4607-8bf4-a3963d0c5895';

function format(bytes: Buffer): string {
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** The version-5 UUID of `name` in the namespace `namespaceUuid`. */
export function uuidV5(name: string, namespaceUuid: string): string {
  const ns = Buffer.from(namespaceUuid.replace(/-/g, ''), 'hex');
  if (ns.length !== 16) throw new Error(`not a UUID: ${JSON.stringify(namespaceUuid)}`);
  const digest = createHash('sha1').update(ns).update(name, 'utf8').digest().subarray(0, 16);
  digest[6] = ((digest[6] ?? 0) & 0x0f) | 0x50;
  digest[8] = ((digest[8] ?? 0) & 0x3f) | 0x80;
  return format(digest);
}

/** The firmware UUID KubeVirt's controller derives for a VM (from its name only). */
export function firmwareUuidFor(vmName: string): string {
  return uuidV5(vmName, FIRMWARE_UUID_NAMESPACE);
}
