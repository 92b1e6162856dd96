/**
 * The local kubelet's decisions, pure: which launcher pods need what (bind to this node, start the
 * compute process, terminate, kill, delete) and the pod status that follows from the process's
 * state. Local mode has no scheduler or kubelet; this plays both for `kubevirt.io=virt-launcher` pods.
 */
import { setCondition } from '../../core/conditions.js';
import type { StatusOwnership } from '../../core/status-ownership.js';
import { containerStatus, LAUNCHER_CONTAINER, POD_TYPE, type ContainerState, type ContainerStatus, type Pod, type PodStatus } from '../../reconcilers/pod.js';
import { LabelValues, Labels } from '../../crd-gen/index.js';
import { isFinalPhase } from '../../core/phases.js';
import { formatKubeTime } from '../../core/time.js';

/** The kubelet owns the status of the pods on its node, all of it (as a real kubelet does). */
export const KUBELET_STATUS: StatusOwnership = { writer: 'kubelet', ...POD_TYPE, fields: 'all' };

/** What the kubelet knows of a pod's compute process. */
export type ProcessState =
  | { readonly kind: 'none' }
  /** Spawned; its socket has not answered yet. */
  | { readonly kind: 'starting'; readonly startedAt: string }
  /** Its launcher socket answered (hello). */
  | { readonly kind: 'ready'; readonly startedAt: string }
  /** Ended; `reason`/`message` when the kubelet could not see it end (ContainerStatusUnknown), else from the exit. */
  | { readonly kind: 'exited'; readonly exitCode: number; readonly signal?: number; readonly startedAt?: string; readonly finishedAt: string; readonly reason?: string; readonly message?: string }
  /** It could not be started (missing libvirt/QEMU, no CLI entry, …). */
  | { readonly kind: 'unstartable'; readonly message: string };

/** The next step for one pod. */
export type PodAction = 'ignore' | 'bind' | 'start' | 'terminate' | 'kill' | 'delete' | 'report';

/** Whether the pod is a launcher pod (label `kubevirt.io: virt-launcher`). */
export function isLauncherPod(pod: Readonly<Pod>): boolean {
  return pod.metadata.labels?.[Labels.app] === LabelValues.virtLauncher;
}

function isFinal(pod: Readonly<Pod>): boolean {
  return isFinalPhase(pod.status?.phase);
}

function deletionAction(pod: Readonly<Pod>, proc: ProcessState, now: Date): PodAction {
  if (proc.kind !== 'starting' && proc.kind !== 'ready') return 'delete';
  const deadline = Date.parse(pod.metadata.deletionTimestamp ?? '');
  return Number.isFinite(deadline) && now.getTime() >= deadline ? 'kill' : 'terminate';
}

/**
 * What to do with `pod` on node `nodeName` given its process. A deleted pod: terminate its process
 * (SIGTERM), kill it once the deletion deadline passed, delete the pod once the process is gone.
 */
export function podAction(pod: Readonly<Pod>, nodeName: string, proc: ProcessState, now: Date): PodAction {
  if (!isLauncherPod(pod)) return 'ignore';
  const bound = pod.spec.nodeName;
  if (bound !== undefined && bound !== '' && bound !== nodeName) return 'ignore';
  if (pod.metadata.deletionTimestamp !== undefined) return deletionAction(pod, proc, now);
  if (bound === undefined || bound === '') return 'bind';
  if (proc.kind === 'none') return isFinal(pod) ? 'ignore' : 'start';
  return 'report';
}

/** The kubelet's reason of a terminated container: Completed (exit 0), Error otherwise (a SIGKILL too; OOM kills are not told apart locally). */
export function terminatedReason(exitCode: number, signal: number | undefined): string {
  return exitCode === 0 && signal === undefined ? 'Completed' : 'Error';
}

/** Kubernetes' reason for a container the kubelet cannot find any more (exit code 137, as its kubelet reports). */
export const CONTAINER_STATUS_UNKNOWN = 'ContainerStatusUnknown';

/** How a container ended, as its terminated state records it. */
export type ContainerEnd = Omit<Extract<ProcessState, { kind: 'exited' }>, 'kind'>;

/**
 * How a container ended that a restarted kubelet (or node agent) finds no process of, from the pod's
 * own status, as a kubelet learns it from its runtime: one that was running ended unseen
 * (ContainerStatusUnknown, 137), one reported terminated keeps that end; undefined for one that never
 * started.
 */
export function unfoundContainerEnd(state: Readonly<ContainerState> | undefined, now: Date): ContainerEnd | undefined {
  if (state?.terminated !== undefined) return { ...state.terminated, finishedAt: state.terminated.finishedAt ?? formatKubeTime(now) };
  if (state?.running === undefined) return undefined;
  return {
    exitCode: 137, finishedAt: formatKubeTime(now), reason: CONTAINER_STATUS_UNKNOWN,
    message: 'its process could not be found when the node restarted its pods\' supervision; it used to be running',
    ...(state.running.startedAt === undefined ? {} : { startedAt: state.running.startedAt }),
  };
}

/** The launcher process of a pod the kubelet finds none of (unfoundContainerEnd): a launcher pod never restarts, so an ended one stays ended. */
export function unfoundProcessState(pod: Readonly<Pod>, now: Date): ProcessState {
  const end = unfoundContainerEnd(containerStatus(pod, LAUNCHER_CONTAINER)?.state, now);
  return end === undefined ? { kind: 'none' } : { kind: 'exited', ...end };
}

function terminatedState(proc: Extract<ProcessState, { kind: 'exited' }>): NonNullable<ContainerState['terminated']> {
  const { kind: _kind, ...ended } = proc;
  return { ...ended, reason: proc.reason ?? terminatedReason(proc.exitCode, proc.signal) };
}

function computeStatus(proc: ProcessState, image: string | undefined): ContainerStatus {
  const base = { name: LAUNCHER_CONTAINER, restartCount: 0, ...(image === undefined ? {} : { image }) };
  switch (proc.kind) {
    case 'none': return { ...base, ready: false, started: false, state: { waiting: { reason: 'ContainerCreating' } } };
    case 'unstartable': return { ...base, ready: false, started: false, state: { waiting: { reason: 'CreateContainerError', message: proc.message } } };
    case 'starting': return { ...base, ready: false, started: true, state: { running: { startedAt: proc.startedAt } } };
    case 'ready': return { ...base, ready: true, started: true, state: { running: { startedAt: proc.startedAt } } };
    case 'exited': return { ...base, ready: false, started: false, state: { terminated: terminatedState(proc) } };
  }
}

function phaseOf(proc: ProcessState): NonNullable<PodStatus['phase']> {
  if (proc.kind === 'exited') return proc.exitCode === 0 && proc.signal === undefined ? 'Succeeded' : 'Failed';
  if (proc.kind === 'unstartable') return 'Failed';
  return proc.kind === 'none' ? 'Pending' : 'Running';
}

/** Whether the pod's process is over for good (launcher pods never restart): its sandbox goes next. */
export function processEnded(proc: ProcessState): proc is Extract<ProcessState, { kind: 'exited' | 'unstartable' }> {
  return proc.kind === 'exited' || proc.kind === 'unstartable';
}

/** The pod's phase: an ended process's pod holds its phase while its sandbox is still up (see podStatusFor). */
function heldPhaseOf(pod: Readonly<Pod>, proc: ProcessState, sandboxUp: boolean): NonNullable<PodStatus['phase']> {
  return processEnded(proc) && sandboxUp ? (pod.status?.phase ?? 'Pending') : phaseOf(proc);
}

/**
 * The status of a bound pod whose compute process is in `proc` (conditions keep their transition
 * times); `podIP` is its sandbox's address while it has one (the status keeps it after, as a
 * kubelet's does). An ended process's pod turns Succeeded/Failed only once its sandbox is gone (no
 * `podIP` given), as a kubelet's: a terminal pod, which the API server deletes at once, never leaves a
 * sandbox behind it.
 */
export function podStatusFor(pod: Readonly<Pod>, proc: ProcessState, now: Date, podIP?: string): PodStatus {
  const ready = proc.kind === 'ready' ? 'True' : 'False';
  let conditions = setCondition(pod.status?.conditions, { type: 'PodScheduled', status: 'True' }, now);
  conditions = setCondition(conditions, { type: 'ContainersReady', status: ready }, now);
  conditions = setCondition(conditions, { type: 'Ready', status: ready }, now);
  const image = pod.spec.containers.find((c) => c.name === LAUNCHER_CONTAINER)?.image;
  return {
    ...pod.status,
    phase: heldPhaseOf(pod, proc, podIP !== undefined),
    conditions,
    ...(podIP === undefined ? {} : { podIP, podIPs: [{ ip: podIP }] }),
    containerStatuses: [computeStatus(proc, image)],
    ...(proc.kind === 'unstartable' ? { reason: 'CreateContainerError', message: proc.message } : {}),
  };
}
