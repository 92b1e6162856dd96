/**
 * MAC addresses of the pod network plan: the guest NIC's when the VMI names none, and the pod
 * interface's new one under the bridge binding (its own MAC moves to the guest). Generated from the
 * VMI's uid, so a launcher that restarts for the same VMI gives the guest the same MAC, and
 * locally administered unicast (02:…), so they never clash with a vendor's.
 */
import { createHash } from 'node:crypto';

/** A locally administered unicast MAC derived from `seed` (stable: the same seed, the same MAC). */
export function generatedMac(seed: string): string {
  const bytes = [...createHash('sha256').update(seed).digest().subarray(0, 5)];
  return ['02', ...bytes.map((b) => b.toString(16).padStart(2, '0'))].join(':');
}

/** A MAC as the plan writes it: lower case, colons (the API allows dashes too). */
export function normalizeMac(mac: string): string {
  return mac.replaceAll('-', ':').toLowerCase();
}
