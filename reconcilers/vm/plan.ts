/**
 * The VM controller's decision (KubeVirt's `sync` + `syncRunStrategy`, controllers.md §4 and
 * rules-other-kinds.md "Run strategies"): from a VM, the VMI it owns and the time, the writes to make.
 * Pure; the reconciler executes the actions idempotently.
 * @see https://github.com/kubevirt/kubevirt/blob/main/pkg/virt-controller/watch/vm/vm.go
 */
import { ConversionError } from '../../core/errors.js';
import { Annotations, Finalizers, type VirtualMachine, type VirtualMachineInstance } from '../../crd-gen/index.js';
import {
  backsOff, hasStartPausedRequest, hasStartRequest, hasStopRequestFor, isDeleting, isFinal, runStrategyOf,
  startBackoffLeftMs, type RunStrategy,
} from './run-strategy.js';
import { vmiFromVm } from './vmi-from-vm.js';
import { ChildEventReason } from '../../core/events.js';

/** One write of the VM controller. */
export type VmAction =
  /** Create the VMI (AlreadyExists counts as done: its name is the VM's). */
  | { readonly type: 'createVmi'; readonly vmi: VirtualMachineInstance }
  /** Delete the VMI, only this incarnation. */
  | { readonly type: 'deleteVmi'; readonly name: string; readonly uid: string }
  /** JSON patch of the VMI's finalizers: test the old list, replace with the new. */
  | { readonly type: 'patchVmiFinalizers'; readonly name: string; readonly from: readonly string[]; readonly to: readonly string[] }
  /** JSON patch of the VM's finalizers: test the old list, replace with the new. */
  | { readonly type: 'patchVmFinalizers'; readonly from: readonly string[]; readonly to: readonly string[] }
  /** Append a Start request to `status.stateChangeRequests` (RerunOnFailure after a failure). */
  | { readonly type: 'addStartRequest' }
  /** A Halted VM got a (paused) start request: switch it to Always (`spec.running: true` when it uses `running`). */
  | { readonly type: 'setRunning' };

/** A sync failure the status reports as the VM's Failure condition. */
export interface VmSyncError {
  readonly reason: string;
  readonly message: string;
}

/** What the planner decided. */
export interface VmPlan {
  readonly actions: readonly VmAction[];
  /** Re-check after this long (crash-loop backoff). */
  readonly requeueAfterMs?: number;
  /** Set when the plan creates a VMI: the status counts a start as expected. */
  readonly startExpected: boolean;
  /** Set when the plan deletes the VMI: the status counts a stop as expected. */
  readonly stopExpected: boolean;
  readonly syncError?: VmSyncError;
}

/** Inputs of {@link planVm}. */
export interface VmPlanInput {
  readonly vm: Readonly<VirtualMachine>;
  /** The VMI named after the VM that the VM controls, if the cache has one. */
  readonly vmi: Readonly<VirtualMachineInstance> | undefined;
  readonly now: Date;
}

const NOTHING: VmPlan = { actions: [], startExpected: false, stopExpected: false };

/** KubeVirt's reasons of the VM Failure condition. */
export const VmSyncReasons = { failedCreate: ChildEventReason.FailedCreate, failedDelete: ChildEventReason.FailedDelete } as const;

/** The VMI a start creates: the template's VMI plus the generation annotation, our finalizer and a paused start. */
export function vmiToStart(vm: Readonly<VirtualMachine>): VirtualMachineInstance {
  const vmi = vmiFromVm(vm);
  vmi.metadata.annotations = { ...vmi.metadata.annotations, [Annotations.vmGeneration]: String(vm.metadata.generation ?? 1) };
  vmi.metadata.finalizers = [...(vmi.metadata.finalizers ?? []), Finalizers.vmControllerFinalize];
  if (hasStartPausedRequest(vm)) vmi.spec.startStrategy = 'Paused';
  return vmi;
}

function start(input: VmPlanInput, strategy: RunStrategy): VmPlan {
  const left = backsOff(strategy) && strategy !== 'Once' ? startBackoffLeftMs(input.vm, input.now) : 0;
  if (left > 0) return { ...NOTHING, requeueAfterMs: left };
  try {
    return { ...NOTHING, actions: [{ type: 'createVmi', vmi: vmiToStart(input.vm) }], startExpected: true };
  } catch (e: unknown) {
    if (e instanceof ConversionError) return { ...NOTHING, syncError: { reason: VmSyncReasons.failedCreate, message: e.message } };
    throw e;
  }
}

function stop(vmi: Readonly<VirtualMachineInstance>, extra: readonly VmAction[] = []): VmPlan {
  if (isDeleting(vmi)) return NOTHING;
  return { ...NOTHING, actions: [{ type: 'deleteVmi', name: vmi.metadata.name ?? '', uid: vmi.metadata.uid ?? '' }, ...extra], stopExpected: true };
}

function planAlways(input: VmPlanInput): VmPlan {
  const { vm, vmi } = input;
  if (vmi === undefined) return start(input, 'Always');
  return hasStopRequestFor(vm, vmi) || isFinal(vmi) ? stop(vmi) : NOTHING;
}

function planRerunOnFailure(input: VmPlanInput): VmPlan {
  const { vm, vmi } = input;
  if (vmi !== undefined) {
    if (isDeleting(vmi) || !(hasStopRequestFor(vm, vmi) || isFinal(vmi))) return NOTHING;
    return stop(vmi, vmi.status?.phase === 'Failed' ? [{ type: 'addStartRequest' }] : []);
  }
  // Coming from another strategy (status.runStrategy differs) starts it too.
  if (!hasStartRequest(vm) && vm.status?.runStrategy === 'RerunOnFailure') return NOTHING;
  return start(input, 'RerunOnFailure');
}

function planManual(input: VmPlanInput): VmPlan {
  const { vm, vmi } = input;
  if (vmi !== undefined) return hasStopRequestFor(vm, vmi) ? stop(vmi) : NOTHING;
  return hasStartRequest(vm) ? start(input, 'Manual') : NOTHING;
}

function planHalted(input: VmPlanInput): VmPlan {
  const { vm, vmi } = input;
  if (vmi !== undefined) return stop(vmi);
  return hasStartRequest(vm) ? { ...NOTHING, actions: [{ type: 'setRunning' }] } : NOTHING;
}

function planOnce(input: VmPlanInput): VmPlan {
  return input.vmi === undefined ? start(input, 'Once') : NOTHING;
}

const BY_STRATEGY: Readonly<Record<RunStrategy, (input: VmPlanInput) => VmPlan>> = {
  Always: planAlways,
  RerunOnFailure: planRerunOnFailure,
  Manual: planManual,
  Halted: planHalted,
  Once: planOnce,
  // Decentralized live migration has no receiver here: refused with a Failure condition.
  WaitAsReceiver: () => ({
    ...NOTHING,
    syncError: { reason: VmSyncReasons.failedCreate, message: 'spec.runStrategy: WaitAsReceiver is not supported: kubevirt-ts has no decentralized live migration' },
  }),
};

function withoutFinalizer(finalizers: readonly string[] | undefined): string[] {
  return (finalizers ?? []).filter((f) => f !== Finalizers.vmControllerFinalize);
}

/** Our finalizer off a VMI that is final or being deleted (the VM has seen its end). */
function releaseVmi(vmi: Readonly<VirtualMachineInstance> | undefined): VmAction[] {
  if (vmi === undefined || !(isFinal(vmi) || isDeleting(vmi))) return [];
  const from = vmi.metadata.finalizers ?? [];
  if (!from.includes(Finalizers.vmControllerFinalize)) return [];
  return [{ type: 'patchVmiFinalizers', name: vmi.metadata.name ?? '', from, to: withoutFinalizer(from) }];
}

/**
 * A deleting VM: stop its VMI, and once there is none (or the VM is orphaning its dependents) drop
 * the VM's finalizer, as KubeVirt's `sync` does.
 */
function planDeletion(input: VmPlanInput): VmPlan {
  const { vm, vmi } = input;
  const finalizers = vm.metadata.finalizers ?? [];
  if (vmi === undefined || finalizers.includes('orphan')) {
    return finalizers.includes(Finalizers.vmControllerFinalize)
      ? { ...NOTHING, actions: [{ type: 'patchVmFinalizers', from: finalizers, to: withoutFinalizer(finalizers) }] }
      : NOTHING;
  }
  return stop(vmi);
}

/** The VM controller's plan for one VM. */
export function planVm(input: VmPlanInput): VmPlan {
  const { vm, vmi } = input;
  if (isDeleting(vm)) {
    const plan = planDeletion(input);
    return { ...plan, actions: [...plan.actions, ...releaseVmi(vmi)] };
  }
  const finalizers = vm.metadata.finalizers ?? [];
  const addFinalizer: VmAction[] = finalizers.includes(Finalizers.vmControllerFinalize)
    ? []
    : [{ type: 'patchVmFinalizers', from: finalizers, to: [...finalizers, Finalizers.vmControllerFinalize] }];
  const plan = BY_STRATEGY[runStrategyOf(vm)](input);
  return { ...plan, actions: [...addFinalizer, ...plan.actions, ...releaseVmi(vmi)] };
}
