/**
 * The VMI controller (virt-controller's VMI loop, kubevirt/controllers.md §2): observe the VMI and its
 * launcher pods from the caches, create or delete pods (planPods), write the status it owns
 * (computeVmiStatus, through /status with the observed resourceVersion), then patch labels and
 * finalizers (planMetadata). Pods map to their VMI through the controller ownerReference.
 */
import type { Cache } from '../../core/cache.js';
import { DEFAULT_CLUSTER_CONFIG, type ClusterConfig } from '../../core/cluster-config.js';
import { isAlreadyExists, isNotFound, SyncError } from '../../core/errors.js';
import { ChildEventReason } from '../../core/events.js';
import { escapePointerToken, jsonEqual } from '../../core/json-patch.js';
import { objectKey, typeOf } from '../../core/kube.js';
import type { Logger } from '../../core/log.js';
import { hasLaunchStatus } from '../../core/vmi-launch-status.js';
import { Labels, type VirtualMachineInstance } from '../../crd-gen/index.js';
import { POD_TYPE, type Pod } from '../pod.js';
import { DONE, type ControllerDefinition, type ControllerDeps, type ReconcileResult, type Reconciler } from '../contract.js';
import { ownedBy, primary } from '../sources.js';
import { planMetadata, planPods, type VmiAction } from './plan.js';
import { computeVmiStatus, VmiReason, type SyncFailure } from './status.js';

/** What the VMI controller needs. */
export interface VmiControllerDeps extends ControllerDeps {
  readonly vmis: Cache<VirtualMachineInstance>;
  readonly pods: Cache<Pod>;
  /** The compute container's image. */
  readonly launcherImage: string;
  readonly cfg?: ClusterConfig;
  /** Boot images as image volumes of the launcher pod (a cluster's nodes serve them). */
  readonly imageVolumes?: boolean;
}

type Vmi = Readonly<VirtualMachineInstance>;

/** What the pod writes use: the API and KubeVirt's Events on the VMI. */
type PodWriter = Pick<VmiControllerDeps, 'kube' | 'events'>;

async function createPod({ kube, events }: PodWriter, log: Logger, vmi: Vmi, pod: Pod): Promise<void> {
  try {
    await kube.create(pod);
    log.info({ key: objectKey(vmi), namespace: pod.metadata.namespace, name: pod.metadata.name }, 'Created Pod');
    events.event(vmi, 'Normal', ChildEventReason.SuccessfulCreate, `Created virtual machine pod ${pod.metadata.name ?? ''}`);
  } catch (e: unknown) {
    // A deterministic name: an existing pod is the one a stale cache did not show yet.
    if (isAlreadyExists(e)) return;
    events.event(vmi, 'Warning', ChildEventReason.FailedCreate, `Error creating pod: ${(e as Error).message}`);
    throw new SyncError(VmiReason.FailedCreate, `Could not create Pod ${pod.metadata.name ?? ''}: ${(e as Error).message}`, { cause: e });
  }
}

async function deletePod({ kube, events }: PodWriter, log: Logger, vmi: Vmi, action: { name: string; uid: string }): Promise<void> {
  try {
    await kube.delete(POD_TYPE, vmi.metadata.namespace, action.name, { uid: action.uid });
    log.info({ key: objectKey(vmi), namespace: vmi.metadata.namespace, name: action.name }, 'Deleted Pod');
    events.event(vmi, 'Normal', ChildEventReason.SuccessfulDelete, `Deleted virtual machine pod ${action.name}`);
  } catch (e: unknown) {
    if (isNotFound(e)) return;
    events.event(vmi, 'Warning', ChildEventReason.FailedDelete, `Failed to delete virtual machine pod ${action.name}`);
    throw new SyncError(VmiReason.FailedDelete, `Could not delete Pod ${action.name}: ${(e as Error).message}`, { cause: e });
  }
}

function metadataPatch(vmi: Vmi, action: Exclude<VmiAction, { type: 'createPod' | 'deletePod' }>): unknown[] {
  if (action.type === 'labelNode') {
    if (vmi.metadata.labels === undefined) return [{ op: 'add', path: '/metadata/labels', value: { [Labels.nodeName]: action.nodeName } }];
    return [{ op: 'add', path: `/metadata/labels/${escapePointerToken(Labels.nodeName)}`, value: action.nodeName }];
  }
  return [
    { op: 'test', path: '/metadata/finalizers', value: action.current },
    { op: 'replace', path: '/metadata/finalizers', value: action.current.filter((f) => f !== action.finalizer) },
  ];
}

class VmiReconciler implements Reconciler {
  readonly name = 'vmi';
  /** One child logger for every reconcile (a child per reconcile cost more than the rest of a no-op reconcile); lines name the VMI's `key`. */
  private readonly log: Logger;

  constructor(private readonly deps: VmiControllerDeps) {
    this.log = deps.log.child({ controller: 'vmi' });
  }

  async reconcile(key: string, signal: AbortSignal): Promise<ReconcileResult> {
    const cached = this.deps.vmis.get(key);
    if (cached === undefined) return DONE;
    const pods = this.deps.pods.controlledBy(cached.metadata.uid ?? '');
    const vmi = await this.withLaunchStatus(cached, pods);
    signal.throwIfAborted();
    const failure = await this.executePodActions(vmi, pods, signal);
    signal.throwIfAborted();
    const status = this.status(vmi, pods, failure);
    const latest = jsonEqual(status, vmi.status ?? {}) ? vmi : await this.writeStatus(vmi, status);
    for (const action of planMetadata(latest, status, pods)) {
      if (action.type === 'labelNode' || action.type === 'removeFinalizer') await this.patch(latest, metadataPatch(latest, action));
    }
    if (failure !== undefined) throw new SyncError(failure.reason, failure.message);
    return DONE;
  }

  private status(vmi: Vmi, pods: readonly Readonly<Pod>[], failure?: SyncFailure): NonNullable<VirtualMachineInstance['status']> {
    return computeVmiStatus({ vmi, pod: pods[0], now: this.deps.now(), cfg: this.deps.cfg ?? DEFAULT_CLUSTER_CONFIG, ...(failure === undefined ? {} : { syncFailure: failure }) });
  }

  /** The VMI with its launch status: written first when missing, since the launcher pod is rendered from it. */
  private async withLaunchStatus(vmi: Vmi, pods: readonly Readonly<Pod>[]): Promise<Vmi> {
    return hasLaunchStatus(vmi.status) ? vmi : this.writeStatus(vmi, this.status(vmi, pods));
  }

  private async executePodActions(vmi: Vmi, pods: readonly Readonly<Pod>[], signal: AbortSignal): Promise<SyncFailure | undefined> {
    const planInput = { vmi, pods, launcherImage: this.deps.launcherImage, imageVolumes: this.deps.imageVolumes === true, ...(this.deps.cfg === undefined ? {} : { cfg: this.deps.cfg }) };
    for (const action of planPods(planInput)) {
      signal.throwIfAborted();
      try {
        if (action.type === 'createPod') await createPod(this.deps, this.log, vmi, action.pod);
        else if (action.type === 'deletePod') await deletePod(this.deps, this.log, vmi, action);
      } catch (e: unknown) {
        if (!(e instanceof SyncError)) throw e;
        this.log.error({ err: e, key: objectKey(vmi) }, 'Could not sync VirtualMachineInstance');
        return { reason: e.reason, message: e.message };
      }
    }
    return undefined;
  }

  private async writeStatus(vmi: Vmi, status: VirtualMachineInstance['status']): Promise<Vmi> {
    const updated = await this.deps.kube.updateStatus<VirtualMachineInstance>({ ...vmi, status } as VirtualMachineInstance);
    if (updated.status?.phase !== vmi.status?.phase) this.log.info({ key: objectKey(vmi), phase: updated.status?.phase, from: vmi.status?.phase ?? '' }, 'Updated VirtualMachineInstance phase');
    return updated;
  }

  private async patch(vmi: Vmi, ops: unknown[]): Promise<void> {
    try {
      await this.deps.kube.patch(typeOf(vmi), { namespace: vmi.metadata.namespace, name: vmi.metadata.name ?? '' }, { type: 'json', body: ops });
    } catch (e: unknown) {
      // The VMI went away once its last finalizer was removed elsewhere: nothing left to patch.
      if (!isNotFound(e)) throw e;
    }
  }
}

/** The VMI controller: VMIs and the launcher pods they control enqueue the VMI's key. */
export function vmiController(deps: VmiControllerDeps): ControllerDefinition {
  return { reconciler: new VmiReconciler(deps), primary: primary(deps.vmis), secondary: [ownedBy(deps.pods, 'VirtualMachineInstance')] };
}
