/**
 * What KubeVirt assumes where a field is left empty without ever writing it into the object (its
 * admission does not set these; its converter and controllers read them so). Every component that
 * depends on such a value reads it here, so the launcher pod's resources and the domain XML cannot
 * disagree about a NIC model. Values admission writes live in webhooks/mutate/*-defaults.ts.
 * @see ../shared/design/kubevirt/mutation.md ("No interface model is set here; virtio is applied later")
 */
import type { Interface, VirtualMachineInstanceReplicaSetSpec, VirtualMachineInstanceSpec } from '../crd-gen/index.js';

/** The NIC model of an interface without one. */
export const DEFAULT_INTERFACE_MODEL = 'virtio';

/** The model an interface's NIC gets: its own, else virtio (an empty string counts as unset). */
export function interfaceModelOf(iface: Readonly<Pick<Interface, 'model'>>): string {
  return iface.model || DEFAULT_INTERFACE_MODEL;
}

/** The replicas a VMI replica set wants: `spec.replicas`, else 1 (the replica set controller's default). */
export function desiredReplicas(spec: Readonly<Pick<VirtualMachineInstanceReplicaSetSpec, 'replicas'>>): number {
  return spec.replicas ?? 1;
}

/** KubeVirt's `v1.DefaultGracePeriodSeconds`: how long a VMI's guest gets to shut down when the VMI sets none. */
export const DEFAULT_GRACE_PERIOD_SECONDS = 30;

/** A VMI's termination grace period: `spec.terminationGracePeriodSeconds`, else 30 s. */
export function gracePeriodSecondsOf(spec: Readonly<Pick<VirtualMachineInstanceSpec, 'terminationGracePeriodSeconds'>> | undefined): number {
  return spec?.terminationGracePeriodSeconds ?? DEFAULT_GRACE_PERIOD_SECONDS;
}
