/**
 * The VMI status fields the node handler owns (docs/ARCHITECTURE.md, Status; kubevirt/controllers.md §2, §5):
 * Running / Succeeded / Failed with `reason`, their phase transition timestamps, the `Paused` and
 * `LiveMigratable` conditions, and `interfaces` once the guest runs. Everything else (Pending …
 * Scheduled, nodeName, Ready, the nodeName label) belongs to the VMI controller and is copied through
 * untouched. Pure: the caller passes the time.
 */
import { removeCondition, setCondition } from '../../core/conditions.js';
import type { StatusOwnership } from '../../core/status-ownership.js';
import type {
  VirtualMachineInstance,
  VirtualMachineInstanceCondition,
  VirtualMachineInstanceNetworkInterface,
  VirtualMachineInstanceStatus,
} from '../../crd-gen/index.js';
import { KINDS } from '../../crd-gen/index.js';
import type { DomainStatus, LauncherInterface } from '../../launcher/protocol/index.js';
import { isDomainLive, vmiPhase, type LauncherView, type PhaseDecision } from './phase.js';
import { formatKubeTime } from '../../core/time.js';
import { mergeAgentInterfaces, withAgentFacts } from './agent-status.js';
import { VmiCondition } from '../../core/vmi-conditions.js';

/** Condition types the handler sets (their spelling is core's, shared with virt-api and the VM controller that read them). */
export const HandlerConditions = {
  paused: VmiCondition.paused,
  liveMigratable: VmiCondition.liveMigratable,
  synchronized: VmiCondition.synchronized,
  agentConnected: VmiCondition.agentConnected,
} as const;

/** The VMI status fields the node handler owns: the phases from Running on, their reasons and timestamps, the interfaces, the guest OS info, and its conditions. */
export const NODE_HANDLER_STATUS: StatusOwnership = {
  writer: 'virt-handler',
  apiVersion: KINDS.VirtualMachineInstance.apiVersion,
  kind: KINDS.VirtualMachineInstance.kind,
  fields: ['phase', 'phaseTransitionTimestamps', 'reason', 'interfaces', 'guestOSInfo'],
  conditions: [HandlerConditions.paused, HandlerConditions.liveMigratable, HandlerConditions.synchronized, HandlerConditions.agentConnected],
};

/** Why a VMI is not live-migratable here: kubevirt-ts runs every guest on its one node. */
export const NOT_MIGRATABLE_REASON = 'MigrationNotSupported';

// The Paused condition reasons of KubeVirt, by the domain's paused reason.
const PAUSED_REASONS: Readonly<Record<string, string>> = {
  User: 'PausedByUser',
  Migration: 'PausedByMigrationMonitor',
  IOError: 'PausedIOError',
};

/** The Paused condition a domain calls for, or undefined when it is not paused for a reason users see. */
export function pausedCondition(domain: DomainStatus | undefined): VirtualMachineInstanceCondition | undefined {
  if (domain?.state !== 'Paused') return undefined;
  const reason = PAUSED_REASONS[domain.reason];
  return reason === undefined ? undefined : { type: HandlerConditions.paused, status: 'True', reason, message: `the domain is paused (${domain.reason})` };
}

/** `status.interfaces` as known without a guest agent: each interface of the spec, by name and MAC. */
export function specInterfaces(vmi: Readonly<VirtualMachineInstance>): VirtualMachineInstanceNetworkInterface[] {
  return (vmi.spec.domain.devices.interfaces ?? []).filter((i) => i.state !== 'absent').map((i) => ({
    name: i.name,
    infoSource: 'domain',
    ...(i.macAddress === undefined ? {} : { mac: i.macAddress }),
  }));
}

function withPhase(status: VirtualMachineInstanceStatus, decision: PhaseDecision, now: Date): VirtualMachineInstanceStatus {
  if (status.phase === decision.phase) return status;
  const stamps = [...(status.phaseTransitionTimestamps ?? []), { phase: decision.phase, phaseTransitionTimestamp: formatKubeTime(now) }];
  const next: VirtualMachineInstanceStatus = { ...status, phase: decision.phase, phaseTransitionTimestamps: stamps };
  if (decision.reason !== undefined) next.reason = decision.reason;
  // Why it failed, in words (KubeVirt's handler reports sync failures as Synchronized=False the same way).
  if (decision.phase === 'Failed' && decision.message !== undefined) {
    next.conditions = setCondition(status.conditions, { type: HandlerConditions.synchronized, status: 'False', reason: decision.reason ?? 'Failed', message: decision.message }, now);
  }
  return next;
}

function withConditions(status: VirtualMachineInstanceStatus, view: LauncherView, now: Date): VirtualMachineInstanceStatus {
  const live = status.phase === 'Running' && isDomainLive(view.domain);
  const paused = live ? pausedCondition(view.domain) : undefined;
  let conditions = paused === undefined
    ? removeCondition(status.conditions, HandlerConditions.paused)
    : setCondition(status.conditions, paused, now);
  conditions = status.phase === 'Running'
    ? setCondition(conditions, { type: HandlerConditions.liveMigratable, status: 'False', reason: NOT_MIGRATABLE_REASON, message: 'kubevirt-ts does not live-migrate VMIs' }, now)
    : conditions;
  return conditions.length === 0 && status.conditions === undefined ? status : { ...status, conditions };
}

/**
 * `status.interfaces`: each interface of the spec, completed by what the launcher reported of it
 * (the pod network's address, the MAC the guest got, the pod interface, the queue count), as
 * KubeVirt's handler reports the domain's interfaces with the pod interface cache's addresses (the
 * pod IP for masquerade, the guest's own for bridge), with `infoSource: domain`; agent-status.ts
 * merges the guest agent's NICs in when it answers.
 */
export function statusInterfaces(vmi: Readonly<VirtualMachineInstance>, reported: readonly LauncherInterface[] = []): VirtualMachineInstanceNetworkInterface[] {
  const byName = new Map(reported.map((i) => [i.name, i]));
  return specInterfaces(vmi).map((entry) => {
    const r = byName.get(entry.name ?? '');
    if (r === undefined) return entry;
    const { ipAddresses, ...rest } = r;
    return { ...entry, ...rest, ...(ipAddresses === undefined ? {} : { ipAddresses: [...ipAddresses] }) };
  });
}

function withInterfaces(status: VirtualMachineInstanceStatus, vmi: Readonly<VirtualMachineInstance>, view: LauncherView): VirtualMachineInstanceStatus {
  if (status.phase !== 'Running') return status;
  const interfaces = mergeAgentInterfaces(vmi, statusInterfaces(vmi, view.interfaces), view.agent);
  return interfaces.length === 0 ? status : { ...status, interfaces };
}

/**
 * The VMI's status with the handler's fields brought up to date from its launcher, or undefined when
 * nothing changes (so the caller writes only real changes). A final VMI is never changed.
 */
export function handlerStatus(vmi: Readonly<VirtualMachineInstance>, view: LauncherView, now: Date): VirtualMachineInstanceStatus | undefined {
  const before: VirtualMachineInstanceStatus = vmi.status ?? {};
  const decision = vmiPhase(vmi, view);
  if (decision === undefined) return undefined;
  let next = withPhase(before, decision, now);
  next = withConditions(next, view, now);
  next = withInterfaces(next, vmi, view);
  next = withAgentFacts(next, view.agent, now);
  return sameStatus(before, next) ? undefined : next;
}

function sameStatus(a: VirtualMachineInstanceStatus, b: VirtualMachineInstanceStatus): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

