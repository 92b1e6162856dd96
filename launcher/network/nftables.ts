/**
 * The masquerade binding's NAT rules, as one nftables script for `nft -f -` inside the pod's network
 * namespace (never the host's). KubeVirt's rules, in a table of our own: guest traffic leaving the pod
 * is masqueraded to the pod IP; traffic arriving on the pod interface is DNATed to the guest, for the
 * declared `ports[]` only or for every port when none are declared; and connections to 127.0.0.1
 * inside the pod (a port-forward's) reach the guest too, SNATed to the gateway so its reply comes
 * back. The script first deletes the table, so applying it twice leaves one copy, atomically.
 * @see https://github.com/kubevirt/kubevirt/blob/main/pkg/network/setup/netpod/masquerade/masquerade.go
 */
import type { Port } from '../../crd-gen/index.js';

/** Our table in the pod's namespace (family ip). */
export const NAT_TABLE = 'kvt_nat';
/** KubeVirt's chain names for inbound traffic, before and after routing. */
export const PRE_INBOUND = 'KUBEVIRT_PREINBOUND';
export const POST_INBOUND = 'KUBEVIRT_POSTINBOUND';
const LOOPBACK = '127.0.0.1';

/** What the masquerade rules need. */
export interface MasqueradeRules {
  /** The pod interface (`eth0`). */
  readonly podInterface: string;
  /** The in-pod bridge the guest's tap is on (`k6t-eth0`). */
  readonly bridge: string;
  readonly guestIp: string;
  readonly gatewayIp: string;
  /** The interface's `ports[]`; empty forwards every port. */
  readonly ports: readonly Port[];
}

/** A port's protocol as nftables names it (KubeVirt's default is TCP). */
export function portProtocol(port: Port): 'tcp' | 'udp' {
  return (port.protocol ?? 'TCP').toUpperCase() === 'UDP' ? 'udp' : 'tcp';
}

function portRules(r: MasqueradeRules): { pre: string[]; post: string[]; output: string[] } {
  if (r.ports.length === 0) {
    return {
      pre: [`counter dnat to ${r.guestIp}`],
      post: [`ip saddr { ${LOOPBACK} } counter snat to ${r.gatewayIp}`],
      output: [`ip daddr { ${LOOPBACK} } counter dnat to ${r.guestIp}`],
    };
  }
  const rules = { pre: [] as string[], post: [] as string[], output: [] as string[] };
  for (const port of r.ports) {
    const proto = portProtocol(port);
    rules.pre.push(`${proto} dport { ${port.port} } counter dnat to ${r.guestIp}`);
    rules.post.push(`${proto} dport ${port.port} ip saddr { ${LOOPBACK} } counter snat to ${r.gatewayIp}`);
    rules.output.push(`ip daddr { ${LOOPBACK} } ${proto} dport ${port.port} counter dnat to ${r.guestIp}`);
  }
  return rules;
}

const chain = (name: string, head: string | undefined, rules: readonly string[]): string[] => [
  `  chain ${name} {`,
  ...(head === undefined ? [] : [`    ${head}`]),
  ...rules.map((rule) => `    ${rule}`),
  '  }',
];

/** The nftables script of the masquerade binding (see the module comment). */
export function masqueradeRuleset(r: MasqueradeRules): string {
  const ports = portRules(r);
  return [
    // Create-then-delete makes the script idempotent: a rerun replaces the table in one transaction.
    `table ip ${NAT_TABLE}`,
    `delete table ip ${NAT_TABLE}`,
    `table ip ${NAT_TABLE} {`,
    ...chain('prerouting', 'type nat hook prerouting priority -100; policy accept;', [`iifname "${r.podInterface}" counter jump ${PRE_INBOUND}`]),
    ...chain('input', 'type nat hook input priority 100; policy accept;', []),
    ...chain('output', 'type nat hook output priority -100; policy accept;', ports.output),
    ...chain('postrouting', 'type nat hook postrouting priority 100; policy accept;', [
      `ip saddr ${r.guestIp} counter masquerade`,
      `oifname "${r.bridge}" counter jump ${POST_INBOUND}`,
    ]),
    ...chain(PRE_INBOUND, undefined, ports.pre),
    ...chain(POST_INBOUND, undefined, ports.post),
    '}',
    '',
  ].join('\n');
}

/** The script that removes our table (for a launcher that cleans up a namespace it keeps). */
export function deleteRuleset(): string {
  return `table ip ${NAT_TABLE}\ndelete table ip ${NAT_TABLE}\n`;
}
