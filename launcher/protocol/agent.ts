/**
 * What the QEMU guest agent tells the launcher, in the protocol's `agent` event: the facts
 * KubeVirt's launcher caches from its agent poller and its handler copies into the VMI's status
 * (`status.interfaces` merged by MAC, `status.guestOSInfo`, the `AgentConnected` condition). Pure
 * types and bounds; the parser lives with the other events in index.ts.
 * @see https://github.com/kubevirt/kubevirt/tree/main/pkg/virt-launcher/virtwrap/agent-poller
 */
import type { VirtualMachineInstanceGuestOSInfo } from '../../crd-gen/index.js';

/** The most NICs an `agent` event carries (a guest with more is cut, never grows the event without bound). */
export const MAX_AGENT_INTERFACES = 32;
/** The most addresses per NIC an `agent` event carries. */
export const MAX_AGENT_ADDRESSES = 16;
/** The longest string the launcher keeps from the agent (names, versions, addresses). */
export const MAX_AGENT_STRING = 256;

/** One NIC as the guest sees it: its own name, its MAC, its addresses (without prefix length). */
export interface AgentInterface {
  readonly interfaceName: string;
  readonly mac?: string;
  readonly ipAddresses: readonly string[];
}

/** The guest's OS, in the shape of the VMI's `status.guestOSInfo` (KubeVirt's VirtualMachineInstanceGuestOSInfo). */
export type AgentOsInfo = Readonly<VirtualMachineInstanceGuestOSInfo>;

/**
 * The string fields of {@link AgentOsInfo}, one owner for the parser on either side: the protocol's
 * `agent` event reader (index.ts) and the guest agent's `guest-get-osinfo` reader
 * (guest-agent/parse.ts, which derives the agent's kebab-case member of each).
 */
export const AGENT_OS_INFO_FIELDS = ['id', 'name', 'prettyName', 'version', 'versionId', 'kernelRelease', 'kernelVersion', 'machine'] as const satisfies readonly (keyof AgentOsInfo)[];

// Compile-time: every field of AgentOsInfo is listed above (a new guestOSInfo field fails the build here).
const _everyOsInfoField: [Exclude<keyof AgentOsInfo, (typeof AGENT_OS_INFO_FIELDS)[number]>] extends [never] ? true : never = true;

/** What the guest agent answered lately; `connected: false` once it stops answering (or never did). */
export interface AgentFacts {
  readonly connected: boolean;
  /** The agent's version (`guest-info`). */
  readonly version?: string;
  readonly interfaces: readonly AgentInterface[];
  readonly osInfo?: AgentOsInfo;
  readonly hostname?: string;
  readonly timezone?: string;
}

/** The agent's facts changed (on a connection: the latest, in the replay). */
export interface AgentEvent extends AgentFacts {
  readonly type: 'agent';
  readonly time: string;
}
