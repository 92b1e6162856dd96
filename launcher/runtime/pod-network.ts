/**
 * The launcher's pod network, end to end: finds it (pod-network-detect.ts), plans the binding of
 * the VMI's pod interface (launcher/network/plan.ts), applies it (pod-network-setup.ts, the
 * privileged part) and serves the guest's DHCP (dhcp-server.ts). What it hands the launcher: the
 * converter's NIC context (`tap` mode with the prepared tap, MAC and MTU; `user` mode when there is
 * no pod network, as before), the VMI's `status.interfaces` entries, and the cleanup.
 */
import type { Logger } from '../../core/log.js';
import type { VirtualMachineInstance } from '../../crd-gen/index.js';
import type { LauncherInterface } from '../protocol/index.js';
import type { ConverterContext } from '../converter/context.js';
import { interfaceQueues } from '../converter/interfaces.js';
import { leaseOptions } from '../network/dhcp-lease.js';
import { planPodNetwork, podInterfaceOf, type TapOwner } from '../network/plan.js';
import { startDhcpServer } from './dhcp-server.js';
import { detectPodNetwork, type DetectOptions } from './pod-network-detect.js';
import { applyPodNetwork } from './pod-network-setup.js';

/** What network preparation hands over to the launcher. */
export interface PreparedNetwork {
  /** The converter's NIC facts. */
  readonly context: Pick<ConverterContext, 'networkMode' | 'podNics' | 'vhostNet'>;
  /** `status.interfaces` entries the launcher reports (none on user networking). */
  readonly interfaces: readonly LauncherInterface[];
  cleanup(): Promise<void>;
}

const USER_NETWORKING: PreparedNetwork = { context: { networkMode: 'user' }, interfaces: [], cleanup: () => Promise.resolve() };

/** Options of {@link preparePodNetwork} (tests move the DHCP port and the namespace checks). */
export interface PodNetworkOptions extends DetectOptions {
  readonly dhcpPort?: number;
}

/**
 * Binds the VMI to its pod network when the launcher has one (see the module comment); otherwise
 * QEMU user networking, exactly as without pod networks. Nothing is left applied when it throws.
 */
export async function preparePodNetwork(vmi: Readonly<VirtualMachineInstance>, tapOwner: TapOwner | undefined, log: Logger, opts: PodNetworkOptions = {}): Promise<PreparedNetwork> {
  const facts = await detectPodNetwork(opts);
  if (facts === undefined) {
    log.info('No pod network here: the guest gets QEMU user networking');
    return USER_NETWORKING;
  }
  const found = podInterfaceOf(vmi);
  const plan = planPodNetwork({ vmi, facts, queues: found === undefined ? 1 : interfaceQueues(vmi, found.iface), ...(tapOwner === undefined ? {} : { tapOwner }) });
  if (plan === undefined) return { context: { networkMode: 'tap', podNics: {} }, interfaces: [], cleanup: () => Promise.resolve() };
  leaseOptions(plan.lease, `spec.domain.devices.interfaces[${String(found?.index)}].dhcpOptions`);
  const applied = await applyPodNetwork(plan, log, opts);
  const dhcp = await startDhcpServer(plan.lease, log, opts.dhcpPort).catch(async (e: unknown) => {
    await applied.undo();
    throw e;
  });
  log.info({ binding: plan.binding, podIp: facts.ip, guestIp: plan.lease.clientIp }, 'Serving DHCP to the guest');
  return {
    context: { networkMode: 'tap', podNics: { [plan.nic.interfaceName]: { tap: plan.nic.tap, mac: plan.nic.mac, mtu: plan.nic.mtu } } },
    interfaces: [plan.status],
    cleanup: async () => {
      await dhcp.close();
      await applied.undo();
    },
  };
}
