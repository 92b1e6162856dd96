/**
 * An emulated TPM 2.0 (`devices.tpm`), as KubeVirt maps it: libvirt's `emulator` backend (libvirt
 * starts swtpm for the domain), model `tpm-tis`; a persistent TPM (`persistent: true`) gets
 * `persistent_state="yes"` and model `tpm-crb`, the two introduced together in KubeVirt. The
 * model does not depend on the architecture or the firmware in KubeVirt's mapping. Where the
 * persistent state lives is the launcher's business (runtime/tpm-state.ts), not the domain's.
 * @see https://github.com/kubevirt/kubevirt/blob/main/pkg/virt-launcher/virtwrap/converter/compute/tpm.go
 */
import { hasPersistentTpm, hasTpmDevice } from '../../core/tpm.js';
import type { Tpm } from '../domain/schema.js';
import type { Configurator } from './configurator.js';

/** The `<tpm>` of a VMI whose spec has an enabled TPM. */
function tpmOf(persistent: boolean): Tpm {
  return persistent
    ? { model: 'tpm-crb', backend: { type: 'emulator', version: '2.0', persistentState: 'yes' } }
    : { model: 'tpm-tis', backend: { type: 'emulator', version: '2.0' } };
}

/** Sets `<tpm>` when the VMI has an enabled TPM; `enabled: false` or no `devices.tpm` adds none. */
export const configureTpm: Configurator = (vmi, _ctx, domain) => {
  if (!hasTpmDevice(vmi.spec)) return domain;
  return { ...domain, devices: { ...domain.devices, tpms: [tpmOf(hasPersistentTpm(vmi.spec))] } };
};
