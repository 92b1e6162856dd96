import { describe, expect, it } from 'vitest';
import type { Features } from '../../crd-gen/index.js';
import { newRawVmi, newVmi, withDomain } from '../../test/builders/vmi.js';
import { testContext } from '../../test/builders/context.js';
import { emptyDomain } from './configurator.js';
import { configureFeatures } from './features.js';

const featuresOf = (features: Features) => configureFeatures(newVmi(withDomain({ features })), testContext(), emptyDomain()).features;
const VMPORT = { vmport: { state: 'off' } };

describe('configureFeatures', () => {
  it('writes no features without a features block', () => {
    expect(configureFeatures(newRawVmi(), testContext(), emptyDomain()).features).toBeUndefined();
  });

  it.each([
    ['acpi by default', {}, { acpi: true, ...VMPORT }],
    ['acpi off', { acpi: { enabled: false } }, VMPORT],
    ['apic and smm when present', { apic: {}, smm: { enabled: true } }, { acpi: true, apic: true, smm: true, ...VMPORT }],
    ['smm present but off', { smm: { enabled: false } }, { acpi: true, ...VMPORT }],
    ['kvm hidden', { kvm: { hidden: true } }, { acpi: true, kvm: { hidden: { state: 'on' } }, ...VMPORT }],
    ['kvm block without hidden', { kvm: {} }, { acpi: true, kvm: { hidden: { state: 'off' } }, ...VMPORT }],
    ['pvspinlock off', { pvspinlock: { enabled: false } }, { acpi: true, pvspinlock: { state: 'off' }, ...VMPORT }],
    ['Hyper-V passthrough', { hypervPassthrough: { enabled: true } }, { acpi: true, hyperv: { mode: 'passthrough' }, ...VMPORT }],
    ['Hyper-V enlightenments (with admission dependencies)', {
      hyperv: { relaxed: { enabled: false }, spinlocks: { spinlocks: 8191 }, synictimer: { direct: {} }, vendorid: { vendorid: 'myvendor' }, tlbflush: {}, ipi: {}, evmcs: { enabled: false } },
    }, {
      acpi: true, ...VMPORT,
      hyperv: {
        relaxed: { state: 'off' }, spinlocks: { state: 'on', retries: 8191 }, vpindex: { state: 'on' }, synic: { state: 'on' },
        stimer: { state: 'on', direct: { state: 'on' } }, vendorId: { state: 'on', value: 'myvendor' }, tlbflush: { state: 'on' }, ipi: { state: 'on' }, evmcs: { state: 'off' },
      },
    }],
  ])('%s', (_what, features, expected) => {
    expect(featuresOf(features as Features)).toEqual(expected);
  });

  it.each([
    ['a comma', 'a,b'],
    ['more than 12 characters', 'thirteen-char'],
  ])('refuses a Hyper-V vendor id with %s', (_what, vendorid) => {
    expect(() => featuresOf({ hyperv: { vendorid: { vendorid } } })).toThrow('spec.domain.features.hyperv.vendorid.vendorid');
  });

  describe('under software emulation (no usable KVM)', () => {
    const emulated = (features: Features) => configureFeatures(newVmi(withDomain({ features })), testContext({ kvmUsable: false, allowEmulation: true }), emptyDomain()).features;

    it('keeps the enlightenments QEMU runs under TCG (the vmi-windows example\'s among them)', () => {
      expect(emulated({ hyperv: { relaxed: {}, vapic: {}, spinlocks: { spinlocks: 8191 }, runtime: {}, reset: {}, frequencies: {}, reenlightenment: {}, vendorid: { vendorid: 'KVMKVMKVM' } } })?.hyperv).toEqual({
        relaxed: { state: 'on' }, vapic: { state: 'on' }, spinlocks: { state: 'on', retries: 8191 }, runtime: { state: 'on' }, reset: { state: 'on' },
        frequencies: { state: 'on' }, reenlightenment: { state: 'on' }, vendorId: { state: 'on', value: 'KVMKVMKVM' },
      });
      expect(emulated({ hyperv: { vpindex: { enabled: false } } })?.hyperv).toEqual({ vpindex: { state: 'off' } });
    });

    it.each<[string, Features]>([
      ['vpindex', { hyperv: { vpindex: {} } }],
      ['synic (admission enables vpindex for it)', { hyperv: { synic: {} } }],
    ])('refuses %s, naming the field and why', (_what, features) => {
      expect(() => emulated(features)).toThrow(/spec\.domain\.features\.hyperv\.vpindex: Hyper-V vpindex needs KVM/);
    });
  });
});
