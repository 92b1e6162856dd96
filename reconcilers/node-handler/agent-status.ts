/**
 * What the guest agent adds to the VMI's status, as KubeVirt's virt-handler does from the
 * launcher's agent cache (kubevirt/controllers.md: the `AgentConnected` condition; pkg/network's
 * netstat): `status.interfaces` merged with the agent's NICs by MAC (a matched NIC becomes
 * `infoSource: "domain, guest-agent"` with the guest's `interfaceName`, and its addresses from the
 * guest, except for masquerade, which keeps the pod's; a NIC only the agent knows is listed with
 * `infoSource: "guest-agent"`), `status.guestOSInfo`, and `AgentConnected` while the agent answers.
 * Without a connected agent nothing changes: the interfaces stay `domain`. Pure.
 */
import { removeCondition, setCondition } from '../../core/conditions.js';
import { VmiCondition } from '../../core/vmi-conditions.js';
import type { VirtualMachineInstance, VirtualMachineInstanceNetworkInterface, VirtualMachineInstanceStatus } from '../../crd-gen/index.js';
import type { AgentFacts, AgentInterface } from '../../launcher/protocol/index.js';

/** KubeVirt's `infoSource` values. */
export const InfoSource = { domain: 'domain', guestAgent: 'guest-agent', domainAndGuestAgent: 'domain, guest-agent' } as const;

const sameMac = (a: string | undefined, b: string | undefined): boolean => a !== undefined && b !== undefined && a.toLowerCase() === b.toLowerCase();

/** The addresses of an agent NIC, as a status entry carries them (none when it reported none). */
function addressesOf(nic: AgentInterface): Pick<VirtualMachineInstanceNetworkInterface, 'ipAddress' | 'ipAddresses'> {
  const [first] = nic.ipAddresses;
  return first === undefined ? {} : { ipAddress: first, ipAddresses: [...nic.ipAddresses] };
}

/**
 * The domain's `status.interfaces` entries merged with the agent's NICs, as KubeVirt merges them:
 * by MAC; the pod's addresses stay for a masquerade NIC (the guest only knows its private
 * 10.0.2.x one), the guest's are taken for the other bindings. Unchanged when the agent is not connected.
 */
export function mergeAgentInterfaces(
  vmi: Readonly<VirtualMachineInstance>,
  domain: readonly VirtualMachineInstanceNetworkInterface[],
  agent: AgentFacts | undefined,
): VirtualMachineInstanceNetworkInterface[] {
  if (agent?.connected !== true) return [...domain];
  const masquerade = new Set((vmi.spec.domain.devices.interfaces ?? []).filter((i) => i.masquerade !== undefined).map((i) => i.name));
  const matched = new Set<AgentInterface>();
  const merged = domain.map((entry) => {
    const nic = agent.interfaces.find((n) => !matched.has(n) && sameMac(n.mac, entry.mac));
    if (nic === undefined) return entry;
    matched.add(nic);
    const addresses = masquerade.has(entry.name ?? '') ? {} : addressesOf(nic);
    return { ...entry, ...addresses, interfaceName: nic.interfaceName, infoSource: InfoSource.domainAndGuestAgent };
  });
  const agentOnly = agent.interfaces.filter((n) => !matched.has(n)).map((n): VirtualMachineInstanceNetworkInterface => ({
    interfaceName: n.interfaceName, ...(n.mac === undefined ? {} : { mac: n.mac }), ...addressesOf(n), infoSource: InfoSource.guestAgent,
  }));
  return [...merged, ...agentOnly];
}

/**
 * The AgentConnected condition (True while the agent answers, removed otherwise) and
 * `status.guestOSInfo` (the agent's latest; the last one known stays when the agent goes away, as
 * the launcher's cache keeps it) on a running VMI's status.
 */
export function withAgentFacts(status: VirtualMachineInstanceStatus, agent: AgentFacts | undefined, now: Date): VirtualMachineInstanceStatus {
  const connected = status.phase === 'Running' && agent?.connected === true;
  const conditions = connected
    ? setCondition(status.conditions, { type: VmiCondition.agentConnected, status: 'True' }, now)
    : removeCondition(status.conditions, VmiCondition.agentConnected);
  const next: VirtualMachineInstanceStatus = conditions.length === 0 && status.conditions === undefined ? { ...status } : { ...status, conditions };
  if (connected && agent.osInfo !== undefined && Object.keys(agent.osInfo).length > 0) next.guestOSInfo = { ...agent.osInfo };
  return next;
}
