/**
 * The VMI status the VMI controller owns, from the VMI and its launcher pod (kubevirt/controllers.md
 * §2): the launch status (runtimeUser, memory, currentCPUTopology; core/vmi-launch-status.ts) once,
 * phase "" → Pending → Scheduling → Scheduled, status.nodeName, Failed when the pod is missing
 * or down, and the Ready / PodScheduled / Synchronized conditions. Once the VMI is Running the node
 * handler owns the phase; this only sets Failed when the pod is gone. Pure.
 * @see https://github.com/kubevirt/kubevirt/blob/main/pkg/virt-controller/watch/vmi/lifecycle.go
 */
import type { ClusterConfig } from '../../core/cluster-config.js';
import { findCondition, removeCondition, setCondition } from '../../core/conditions.js';
import { hasLaunchStatus, vmiLaunchStatus } from '../../core/vmi-launch-status.js';
import type { StatusOwnership } from '../../core/status-ownership.js';
import { KINDS } from '../../crd-gen/index.js';
import type { VirtualMachineInstance, VirtualMachineInstanceCondition, VirtualMachineInstanceStatus } from '../../crd-gen/index.js';
import { containerStatus, isPodDown, isPodReady, LAUNCHER_CONTAINER, type Pod } from '../pod.js';
import { isFinalPhase, VmiPhase } from '../../core/phases.js';
import { ChildEventReason } from '../../core/events.js';
import { formatKubeTime } from '../../core/time.js';

export { VmiPhase };

/** Reasons this controller writes (conditions and `status.reason`). */
export const VmiReason = {
  PodNotExists: 'PodNotExists',
  PodTerminating: 'PodTerminating',
  GuestNotRunning: 'GuestNotRunning',
  PodConditionMissing: 'PodConditionMissing',
  /** `status.reason` of a VMI failed because its launcher pod vanished. */
  LauncherPodMissing: 'LauncherPodMissing',
  /** `status.reason` of a VMI failed because its launcher pod went down before the guest ran. */
  LauncherPodDown: 'LauncherPodDown',
  FailedCreate: ChildEventReason.FailedCreate,
  FailedDelete: ChildEventReason.FailedDelete,
} as const;

/**
 * The VMI status fields the VMI controller owns (the README's writer table): the launch status, the
 * phases up to Scheduled (and Failed of a vanished pod), its reasons and timestamps, the node and QoS
 * class, and the Ready, PodScheduled and Synchronized conditions.
 */
export const VMI_CONTROLLER_STATUS: StatusOwnership = {
  writer: 'virt-controller',
  apiVersion: KINDS.VirtualMachineInstance.apiVersion,
  kind: KINDS.VirtualMachineInstance.kind,
  fields: ['phase', 'phaseTransitionTimestamps', 'reason', 'nodeName', 'qosClass', 'runtimeUser', 'memory', 'currentCPUTopology'],
  conditions: ['Ready', 'PodScheduled', 'Synchronized'],
};

/** A failed reconcile step, shown as `Synchronized=False`. */
export interface SyncFailure {
  readonly reason: string;
  readonly message: string;
}

/** What the status is computed from. */
export interface VmiStatusInput {
  readonly vmi: Readonly<VirtualMachineInstance>;
  /** The VMI's launcher pod from the cache, if any. */
  readonly pod: Readonly<Pod> | undefined;
  readonly now: Date;
  /** Decides the launch status (the runtime user). */
  readonly cfg: ClusterConfig;
  readonly syncFailure?: SyncFailure;
}

type Status = VirtualMachineInstanceStatus;
type Cond = VirtualMachineInstanceCondition;

/** Final phases: the guest is gone for good. */
export const isFinal = isFinalPhase;

/** Unprocessed: the controller has not created the pod's result yet ("" or Pending). */
export function isUnprocessed(phase: string | undefined): boolean {
  return phase === undefined || phase === VmiPhase.Unset || phase === VmiPhase.Pending;
}

interface Next {
  readonly phase: string;
  readonly reason?: string;
}

function unprocessedPhase(vmi: Readonly<VirtualMachineInstance>, pod: Readonly<Pod> | undefined): Next {
  if (pod !== undefined) return { phase: VmiPhase.Scheduling };
  return vmi.metadata.deletionTimestamp !== undefined ? { phase: VmiPhase.Failed, reason: VmiReason.LauncherPodMissing } : { phase: VmiPhase.Pending };
}

function schedulingPhase(vmi: Readonly<VirtualMachineInstance>, pod: Readonly<Pod> | undefined, current: string): Next {
  if (pod === undefined) return { phase: VmiPhase.Failed, reason: VmiReason.LauncherPodMissing };
  if (isPodDown(pod)) return { phase: VmiPhase.Failed, reason: VmiReason.LauncherPodDown };
  if (isPodReady(pod) && vmi.metadata.deletionTimestamp === undefined) return { phase: VmiPhase.Scheduled };
  return { phase: current };
}

/** The phase the controller moves the VMI to (and the reason when it fails it). */
export function nextPhase(vmi: Readonly<VirtualMachineInstance>, pod: Readonly<Pod> | undefined): Next {
  const phase = vmi.status?.phase ?? VmiPhase.Unset;
  if (isUnprocessed(phase)) return unprocessedPhase(vmi, pod);
  if (phase === VmiPhase.Scheduling || phase === VmiPhase.Scheduled) return schedulingPhase(vmi, pod, phase);
  // Running (and any phase the handler owns): only a vanished pod fails it here.
  if (phase === VmiPhase.Running && pod === undefined) return { phase: VmiPhase.Failed, reason: VmiReason.LauncherPodMissing };
  return { phase };
}

/** The VMI's Ready condition, from its pod (§2). */
export function readyCondition(phase: string, pod: Readonly<Pod> | undefined): Cond {
  const notReady = (reason: string, message: string): Cond => ({ type: 'Ready', status: 'False', reason, message });
  if (pod === undefined) return notReady(VmiReason.PodNotExists, 'virt-launcher pod does not exist');
  if (pod.metadata.deletionTimestamp !== undefined) return notReady(VmiReason.PodTerminating, 'virt-launcher pod is terminating');
  if (phase !== VmiPhase.Running) return notReady(VmiReason.GuestNotRunning, 'Guest VM is not reported as running');
  const podReady = findCondition(pod.status?.conditions, 'Ready');
  if (podReady === undefined) return notReady(VmiReason.PodConditionMissing, 'virt-launcher pod is missing the Ready condition');
  return { type: 'Ready', status: podReady.status, ...(podReady.reason === undefined ? {} : { reason: podReady.reason }), ...(podReady.message === undefined ? {} : { message: podReady.message }) };
}

/** The pod's PodScheduled=False condition while the VMI waits for a node, or undefined. */
function podScheduledCondition(phase: string, pod: Readonly<Pod> | undefined): Cond | undefined {
  if (phase !== VmiPhase.Pending && phase !== VmiPhase.Scheduling) return undefined;
  const scheduled = findCondition(pod?.status?.conditions, 'PodScheduled');
  if (scheduled?.status !== 'False') return undefined;
  return { type: 'PodScheduled', status: 'False', ...(scheduled.reason === undefined ? {} : { reason: scheduled.reason }), ...(scheduled.message === undefined ? {} : { message: scheduled.message }) };
}

/**
 * Why a launcher pod that went down before its launcher ran could not run it: the launcher
 * container's waiting or terminated reason and message (a volume whose Secret is missing, an image
 * that cannot be pulled), as the kubelet reports it. Undefined when the pod says nothing.
 */
export function launcherPodFailure(pod: Readonly<Pod> | undefined): SyncFailure | undefined {
  const state = pod === undefined ? undefined : containerStatus(pod, LAUNCHER_CONTAINER)?.state;
  const said = state?.waiting ?? state?.terminated;
  if (said?.message === undefined || said.message === '') return undefined;
  return { reason: said.reason ?? VmiReason.LauncherPodDown, message: said.message };
}

function conditions(input: VmiStatusInput, phase: string): Cond[] {
  const { pod, now } = input;
  // A VMI failed now because its pod went down: the kubelet's word on why, as KubeVirt surfaces a launcher's image pull errors.
  const failedNow = phase === VmiPhase.Failed && !isFinal(input.vmi.status?.phase);
  const syncFailure = input.syncFailure ?? (failedNow ? launcherPodFailure(pod) : undefined);
  let list = setCondition(input.vmi.status?.conditions, readyCondition(phase, pod), now);
  const scheduled = podScheduledCondition(phase, pod);
  list = scheduled === undefined ? removeCondition(list, 'PodScheduled') : setCondition(list, scheduled, now);
  // On a final VMI, Synchronized=False is the node handler's word on why it failed: kept.
  if (syncFailure === undefined) return isFinal(phase) ? list : removeCondition(list, 'Synchronized');
  return setCondition(list, { type: 'Synchronized', status: 'False', reason: syncFailure.reason, message: syncFailure.message }, now);
}

function withPhase(status: Status, next: Next, input: VmiStatusInput): Status {
  const old = input.vmi.status?.phase ?? VmiPhase.Unset;
  if (next.phase === old) return status;
  const stamp = { phase: next.phase, phaseTransitionTimestamp: formatKubeTime(input.now) };
  return { ...status, phase: next.phase, phaseTransitionTimestamps: [...(status.phaseTransitionTimestamps ?? []), stamp], ...(next.reason === undefined ? {} : { reason: next.reason }) };
}

function withScheduling(status: Status, phase: string, pod: Readonly<Pod> | undefined): Status {
  const qos = pod?.status?.qosClass;
  const out: Status = qos === undefined ? status : { ...status, qosClass: qos };
  const nodeName = pod?.spec.nodeName;
  if (phase === VmiPhase.Scheduled && status.nodeName === undefined && nodeName !== undefined) return { ...out, nodeName };
  return out;
}

/** The status with its launch fields, given once: a VMI that has them keeps them as they are. */
function withLaunchStatus(status: Status, input: VmiStatusInput): Status {
  return hasLaunchStatus(status) ? status : { ...status, ...vmiLaunchStatus(input.vmi.spec, input.cfg, status) };
}

/** The whole status the VMI controller wants the VMI to have; fields it does not own are kept as they are. */
export function computeVmiStatus(input: VmiStatusInput): Status {
  const next = isFinal(input.vmi.status?.phase) ? { phase: input.vmi.status?.phase ?? VmiPhase.Unset } : nextPhase(input.vmi, input.pod);
  let status = withPhase(withLaunchStatus({ ...(input.vmi.status ?? {}) }, input), next, input);
  status = withScheduling(status, next.phase, input.pod);
  return { ...status, conditions: conditions(input, next.phase) };
}
