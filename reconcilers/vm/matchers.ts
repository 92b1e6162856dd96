/**
 * The instancetype and preference a VirtualMachine names must exist before the VM controller starts
 * it. KubeVirt (v1.6 on, kubevirt/rules-other-kinds.md: "a missing instancetype or preference is not
 * a rejection") admits such a VM; its VM controller then fails the sync with the `Failure`
 * condition, reason `FailedFindInstancetype` / `FailedFindPreference` and the lookup's NotFound
 * message, creates no VMI (the VM reads Stopped), and starts it once the object exists. Pure: the
 * reconciler looks the objects up and passes what it found.
 * @see https://github.com/kubevirt/kubevirt/blob/main/pkg/instancetype/controller/vm/controller.go (checkResourcesExist)
 */
import type { ResourceType } from '../../core/kube.js';
import { Gvk, type VirtualMachine } from '../../crd-gen/index.js';
import { matcherScope } from '../../webhooks/mutate/instancetype-lookup.js';
import type { VmPlan, VmSyncError } from './plan.js';

/** KubeVirt's reasons of the Failure condition for a missing instancetype or preference. */
export const MatcherSyncReasons = { instancetype: 'FailedFindInstancetype', preference: 'FailedFindPreference' } as const;

/** One object a VM's matcher names. */
export interface MatcherRef {
  readonly what: 'instancetype' | 'preference';
  readonly type: ResourceType;
  /** The VM's namespace for the namespaced kinds; undefined for the cluster kinds. */
  readonly namespace?: string;
  readonly name: string;
  /** The singular resource KubeVirt's NotFound names (`virtualmachineclusterinstancetype`). */
  readonly resource: string;
}

const KINDS = {
  instancetype: { namespaced: Gvk.VirtualMachineInstancetype, cluster: Gvk.VirtualMachineClusterInstancetype },
  preference: { namespaced: Gvk.VirtualMachinePreference, cluster: Gvk.VirtualMachineClusterPreference },
} as const;

/** The objects the VM's matchers name (a matcher without a name, still inferring from a volume, names none). */
export function matcherRefs(vm: Readonly<VirtualMachine>): MatcherRef[] {
  const namespace = vm.metadata.namespace ?? 'default';
  const refs: MatcherRef[] = [];
  for (const what of ['instancetype', 'preference'] as const) {
    const matcher = vm.spec[what];
    const name = matcher?.name ?? '';
    if (name === '') continue;
    // The admission webhook's reading of the kind (an unknown kind, which admission refuses, reads as the cluster kind here).
    const namespaced = matcherScope(what, matcher?.kind) === 'namespaced';
    const type = namespaced ? KINDS[what].namespaced : KINDS[what].cluster;
    refs.push({ what, type, name, resource: type.kind.toLowerCase(), ...(namespaced ? { namespace } : {}) });
  }
  return refs;
}

/** The sync error of a missing object, with the NotFound message KubeVirt's finder gives. */
export function missingMatcherError(ref: MatcherRef): VmSyncError {
  return { reason: MatcherSyncReasons[ref.what], message: `${ref.resource}.instancetype.kubevirt.io "${ref.name}" not found` };
}

/** How soon a VM held back by a missing object looks again (KubeVirt requeues the failed sync with backoff). */
export const MISSING_MATCHER_RETRY_MS = 5_000;

/**
 * The plan once a start is held back by a missing object: no VMI is created and no start is
 * expected (the VM reads Stopped), the Failure condition says what is missing, and the VM is looked
 * at again soon, so it starts once the object exists.
 */
export function holdStart(plan: VmPlan, missing: VmSyncError): VmPlan {
  return { ...plan, actions: plan.actions.filter((a) => a.type !== 'createVmi'), startExpected: false, syncError: missing, requeueAfterMs: MISSING_MATCHER_RETRY_MS };
}
