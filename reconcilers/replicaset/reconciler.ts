/**
 * The VirtualMachineInstanceReplicaSet controller (docs/ARCHITECTURE.md, Controllers; controllers.md §3): observe
 * the replica set, the VMIs it controls and its namespace's orphans from the caches' indices, plan
 * (plan.ts: claim, scale, clean up), execute idempotently, then write the status (status.ts) through
 * `/status` only when it changed. Creates use generateName, so a stale cache could create twice:
 * KubeVirt's expectations (expectations.ts) hold further scaling until every create and delete
 * issued was observed. A VMI change wakes its replica set only when it can change the outcome
 * (relevance.ts), so a reconcile that reads every replica runs per relevant change, not per write.
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
import { concernsReplicaSet, type LabelMatcher } from './relevance.js';
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

/**
 * How soon a replica set whose adopt or release patch met a newer VMI than its cache showed looks
 * again (the change that made it stale may not concern the replica set, so nothing else wakes it).
 */
export const STALE_OWNER_REQUEUE_MS = 50;

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
    const plan = planReplicaSet({ rs, vmis: this.candidates(rs), expectationsSatisfied: this.expectations.satisfied(rsKey, nowMs) });
    if (!plan.ok) {
      this.deps.log.warn({ replicaSet: rsKey }, `VirtualMachineInstanceReplicaSet ${rsKey} is not processed: ${plan.message}`);
      return DONE;
    }
    this.expect(rsKey, plan.actions, nowMs);
    const { scaleError, stale } = await this.act(rsKey, rs, plan.actions);
    signal.throwIfAborted();
    const status = computeReplicaSetStatus({ rs, active: plan.active, scalingUp: plan.scalingUp, now: this.deps.now(), ...(scaleError === undefined ? {} : { scaleError }) });
    if (!jsonEqual(status, rs.status ?? {})) await this.deps.kube.updateStatus<VirtualMachineInstanceReplicaSet>({ ...rs, status });
    if (scaleError !== undefined) throw new SyncError(plan.scalingUp ? ChildEventReason.FailedCreate : ChildEventReason.FailedDelete, `VirtualMachineInstanceReplicaSet ${rsKey}: ${scaleError}`);
    return stale ? { requeueAfterMs: STALE_OWNER_REQUEUE_MS } : DONE;
  }

  /**
   * The VMIs the replica set may act on: those it controls (in its namespace) and the namespace's
   * orphans, from the cache's indices. VMIs another controller owns are never touched, so they are
   * not read.
   */
  private candidates(rs: Readonly<VirtualMachineInstanceReplicaSet>): Readonly<VirtualMachineInstance>[] {
    const namespace = rs.metadata.namespace ?? '';
    const owned = this.deps.vmis.controlledBy(rs.metadata.uid ?? '').filter((v) => (v.metadata.namespace ?? '') === namespace);
    return [...owned, ...this.deps.vmis.uncontrolled(namespace)];
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

  /**
   * Runs every action; the first API refusal (not a conflict) is the scale error, and `stale` says
   * an adopt or release met a newer VMI than the plan saw.
   */
  private async act(rsKey: string, rs: Readonly<VirtualMachineInstanceReplicaSet>, actions: readonly RsAction[]): Promise<{ scaleError?: string; stale: boolean }> {
    const results = await Promise.allSettled(actions.map((a) => this.execute(rsKey, rs, a)));
    const stale = results.some((r) => r.status === 'fulfilled' && r.value === 'stale');
    const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failure === undefined) return { stale };
    const e: unknown = failure.reason;
    if (!(e instanceof ApiError) || isConflict(e)) throw e;
    return { scaleError: e.message, stale };
  }

  private async execute(rsKey: string, rs: Readonly<VirtualMachineInstanceReplicaSet>, action: RsAction): Promise<'done' | 'stale'> {
    switch (action.type) {
      case 'create':
        await this.create(rsKey, rs, action.vmi);
        return 'done';
      case 'delete':
        await this.delete(rsKey, rs, action);
        return 'done';
      default:
        return this.setOwner(rs, action);
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

  /** Adopts or releases one VMI; 'stale' when it changed since the plan (the test op failed). */
  private async setOwner(rs: Readonly<VirtualMachineInstanceReplicaSet>, action: Extract<RsAction, { type: 'adopt' | 'release' }>): Promise<'done' | 'stale'> {
    const vmi = this.deps.vmis.get(key(rs.metadata.namespace, action.name));
    if (vmi === undefined) return 'done';
    const others = (vmi.metadata.ownerReferences ?? []).filter((r) => r.uid !== rs.metadata.uid);
    const refs = action.type === 'adopt' ? [...others, controllerRef(rs)] : others;
    try {
      await this.deps.kube.patch(VMI_TYPE, { namespace: rs.metadata.namespace, name: action.name }, { type: 'json', body: ownerOps(vmi, action.resourceVersion, refs) });
      return 'done';
    } catch (e: unknown) {
      // Gone: nothing to claim. Changed since the plan: looked at again once the cache has caught up.
      if (isNotFound(e)) return 'done';
      if (e instanceof ApiError && (e.status === 409 || e.status === 422)) return 'stale';
      throw e;
    }
  }
}

/** The selector of the replica set with this key, when it is cached and usable. */
function selectorOf(replicaSets: Cache<VirtualMachineInstanceReplicaSet>, rsKey: string): LabelMatcher | undefined {
  const rs = replicaSets.get(rsKey);
  const selector = rs === undefined ? undefined : parseLabelSelector(rs.spec.selector);
  return selector?.ok === true ? selector.matches : undefined;
}

/**
 * The replica set keys a VMI change concerns: the replica set that controlled it before, when the
 * controller changed (it lost a replica); its controlling replica set, when the change can alter
 * its plan or status (relevance.ts); or, for an orphan, every replica set of its namespace that
 * selects it (one may adopt it).
 */
function rsKeysOfVmi(replicaSets: Cache<VirtualMachineInstanceReplicaSet>, vmi: Readonly<VirtualMachineInstance>, previous: Readonly<VirtualMachineInstance> | undefined, deleted: boolean): string[] {
  const namespace = vmi.metadata.namespace;
  const ref = controllerOf(vmi);
  const before = previous === undefined ? undefined : controllerOf(previous);
  const keys: string[] = before?.kind === RS_KIND && before.uid !== ref?.uid ? [key(namespace, before.name)] : [];
  if (ref !== undefined) {
    const rsKey = key(namespace, ref.name);
    if (ref.kind === RS_KIND && concernsReplicaSet(vmi, previous, deleted, () => selectorOf(replicaSets, rsKey)) && !keys.includes(rsKey)) keys.push(rsKey);
    return keys;
  }
  const adopters = replicaSets.list(namespace).filter((rs) => {
    const selector = parseLabelSelector(rs.spec.selector);
    return selector.ok && selector.matches(vmi.metadata.labels);
  }).map((rs) => objectKey(rs));
  return [...new Set([...keys, ...adopters])];
}

/** The ReplicaSet controller: replica sets enqueue themselves, VMIs their (would-be) owner. */
export function replicaSetController(deps: ReplicaSetControllerDeps): ControllerDefinition {
  const reconciler = new ReplicaSetReconciler(deps);
  const vmis = mapped(deps.vmis, (vmi, previous, deleted) => {
    reconciler.observe(vmi, previous, deleted);
    return rsKeysOfVmi(deps.replicaSets, vmi, previous, deleted);
  });
  return { reconciler, primary: primary(deps.replicaSets), secondary: [vmis] };
}
