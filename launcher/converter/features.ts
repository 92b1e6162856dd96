/**
 * Platform features. With a `spec.domain.features` block (admission always writes one, for acpi):
 * acpi unless disabled, apic/smm when present and on, Hyper-V, KVM hiding, pvspinlock, and
 * `<vmport state="off"/>` on x86_64. Secure boot's need for SMM is admission's to enforce.
 * @see https://github.com/kubevirt/kubevirt/blob/main/pkg/virt-launcher/virtwrap/converter/compute/hypervisor_features.go
 */
import type { Features as VmiFeatures } from '../../crd-gen/index.js';
import type { Features } from '../domain/schema.js';
import type { Configurator } from './configurator.js';
import { hyperv } from './hyperv.js';
import { isEnabled, onOff } from './values.js';

/** The `<features>` of a VMI's `spec.domain.features`, set field by field. */
function features(f: VmiFeatures): Features {
  const out: Features = {};
  if (f.acpi?.enabled !== false) out.acpi = true;
  if (isEnabled(f.apic)) out.apic = true;
  if (isEnabled(f.smm)) out.smm = true;
  if (f.hyperv !== undefined) out.hyperv = hyperv(f.hyperv);
  else if (f.hypervPassthrough?.enabled === true) out.hyperv = { mode: 'passthrough' };
  if (f.kvm !== undefined) out.kvm = { hidden: { state: onOff(f.kvm.hidden === true) } };
  if (f.pvspinlock !== undefined) out.pvspinlock = { state: onOff(isEnabled(f.pvspinlock)) };
  out.vmport = { state: 'off' };
  return out;
}

/** Sets `<features>` from `spec.domain.features`; without that block there are none. */
export const configureFeatures: Configurator = (vmi, _ctx, domain) => {
  const f = vmi.spec.domain.features;
  if (f === undefined) return domain;
  return { ...domain, features: features(f) };
};
