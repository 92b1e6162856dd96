/**
 * The VirtualMachine controller (docs/ARCHITECTURE.md, Controllers; controllers.md §4): observe the VM and the VMI
 * it controls from the caches, plan (plan.ts), execute the actions idempotently, then write the
 * status (status.ts) through `/status` only when it changed. A sync error is recorded as the VM's
 * Failure condition and rethrown, so the key is retried with backoff; a 409 retries the same way.
 * @see https://github.com/kubevirt/kubevirt/blob/main/pkg/virt-controller/watch/vm/vm.go
 */
import type { Cache } from '../../core/cache.js';
import { ApiError, isAlreadyExists, isConflict, isNotFound, SyncError } from '../../core/errors.js';
import { ChildEventReason } from '../../core/events.js';
import { jsonEqual, type Op } from '../../core/json-patch.js';
import { objectKey, typeOf, type KubeObject } from '../../core/kube.js';
import { controllerOf, isControlledBy } from '../../core/owner.js';
import { Gvk, type VirtualMachine, type VirtualMachineInstance } from '../../crd-gen/index.js';
import { DONE, type ControllerDefinition, type ControllerDeps, type ReconcileResult, type Reconciler } from '../contract.js';
import { mapped, primary } from '../sources.js';
import { planVm, vmiToStart, VmSyncReasons, type VmAction, type VmPlan, type VmSyncError } from './plan.js';
import { computeVmStatus } from './status.js';
import { holdStart, matcherRefs, missingMatcherError } from './matchers.js';
import { withInstancetype, type FoundMatcher } from './instancetype.js';

const VMI_TYPE = Gvk.VirtualMachineInstance;

/** What {@link vmController} needs. */
export interface VmControllerDeps extends ControllerDeps {
  readonly vms: Cache<VirtualMachine>;
  readonly vmis: Cache<VirtualMachineInstance>;
  /** In [0, 1): the crash-loop backoff's jitter. @default Math.random */
  readonly random?: () => number;
}

function finalizerOps(from: readonly string[], to: readonly string[]): Op[] {
  // An absent list cannot be tested (RFC 6902); `add` then creates it.
  if (from.length === 0) return [{ op: 'add', path: '/metadata/finalizers', value: to }];
  return [{ op: 'test', path: '/metadata/finalizers', value: from }, { op: 'replace', path: '/metadata/finalizers', value: to }];
}

const messageOf = (e: unknown): string => (e instanceof Error ? e.message : String(e));

function ignore(e: unknown, expected: (e: unknown) => boolean): void {
  if (!expected(e)) throw e;
}

class VmReconciler implements Reconciler {
  readonly name = 'vm';
  constructor(private readonly deps: VmControllerDeps) {}

  async reconcile(key: string, signal: AbortSignal): Promise<ReconcileResult> {
    const observed = this.deps.vms.get(key);
    if (observed === undefined) return DONE;
    const candidate = this.deps.vmis.get(key);
    const vmi = candidate !== undefined && isControlledBy(candidate, observed) ? candidate : undefined;
    const plan = await this.withMatchers(observed, planVm({ vm: observed, vmi, now: this.deps.now() }));
    const { vm, syncError } = await this.act(observed, plan, signal);
    signal.throwIfAborted();
    await this.writeStatus(vm, vmi, { ...plan, syncError });
    if (syncError !== undefined && plan.syncError === undefined) throw new SyncError(syncError.reason, `VirtualMachine ${key}: ${syncError.message}`);
    return plan.requeueAfterMs === undefined ? DONE : { requeueAfterMs: plan.requeueAfterMs };
  }

  /**
   * The plan, held back when it would start the VM but an instancetype or preference it names does
   * not exist (read live: a start is rare, and a cache of four more kinds is not worth it).
   */
  private async withMatchers(vm: Readonly<VirtualMachine>, plan: VmPlan): Promise<VmPlan> {
    if (!plan.actions.some((a) => a.type === 'createVmi')) return plan;
    const found: FoundMatcher[] = [];
    for (const ref of matcherRefs(vm)) {
      try {
        found.push({ ref, object: await this.deps.kube.get<{ spec?: unknown } & KubeObject>(ref.type, ref.namespace, ref.name) });
      } catch (e: unknown) {
        if (isNotFound(e)) return holdStart(plan, missingMatcherError(ref));
        throw e;
      }
    }
    if (found.length === 0) return plan;
    // The VMI gets what the instancetype and preference say, as KubeVirt's VM controller applies them.
    const expanded = withInstancetype(vm, found);
    if (!expanded.ok) return holdStart(plan, { reason: VmSyncReasons.failedCreate, message: `Error applying the instancetype to the virtual machine instance: ${expanded.message}` });
    return { ...plan, actions: plan.actions.map((a) => (a.type === 'createVmi' ? { ...a, vmi: vmiToStart(expanded.vm) } : a)) };
  }

  /** Runs the actions in order, none once stopped; an API refusal (not a conflict) ends them as a sync error. */
  private async act(observed: Readonly<VirtualMachine>, plan: VmPlan, signal: AbortSignal): Promise<{ vm: Readonly<VirtualMachine>; syncError: VmSyncError | undefined }> {
    let vm = observed;
    try {
      for (const action of plan.actions) {
        signal.throwIfAborted();
        vm = await this.execute(vm, action);
      }
    } catch (e: unknown) {
      if (!(e instanceof ApiError) || isConflict(e)) throw e;
      return { vm, syncError: { reason: plan.stopExpected ? VmSyncReasons.failedDelete : VmSyncReasons.failedCreate, message: e.message } };
    }
    return { vm, syncError: plan.syncError };
  }

  private async writeStatus(vm: Readonly<VirtualMachine>, vmi: Readonly<VirtualMachineInstance> | undefined, plan: Parameters<typeof computeVmStatus>[0]['plan']): Promise<void> {
    const status = computeVmStatus({ vm, vmi, plan, now: this.deps.now(), jitter: (this.deps.random ?? Math.random)() });
    if (jsonEqual(status, vm.status ?? {})) return;
    // NotFound: removing the last finalizer just now let the deletion complete; nothing is left to report on.
    await this.deps.kube.updateStatus<VirtualMachine>({ ...vm, status }).catch((e: unknown) => ignore(e, isNotFound));
  }

  /** One action; returns the VM as it is after it (VM writes move its resourceVersion). */
  private async execute(vm: Readonly<VirtualMachine>, action: VmAction): Promise<Readonly<VirtualMachine>> {
    switch (action.type) {
      case 'createVmi':
        await this.createVmi(vm, action.vmi);
        return vm;
      case 'deleteVmi':
        await this.deleteVmi(vm, action);
        return vm;
      case 'patchVmiFinalizers':
        await this.deps.kube.patch(VMI_TYPE, { namespace: vm.metadata.namespace, name: action.name }, { type: 'json', body: finalizerOps(action.from, action.to) }).catch((e: unknown) => ignore(e, isNotFound));
        return vm;
      default:
        return this.patchVm(vm, action);
    }
  }

  /** Creates the VMI (an existing one is the one a stale cache did not show yet), with KubeVirt's Events on the VM. */
  private async createVmi(vm: Readonly<VirtualMachine>, vmi: VirtualMachineInstance): Promise<void> {
    const { kube, log, events } = this.deps;
    try {
      await kube.create(vmi);
    } catch (e: unknown) {
      if (isAlreadyExists(e)) return;
      events.event(vm, 'Warning', ChildEventReason.FailedCreate, `Error creating virtual machine instance: ${messageOf(e)}`);
      throw e;
    }
    log.info({ namespace: vm.metadata.namespace, name: vmi.metadata.name }, 'Created VirtualMachineInstance');
    events.event(vm, 'Normal', ChildEventReason.SuccessfulCreate, `Started the virtual machine by creating the new virtual machine instance ${vmi.metadata.name ?? ''}`);
  }

  /** Deletes this incarnation of the VMI (uid precondition), with KubeVirt's Events on the VM. */
  private async deleteVmi(vm: Readonly<VirtualMachine>, vmi: { readonly name: string; readonly uid: string }): Promise<void> {
    const { kube, log, events } = this.deps;
    try {
      await kube.delete(VMI_TYPE, vm.metadata.namespace, vmi.name, { uid: vmi.uid });
    } catch (e: unknown) {
      // Gone already, or another incarnation by now (the uid precondition failed).
      if (isNotFound(e) || isConflict(e)) return;
      events.event(vm, 'Warning', ChildEventReason.FailedDelete, `Error deleting virtual machine instance ${vmi.name}: ${messageOf(e)}`);
      throw e;
    }
    log.info({ namespace: vm.metadata.namespace, name: vmi.name, uid: vmi.uid }, 'Deleted VirtualMachineInstance');
    events.event(vm, 'Normal', ChildEventReason.SuccessfulDelete, `Stopped the virtual machine by deleting the virtual machine instance ${vmi.uid}`);
  }

  private async patchVm(vm: Readonly<VirtualMachine>, action: Exclude<VmAction, { type: 'createVmi' | 'deleteVmi' | 'patchVmiFinalizers' }>): Promise<Readonly<VirtualMachine>> {
    const target = { namespace: vm.metadata.namespace, name: vm.metadata.name ?? '' };
    const type = typeOf(vm);
    switch (action.type) {
      case 'patchVmFinalizers':
        return this.deps.kube.patch<VirtualMachine>(type, target, { type: 'json', body: finalizerOps(action.from, action.to) });
      case 'addStartRequest': {
        const requests = [...(vm.status?.stateChangeRequests ?? []), { action: 'Start' }];
        return this.deps.kube.patch<VirtualMachine>(type, { ...target, subresource: 'status' }, { type: 'json', body: [{ op: 'add', path: '/status/stateChangeRequests', value: requests }] });
      }
      case 'setRunning': {
        const ops: Op[] = vm.spec.runStrategy !== undefined
          ? [{ op: 'test', path: '/spec/runStrategy', value: vm.spec.runStrategy }, { op: 'replace', path: '/spec/runStrategy', value: 'Always' }]
          : [{ op: 'replace', path: '/spec/running', value: true }];
        return this.deps.kube.patch<VirtualMachine>(type, target, { type: 'json', body: ops });
      }
    }
  }
}

/** The VM key a VMI concerns: its controlling VM's, or (an orphan) the VM of its own name. */
function vmKeyOfVmi(vmi: Readonly<VirtualMachineInstance>): readonly string[] {
  const ref = controllerOf(vmi);
  if (ref === undefined) return [objectKey(vmi)];
  return ref.kind === 'VirtualMachine' ? [objectKey({ metadata: { namespace: vmi.metadata.namespace, name: ref.name } })] : [];
}

/** The VM controller: VMs enqueue themselves, VMIs enqueue their VM. */
export function vmController(deps: VmControllerDeps): ControllerDefinition {
  return { reconciler: new VmReconciler(deps), primary: primary(deps.vms), secondary: [mapped(deps.vmis, vmKeyOfVmi)] };
}

