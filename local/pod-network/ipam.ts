/**
 * The pod network's address management, pure: a lease is a file named by the address and holding
 * the pod uid (and, in the local mode, the control plane that owns the pod); these functions read a
 * lease's text, write it, and choose a pod's address from the leases there are. The runtime claims
 * the chosen address by creating its file exclusively, so two allocators never hand one out twice.
 */
import { formatIpv4, parseIpv4, podAddresses, type Cidr } from './cidr.js';

/** Who holds an address. */
export interface Lease {
  readonly podUid: string;
  /** The control plane that owns the pod (`kvt-daemon:/var/lib/kvt`, `kvt-run:1234`); none for the node agent. */
  readonly owner?: string;
}

/** A lease file's text: `{"podUid":…,"owner":…}` (the node agent's older files hold the bare uid). */
export function leaseText(lease: Lease): string {
  return `${JSON.stringify(lease)}\n`;
}

/** Reads a lease file's text; undefined when it names no pod (an empty or torn file). */
export function parseLease(text: string): Lease | undefined {
  const trimmed = text.trim();
  if (trimmed === '') return undefined;
  if (!trimmed.startsWith('{')) return /^[\w-]+$/.test(trimmed) ? { podUid: trimmed } : undefined;
  try {
    const value = JSON.parse(trimmed) as { podUid?: unknown; owner?: unknown };
    if (typeof value.podUid !== 'string' || value.podUid === '') return undefined;
    return { podUid: value.podUid, ...(typeof value.owner === 'string' ? { owner: value.owner } : {}) };
  } catch {
    return undefined;
  }
}

/** Which address a pod gets: the one it holds already, or the free ones to try in order. */
export type AddressChoice =
  | { readonly kind: 'held'; readonly address: string }
  | { readonly kind: 'free'; readonly candidates: readonly string[] }
  | { readonly kind: 'full' };

/**
 * The address for `podUid` given the leases (address → lease; undefined for an unreadable file,
 * which still blocks its address): the pod's own lease if it has one, else every free pod address of
 * `cidr` in round-robin order, starting after `lastReserved` (the last address handed out) and
 * wrapping, as the host-local IPAM of CNI does: an address a deleted pod just freed is the last to
 * be given again, so no neighbour still holding its old MAC (a stale ARP entry) reaches the wrong
 * pod or none. Files that are not addresses of the CIDR are ignored.
 */
export function chooseAddress(cidr: Cidr, leases: ReadonlyMap<string, Lease | undefined>, podUid: string, lastReserved?: string): AddressChoice {
  for (const [address, lease] of leases) if (lease?.podUid === podUid && parseIpv4(address) !== undefined) return { kind: 'held', address };
  const { first, last } = podAddresses(cidr);
  const start = roundRobinStart(first, last, lastReserved);
  const candidates: string[] = [];
  for (let i = 0; i <= last - first; i++) {
    const address = formatIpv4(start + i > last ? start + i - (last - first + 1) : start + i);
    if (!leases.has(address)) candidates.push(address);
  }
  return candidates.length === 0 ? { kind: 'full' } : { kind: 'free', candidates };
}

/** The address after `lastReserved` in first…last, wrapping; first when there is none or it is not in the range. */
function roundRobinStart(first: number, last: number, lastReserved: string | undefined): number {
  const previous = lastReserved === undefined ? undefined : parseIpv4(lastReserved);
  return previous !== undefined && previous >= first && previous < last ? previous + 1 : first;
}

/** The addresses whose lease belongs to `owner` and names a pod not in `keep`: the sandboxes to collect. */
export function orphanLeases(leases: ReadonlyMap<string, Lease | undefined>, owner: string, keep: ReadonlySet<string>): { readonly address: string; readonly podUid: string }[] {
  const found: { address: string; podUid: string }[] = [];
  for (const [address, lease] of leases) if (lease !== undefined && lease.owner === owner && !keep.has(lease.podUid)) found.push({ address, podUid: lease.podUid });
  return found;
}
