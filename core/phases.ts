/**
 * The phases of a VMI, as KubeVirt spells them, and which ones are final. A VMI's final phases are
 * a pod's terminal phases too (Succeeded, Failed), so one predicate serves the VMI controller, the
 * node handler, virt-api, the replica set controller, the kubelet and the API server's graceful
 * deletion.
 * @see https://github.com/kubevirt/kubevirt/blob/main/staging/src/kubevirt.io/api/core/v1/types.go (VirtualMachineInstancePhase, IsFinal)
 */

/** VMI phases. */
export const VmiPhase = {
  Unset: '',
  Pending: 'Pending',
  Scheduling: 'Scheduling',
  Scheduled: 'Scheduled',
  Running: 'Running',
  Succeeded: 'Succeeded',
  Failed: 'Failed',
} as const;

/** Whether a VMI (or pod) phase is final: Succeeded or Failed, the guest (or the pod's containers) gone for good. */
export function isFinalPhase(phase: string | undefined): boolean {
  return phase === VmiPhase.Succeeded || phase === VmiPhase.Failed;
}
