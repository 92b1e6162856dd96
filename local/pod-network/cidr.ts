/**
 * IPv4 pod CIDRs, pure: parsing (with the field in the message), the node's gateway and pod address
 * range, and overlap with the host's routes, so a pod network is never laid over a network the host
 * already reaches.
 */
import { formatIpv4, parseIpv4 } from '../../launcher/network/ipv4.js';

/** A parsed IPv4 CIDR: its network address as an unsigned 32-bit number, and its prefix length. */
export interface Cidr {
  readonly network: number;
  readonly prefix: number;
}

/** The prefix lengths a pod CIDR may have: big enough for a node's pods, small enough to scan. */
export const POD_CIDR_PREFIXES = { min: 16, max: 29 } as const;

/** IPv4 addresses as numbers: the launcher's pod network plan already parses and formats them. */
export { formatIpv4, parseIpv4 };

/** `a.b.c.d/p` of a CIDR. */
export function formatCidr(cidr: Cidr): string {
  return `${formatIpv4(cidr.network)}/${cidr.prefix}`;
}

const size = (prefix: number): number => 2 ** (32 - prefix);

/** Parses any IPv4 CIDR (a bare address is a /32); host bits are masked off. Undefined when not IPv4. */
export function parseAnyCidr(text: string): Cidr | undefined {
  const [addr = '', prefixText, extra] = text.split('/');
  if (extra !== undefined) return undefined;
  const address = parseIpv4(addr);
  const prefix = prefixText === undefined ? 32 : /^\d{1,2}$/.test(prefixText) ? Number(prefixText) : NaN;
  if (address === undefined || !(prefix >= 0 && prefix <= 32)) return undefined;
  return { network: address - (address % size(prefix)), prefix };
}

/**
 * Parses a pod CIDR given by `field` (a flag's name): IPv4, the network address itself (no host bits),
 * a prefix of /16 to /29. The error names the field and what is wrong.
 */
export function parsePodCidr(text: string, field: string): { readonly ok: true; readonly cidr: Cidr } | { readonly ok: false; readonly error: string } {
  const cidr = parseAnyCidr(text);
  if (cidr === undefined || !text.includes('/')) return { ok: false, error: `${field} ${JSON.stringify(text)}: an IPv4 CIDR is needed, e.g. 10.231.0.0/24` };
  if (cidr.prefix < POD_CIDR_PREFIXES.min || cidr.prefix > POD_CIDR_PREFIXES.max) {
    return { ok: false, error: `${field} ${text}: the prefix must be /${POD_CIDR_PREFIXES.min} to /${POD_CIDR_PREFIXES.max}` };
  }
  if (formatCidr(cidr) !== text) return { ok: false, error: `${field} ${text}: host bits are set; the network is ${formatCidr(cidr)}` };
  return { ok: true, cidr };
}

/** The node's gateway: the CIDR's first address, which the node bridge holds. */
export function gatewayOf(cidr: Cidr): number {
  return cidr.network + 1;
}

/** The addresses pods get, in order: after the gateway, before the broadcast address. */
export function podAddresses(cidr: Cidr): { readonly first: number; readonly last: number } {
  return { first: cidr.network + 2, last: cidr.network + size(cidr.prefix) - 2 };
}

/** Whether `address` is a pod address of `cidr`. */
export function isPodAddress(cidr: Cidr, address: number): boolean {
  const { first, last } = podAddresses(cidr);
  return address >= first && address <= last;
}

/** Whether two CIDRs share any address. */
export function overlaps(a: Cidr, b: Cidr): boolean {
  return a.network < b.network + size(b.prefix) && b.network < a.network + size(a.prefix);
}

/** A route of the host as `ip -j route show table all` lists it (the fields used). */
export interface HostRoute {
  readonly dst: string;
  readonly dev?: string;
  readonly table?: string;
  readonly type?: string;
}

/**
 * The first host route the pod CIDR would overlap, skipping default routes (they cover everything)
 * and the routes of the node bridge itself (ours, from an earlier start). Routes that are not IPv4
 * are skipped.
 */
export function overlappingRoute(cidr: Cidr, routes: readonly HostRoute[], bridge: string): HostRoute | undefined {
  return routes.find((r) => {
    if (r.dst === 'default' || r.dev === bridge) return false;
    const dst = parseAnyCidr(r.dst);
    return dst !== undefined && dst.prefix > 0 && overlaps(cidr, dst);
  });
}

/** A route as the error message shows it: `192.0.2.0/24 dev eth0 (table local)`. */
export function describeRoute(route: HostRoute): string {
  return [route.type !== undefined && route.type !== 'unicast' ? route.type : undefined, route.dst, route.dev === undefined ? undefined : `dev ${route.dev}`, route.table === undefined || route.table === 'main' ? undefined : `(table ${route.table})`]
    .filter((p) => p !== undefined).join(' ');
}
