/**
 * virt-api's checks before it relays `virtctl pause|unpause` to the VMI's virt-handler
 * (`PauseVMIRequestHandler`, `UnpauseVMIRequestHandler`): the refusals with KubeVirt's statuses and
 * messages, so `kvt pause` says what virtctl says. Pure: the VMI (and for unpause the VM of the same
 * name, if any) come in; the handler reports the Paused condition afterwards, from the domain.
 * @see https://github.com/kubevirt/kubevirt/blob/main/pkg/virt-api/rest/lifecycle.go
 */
import { findCondition } from '../../core/conditions.js';
import { VmiCondition } from '../../core/vmi-conditions.js';
import type { VirtualMachine, VirtualMachineInstance, VirtualMachineInstanceGuestOSInfo } from '../../crd-gen/index.js';

/** A subresource call virt-api refuses: the HTTP status, the Kubernetes reason, KubeVirt's message. */
export interface Refusal {
  readonly status: 403 | 404 | 409;
  readonly reason: 'Forbidden' | 'NotFound' | 'Conflict';
  readonly message: string;
}

const conflict = (message: string): Refusal => ({ status: 409, reason: 'Conflict', message });

/** The 404 of an object virt-api looked for (`errors.NewNotFound(v1.Resource(resource), name)`'s message). */
export function notFound(resource: 'virtualmachine' | 'virtualmachineinstance', name: string): Refusal {
  return { status: 404, reason: 'NotFound', message: `${resource}.kubevirt.io "${name}" not found` };
}

/** Why `pause` is refused for this VMI, or undefined when it may go to the handler. */
export function pauseRefusal(vmi: Readonly<VirtualMachineInstance>): Refusal | undefined {
  // KubeVirt's own words for a VMI that is not Running (its vmNotRunning constant).
  if (vmi.status?.phase !== 'Running') return conflict('VM is not running');
  if (vmi.spec.livenessProbe !== undefined) return { status: 403, reason: 'Forbidden', message: 'Pausing VMIs with LivenessProbe is currently not supported' };
  // KubeVirt's pause checks look at the Paused condition's presence, whatever its status.
  if (findCondition(vmi.status.conditions, VmiCondition.paused) !== undefined) return conflict('VMI is already paused');
  const migration = vmi.status.migrationState;
  if (migration !== undefined && migration.completed !== true) return conflict(`Cannot pause VM '${vmi.metadata.name ?? ''}' because it is currently being migrated`);
  return undefined;
}

/**
 * Why `unpause` is refused before the VMI is even looked at: the VM of the VMI's name (when there is
 * one) is being snapshotted.
 */
export function snapshotRefusal(vm: Readonly<VirtualMachine> | undefined): Refusal | undefined {
  return vm?.status?.snapshotInProgress === undefined ? undefined : conflict('VM snapshot is in progress');
}

/** Why `unpause` is refused for this VMI, or undefined when it may go to the handler. */
export function unpauseRefusal(vmi: Readonly<VirtualMachineInstance>): Refusal | undefined {
  if (vmi.status?.phase !== 'Running') return conflict('VMI is not running');
  if (findCondition(vmi.status.conditions, VmiCondition.paused) === undefined) return conflict('VMI is not paused');
  return undefined;
}

/**
 * Why virt-api refuses a guest-agent subresource (guestosinfo, userlist, filesystemlist) for this
 * VMI: without the AgentConnected condition (the node handler sets it while the launcher's agent
 * poller gets answers), KubeVirt's Conflict "VMI does not have guest agent connected".
 */
export function guestAgentRefusal(vmi: Readonly<VirtualMachineInstance>): Refusal | undefined {
  if (findCondition(vmi.status?.conditions, VmiCondition.agentConnected)?.status === 'True') return undefined;
  return conflict(`Operation cannot be fulfilled on virtualmachineinstance.kubevirt.io "${vmi.metadata.name ?? ''}": VMI does not have guest agent connected`);
}

/** The part of KubeVirt's VirtualMachineInstanceGuestAgentInfo kubevirt-ts answers: the guest's OS. */
export interface GuestAgentInfo {
  readonly os: VirtualMachineInstanceGuestOSInfo;
}

/**
 * virt-api's `guestosinfo` answer for a VMI whose agent is connected: the OS facts the launcher
 * cached from the agent, which the handler keeps in `status.guestOSInfo` (KubeVirt's handler
 * returns the launcher's cached guest info the same way). The agent's version, host name and time
 * zone are not in the VMI's status, so this answer leaves them out.
 */
export function guestOsInfoAnswer(vmi: Readonly<VirtualMachineInstance>): GuestAgentInfo {
  return { os: { ...vmi.status?.guestOSInfo } };
}
