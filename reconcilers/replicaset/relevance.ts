/**
 * Which changes of a VMI can change what its replica set controller does. A replica set's plan and
 * status (plan.ts, status.ts) read, of each VMI it controls: that it exists, its controller, whether
 * it is deleting, final, Ready=False/PodTerminating or Ready=True, and whether the selector matches
 * its labels (name, uid and creationTimestamp never change). Any other change (Pending →
 * Scheduling → Scheduled, a condition's message, the node label) cannot change the outcome, so it
 * does not wake a reconcile that reads every replica. KubeVirt's replicaset.go enqueues on every
 * update; the writes that follow are the same. Pure.
 */
import { findCondition } from '../../core/conditions.js';
import { controllerOf } from '../../core/owner.js';
import { isFinalPhase } from '../../core/phases.js';
import type { VirtualMachineInstance } from '../../crd-gen/index.js';

type Vmi = Readonly<VirtualMachineInstance>;

/** Tells whether a selector matches labels. */
export type LabelMatcher = (labels: Readonly<Record<string, string>> | undefined) => boolean;

/** The fields of a VMI a replica set's plan and status depend on, besides its labels. */
function viewOf(vmi: Vmi): string {
  const ref = controllerOf(vmi);
  const ready = findCondition(vmi.status?.conditions, 'Ready');
  return JSON.stringify([
    ref === undefined ? null : [ref.kind, ref.name, ref.uid],
    vmi.metadata.deletionTimestamp !== undefined,
    isFinalPhase(vmi.status?.phase),
    ready?.status === 'True',
    ready?.status === 'False' && ready.reason === 'PodTerminating',
  ]);
}

function sameLabels(a: Readonly<Record<string, string>> | undefined, b: Readonly<Record<string, string>> | undefined): boolean {
  if (a === b) return true;
  const left = Object.entries(a ?? {});
  if (left.length !== Object.keys(b ?? {}).length) return false;
  return left.every(([k, v]) => b?.[k] === v);
}

/**
 * Whether this change of a VMI can change its controlling replica set's plan or status.
 * `selectorOf` gives the replica set's selector, asked only when the labels changed; without one
 * (the replica set is not in the cache, or its selector is unusable) any label change counts.
 */
export function concernsReplicaSet(vmi: Vmi, previous: Vmi | undefined, deleted: boolean, selectorOf: () => LabelMatcher | undefined): boolean {
  if (deleted || previous === undefined) return true;
  if (viewOf(vmi) !== viewOf(previous)) return true;
  if (sameLabels(vmi.metadata.labels, previous.metadata.labels)) return false;
  const matches = selectorOf();
  return matches === undefined || matches(vmi.metadata.labels) !== matches(previous.metadata.labels);
}
