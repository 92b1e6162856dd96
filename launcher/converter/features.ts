/**
 * Platform features. With a `spec.domain.features` block (admission always writes one, for acpi):
 * acpi unless disabled, apic/smm when present and on, Hyper-V, KVM hiding, pvspinlock, and
 * `<vmport state="off"/>` on x86_64. Secure boot's need for SMM is admission's to enforce.
 * Under software emulation (domain type `qemu`: no usable KVM) QEMU 7.2 starts every Hyper-V
 * enlightenment KubeVirt maps except `vpindex` ("kernel doesn't allow setting HyperV VP_INDEX",
 * measured here with libvirt 9.0): such a VMI is refused with the field and the reason rather
 * than failing in QEMU. Its dependants (synic, ipi, tlbflush) need it, so they fail with it.
 * @see https://github.com/kubevirt/kubevirt/blob/main/pkg/virt-launcher/virtwrap/converter/compute/hypervisor_features.go
 */
import { ConversionError } from '../../core/errors.js';
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
export const configureFeatures: Configurator = (vmi, ctx, domain) => {
  const f = vmi.spec.domain.features;
  if (f === undefined) return domain;
  if (!ctx.kvmUsable && isEnabled(f.hyperv?.vpindex)) {
    throw new ConversionError('spec.domain.features.hyperv.vpindex', 'Hyper-V vpindex needs KVM: this host runs the guest in software emulation (TCG), where QEMU cannot set the virtual processor index (synic, ipi and tlbflush need vpindex too)');
  }
  return { ...domain, features: features(f) };
};
