/**
 * The local mode's host firewall, pure: the text of our nftables table (`inet <bridge>`, `inet kvt0`
 * for the default bridge: one per node bridge, so two bridges never overwrite each other's), applied with
 * `nft -f -`. It makes the pod network host-only: nothing is forwarded between the node bridge and
 * any other interface (so it holds even on a host with ip_forward=1); pods reach the host (the
 * bridge's address, input is not filtered) and each other (bridged, never forwarded off the bridge).
 * With egress the pods' traffic to the uplink is forwarded and masqueraded, and only the replies
 * come back. The text replaces the whole table in one transaction (create, delete, define).
 */
import { formatCidr, type Cidr } from './cidr.js';

/** Our tables' family; each is named after its bridge (`nft list tables` shows `table inet kvt0`). */
export const NFT_FAMILY = 'inet';

/** What the ruleset is made of. */
export interface NodeRulesetInput {
  readonly bridge: string;
  readonly cidr: Cidr;
  /** The host's uplink (its default route's device) when egress is on. */
  readonly egressUplink?: string;
}

/** Interface names we put into a ruleset: what Linux allows, minus anything that could be nft syntax. */
const INTERFACE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,14}$/;

/** Whether `name` can be an interface name in our ruleset (and on the `ip` command line). */
export function isSafeInterfaceName(name: string): boolean {
  return INTERFACE_NAME.test(name);
}

/** Whether `name` can be a node bridge: a safe interface name starting with `kvt`, which says it is ours (and names its table). */
export function isNodeBridgeName(name: string): boolean {
  return name.startsWith('kvt') && isSafeInterfaceName(name);
}

/** The table's text; throws on an interface name that is not safe (the callers validate first). */
export function nodeRuleset(input: NodeRulesetInput): string {
  if (!isNodeBridgeName(input.bridge)) throw new Error(`not a node bridge name: ${JSON.stringify(input.bridge)}`);
  if (input.egressUplink !== undefined && !isSafeInterfaceName(input.egressUplink)) throw new Error(`not an interface name: ${JSON.stringify(input.egressUplink)}`);
  const table = `${NFT_FAMILY} ${input.bridge}`;
  const bridge = `"${input.bridge}"`;
  const cidr = formatCidr(input.cidr);
  const uplink = input.egressUplink === undefined ? undefined : `"${input.egressUplink}"`;
  const forward = [
    ...(uplink === undefined ? [] : [
      `    iifname ${bridge} oifname ${uplink} ip saddr ${cidr} accept`,
      `    iifname ${uplink} oifname ${bridge} ip daddr ${cidr} ct state established,related accept`,
    ]),
    `    iifname ${bridge} oifname != ${bridge} drop`,
    `    oifname ${bridge} iifname != ${bridge} drop`,
  ];
  const nat = uplink === undefined ? [] : [
    '  chain postrouting {',
    '    type nat hook postrouting priority srcnat; policy accept;',
    `    oifname ${uplink} ip saddr ${cidr} masquerade`,
    '  }',
  ];
  return [
    `table ${table}`,
    `delete table ${table}`,
    `table ${table} {`,
    '  chain forward {',
    '    type filter hook forward priority filter; policy accept;',
    ...forward,
    '  }',
    ...nat,
    '}',
    '',
  ].join('\n');
}

/** The text that removes the bridge's table (when it exists: the `table` line makes the delete never fail). */
export function deleteRuleset(bridge: string): string {
  if (!isNodeBridgeName(bridge)) throw new Error(`not a node bridge name: ${JSON.stringify(bridge)}`);
  const table = `${NFT_FAMILY} ${bridge}`;
  return `table ${table}\ndelete table ${table}\n`;
}
