/**
 * The plan that binds a VMI's pod-network interface to its launcher pod's network, as KubeVirt's
 * launcher and virt-handler set it up, computed from the VMI and the pod's facts (pure; the runtime
 * executes it in the pod's namespace). Only the first pod-network interface binds (KubeVirt allows
 * one pod network).
 * - masquerade: an in-pod bridge `k6t-eth0` holding the gateway (10.0.2.1/24, or the second address
 *   of `pod.vmNetworkCIDR`), the guest's tap `tap0` on it, the guest at the third address; the
 *   guest's MAC is the VMI's or one generated from its uid; nftables NAT (nftables.ts); the pod's
 *   MTU. The reported address is the pod IP (KubeVirt reports the pod IP of a masquerade interface).
 * - bridge: the pod interface gives its address and MAC to the guest (a new MAC for it, its address
 *   flushed), joins `k6t-eth0` with the tap; the bridge holds KubeVirt's link-local 169.254.75.1N/32
 *   for the DHCP server, which offers the pod IP, the pod's gateway and routes.
 * @see https://github.com/kubevirt/kubevirt/tree/main/pkg/network/setup
 */
import type { Interface, Network, VirtualMachineInstance } from '../../crd-gen/index.js';
import type { LauncherInterface } from '../protocol/index.js';
import type { DhcpLease } from './dhcp-lease.js';
import { broadcastOf, formatIpv4, parseCidr, parseIpv4, PodNetworkError } from './ipv4.js';
import { generatedMac, normalizeMac } from './mac.js';
import { masqueradeRuleset } from './nftables.js';
import type { PodNetworkFacts, PodRoute } from './pod-facts.js';

/** KubeVirt's name server when the pod's resolv.conf names none. */
const DEFAULT_DNS = '8.8.8.8';
/** KubeVirt's masquerade network when `vmNetworkCIDR` is unset. */
export const DEFAULT_VM_CIDR = '10.0.2.0/24';
/** The primary pod network's tap and in-pod bridge (KubeVirt's names for pod interface `eth0`). */
export const TAP_NAME = 'tap0';
export const bridgeNameOf = (podInterface: string): string => `k6t-${podInterface}`;
/** KubeVirt's bridge-binding address for the DHCP server: 169.254.75.1N/32, N the interface's index. */
export const fakeBridgeIp = (index: number): string => `169.254.75.1${index}`;

/** The owner the tap is created for (the QEMU user, so its libvirtd opens it with managed="no"). */
export interface TapOwner {
  readonly uid: number;
  readonly gid: number;
}

/** Inputs of {@link planPodNetwork}. */
export interface PodNetworkInput {
  readonly vmi: Readonly<VirtualMachineInstance>;
  readonly facts: PodNetworkFacts;
  readonly tapOwner?: TapOwner;
  /** vhost queues of the NIC (the converter's multi-queue count), 1 without multi-queue. */
  readonly queues: number;
}

/** What the converter needs of the bound NIC. */
export interface PodNic {
  /** The VMI interface's name. */
  readonly interfaceName: string;
  readonly tap: string;
  readonly mac: string;
  readonly mtu: number;
}

/** One binding's complete plan. */
export interface PodNetworkPlan {
  readonly binding: 'masquerade' | 'bridge';
  readonly nic: PodNic;
  readonly podInterface: string;
  readonly bridge: string;
  /** `ip …` argument lists, run in order (each is idempotent only with a fresh namespace). */
  readonly commands: readonly (readonly string[])[];
  /** `/proc/sys` keys and values, for this namespace only. */
  readonly sysctls: readonly { readonly key: string; readonly value: string }[];
  /** The nftables script (masquerade), for `nft -f -`. */
  readonly nftables?: string;
  /**
   * `ip …` argument lists that take the binding down again, for a launcher that ends while its pod
   * (and namespace) stays: the tap and bridge go; under the bridge binding the pod interface gets
   * its MAC, address and routes back. (Our nftables table goes with nftables.ts's deleteRuleset.)
   */
  readonly undo: readonly (readonly string[])[];
  readonly lease: DhcpLease;
  /** The VMI's `status.interfaces[]` entry for this interface (infoSource `domain`). */
  readonly status: LauncherInterface;
}

/** The VMI interface bound to the pod network, its index and its network; undefined when none is. */
export function podInterfaceOf(vmi: Readonly<VirtualMachineInstance>): { iface: Interface; index: number; network: Network } | undefined {
  const networks = vmi.spec.networks ?? [];
  const ifaces = vmi.spec.domain.devices.interfaces ?? [];
  for (const [index, iface] of ifaces.entries()) {
    const network = networks.find((n) => n.name === iface.name);
    if (network?.pod !== undefined && iface.state !== 'absent') return { iface, index, network };
  }
  return undefined;
}

/** The gateway and guest addresses of a masquerade CIDR: its second and third addresses. */
export function masqueradeAddresses(cidrText: string, field: string): { gateway: string; guest: string; prefix: number } {
  const cidr = parseCidr(cidrText, field);
  if (cidr.prefix > 30) throw new PodNetworkError(`${field}: "${cidrText}" has fewer than 4 addresses`);
  const network = cidr.address - (cidr.address % 2 ** (32 - cidr.prefix));
  return { gateway: formatIpv4(network + 1), guest: formatIpv4(network + 2), prefix: cidr.prefix };
}

function checkPorts(iface: Interface, field: string): void {
  for (const [i, port] of (iface.ports ?? []).entries()) {
    if (!Number.isInteger(port.port) || port.port < 1 || port.port > 65535) throw new PodNetworkError(`${field}.ports[${i}].port: ${String(port.port)} is not a port number`);
    if (port.protocol !== undefined && !['TCP', 'UDP'].includes(port.protocol.toUpperCase())) throw new PodNetworkError(`${field}.ports[${i}].protocol: "${port.protocol}" is not TCP or UDP`);
  }
}

/** KubeVirt's DHCP host name: the pod's, which is the VMI's `spec.hostname` or its name, 63 characters at most. */
function hostnameOf(vmi: Readonly<VirtualMachineInstance>): string {
  return (vmi.spec.hostname ?? vmi.metadata?.name ?? '').slice(0, 63);
}

/** KubeVirt's search list: the subdomain's service domain first (when the pod's lacks it), lower case. */
function searchDomainsOf(vmi: Readonly<VirtualMachineInstance>, facts: PodNetworkFacts): string[] {
  const search = facts.searchDomains.length > 0 ? facts.searchDomains.map((d) => d.toLowerCase()) : ['cluster.local'];
  const subdomain = vmi.spec.subdomain;
  if (subdomain === undefined || subdomain === '') return search;
  const service = search.filter((d) => d.includes('.svc.')).reduce((a, d) => (d.length > a.length ? d : a), '');
  return service !== '' && !service.startsWith(`${subdomain}.`) ? [`${subdomain}.${service}`, ...search] : search;
}

interface TapSpec {
  readonly bridge: string;
  readonly mtu: number;
  readonly owner: TapOwner | undefined;
  readonly queues: number;
}

function tapCommands(t: TapSpec): string[][] {
  const add = ['ip', 'tuntap', 'add', 'dev', TAP_NAME, 'mode', 'tap', 'vnet_hdr'];
  if (t.owner !== undefined) add.push('user', String(t.owner.uid), 'group', String(t.owner.gid));
  if (t.queues > 1) add.push('multi_queue');
  return [add, ['ip', 'link', 'set', 'dev', TAP_NAME, 'mtu', String(t.mtu), 'master', t.bridge, 'up']];
}

/** What both bindings share: the interface, its field path, and the lease and status parts that do not depend on the binding. */
interface Binding {
  readonly input: PodNetworkInput;
  readonly iface: Interface;
  readonly index: number;
  readonly network: Network;
  readonly field: string;
  readonly bridge: string;
  readonly uid: string;
  readonly tap: TapSpec;
  readonly lease: Pick<DhcpLease, 'dnsServers' | 'searchDomains' | 'hostname' | 'mtu' | 'dhcpOptions'>;
  status(mac: string): LauncherInterface;
}

function planMasquerade(b: Binding): PodNetworkPlan {
  const { input: { facts, vmi }, iface, bridge } = b;
  checkPorts(iface, b.field);
  const cidrField = `spec.networks[${(vmi.spec.networks ?? []).indexOf(b.network)}].pod.vmNetworkCIDR`;
  const addrs = masqueradeAddresses(b.network.pod?.vmNetworkCIDR ?? DEFAULT_VM_CIDR, cidrField);
  const mac = iface.macAddress ? normalizeMac(iface.macAddress) : generatedMac(`${b.uid}/${iface.name}`);
  return {
    binding: 'masquerade', podInterface: facts.name, bridge,
    nic: { interfaceName: iface.name, tap: TAP_NAME, mac, mtu: facts.mtu },
    commands: [
      // A MAC of its own: a bridge that takes its ports' MAC changes it when a port comes, and the
      // kernel then drops every neighbour entry, the guest's permanent one too.
      ['ip', 'link', 'add', 'name', bridge, 'address', generatedMac(`${b.uid}/${bridge}`), 'mtu', String(facts.mtu), 'type', 'bridge'],
      ['ip', 'address', 'add', `${addrs.gateway}/${addrs.prefix}`, 'dev', bridge],
      ...tapCommands(b.tap),
      ['ip', 'link', 'set', 'dev', bridge, 'up'],
      ['ip', 'neigh', 'replace', addrs.guest, 'lladdr', mac, 'dev', bridge, 'nud', 'permanent'],
    ],
    sysctls: [{ key: 'net/ipv4/ip_forward', value: '1' }, { key: `net/ipv4/conf/${bridge}/route_localnet`, value: '1' }],
    undo: [['ip', 'link', 'del', 'dev', TAP_NAME], ['ip', 'link', 'del', 'dev', bridge]],
    nftables: masqueradeRuleset({ podInterface: facts.name, bridge, guestIp: addrs.guest, gatewayIp: addrs.gateway, ports: iface.ports ?? [] }),
    lease: {
      ...b.lease, clientMac: mac, clientIp: addrs.guest, prefix: addrs.prefix, serverIp: addrs.gateway, router: addrs.gateway, routes: [],
      broadcastAddress: formatIpv4(broadcastOf(parseIpv4(addrs.gateway) ?? 0, addrs.prefix)),
    },
    status: b.status(mac),
  };
}

/** Routes with the default one last (its gateway may be reachable only through an earlier one). */
export function defaultLast(routes: readonly PodRoute[]): PodRoute[] {
  const isDefault = (r: PodRoute): boolean => r.destination.endsWith('/0');
  return [...routes.filter((r) => !isDefault(r)), ...routes.filter(isDefault)];
}

function planBridge(b: Binding): PodNetworkPlan {
  const { input: { facts }, iface, bridge } = b;
  const mac = iface.macAddress ? normalizeMac(iface.macAddress) : facts.mac;
  const serverIp = fakeBridgeIp(b.index);
  return {
    binding: 'bridge', podInterface: facts.name, bridge,
    nic: { interfaceName: iface.name, tap: TAP_NAME, mac, mtu: facts.mtu },
    commands: [
      ['ip', '-4', 'address', 'flush', 'dev', facts.name],
      ['ip', 'link', 'set', 'dev', facts.name, 'down'],
      ['ip', 'link', 'set', 'dev', facts.name, 'address', generatedMac(`${b.uid}/${iface.name}/pod`)],
      // A MAC of its own: a bridge that takes its ports' MAC changes it when a port comes, and the
      // kernel then drops every neighbour entry, the guest's permanent one too.
      ['ip', 'link', 'add', 'name', bridge, 'address', generatedMac(`${b.uid}/${bridge}`), 'mtu', String(facts.mtu), 'type', 'bridge'],
      ['ip', 'link', 'set', 'dev', facts.name, 'master', bridge, 'up'],
      ['ip', 'address', 'add', `${serverIp}/32`, 'dev', bridge],
      ...tapCommands(b.tap),
      ['ip', 'link', 'set', 'dev', bridge, 'up'],
      // The DHCP server's replies reach the guest before it has its address: a host route and a
      // permanent neighbour entry pin the pod IP to the guest's MAC on the bridge.
      ['ip', 'route', 'replace', `${facts.ip}/32`, 'dev', bridge],
      ['ip', 'neigh', 'replace', facts.ip, 'lladdr', mac, 'dev', bridge, 'nud', 'permanent'],
    ],
    sysctls: [],
    undo: [
      ['ip', 'link', 'del', 'dev', TAP_NAME],
      ['ip', 'link', 'del', 'dev', bridge],
      ['ip', 'link', 'set', 'dev', facts.name, 'down'],
      ['ip', 'link', 'set', 'dev', facts.name, 'address', facts.mac],
      ['ip', 'address', 'add', `${facts.ip}/${facts.prefix}`, 'dev', facts.name],
      ['ip', 'link', 'set', 'dev', facts.name, 'up'],
      ...defaultLast(facts.routes).map((r) => ['ip', 'route', 'replace', r.destination, ...(r.gateway === undefined ? [] : ['via', r.gateway]), 'dev', facts.name]),
    ],
    lease: {
      ...b.lease, clientMac: mac, clientIp: facts.ip, prefix: facts.prefix, serverIp,
      ...(facts.gateway === undefined ? {} : { router: facts.gateway }), routes: facts.routes,
    },
    status: b.status(mac),
  };
}

/**
 * The plan for the VMI's pod-network interface, or undefined when it has none (or its binding is
 * neither masquerade nor bridge: the converter refuses those). Throws a {@link PodNetworkError}
 * naming the field for what cannot be bound (a bad `vmNetworkCIDR`, a port out of range, an invalid
 * DHCP option).
 */
export function planPodNetwork(input: PodNetworkInput): PodNetworkPlan | undefined {
  const found = podInterfaceOf(input.vmi);
  if (found === undefined) return undefined;
  const { iface, index, network } = found;
  const { facts, vmi } = input;
  const bridge = bridgeNameOf(facts.name);
  const binding: Binding = {
    input, iface, index, network, bridge, field: `spec.domain.devices.interfaces[${index}]`,
    uid: vmi.metadata?.uid ?? vmi.metadata?.name ?? '',
    tap: { bridge, mtu: facts.mtu, owner: input.tapOwner, queues: input.queues },
    lease: {
      dnsServers: facts.nameservers.length > 0 ? facts.nameservers : [DEFAULT_DNS],
      searchDomains: searchDomainsOf(vmi, facts),
      hostname: hostnameOf(vmi),
      mtu: facts.mtu,
      ...(iface.dhcpOptions === undefined ? {} : { dhcpOptions: iface.dhcpOptions }),
    },
    status: (mac) => ({
      name: iface.name, mac, ipAddress: facts.ip, ipAddresses: [facts.ip], infoSource: 'domain', podInterfaceName: facts.name, queueCount: input.queues,
    }),
  };
  if (iface.masquerade !== undefined) return planMasquerade(binding);
  if (iface.bridge !== undefined) return planBridge(binding);
  return undefined;
}
