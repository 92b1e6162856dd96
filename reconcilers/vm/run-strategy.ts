/**
 * The facts about a VirtualMachine and its VMI that the VM controller's planner and status both
 * read: the effective run strategy, the first state change request, final phases, and the crash-loop
 * backoff. Pure.
 * @see https://github.com/kubevirt/kubevirt/blob/main/pkg/virt-controller/watch/vm/vm.go
 */
import { isConditionTrue } from '../../core/conditions.js';
import { START_PAUSED_KEY, StateChange } from '../../core/run-strategy.js';
import { VmiCondition } from '../../core/vmi-conditions.js';
import type { VirtualMachine, VirtualMachineInstance } from '../../crd-gen/index.js';

// The API's own facts (shared with virt-api's subresources), re-exported for the VM controller's files.
export { isFinal, runStrategyOf, START_PAUSED_KEY, StateChange } from '../../core/run-strategy.js';

/** A run strategy, as `spec.runStrategy` spells it. */
export type RunStrategy = NonNullable<VirtualMachine['spec']['runStrategy']>;

/** Longest crash-loop backoff, in seconds (KubeVirt's `defaultMaxCrashLoopBackoffDelaySeconds`). */
export const MAX_START_BACKOFF_SECONDS = 300;

/** Whether the first state change request is a Start. */
export function hasStartRequest(vm: Readonly<VirtualMachine>): boolean {
  return vm.status?.stateChangeRequests?.[0]?.action === StateChange.start;
}

/** Whether the first state change request is a Start with `paused: "true"`. */
export function hasStartPausedRequest(vm: Readonly<VirtualMachine>): boolean {
  const first = vm.status?.stateChangeRequests?.[0];
  return first?.action === StateChange.start && first.data?.[START_PAUSED_KEY] === 'true';
}

/** Whether the first state change request is a Stop of exactly this VMI (by uid). */
export function hasStopRequestFor(vm: Readonly<VirtualMachine>, vmi: Readonly<VirtualMachineInstance>): boolean {
  const first = vm.status?.stateChangeRequests?.[0];
  return first?.action === StateChange.stop && first.uid !== undefined && first.uid === vmi.metadata.uid;
}

/** Phase unset or Pending (KubeVirt's `IsUnprocessed`). */
export function isUnprocessed(vmi: Readonly<VirtualMachineInstance>): boolean {
  const phase = vmi.status?.phase;
  return phase === undefined || phase === '' || phase === 'Pending';
}

/** Whether the VMI has a deletionTimestamp. */
export function isDeleting(object: { readonly metadata: { readonly deletionTimestamp?: string } }): boolean {
  return object.metadata.deletionTimestamp !== undefined;
}

/** Whether the VMI ever reached Running (its phase now, or a Running phase transition timestamp). */
export function wasRunning(vmi: Readonly<VirtualMachineInstance> | undefined): boolean {
  if (vmi === undefined) return false;
  if (vmi.status?.phase === 'Running') return true;
  return (vmi.status?.phaseTransitionTimestamps ?? []).some((t) => t.phase === 'Running');
}

/** Whether a VMI's Paused condition is True. */
export function isPaused(vmi: Readonly<VirtualMachineInstance>): boolean {
  return isConditionTrue(vmi.status?.conditions, VmiCondition.paused);
}

/** The strategies whose early failures count towards the crash-loop backoff. */
export function backsOff(strategy: RunStrategy): boolean {
  return strategy === 'Always' || strategy === 'RerunOnFailure' || strategy === 'Once';
}

/**
 * KubeVirt's `calculateStartBackoffTime`: max(10, max/30)·count² plus a jitter of up to half of
 * that, capped at `maxSeconds`. `jitter` in [0, 1) replaces Go's `rand` so the function stays pure.
 */
export function startBackoffSeconds(count: number, jitter: number, maxSeconds = MAX_START_BACKOFF_SECONDS): number {
  const base = Math.max(10, Math.floor(maxSeconds / 30)) * count * count;
  const withJitter = base + Math.floor(Math.min(Math.max(jitter, 0), 0.999999) * (Math.floor(base / 2) + 1));
  return Math.min(withJitter, maxSeconds);
}

/** Milliseconds left before `status.startFailure.retryAfterTimestamp`, 0 when none or past. */
export function startBackoffLeftMs(vm: Readonly<VirtualMachine>, now: Date): number {
  const retryAfter = vm.status?.startFailure?.retryAfterTimestamp;
  if (retryAfter === undefined || retryAfter === null) return 0;
  const left = Date.parse(retryAfter) - now.getTime();
  return Number.isFinite(left) && left > 0 ? left : 0;
}
