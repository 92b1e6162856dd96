/**
 * The local mode's node network, its decisions, pure. One bridge in the host's namespace (`kvt0`)
 * holds the gateway of the node's pod CIDR; every control plane on the machine (a `kvt daemon`, each
 * `kvt run`, tests with their own data dirs) shares it, so it is registered by each while it runs,
 * and its address leases are kept in one place. It exists while a control plane runs or a pod
 * sandbox does (a lease), and goes with the last of them.
 */
import { formatCidr, formatIpv4, gatewayOf, type Cidr } from './cidr.js';

/** The default node bridge of the local mode. */
export const DEFAULT_NODE_BRIDGE = 'kvt0';

/**
 * The default pod CIDR of the local mode: a /24 of 10/8 that the usual tools leave alone (Docker
 * takes 172.17/16, libvirt 192.168.122/24, podman 10.88/16, CRI-O 10.85/16, k3s 10.42-43/16, kind and
 * flannel 10.244/16, this project's test cluster 10.243-244/24).
 */
export const DEFAULT_POD_CIDR = '10.231.0.0/24';

/** What is on the host under the bridge's name. */
export type BridgeState =
  | { readonly kind: 'absent' }
  | { readonly kind: 'other'; readonly linkKind: string }
  | { readonly kind: 'bridge'; readonly addresses: readonly string[] };

/** What to do with the bridge at a control plane's start. */
export type BridgeAction =
  | { readonly kind: 'create' }
  | { readonly kind: 'keep' }
  /** Ours but with another CIDR, and nobody uses it: delete and create. */
  | { readonly kind: 'recreate' }
  | { readonly kind: 'refuse'; readonly message: string };

/** The bridge's address with its prefix: `10.231.0.1/24`. */
export function bridgeAddress(cidr: Cidr): string {
  return `${formatIpv4(gatewayOf(cidr))}/${cidr.prefix}`;
}

/**
 * The bridge action for `wanted` given what the host has and whether it is in use (other live
 * control planes, or leases of pods that still have sandboxes).
 */
export function bridgeAction(bridge: string, state: BridgeState, wanted: Cidr, inUse: boolean): BridgeAction {
  if (state.kind === 'absent') return { kind: 'create' };
  if (state.kind === 'other') return { kind: 'refuse', message: `${bridge} exists and is not a bridge (a ${state.linkKind || 'plain'} link): name another node bridge with --pod-bridge` };
  const address = bridgeAddress(wanted);
  if (state.addresses.length === 1 && state.addresses[0] === address) return { kind: 'keep' };
  if (!inUse) return { kind: 'recreate' };
  const has = state.addresses.length === 0 ? 'no address' : state.addresses.join(', ');
  return { kind: 'refuse', message: `the node bridge ${bridge} has ${has}, not ${address} (--pod-cidr ${formatCidr(wanted)}), and another control plane or its pods use it: start with the same --pod-cidr, or stop them first` };
}

/** A control plane registered on the node network. */
export interface NetworkUser {
  readonly owner: string;
  readonly pid: number;
  /** Field 22 of /proc/<pid>/stat when it registered: a reused pid is not the same user. */
  readonly startTicks: string;
  readonly egress: boolean;
}

/** Parses a user record; undefined when torn or not one. */
export function parseNetworkUser(text: string): NetworkUser | undefined {
  try {
    const v = JSON.parse(text) as Partial<Record<keyof NetworkUser, unknown>>;
    if (typeof v.owner !== 'string' || typeof v.pid !== 'number' || typeof v.startTicks !== 'string' || typeof v.egress !== 'boolean') return undefined;
    return { owner: v.owner, pid: v.pid, startTicks: v.startTicks, egress: v.egress };
  } catch {
    return undefined;
  }
}

/** What the node network should be once the registered users are `live` and `leases` sandboxes exist. */
export function networkShape(live: readonly NetworkUser[], leases: number): { readonly keep: boolean; readonly egress: boolean } {
  return { keep: live.length > 0 || leases > 0, egress: live.some((u) => u.egress) };
}

/** The pid a `kvt run` control plane's owner names (`kvt-run:<pid>`), whose pods die with it. */
export function runSessionPid(owner: string | undefined): number | undefined {
  const m = /^kvt-run:(\d+)$/.exec(owner ?? '');
  return m === null ? undefined : Number(m[1]);
}
