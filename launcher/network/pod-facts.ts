/**
 * What the launcher learns of its pod's network before it binds the VMI to it: the pod interface's
 * address, prefix, MAC and MTU, its IPv4 routes, and the pod's DNS settings (resolv.conf), as
 * KubeVirt's launcher reads them from `eth0` and /etc/resolv.conf. The runtime reads the raw text
 * (`ip -j addr`, `ip -j route`, resolv.conf); these pure parsers turn it into facts, refusing what
 * they cannot read rather than guessing.
 * @see https://github.com/kubevirt/kubevirt/blob/main/pkg/network/dns/resolveconf.go
 */
import { parseIpv4 } from './ipv4.js';

/** KubeVirt's name of the pod's primary interface. */
export const POD_INTERFACE = 'eth0';

/** One IPv4 route of the pod interface that the guest should get too (bridge binding). */
export interface PodRoute {
  /** `a.b.c.d/n`; the default route is `0.0.0.0/0`. */
  readonly destination: string;
  /** The next hop, when the route has one. */
  readonly gateway?: string;
}

/** The pod interface as the launcher found it. */
export interface PodInterfaceFacts {
  readonly name: string;
  /** Its (first global) IPv4 address and prefix length. */
  readonly ip: string;
  readonly prefix: number;
  readonly mac: string;
  readonly mtu: number;
}

/** Everything the plan needs of the pod's network. */
export interface PodNetworkFacts extends PodInterfaceFacts {
  /** The pod interface's routes, the connected one left out (KubeVirt's FilterPodNetworkRoutes). */
  readonly routes: readonly PodRoute[];
  /** The default route's gateway, when there is one. */
  readonly gateway?: string;
  /** IPv4 name servers of the pod's resolv.conf. */
  readonly nameservers: readonly string[];
  /** Search domains of the pod's resolv.conf. */
  readonly searchDomains: readonly string[];
}

const MAC = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/;
type Json = Readonly<Record<string, unknown>>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const isPrivateLinkLocal = (ip: string): boolean => ip.startsWith('169.254.') || ip.startsWith('127.');

function jsonArray(text: string): unknown[] {
  try {
    const value: unknown = JSON.parse(text);
    return Array.isArray(value) ? value : [];
  } catch {
    return [];
  }
}

function globalInet(infos: unknown): Json | undefined {
  const isGlobal = (a: unknown): a is Json => isObject(a) && a['family'] === 'inet' && typeof a['local'] === 'string'
    && parseIpv4(a['local']) !== undefined && !isPrivateLinkLocal(a['local']) && typeof a['prefixlen'] === 'number';
  return Array.isArray(infos) ? infos.find(isGlobal) : undefined;
}

const validMtu = (mtu: unknown): mtu is number => typeof mtu === 'number' && Number.isInteger(mtu) && mtu >= 68;

/**
 * The interface `name` from `ip -j addr show` output, or undefined when it is missing or has no
 * global IPv4 address (then there is no pod network to bind to).
 */
export function parseIpAddrJson(text: string, name: string): PodInterfaceFacts | undefined {
  const link = jsonArray(text).find((l): l is Json => isObject(l) && l['ifname'] === name);
  const inet = globalInet(link?.['addr_info']);
  const mac = link?.['address'];
  const mtu = link?.['mtu'];
  if (inet === undefined || typeof mac !== 'string' || !MAC.test(mac) || !validMtu(mtu)) return undefined;
  return { name, ip: inet['local'] as string, prefix: inet['prefixlen'] as number, mac, mtu };
}

const ipv4Or = (value: unknown): string | undefined => (typeof value === 'string' && parseIpv4(value) !== undefined ? value : undefined);
const destinationOf = (dst: string): string => (dst === 'default' ? '0.0.0.0/0' : (dst.includes('/') ? dst : `${dst}/32`));

function routeOf(r: unknown, ownIp: string): PodRoute[] {
  if (!isObject(r) || typeof r['dst'] !== 'string') return [];
  const gateway = ipv4Or(r['gateway']);
  // KubeVirt leaves out empty routes and the routes whose source is the pod's own address.
  if (r['prefsrc'] === ownIp || (gateway === undefined && r['dst'] === 'default')) return [];
  const destination = destinationOf(r['dst']);
  if (ipv4Or(destination.split('/')[0]) === undefined) return [];
  return [{ destination, ...(gateway === undefined ? {} : { gateway }) }];
}

/** The routes of `ip -j -4 route show dev NAME`, without the connected route of `ownIp`. */
export function parseIpRouteJson(text: string, ownIp: string): PodRoute[] {
  return jsonArray(text).flatMap((r) => routeOf(r, ownIp));
}

/** The IPv4 name servers and the search domains of a resolv.conf (the last `search` line wins, as in glibc). */
export function parseResolvConf(text: string): { nameservers: string[]; searchDomains: string[] } {
  const nameservers: string[] = [];
  let searchDomains: string[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/[#;].*$/, '').trim();
    const [key, ...values] = line.split(/\s+/);
    if (key === 'nameserver' && values[0] !== undefined && parseIpv4(values[0]) !== undefined) nameservers.push(values[0]);
    if (key === 'search' || key === 'domain') searchDomains = values.filter((v) => v !== '').map((v) => v.replace(/\.$/, ''));
  }
  return { nameservers, searchDomains };
}
