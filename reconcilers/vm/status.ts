/**
 * VM.status as KubeVirt's VM controller writes it (`updateStatus`, controllers.md §4,
 * rules-other-kinds.md "VM status.printableStatus"): created/ready, runStrategy, the handled state
 * change request trimmed, the crash-loop start failure, conditions mirrored from the VMI, the
 * Failure condition, generations and the printable status. Pure: time and jitter come in.
 * @see https://github.com/kubevirt/kubevirt/blob/main/pkg/virt-controller/watch/vm/vm.go
 */
import { findCondition, removeCondition, setCondition } from '../../core/conditions.js';
import type { StatusOwnership } from '../../core/status-ownership.js';
import { Annotations, KINDS, type VirtualMachine, type VirtualMachineInstance, type VirtualMachineStatus } from '../../crd-gen/index.js';
import type { VmPlan } from './plan.js';
import {
  backsOff, isDeleting, isFinal, isPaused, isUnprocessed, runStrategyOf, StateChange,
  startBackoffSeconds, wasRunning,
} from './run-strategy.js';
import { formatKubeTime } from '../../core/time.js';

type VmCondition = NonNullable<VirtualMachineStatus['conditions']>[number];

/** Inputs of {@link computeVmStatus}. */
/** The VM controller owns the whole VM status (virt-api only adds state change requests; see its declaration). */
export const VM_CONTROLLER_STATUS: StatusOwnership = {
  writer: 'virt-controller', apiVersion: KINDS.VirtualMachine.apiVersion, kind: KINDS.VirtualMachine.kind, fields: 'all',
};

export interface VmStatusInput {
  readonly vm: Readonly<VirtualMachine>;
  readonly vmi: Readonly<VirtualMachineInstance> | undefined;
  readonly plan: Pick<VmPlan, 'startExpected' | 'stopExpected' | 'syncError'>;
  readonly now: Date;
  /** In [0, 1): the crash-loop backoff's jitter (KubeVirt draws it with rand). */
  readonly jitter: number;
}

/** KubeVirt's `isTrimFirstChangeRequestNeeded`: whether request [0] has been acted upon. */
export function firstRequestDone(vm: Readonly<VirtualMachine>, vmi: Readonly<VirtualMachineInstance> | undefined): boolean {
  const first = vm.status?.stateChangeRequests?.[0];
  if (first === undefined) return false;
  if (first.action === StateChange.stop) return vmi === undefined || first.uid === undefined || first.uid !== vmi.metadata.uid;
  if (first.action === StateChange.start) return vmi !== undefined && !isDeleting(vmi) && !isFinal(vmi);
  return false;
}

/** KubeVirt's `syncStartFailureStatus`: count a VMI that ended without ever running, once per uid. */
export function nextStartFailure(input: VmStatusInput): VirtualMachineStatus['startFailure'] {
  const { vm, vmi } = input;
  if (wasRunning(vmi) || !backsOff(runStrategyOf(vm))) return undefined;
  const previous = vm.status?.startFailure;
  if (vmi === undefined || !isFinal(vmi) || previous?.lastFailedVMIUID === vmi.metadata.uid) return previous;
  return countFailure(input, vmi, previous?.consecutiveFailCount ?? 0);
}

function countFailure(input: VmStatusInput, vmi: Readonly<VirtualMachineInstance>, previousCount: number): VirtualMachineStatus['startFailure'] {
  const count = previousCount + 1;
  const retryAfter = new Date(input.now.getTime() + startBackoffSeconds(count, input.jitter) * 1000);
  return { lastFailedVMIUID: vmi.metadata.uid ?? '', retryAfterTimestamp: formatKubeTime(retryAfter), consecutiveFailCount: count };
}

const NOT_SYNCED = new Set(['Ready', 'Failure', 'RestartRequired']);

function readyCondition(vmi: Readonly<VirtualMachineInstance> | undefined): VmCondition {
  if (vmi === undefined) return { type: 'Ready', status: 'False', reason: 'VMINotExists', message: 'VMI does not exist' };
  const ready = findCondition(vmi.status?.conditions, 'Ready');
  if (ready === undefined) return { type: 'Ready', status: 'False', reason: 'VMIConditionMissing', message: 'VMI is missing the Ready condition' };
  return { ...ready, type: 'Ready' };
}

/** KubeVirt's `syncConditions`: Ready from the VMI, Failure from the sync error, every other VMI condition mirrored. */
export function vmConditions(input: VmStatusInput): VmCondition[] {
  const { vm, vmi, now } = input;
  let conditions = withReady(vm, vmi, now);
  const failure = input.plan.syncError;
  conditions = failure === undefined
    ? removeCondition(conditions, 'Failure')
    : setCondition(conditions, { type: 'Failure', status: 'True', reason: failure.reason, message: failure.message }, now);
  if (vmi === undefined) return conditions;
  const mirrored = (vmi.status?.conditions ?? []).filter((c) => !NOT_SYNCED.has(c.type));
  const keep = conditions.filter((c) => NOT_SYNCED.has(c.type) || mirrored.some((m) => m.type === c.type));
  return mirrored.reduce<VmCondition[]>((list, c) => upsert(list, { ...c }), keep);
}

function withReady(vm: Readonly<VirtualMachine>, vmi: Readonly<VirtualMachineInstance> | undefined, now: Date): VmCondition[] {
  const ready = findCondition(vmi?.status?.conditions, 'Ready');
  // The VMI's Ready is copied as it is, times included; the synthetic ones get their own time.
  return ready === undefined
    ? setCondition(vm.status?.conditions, readyCondition(vmi), now)
    : upsert([...(vm.status?.conditions ?? [])], { ...ready });
}

function upsert(list: VmCondition[], condition: VmCondition): VmCondition[] {
  const at = list.findIndex((c) => c.type === condition.type);
  return at === -1 ? [...list, condition] : list.map((c, i) => (i === at ? condition : c));
}

function vmiCondition(vmi: Readonly<VirtualMachineInstance> | undefined, type: string, status: string, reason: string): boolean {
  const c = findCondition(vmi?.status?.conditions, type);
  return c !== undefined && c.status === status && c.reason === reason;
}

type Printable = readonly [string, (s: VmStatusInput & { readonly startFailureCount: number }) => boolean];

const PRINTABLE: readonly Printable[] = [
  ['Terminating', ({ vm }) => isDeleting(vm)],
  ['Stopping', ({ vmi, plan }) => vmi !== undefined && !isFinal(vmi) && (isDeleting(vmi) || plan.stopExpected)],
  ['Migrating', ({ vmi }) => vmi?.status?.migrationState !== undefined && vmi.status.migrationState.completed !== true && vmi.status.migrationState.failed !== true],
  ['Paused', ({ vmi }) => vmi?.status?.phase === 'Running' && isPaused(vmi)],
  ['Running', ({ vmi }) => vmi?.status?.phase === 'Running' && !isPaused(vmi)],
  ['ErrorPvcNotFound', ({ vmi }) => vmiCondition(vmi, 'Synchronized', 'False', 'FailedPvcNotFound')],
  ['ErrorUnschedulable', ({ vmi }) => vmiCondition(vmi, 'PodScheduled', 'False', 'Unschedulable')],
  ['ErrImagePull', ({ vmi }) => vmiCondition(vmi, 'Synchronized', 'False', 'ErrImagePull')],
  ['ImagePullBackOff', ({ vmi }) => vmiCondition(vmi, 'Synchronized', 'False', 'ImagePullBackOff')],
  ['Starting', ({ vmi, plan }) => (vmi === undefined ? plan.startExpected : isUnprocessed(vmi) || vmi.status?.phase === 'Scheduling' || vmi.status?.phase === 'Scheduled')],
  ['CrashLoopBackOff', ({ vm, vmi, plan, startFailureCount }) => (vmi === undefined || isFinal(vmi)) && !plan.startExpected && startFailureCount > 0 && backsOff(runStrategyOf(vm))],
  ['Stopped', ({ vmi, plan }) => (vmi === undefined ? !plan.startExpected : isFinal(vmi))],
];

/** KubeVirt's `setPrintableStatus`: the first that holds, else Unknown. */
export function printableStatus(input: VmStatusInput, startFailureCount: number): string {
  const hit = PRINTABLE.find(([, holds]) => holds({ ...input, startFailureCount }));
  return hit?.[0] ?? 'Unknown';
}

function observedGeneration(vmi: Readonly<VirtualMachineInstance> | undefined): number | undefined {
  const raw = vmi?.metadata.annotations?.[Annotations.vmGeneration];
  const parsed = raw === undefined ? Number.NaN : Number.parseInt(raw, 10);
  return Number.isFinite(parsed) ? parsed : undefined;
}

function trimmedRequests(vm: Readonly<VirtualMachine>, vmi: Readonly<VirtualMachineInstance> | undefined): VirtualMachineStatus['stateChangeRequests'] {
  const requests = vm.status?.stateChangeRequests ?? [];
  const left = firstRequestDone(vm, vmi) ? requests.slice(1) : requests;
  return left.length === 0 ? undefined : structuredClone(left);
}

function generations(vm: Readonly<VirtualMachine>, vmi: Readonly<VirtualMachineInstance> | undefined): Pick<VirtualMachineStatus, 'desiredGeneration' | 'observedGeneration'> {
  const observed = observedGeneration(vmi);
  return {
    ...(vm.metadata.generation === undefined ? {} : { desiredGeneration: vm.metadata.generation }),
    ...(observed === undefined ? {} : { observedGeneration: observed }),
  };
}

function recordedStrategy(vm: Readonly<VirtualMachine>, created: boolean): string | undefined {
  return (vm.status?.runStrategy ?? '') !== '' || created ? runStrategyOf(vm) : undefined;
}

/** Drops the members whose value is undefined (they are absent on the wire). */
function compact(status: VirtualMachineStatus): VirtualMachineStatus {
  return Object.fromEntries(Object.entries(status).filter(([, v]) => v !== undefined)) as VirtualMachineStatus;
}

/** The VM's whole new status (fields the controller does not own are carried over). */
export function computeVmStatus(input: VmStatusInput): VirtualMachineStatus {
  const { vm, vmi } = input;
  const created = vmi !== undefined;
  const startFailure = nextStartFailure(input);
  return compact({
    ...structuredClone(vm.status ?? {}),
    created,
    ready: findCondition(vmi?.status?.conditions, 'Ready')?.status === 'True',
    // Recorded first when a VMI exists, so RerunOnFailure can tell a strategy change from a stop.
    runStrategy: recordedStrategy(vm, created),
    stateChangeRequests: trimmedRequests(vm, vmi),
    startFailure,
    conditions: vmConditions(input),
    ...generations(vm, vmi),
    printableStatus: printableStatus(input, startFailure?.consecutiveFailCount ?? 0),
  });
}
