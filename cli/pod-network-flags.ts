/**
 * The node network flags of the local control plane's commands (`kvt daemon`, `kvt run`): the pod
 * CIDR, the node bridge and egress, checked when parsed so a bad value is a usage error naming the flag.
 */
import { parsePodCidr } from '../local/pod-network/cidr.js';
import { DEFAULT_NODE_BRIDGE, DEFAULT_POD_CIDR } from '../local/pod-network/node-network.js';
import { isNodeBridgeName } from '../local/pod-network/nft-ruleset.js';
import { NODE_BRIDGE_NAME_RULE } from '../local/pod-network/runtime/node-network.js';
import type { LocalNetworkOptions } from '../local/runtime/control-plane.js';
import { UsageError } from './command.js';

/** The flags, in node:util parseArgs' form. */
export const POD_NETWORK_FLAGS = {
  'pod-cidr': { type: 'string', default: DEFAULT_POD_CIDR },
  'pod-bridge': { type: 'string', default: DEFAULT_NODE_BRIDGE },
  egress: { type: 'boolean', default: false },
} as const;

/** Their lines in a command's Options: section. */
export const POD_NETWORK_USAGE: readonly string[] = [
  `  --pod-cidr CIDR    the node's pod CIDR (/16 to /29; refused when it overlaps a host route)   [${DEFAULT_POD_CIDR}]`,
  `  --pod-bridge NAME  the node bridge in the host's namespace (kvt…), holding the CIDR's first address; its nftables table is inet NAME   [${DEFAULT_NODE_BRIDGE}]`,
  '  --egress           let pods reach beyond this host (masquerade to the uplink, ip_forward on); default: host-only',
];

/** The node network of the parsed flags; a bad CIDR or bridge name is a UsageError naming the flag. */
export function podNetworkOf(values: { readonly 'pod-cidr': string; readonly 'pod-bridge': string; readonly egress: boolean }): LocalNetworkOptions {
  const cidr = parsePodCidr(values['pod-cidr'], '--pod-cidr');
  if (!cidr.ok) throw new UsageError(cidr.error);
  if (!isNodeBridgeName(values['pod-bridge'])) throw new UsageError(`--pod-bridge ${JSON.stringify(values['pod-bridge'])}: ${NODE_BRIDGE_NAME_RULE}`);
  return { podCidr: values['pod-cidr'], bridge: values['pod-bridge'], egress: values.egress };
}
