/**
 * IPv4 addresses and prefixes as the pod network plan needs them: parsing, formatting and the
 * address arithmetic of a CIDR (network, gateway, guest, broadcast). Pure and strict: a string that
 * is not a dotted quad is refused, never guessed at.
 */
import { KubevirtError } from '../../core/errors.js';

/** A value the pod network plan cannot use (an address, a CIDR, a DHCP option), naming where it came from. */
export class PodNetworkError extends KubevirtError {}

const QUAD = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

/** The 32-bit number of a dotted quad, or undefined when it is not one. */
export function parseIpv4(text: string): number | undefined {
  const m = QUAD.exec(text);
  if (m === null) return undefined;
  const texts = m.slice(1);
  // No value over 255 and no leading zeros (which some tools read as octal).
  if (texts.some((t) => Number(t) > 255 || String(Number(t)) !== t)) return undefined;
  return texts.reduce((n, t) => n * 256 + Number(t), 0);
}

/** The dotted quad of a 32-bit number. */
export function formatIpv4(n: number): string {
  return [24, 16, 8, 0].map((s) => String(Math.floor(n / 2 ** s) % 256)).join('.');
}

/** The four bytes of a dotted quad (for DHCP fields). */
export function ipv4Bytes(text: string): number[] {
  const n = parseIpv4(text);
  if (n === undefined) throw new PodNetworkError(`"${text}" is not an IPv4 address`);
  return [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256);
}

/** An IPv4 network: its base address and prefix length. */
export interface Ipv4Cidr {
  readonly address: number;
  readonly prefix: number;
}

/** The netmask of a prefix length as a number. */
export function prefixMask(prefix: number): number {
  return prefix === 0 ? 0 : (2 ** 32 - 2 ** (32 - prefix));
}

/** The dotted netmask of a prefix length (24 → 255.255.255.0). */
export function formatMask(prefix: number): string {
  return formatIpv4(prefixMask(prefix));
}

/** Parses `a.b.c.d/n`; `field` names the input in the error. */
export function parseCidr(text: string, field: string): Ipv4Cidr {
  const [addr, len, ...rest] = text.split('/');
  const address = parseIpv4(addr ?? '');
  const prefix = Number(len);
  if (address === undefined || rest.length > 0 || len === undefined || !/^\d{1,2}$/.test(len) || prefix > 32) {
    throw new PodNetworkError(`${field}: "${text}" is not an IPv4 CIDR such as 10.0.2.0/24`);
  }
  return { address, prefix };
}

/** The network address of an address within a prefix. */
export function networkOf(address: number, prefix: number): number {
  return address - (address % 2 ** (32 - prefix));
}

/** The broadcast address of an address within a prefix. */
export function broadcastOf(address: number, prefix: number): number {
  return networkOf(address, prefix) + 2 ** (32 - prefix) - 1;
}
