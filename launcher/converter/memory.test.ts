import { describe, expect, it } from 'vitest';
import type { DomainSpec } from '../../crd-gen/index.js';
import { newRawVmi, newVmi, withAnnotation, withDomain } from '../../test/builders/vmi.js';
import type { VmiOption } from '../../test/builders/vmi.js';
import { testContext } from '../../test/builders/context.js';
import { emptyDomain } from './configurator.js';
import { configureMemory, quantityToBytes } from './memory.js';

const MI = 2 ** 20;
const GI = 2 ** 30;

function memoryOf(domain: Partial<DomainSpec>, raw = false, ...extra: VmiOption[]) {
  const vmi = (raw ? newRawVmi : newVmi)(withDomain(domain), ...extra);
  const d = configureMemory(vmi, testContext(), emptyDomain());
  return { memory: d.memory, maxMemory: d.maxMemory, memoryBacking: d.memoryBacking };
}

describe('configureMemory', () => {
  it.each([
    ['the defaulted guest size (from the request)', { resources: { requests: { memory: '256Mi' } } }, false, { memory: { value: 256 * MI, unit: 'b' } }],
    ['memory.guest over the request', { memory: { guest: '128Mi' }, resources: { requests: { memory: '256Mi' } } }, true, { memory: { value: 128 * MI, unit: 'b' } }],
    ['the limit when no request is set', { resources: { limits: { memory: '64Mi' } } }, true, { memory: { value: 64 * MI, unit: 'b' } }],
    ['the request when both are set', { resources: { requests: { memory: '32Mi' }, limits: { memory: '64Mi' } } }, true, { memory: { value: 32 * MI, unit: 'b' } }],
    ['maxGuest as the hotplug ceiling (defaulted to 4× for 1Gi)', { resources: { requests: { memory: '1Gi' } } }, false, { memory: { value: GI, unit: 'b' }, maxMemory: { value: 4 * GI, unit: 'b', slots: 0 } }],
    ['no ceiling when maxGuest equals guest', { memory: { guest: '1Gi', maxGuest: '1024Mi' } }, true, { memory: { value: GI, unit: 'b' } }],
    ['hugepages backed by memfd', { memory: { guest: '512Mi', hugepages: { pageSize: '2Mi' } } }, true, { memory: { value: 512 * MI, unit: 'b' }, memoryBacking: { hugepages: true, source: { type: 'memfd' } } }],
  ])('%s', (_what, domain, raw, expected) => {
    expect(memoryOf(domain as Partial<DomainSpec>, raw)).toEqual({ maxMemory: undefined, memoryBacking: undefined, ...expected });
  });

  it('leaves memfd out when the annotation says false', () => {
    expect(memoryOf({ memory: { guest: '512Mi', hugepages: { pageSize: '2Mi' } } }, true, withAnnotation('kubevirt.io/memfd', 'false')).memoryBacking).toEqual({ hugepages: true });
  });

  it.each([
    ['1Gi', GI],
    ['1.5', 1],
    ['0.5', 0],
    ['1e3', 1000],
    [4096, 4096],
  ])('counts %s as %d bytes', (q, bytes) => {
    expect(quantityToBytes('f', q)).toBe(bytes);
  });

  it.each([
    [{ memory: { guest: '-1Mi' } }, 'spec.domain.memory.guest: "-1Mi" is negative'],
    [{ memory: { guest: 'lots' } }, 'spec.domain.memory.guest: "lots" is not a quantity'],
    [{ resources: {} }, 'spec.domain.memory.guest: the VMI has no guest memory'],
  ])('refuses %j', (domain, message) => {
    expect(() => memoryOf(domain as Partial<DomainSpec>, true)).toThrow(message);
  });
});
