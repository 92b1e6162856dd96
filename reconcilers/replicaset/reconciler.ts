/**
 * The VirtualMachineInstanceReplicaSet controller (docs/ARCHITECTURE.md, Controllers; controllers.md §3): observe
 * the replica set and its namespace's VMIs from the caches, plan (plan.ts: claim, scale, clean up),
 * execute idempotently, then write the status (status.ts) through `/status` only when it changed.
 * Creates use generateName, so a stale cache could create twice: KubeVirt's expectations
 * (expectations.ts) hold further scaling until every create and delete issued was observed.
 * @see https://github.com/kubevirt/kubevirt/blob/main/pkg/virt-controller/watch/replicaset/replicaset.go
 */
import type { Cache } from '../../core/cache.js';
import { ApiError, isConflict, isNotFound, SyncError } from '../../core/errors.js';
import { ChildEventReason } from '../../core/events.js';
import { jsonEqual, type Op } from '../../core/json-patch.js';
import { parseLabelSelector } from '../../core/labels.js';
import { objectKey } from '../../core/kube.js';
import { controllerOf, controllerRef } from '../../core/owner.js';
import { Gvk, type VirtualMachineInstance, type VirtualMachineInstanceReplicaSet } from '../../crd-gen/index.js';
import { DONE, type ControllerDefinition, type ControllerDeps, type ReconcileResult, type Reconciler } from '../contract.js';
import { mapped, primary } from '../sources.js';
import { Expectations } from './expectations.js';
import { planReplicaSet, type RsAction } from './plan.js';
import { computeReplicaSetStatus } from './status.js';

const VMI_TYPE = Gvk.VirtualMachineInstance;
const RS_KIND = 'VirtualMachineInstanceReplicaSet';

/** What {@link replicaSetController} needs. */
export interface ReplicaSetControllerDeps extends ControllerDeps {
  readonly replicaSets: Cache<VirtualMachineInstanceReplicaSet>;
  readonly vmis: Cache<VirtualMachineInstance>;
}

const messageOf = (e: unknown): string => (e instanceof Error ? e.message : String(e));

const key = (namespace: string | undefined, name: string): string => objectKey({ metadata: { namespace, name } });

/** The JSON patch that sets (or drops) our controller ref, testing the resourceVersion the plan saw. */
function ownerOps(vmi: Readonly<VirtualMachineInstance>, resourceVersion: string, refs: readonly unknown[]): Op[] {
  const test: Op = { op: 'test', path: '/metadata/resourceVersion', value: resourceVersion };
  return vmi.metadata.ownerReferences === undefined
    ? [test, { op: 'add', path: '/metadata/ownerReferences', value: refs }]
    : [test, { op: 'replace', path: '/metadata/ownerReferences', value: refs }];
}

class ReplicaSetReconciler implements Reconciler {
  readonly name = 'replicaset';
  private readonly expectations = new Expectations();

  constructor(private readonly deps: ReplicaSetControllerDeps) {}

  async reconcile(rsKey: string, signal: AbortSignal): Promise<ReconcileResult> {
    const rs = this.deps.replicaSets.get(rsKey);
    if (rs === undefined) {
      this.expectations.forget(rsKey);
      return DONE;
    }
    const nowMs = this.deps.now().getTime();
    const plan = planReplicaSet({ rs, vmis: this.deps.vmis.list(rs.metadata.namespace), expectationsSatisfied: this.expectations.satisfied(rsKey, nowMs) });
    if (!plan.ok) {
      this.deps.log.warn({ replicaSet: rsKey }, `VirtualMachineInstanceReplicaSet ${rsKey} is not processed: ${plan.message}`);
      return DONE;
    }
    this.expect(rsKey, plan.actions, nowMs);
    const scaleError = await this.act(rsKey, rs, plan.actions);
    signal.throwIfAborted();
    const status = computeReplicaSetStatus({ rs, active: plan.active, scalingUp: plan.scalingUp, now: this.deps.now(), ...(scaleError === undefined ? {} : { scaleError }) });
    if (!jsonEqual(status, rs.status ?? {})) await this.deps.kube.updateStatus<VirtualMachineInstanceReplicaSet>({ ...rs, status });
    if (scaleError !== undefined) throw new SyncError(plan.scalingUp ? ChildEventReason.FailedCreate : ChildEventReason.FailedDelete, `VirtualMachineInstanceReplicaSet ${rsKey}: ${scaleError}`);
    return DONE;
  }

  /**
   * Expectations are satisfied by what the cache observes: a VMI of ours appearing, or going — and,
   * as KubeVirt's updateVMI does, a VMI marked for deletion counts as gone (finalizers may hold it).
   * Called for each VMI change before the change enqueues its replica set.
   */
  observe(vmi: Readonly<VirtualMachineInstance>, previous: Readonly<VirtualMachineInstance> | undefined, deleted: boolean): void {
    const ref = controllerOf(vmi);
    if (ref?.kind !== RS_KIND) return;
    const rsKey = key(vmi.metadata.namespace, ref.name);
    const marked = vmi.metadata.deletionTimestamp !== undefined && previous?.metadata.deletionTimestamp === undefined;
    if (deleted || marked) this.expectations.deletionObserved(rsKey, vmi.metadata.uid ?? '');
    if (previous === undefined && !deleted) this.expectations.creationObserved(rsKey);
  }

  private expect(rsKey: string, actions: readonly RsAction[], nowMs: number): void {
    const creates = actions.filter((a) => a.type === 'create').length;
    const deletes = actions.flatMap((a) => (a.type === 'delete' ? [a.uid] : []));
    if (creates > 0 || deletes.length > 0) this.expectations.expect(rsKey, creates, deletes, nowMs);
  }

  /** Runs every action; the first API refusal (not a conflict) is the scale error. */
  private async act(rsKey: string, rs: Readonly<VirtualMachineInstanceReplicaSet>, actions: readonly RsAction[]): Promise<string | undefined> {
    const results = await Promise.allSettled(actions.map((a) => this.execute(rsKey, rs, a)));
    const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failure === undefined) return undefined;
    const e: unknown = failure.reason;
    if (!(e instanceof ApiError) || isConflict(e)) throw e;
    return e.message;
  }

  private async execute(rsKey: string, rs: Readonly<VirtualMachineInstanceReplicaSet>, action: RsAction): Promise<void> {
    switch (action.type) {
      case 'create':
        return this.create(rsKey, rs, action.vmi);
      case 'delete':
        return this.delete(rsKey, rs, action);
      default:
        await this.setOwner(rs, action);
    }
  }

  /** Creates one VMI (generateName), with KubeVirt's Events on the replica set; a refused create is observed at once. */
  private async create(rsKey: string, rs: Readonly<VirtualMachineInstanceReplicaSet>, vmi: VirtualMachineInstance): Promise<void> {
    const { kube, events } = this.deps;
    let created: VirtualMachineInstance;
    try {
      created = await kube.create(vmi);
    } catch (e: unknown) {
      this.expectations.creationObserved(rsKey);
      events.event(rs, 'Warning', ChildEventReason.FailedCreate, `Error creating virtual machine instance: ${messageOf(e)}`);
      throw e;
    }
    events.event(rs, 'Normal', ChildEventReason.SuccessfulCreate, `Started the virtual machine by creating the new virtual machine instance ${created.metadata.name ?? ''}`);
  }

  /** Deletes one VMI (uid precondition), with KubeVirt's Events on the replica set; a refused delete is observed at once. */
  private async delete(rsKey: string, rs: Readonly<VirtualMachineInstanceReplicaSet>, vmi: { readonly name: string; readonly uid: string }): Promise<void> {
    const { kube, events } = this.deps;
    try {
      await kube.delete(VMI_TYPE, rs.metadata.namespace, vmi.name, { uid: vmi.uid });
    } catch (e: unknown) {
      this.expectations.deletionObserved(rsKey, vmi.uid);
      // Gone already, or another incarnation by now: nothing failed.
      if (isNotFound(e) || isConflict(e)) return;
      events.event(rs, 'Warning', ChildEventReason.FailedDelete, `Error deleting virtual machine instance ${vmi.name}: ${messageOf(e)}`);
      throw e;
    }
    events.event(rs, 'Normal', ChildEventReason.SuccessfulDelete, `Stopped the virtual machine by deleting the virtual machine instance ${vmi.uid}`);
  }

  private async setOwner(rs: Readonly<VirtualMachineInstanceReplicaSet>, action: Extract<RsAction, { type: 'adopt' | 'release' }>): Promise<void> {
    const vmi = this.deps.vmis.get(key(rs.metadata.namespace, action.name));
    if (vmi === undefined) return;
    const others = (vmi.metadata.ownerReferences ?? []).filter((r) => r.uid !== rs.metadata.uid);
    const refs = action.type === 'adopt' ? [...others, controllerRef(rs)] : others;
    await this.deps.kube.patch(VMI_TYPE, { namespace: rs.metadata.namespace, name: action.name }, { type: 'json', body: ownerOps(vmi, action.resourceVersion, refs) }).catch((e: unknown) => {
      // Gone, or changed since the plan (the test op failed): the next reconcile sees it anew.
      if (!isNotFound(e) && !(e instanceof ApiError && (e.status === 409 || e.status === 422))) throw e;
    });
  }
}

/** The replica set keys a VMI concerns: its controlling replica set, or (an orphan) every replica set of its namespace that selects it. */
function rsKeysOfVmi(replicaSets: Cache<VirtualMachineInstanceReplicaSet>, vmi: Readonly<VirtualMachineInstance>): string[] {
  const ref = controllerOf(vmi);
  if (ref !== undefined) return ref.kind === RS_KIND ? [key(vmi.metadata.namespace, ref.name)] : [];
  return replicaSets.list(vmi.metadata.namespace).filter((rs) => {
    const selector = parseLabelSelector(rs.spec.selector);
    return selector.ok && selector.matches(vmi.metadata.labels);
  }).map((rs) => objectKey(rs));
}

/** The ReplicaSet controller: replica sets enqueue themselves, VMIs their (would-be) owner. */
export function replicaSetController(deps: ReplicaSetControllerDeps): ControllerDefinition {
  const reconciler = new ReplicaSetReconciler(deps);
  const vmis = mapped(deps.vmis, (vmi, previous, deleted) => {
    reconciler.observe(vmi, previous, deleted);
    return rsKeysOfVmi(deps.replicaSets, vmi);
  });
  return { reconciler, primary: primary(deps.replicaSets), secondary: [vmis] };
}
