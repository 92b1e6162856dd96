import { describe, expect, it } from 'vitest';
import { newVmi } from '../../test/builders/vmi.js';
import { testContext } from '../../test/builders/context.js';
import { emptyDomain } from './configurator.js';
import { configureDomainType } from './domain-type.js';

describe('configureDomainType', () => {
  it.each([
    [true, false, 'kvm'],
    [true, true, 'kvm'],
    [false, true, 'qemu'],
  ] as const)('kvmUsable=%s allowEmulation=%s → %s', (kvmUsable, allowEmulation, type) => {
    expect(configureDomainType(newVmi(), testContext({ kvmUsable, allowEmulation }), emptyDomain()).type).toBe(type);
  });

  it('refuses a host without KVM when emulation is not allowed', () => {
    expect(() => configureDomainType(newVmi(), testContext({ kvmUsable: false, allowEmulation: false }), emptyDomain())).toThrow('spec: kvm not present and emulation not allowed');
  });
});
