/**
 * Guest memory: `<memory unit="b">`, the hotplug ceiling `<maxMemory>` when `maxGuest` differs from
 * the guest size, and hugepage backing. The NUMA cell that memfd backing needs is added by the CPU
 * configurator, which knows the vCPU count.
 * @see https://github.com/kubevirt/kubevirt/blob/main/pkg/virt-launcher/virtwrap/converter/compute/memory.go
 * @see https://github.com/kubevirt/kubevirt/blob/main/pkg/virt-launcher/virtwrap/converter/vcpu/ (QuantityToByte, GetVirtualMemory)
 */
import { ConversionError } from '../../core/errors.js';
import { parseQuantity } from '../../core/quantity.js';
import type { Quantity, VirtualMachineInstance } from '../../crd-gen/index.js';
import type { MemoryBacking } from '../domain/schema.js';
import type { Configurator } from './configurator.js';

/** Annotation that turns memfd backing of hugepages off ("false"). */
export const MEMFD_ANNOTATION = 'kubevirt.io/memfd';

/**
 * Bytes of a quantity as KubeVirt's QuantityToByte computes them: whole values as they are,
 * fractional ones rounded down; negative or malformed ones are refused.
 */
export function quantityToBytes(field: string, q: Quantity): number {
  const value = parseQuantity(q);
  if (value === undefined) throw new ConversionError(field, `${JSON.stringify(q)} is not a quantity`);
  const bytes = Number.isInteger(value) ? value : Math.ceil(value) - 1;
  if (bytes < 0) throw new ConversionError(field, `${JSON.stringify(q)} is negative`);
  return bytes;
}

type Resources = Readonly<Record<string, Quantity | undefined>> | undefined;

function memoryResource(resources: Resources): Quantity | undefined {
  return resources?.['memory'];
}

/** The guest memory quantity and its field: guest, else the limit when no request is set, else the request. */
function guestMemory(vmi: Readonly<VirtualMachineInstance>): [string, Quantity] {
  const domain = vmi.spec.domain;
  const guest = domain.memory?.guest;
  if (guest !== undefined) return ['spec.domain.memory.guest', guest];
  const request = memoryResource(domain.resources?.requests);
  const limit = memoryResource(domain.resources?.limits);
  if (request === undefined && limit !== undefined) return ['spec.domain.resources.limits.memory', limit];
  if (request !== undefined) return ['spec.domain.resources.requests.memory', request];
  throw new ConversionError('spec.domain.memory.guest', 'the VMI has no guest memory (admission sets it from the memory request or limit)');
}

/** Bytes of guest memory the VMI asks for. */
export function guestMemoryBytes(vmi: Readonly<VirtualMachineInstance>): number {
  const [field, q] = guestMemory(vmi);
  return quantityToBytes(field, q);
}

function sameQuantity(a: Quantity, b: Quantity | undefined): boolean {
  return b !== undefined && parseQuantity(a) === parseQuantity(b);
}

function memoryBacking(vmi: Readonly<VirtualMachineInstance>): MemoryBacking | undefined {
  if (vmi.spec.domain.memory?.hugepages === undefined) return undefined;
  const memfd = vmi.metadata.annotations?.[MEMFD_ANNOTATION] !== 'false';
  return memfd ? { hugepages: true, source: { type: 'memfd' } } : { hugepages: true };
}

/** Sets `<memory>`, `<maxMemory>` (memory hotplug) and `<memoryBacking>` (hugepages). */
export const configureMemory: Configurator = (vmi, _ctx, domain) => {
  const memory = { value: guestMemoryBytes(vmi), unit: 'b' };
  const backing = memoryBacking(vmi);
  const out = { ...domain, memory, ...(backing === undefined ? {} : { memoryBacking: backing }) };
  const maxGuest = vmi.spec.domain.memory?.maxGuest;
  const guest = vmi.spec.domain.memory?.guest;
  if (maxGuest === undefined || sameQuantity(maxGuest, guest)) return out;
  // libvirt requires `slots` beside the ceiling; KubeVirt writes 0 (its struct has no omitempty).
  return { ...out, maxMemory: { value: quantityToBytes('spec.domain.memory.maxGuest', maxGuest), unit: 'b', slots: 0 } };
};
