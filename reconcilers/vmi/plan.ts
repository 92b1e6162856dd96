/**
 * What the VMI controller does for a VMI (kubevirt/controllers.md §2): create the launcher pod while
 * the VMI is unprocessed and has its launch status, delete its pods once the VMI is deleting or final, label the VMI with its
 * node once scheduled, and drop the foreground-delete finalizer once no pod of the VMI is left. Pure:
 * the reconciler executes the actions.
 * @see https://github.com/kubevirt/kubevirt/blob/main/pkg/virt-controller/watch/vmi/vmi.go
 */
import type { ClusterConfig } from '../../core/cluster-config.js';
import { hasLaunchStatus } from '../../core/vmi-launch-status.js';
import { Finalizers, Labels, type VirtualMachineInstance, type VirtualMachineInstanceStatus } from '../../crd-gen/index.js';
import type { Pod } from '../pod.js';
import { renderLauncherPod } from './launcher-pod.js';
import { isFinal, isUnprocessed, VmiPhase } from './status.js';

/** One write the controller makes. */
export type VmiAction =
  | { readonly type: 'createPod'; readonly pod: Pod }
  /** Graceful delete of a pod, only this incarnation (uid precondition). */
  | { readonly type: 'deletePod'; readonly name: string; readonly uid: string }
  /** Label `kubevirt.io/nodeName` on the VMI (a metadata patch, not status). */
  | { readonly type: 'labelNode'; readonly nodeName: string }
  /** Drop a finalizer from the VMI, guarded by a JSON-patch test of the current list. */
  | { readonly type: 'removeFinalizer'; readonly finalizer: string; readonly current: readonly string[] };

/** What the pod actions are planned from. */
export interface VmiPlanInput {
  readonly vmi: Readonly<VirtualMachineInstance>;
  /** Every pod the VMI controls. */
  readonly pods: readonly Readonly<Pod>[];
  readonly launcherImage: string;
  readonly cfg?: ClusterConfig;
  /** Boot images as image volumes (launcher-pod.ts). */
  readonly imageVolumes?: boolean;
}

function isShuttingDown(vmi: Readonly<VirtualMachineInstance>): boolean {
  return vmi.metadata.deletionTimestamp !== undefined || isFinal(vmi.status?.phase);
}

/** Pod creates and deletes, executed before the status is written. */
export function planPods(input: VmiPlanInput): VmiAction[] {
  const { vmi, pods } = input;
  if (isShuttingDown(vmi)) {
    return pods.filter((p) => p.metadata.deletionTimestamp === undefined).map((p) => ({ type: 'deletePod', name: p.metadata.name ?? '', uid: p.metadata.uid ?? '' }));
  }
  // The pod is rendered from the launch status (its runtime user): written first, by computeVmiStatus.
  if (pods.length === 0 && isUnprocessed(vmi.status?.phase) && hasLaunchStatus(vmi.status)) {
    return [{ type: 'createPod', pod: renderLauncherPod(vmi, { launcherImage: input.launcherImage, imageVolumes: input.imageVolumes === true, ...(input.cfg === undefined ? {} : { cfg: input.cfg }) }) }];
  }
  return [];
}

function planNodeLabel(vmi: Readonly<VirtualMachineInstance>, status: Readonly<VirtualMachineInstanceStatus>): VmiAction | undefined {
  const nodeName = status.nodeName;
  const placed = status.phase === VmiPhase.Scheduled || status.phase === VmiPhase.Running;
  if (!placed || nodeName === undefined || vmi.metadata.labels?.[Labels.nodeName] === nodeName) return undefined;
  return { type: 'labelNode', nodeName };
}

/** Metadata patches of the VMI, executed after its status (`status` is the one just computed). */
export function planMetadata(vmi: Readonly<VirtualMachineInstance>, status: Readonly<VirtualMachineInstanceStatus>, pods: readonly Readonly<Pod>[]): VmiAction[] {
  const actions: VmiAction[] = [];
  const label = planNodeLabel(vmi, status);
  if (label !== undefined) actions.push(label);
  const finalizers = vmi.metadata.finalizers ?? [];
  const done = vmi.metadata.deletionTimestamp !== undefined || isFinal(status.phase);
  if (done && pods.length === 0 && finalizers.includes(Finalizers.vmiForegroundDelete)) {
    actions.push({ type: 'removeFinalizer', finalizer: Finalizers.vmiForegroundDelete, current: finalizers });
  }
  return actions;
}
