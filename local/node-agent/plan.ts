/**
 * The node agent's decisions, pure: what to do with a pod bound to its node given its container's
 * process (start it, report, restart it after an exit as the restart policy says, terminate and kill
 * it on deletion, delete the pod once nothing runs), the pod status that follows, and the Node and
 * Lease the agent keeps for its node.
 * @see https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle/
 */
import { setCondition } from '../../core/conditions.js';
import type { StatusOwnership } from '../../core/status-ownership.js';
import { formatKubeTime } from '../../core/time.js';
import { isFinalPhase } from '../../core/phases.js';
import { ExternalGvk, ResourceNames } from '../../crd-gen/index.js';
import type { ContainerStatus, Pod, PodStatus } from '../../reconcilers/pod.js';
import { terminatedReason, unfoundContainerEnd } from '../kubelet/plan.js';

/** What the agent knows of a pod's container process. */
export type ContainerProcess =
  | { readonly kind: 'none'; readonly restarts: number }
  | { readonly kind: 'unstartable'; readonly message: string; readonly restarts: number }
  | { readonly kind: 'running'; readonly startedAt: string; readonly ready: boolean; readonly restarts: number }
  | { readonly kind: 'exited'; readonly exitCode: number; readonly signal?: number; readonly startedAt?: string; readonly finishedAt: string; readonly restarts: number; readonly reason?: string; readonly message?: string };

/** What to do for a pod now. */
export type AgentAction = 'start' | 'restart' | 'report' | 'terminate' | 'kill' | 'delete' | 'ignore';

/** A restart's delay after the n-th restart, as the kubelet's crash-loop back-off (10 s doubling, 5 min at most). */
export function restartDelayMs(restarts: number): number {
  return Math.min(300_000, 10_000 * 2 ** Math.min(restarts, 5));
}

function shouldRestart(policy: string | undefined, proc: Extract<ContainerProcess, { kind: 'exited' }>): boolean {
  const effective = policy ?? 'Always';
  return effective === 'Always' || (effective === 'OnFailure' && proc.exitCode !== 0);
}

function deletionAction(deletionTimestamp: string, proc: ContainerProcess, now: Date): AgentAction {
  if (proc.kind !== 'running') return 'delete';
  const deadline = Date.parse(deletionTimestamp);
  return Number.isFinite(deadline) && now.getTime() >= deadline ? 'kill' : 'terminate';
}

/**
 * A pod's process as a restarted agent finds it: its recorded process if it still runs (`live`);
 * else how it ended while no agent watched (unfoundContainerEnd: restarted as its policy says, never
 * started twice), or none for a pod that never started.
 */
export function adoptedProcess(pod: Readonly<Pod>, live: { readonly startedAt: string } | undefined, now: Date): ContainerProcess {
  const status = pod.status?.containerStatuses?.[0];
  const restarts = status?.restartCount ?? 0;
  if (live !== undefined) return { kind: 'running', startedAt: live.startedAt, ready: false, restarts };
  const end = unfoundContainerEnd(status?.state, now);
  return end === undefined ? { kind: 'none', restarts } : { kind: 'exited', ...end, restarts };
}

/** What to do with `pod` (bound to this node) given its process. */
export function agentAction(pod: Readonly<Pod>, proc: ContainerProcess, now: Date): AgentAction {
  if (pod.metadata.deletionTimestamp !== undefined) return deletionAction(pod.metadata.deletionTimestamp, proc, now);
  if (proc.kind === 'none') return isFinalPhase(pod.status?.phase) ? 'ignore' : 'start';
  if (proc.kind === 'exited' && shouldRestart(pod.spec['restartPolicy'] as string | undefined, proc)) {
    return now.getTime() - Date.parse(proc.finishedAt) >= restartDelayMs(proc.restarts) ? 'restart' : 'report';
  }
  return 'report';
}

function containerStatus(name: string, image: string | undefined, proc: ContainerProcess): ContainerStatus {
  const base = { name, restartCount: proc.restarts, ...(image === undefined ? {} : { image }) };
  switch (proc.kind) {
    case 'none': return { ...base, ready: false, started: false, state: { waiting: { reason: 'ContainerCreating' } } };
    case 'unstartable': return { ...base, ready: false, started: false, state: { waiting: { reason: 'CreateContainerError', message: proc.message } } };
    case 'running': return { ...base, ready: proc.ready, started: true, state: { running: { startedAt: proc.startedAt } } };
    case 'exited': {
      const { kind: _kind, restarts: _restarts, ...ended } = proc;
      return { ...base, ready: false, started: false, state: { terminated: { ...ended, reason: proc.reason ?? terminatedReason(proc.exitCode, proc.signal) } } };
    }
  }
}

/**
 * Whether the pod's process is over for good (unstartable, or exited and not to be restarted): the
 * pod is about to turn Succeeded/Failed, and its sandbox goes first.
 */
export function podFinished(pod: Readonly<Pod>, proc: ContainerProcess): boolean {
  return proc.kind === 'unstartable' || (proc.kind === 'exited' && !shouldRestart(pod.spec['restartPolicy'] as string | undefined, proc));
}

/** The pod's phase; a finished pod's holds while its sandbox is up (see agentPodStatus). */
function heldPhaseOf(pod: Readonly<Pod>, proc: ContainerProcess, sandboxUp: boolean): NonNullable<PodStatus['phase']> {
  return sandboxUp && podFinished(pod, proc) ? (pod.status?.phase ?? 'Pending') : phaseOf(pod, proc);
}

function phaseOf(pod: Readonly<Pod>, proc: ContainerProcess): NonNullable<PodStatus['phase']> {
  if (proc.kind === 'running') return 'Running';
  if (proc.kind === 'unstartable') return 'Failed';
  if (proc.kind !== 'exited') return 'Pending';
  if (shouldRestart(pod.spec['restartPolicy'] as string | undefined, proc)) return 'Running';
  return proc.exitCode === 0 ? 'Succeeded' : 'Failed';
}

function podConditions(pod: Readonly<Pod>, proc: ContainerProcess, now: Date): PodStatus['conditions'] {
  const ready = proc.kind === 'running' && proc.ready ? 'True' : 'False';
  let conditions = setCondition(pod.status?.conditions, { type: 'PodScheduled', status: 'True' }, now);
  conditions = setCondition(conditions, { type: 'Initialized', status: 'True' }, now);
  conditions = setCondition(conditions, { type: 'ContainersReady', status: ready }, now);
  return setCondition(conditions, { type: 'Ready', status: ready }, now);
}

/**
 * The status of a pod on this node whose container process is `proc`, at `podIP` while it has a
 * sandbox (conditions keep their transition times; the podIP stays after). A finished pod holds its
 * phase while its sandbox is still up (a `podIP` given): as a kubelet's, a pod turns Succeeded/Failed
 * (and the API server then deletes it at once) only once its sandbox is gone.
 */
export function agentPodStatus(pod: Readonly<Pod>, proc: ContainerProcess, addresses: { readonly podIP?: string; readonly hostIP: string }, now: Date): PodStatus {
  const conditions = podConditions(pod, proc, now);
  const container = pod.spec.containers[0];
  const ips = addresses.podIP === undefined ? {} : { podIP: addresses.podIP, podIPs: [{ ip: addresses.podIP }] };
  return {
    ...pod.status,
    phase: heldPhaseOf(pod, proc, addresses.podIP !== undefined),
    conditions,
    hostIP: addresses.hostIP,
    ...ips,
    startTime: pod.status?.startTime ?? formatKubeTime(now),
    containerStatuses: [containerStatus(container === undefined ? 'container' : container.name, container?.image, proc)],
    ...(proc.kind === 'unstartable' ? { reason: 'CreateContainerError', message: proc.message } : {}),
  };
}

/** What the agent advertises of its node: address, capacity (the extended resources launcher pods request included). */
export interface NodeFacts {
  readonly name: string;
  readonly address: string;
  readonly cpus: number;
  readonly memoryBytes: number;
  /** The size of the filesystem pods write to (ephemeral-storage). */
  readonly storageBytes: number;
  readonly maxPods: number;
  readonly kubeletVersion: string;
  /** The node's pod CIDR (spec.podCIDR and podCIDRs), when the node allocates its pods' addresses itself (the local mode). */
  readonly podCIDR?: string;
}

/** The Node's spec: its pod CIDR, when it has one. */
export function nodeSpec(facts: NodeFacts): Record<string, unknown> {
  return facts.podCIDR === undefined ? {} : { podCIDR: facts.podCIDR, podCIDRs: [facts.podCIDR] };
}

/** A kubelet owns its Node's status (conditions, addresses, capacity, nodeInfo), as it posts it. */
export const NODE_STATUS: StatusOwnership = { writer: 'kubelet', ...ExternalGvk.Node, fields: 'all' };

/** The Node object the agent registers. */
export function nodeObject(facts: NodeFacts): Record<string, unknown> {
  return {
    ...ExternalGvk.Node,
    metadata: { name: facts.name, labels: { 'kubernetes.io/hostname': facts.name, 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': 'amd64' } },
    spec: nodeSpec(facts),
  };
}

/** The Node's status: Ready, its address, capacity and allocatable, and what runs it. */
export function nodeStatus(facts: NodeFacts, previous: readonly { type: string; status: string; lastTransitionTime?: string | null }[] | undefined, now: Date): Record<string, unknown> {
  const capacity = {
    cpu: String(facts.cpus),
    memory: `${Math.floor(facts.memoryBytes / 1024)}Ki`,
    'ephemeral-storage': `${Math.floor(facts.storageBytes / 1024)}Ki`,
    pods: String(facts.maxPods),
    [ResourceNames.kvm]: '1k',
    [ResourceNames.tun]: '1k',
    [ResourceNames.vhostNet]: '1k',
  };
  const heartbeat = formatKubeTime(now);
  const ready = setCondition(previous as never, { type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kvt node agent is posting ready status' }, now);
  return {
    conditions: ready.map((c: { type: string }) => (c.type === 'Ready' ? { ...c, lastHeartbeatTime: heartbeat } : c)),
    addresses: [{ type: 'InternalIP', address: facts.address }, { type: 'Hostname', address: facts.name }],
    capacity,
    allocatable: capacity,
    nodeInfo: {
      machineID: '', systemUUID: '', bootID: '', kernelVersion: '', osImage: 'kvt node agent', containerRuntimeVersion: 'kvt://processes',
      kubeletVersion: facts.kubeletVersion, kubeProxyVersion: '', operatingSystem: 'linux', architecture: 'amd64',
    },
  };
}
