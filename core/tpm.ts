/**
 * Whether a VMI has an emulated TPM, and whether its state persists: one answer for every layer
 * that depends on it (the launcher pod's memory overhead, the converter's `<tpm>`, the launcher's
 * state directory, admission). KubeVirt's `pkg/tpm` keeps the same two questions in one place.
 * @see https://github.com/kubevirt/kubevirt/blob/main/pkg/tpm/tpm.go
 */
import type { VirtualMachineInstanceSpec } from '../crd-gen/index.js';

type Spec = Pick<Readonly<VirtualMachineInstanceSpec>, 'domain'>;

/** A TPM is present when `devices.tpm` is set and not `enabled: false` (`{}` means on). */
export function hasTpmDevice(spec: Spec): boolean {
  const tpm = spec.domain.devices.tpm;
  return tpm !== undefined && tpm.enabled !== false;
}

/**
 * A present TPM with `persistent: true`: its state outlives the launcher, kept with the VM's data
 * (KubeVirt's backend storage).
 */
export function hasPersistentTpm(spec: Spec): boolean {
  return hasTpmDevice(spec) && spec.domain.devices.tpm?.persistent === true;
}
