/**
 * The one lease the launcher's DHCP server hands out, and its options as bytes. KubeVirt's DHCP
 * server answers its guest only, with a lease of 999 days and these options: subnet mask, router,
 * DNS servers, domain name (the longest search domain), search domains (option 119, RFC 3397
 * labels, no compression), host name, interface MTU, classless static routes (option 121, RFC 3442;
 * the bridge binding's pod routes, the default route last), and the VMI's `dhcpOptions`
 * (boot file name, TFTP server name, NTP servers, private options 224–254).
 * @see https://github.com/kubevirt/kubevirt/blob/main/pkg/network/dhcp/server/server.go
 */
import type { DHCPOptions } from '../../crd-gen/index.js';
import { formatMask, ipv4Bytes, PodNetworkError, parseIpv4 } from './ipv4.js';
import type { PodRoute } from './pod-facts.js';

/** KubeVirt's lease: 999 days, so a guest never asks again while it runs. */
export const LEASE_SECONDS = 999 * 24 * 3600;

/** DHCP option codes (RFC 2132 and later) the server writes. */
export const DhcpOption = {
  subnetMask: 1, router: 3, dnsServers: 6, hostName: 12, domainName: 15, interfaceMtu: 26,
  ntpServers: 42, leaseTime: 51, messageType: 53, serverId: 54, parameterList: 55, maxMessageSize: 57,
  tftpServerName: 66, bootFileName: 67, domainSearch: 119, classlessRoutes: 121, end: 255, pad: 0,
} as const;

/** What the server offers its one client. */
export interface DhcpLease {
  /** The guest NIC's MAC: the only client answered. */
  readonly clientMac: string;
  readonly clientIp: string;
  readonly prefix: number;
  /** The server identifier: the address the server speaks from (the gateway, or the bridge's link-local one). */
  readonly serverIp: string;
  readonly router?: string;
  readonly dnsServers: readonly string[];
  readonly searchDomains: readonly string[];
  readonly hostname: string;
  readonly mtu: number;
  /** Classless static routes (bridge binding); none for masquerade. */
  readonly routes: readonly PodRoute[];
  /**
   * Where replies to a client that sets the BROADCAST flag go: the guest network's broadcast
   * address (masquerade, whose bridge holds that network). Unset (bridge binding, whose bridge has
   * only a /32): such replies are unicast to the pinned address like the others.
   */
  readonly broadcastAddress?: string;
  readonly dhcpOptions?: DHCPOptions;
}

/** Search domains KubeVirt accepts (lower-case ASCII labels). */
const SEARCH_DOMAIN = /^(?:[_a-z0-9](?:[_a-z0-9-]{0,61}[a-z0-9])?\.)*(?:[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?)?$/;
const MAX_OPTION = 255;

const text = (s: string): number[] => [...Buffer.from(s, 'utf8')];

/** RFC 3397: each domain as RFC 1035 labels (length-prefixed, zero-terminated), uncompressed. */
export function encodeSearchDomains(domains: readonly string[]): number[] {
  const out: number[] = [];
  for (const domain of domains) {
    if (domain.length > 253 || !SEARCH_DOMAIN.test(domain)) throw new PodNetworkError(`search domain "${domain}" is not a valid domain name`);
    for (const label of domain.split('.').filter((l) => l !== '')) out.push(label.length, ...text(label));
    out.push(0);
  }
  if (out.length > MAX_OPTION) throw new PodNetworkError(`the search domains take ${out.length} bytes, more than a DHCP option holds (255)`);
  return out;
}

/** RFC 3442: prefix length, the significant octets of the destination, then the router. */
export function encodeClasslessRoutes(routes: readonly PodRoute[]): number[] {
  // The default route last: its gateway may only be reachable through an earlier route.
  const ordered = [...routes.filter((r) => !r.destination.endsWith('/0')), ...routes.filter((r) => r.destination.endsWith('/0'))];
  return ordered.flatMap((r) => {
    const [addr = '', len = '0'] = r.destination.split('/');
    const width = Number(len);
    const octets = width === 0 ? 0 : Math.floor((width - 1) / 8) + 1;
    return [width, ...ipv4Bytes(addr).slice(0, octets), ...(r.gateway === undefined ? [0, 0, 0, 0] : ipv4Bytes(r.gateway))];
  });
}

/** KubeVirt's domain name option: the longest search domain. */
export function domainNameOf(searchDomains: readonly string[]): string {
  return searchDomains.reduce((longest, d) => (d.length > longest.length ? d : longest), '');
}

function u32(n: number): number[] {
  return [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256);
}

function ntpServers(servers: readonly string[], field: string): number[] {
  return servers.flatMap((s, i) => {
    if (parseIpv4(s) === undefined) throw new PodNetworkError(`${field}.ntpServers[${i}]: "${s}" is not an IPv4 address`);
    return ipv4Bytes(s);
  });
}

function customOptions(o: DHCPOptions | undefined, field: string): Map<number, number[]> {
  const out = new Map<number, number[]>();
  if (o === undefined) return out;
  if (o.tftpServerName) out.set(DhcpOption.tftpServerName, text(o.tftpServerName));
  if (o.bootFileName) out.set(DhcpOption.bootFileName, text(o.bootFileName));
  const ntp = ntpServers(o.ntpServers ?? [], field);
  if (ntp.length > 0) out.set(DhcpOption.ntpServers, ntp);
  // KubeVirt passes private options 224–254 and ignores any other code.
  for (const p of o.privateOptions ?? []) if (p.option >= 224 && p.option <= 254) out.set(p.option, text(p.value));
  return out;
}

/**
 * The options every OFFER and ACK carries (without the message type), by code. Throws an
 * {@link PodNetworkError} naming the bad value (an invalid search domain, an NTP server that is not
 * IPv4, an option longer than 255 bytes) so the launch fails before the guest starts.
 */
export function leaseOptions(lease: DhcpLease, dhcpOptionsField = 'dhcpOptions'): Map<number, number[]> {
  const options = new Map<number, number[]>();
  options.set(DhcpOption.serverId, ipv4Bytes(lease.serverIp));
  options.set(DhcpOption.leaseTime, u32(LEASE_SECONDS));
  options.set(DhcpOption.subnetMask, ipv4Bytes(formatMask(lease.prefix)));
  if (lease.router !== undefined) options.set(DhcpOption.router, ipv4Bytes(lease.router));
  options.set(DhcpOption.dnsServers, lease.dnsServers.flatMap(ipv4Bytes));
  options.set(DhcpOption.interfaceMtu, [Math.floor(lease.mtu / 256), lease.mtu % 256]);
  if (lease.routes.length > 0) options.set(DhcpOption.classlessRoutes, encodeClasslessRoutes(lease.routes));
  if (lease.searchDomains.length > 0) options.set(DhcpOption.domainSearch, encodeSearchDomains(lease.searchDomains));
  options.set(DhcpOption.hostName, text(lease.hostname));
  const domain = domainNameOf(lease.searchDomains);
  if (domain !== '') options.set(DhcpOption.domainName, text(domain));
  for (const [code, value] of customOptions(lease.dhcpOptions, dhcpOptionsField)) options.set(code, value);
  for (const [code, value] of options) {
    if (value.length > MAX_OPTION) throw new PodNetworkError(`DHCP option ${code} would be ${value.length} bytes long, more than 255`);
  }
  return options;
}
