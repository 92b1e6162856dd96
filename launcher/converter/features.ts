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

function flags(f: VmiFeatures): Features {
  return {
    ...(f.acpi?.enabled !== false ? { acpi: true } : {}),
    ...(isEnabled(f.apic) ? { apic: true } : {}),
    ...(isEnabled(f.smm) ? { smm: true } : {}),
  };
}

function hypervFeature(f: VmiFeatures): Pick<Features, 'hyperv'> {
  if (f.hyperv !== undefined) return { hyperv: hyperv(f.hyperv) };
  return f.hypervPassthrough?.enabled === true ? { hyperv: { mode: 'passthrough' } } : {};
}

function kvmAndSpinlock(f: VmiFeatures): Features {
  return {
    ...(f.kvm === undefined ? {} : { kvm: { hidden: { state: onOff(f.kvm.hidden === true) } } }),
    ...(f.pvspinlock === undefined ? {} : { pvspinlock: { state: onOff(isEnabled(f.pvspinlock)) } }),
  };
}

/** Sets `<features>` from `spec.domain.features`; without that block there are none. */
export const configureFeatures: Configurator = (vmi, _ctx, domain) => {
  const f = vmi.spec.domain.features;
  if (f === undefined) return domain;
  return { ...domain, features: { ...flags(f), ...hypervFeature(f), ...kvmAndSpinlock(f), vmport: { state: 'off' } } };
};
