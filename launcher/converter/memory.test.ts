import { describe, expect, it } from 'vitest';
import type { DomainSpec } from '../../crd-gen/index.js';
import { newRawVmi, newVmi, withAnnotation, withDomain } from '../../test/builders/vmi.js';
import type { VmiOption } from '../../test/builders/vmi.js';
import { testContext } from '../../test/builders/context.js';
import { emptyDomain } from './configurator.js';
import { bootMemoryBytes, configureMemory, quantityToBytes } from './memory.js';

const MI = 2 ** 20;
const GI = 2 ** 30;

function memoryOf(domain: Partial<DomainSpec>, raw = false, ...extra: VmiOption[]) {
  const vmi = (raw ? newRawVmi : newVmi)(withDomain(domain), ...extra);
  const d = configureMemory(vmi, testContext(), emptyDomain());
  return { memory: d.memory, maxMemory: d.maxMemory, memoryBacking: d.memoryBacking, memories: d.devices.memories };
}

const b = (value: number) => ({ value, unit: 'b' });

describe('configureMemory', () => {
  it.each([
    ['the defaulted guest size (from the request)', { resources: { requests: { memory: '256Mi' } } }, false, { memory: { value: 256 * MI, unit: 'b' } }],
    ['memory.guest over the request', { memory: { guest: '128Mi' }, resources: { requests: { memory: '256Mi' } } }, true, { memory: { value: 128 * MI, unit: 'b' } }],
    ['the limit when no request is set', { resources: { limits: { memory: '64Mi' } } }, true, { memory: { value: 64 * MI, unit: 'b' } }],
    ['the request when both are set', { resources: { requests: { memory: '32Mi' }, limits: { memory: '64Mi' } } }, true, { memory: { value: 32 * MI, unit: 'b' } }],
    ['no ceiling when maxGuest equals guest', { memory: { guest: '1Gi', maxGuest: '1024Mi' } }, true, { memory: b(GI) }],
    ['hugepages backed by memfd', { memory: { guest: '512Mi', hugepages: { pageSize: '2Mi' } } }, true, { memory: b(512 * MI), memoryBacking: { hugepages: true, source: { type: 'memfd' } } }],
  ])('%s', (_what, domain, raw, expected) => {
    expect(memoryOf(domain as Partial<DomainSpec>, raw)).toEqual({ maxMemory: undefined, memoryBacking: undefined, memories: [], ...expected });
  });

  it.each([
    ['maxGuest defaulted to 4× for 1Gi', { resources: { requests: { memory: '1Gi' } } }, false, GI, 4 * GI, undefined],
    ['an explicit maxGuest', { memory: { guest: '2Gi', maxGuest: '3Gi' } }, true, 2 * GI, 3 * GI, undefined],
    ['2Mi hugepages, memfd backing', { memory: { guest: '2Gi', maxGuest: '8Gi', hugepages: { pageSize: '2Mi' } } }, true, 2 * GI, 8 * GI, { hugepages: true, source: { type: 'memfd' } }],
    ['1Gi hugepages', { memory: { guest: '2Gi', maxGuest: '4Gi', hugepages: { pageSize: '1Gi' } } }, true, 2 * GI, 4 * GI, { hugepages: true, source: { type: 'memfd' } }],
  ])('lays out memory hotplug as KubeVirt: <memory> the guest, the ceiling with one slot, no device yet: %s', (_what, domain, raw, guest, max, memoryBacking) => {
    expect(memoryOf(domain as Partial<DomainSpec>, raw)).toEqual({
      memory: b(guest),
      // KubeVirt writes slots="0"; libvirt 9.0 refuses it.
      maxMemory: { ...b(max), slots: 1 },
      memoryBacking,
      memories: [],
    });
  });

  it('boots with <memory> less any memory devices', () => {
    const vmi = newRawVmi(withDomain({ memory: { guest: '1Gi', maxGuest: '4Gi' } }));
    expect(bootMemoryBytes(configureMemory(vmi, testContext(), emptyDomain()))).toBe(GI);
    const device = { model: 'virtio-mem', target: { size: b(GI), requested: b(0), node: 0, block: b(2 * MI) } };
    expect(bootMemoryBytes({ ...emptyDomain(), memory: b(2 * GI), devices: { ...emptyDomain().devices, memories: [device] } })).toBe(GI);
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
    [{ memory: { guest: '2Gi', maxGuest: '1Gi' } }, 'spec.domain.memory.maxGuest: "1Gi" is less than the guest memory (2147483648 bytes)'],
    [{ memory: { guest: '1025Mi', maxGuest: '4Gi' } }, 'spec.domain.memory.guest: 1074790400 bytes is not 2Mi aligned'],
    [{ memory: { guest: '1Gi', maxGuest: '4097Mi' } }, 'spec.domain.memory.maxGuest: "4097Mi" is not 2Mi aligned'],
    [{ memory: { guest: '1Gi', maxGuest: '3584Mi', hugepages: { pageSize: '1Gi' } } }, 'spec.domain.memory.maxGuest: "3584Mi" is not 1Gi aligned'],
    [{ resources: { requests: { memory: '1025Mi' } }, memory: { maxGuest: '4Gi' } }, 'spec.domain.resources.requests.memory: 1074790400 bytes is not 2Mi aligned'],
  ])('refuses %j', (domain, message) => {
    expect(() => memoryOf(domain as Partial<DomainSpec>, true)).toThrow(message);
  });
});
