/**
 * Guest memory: `<memory unit="b">`, hugepage backing and, when `maxGuest` differs from the guest
 * size, the memory-hotplug ceiling `<maxMemory>`. The NUMA cell that memfd backing and memory
 * hotplug need is added by the CPU configurator, which knows the vCPU count; it holds the boot
 * memory ({@link bootMemoryBytes}).
 *
 * With hotplug the domain is KubeVirt's: `<memory>` = the guest size, `<maxMemory>` = the ceiling,
 * and no memory device yet (KubeVirt's launcher attaches the virtio-mem device only when the guest
 * memory is raised), so the guest boots with exactly the memory KubeVirt's guest boots with. One
 * difference, for libvirt's sake: KubeVirt writes `slots="0"`, which libvirt 9.0 (Debian 12)
 * refuses ("both maximum memory size and memory slot count must be specified"; later libvirt only
 * refuses slots without a ceiling), so ours says `slots="1"`: a DIMM slot that is never used
 * (virtio-mem takes none), which changes nothing the guest sees.
 * @see https://github.com/kubevirt/kubevirt/blob/main/pkg/virt-launcher/virtwrap/converter/compute/memory.go
 * @see https://github.com/kubevirt/kubevirt/blob/main/pkg/liveupdate/memory/memory.go (block alignment)
 * @see https://github.com/kubevirt/kubevirt/blob/main/pkg/virt-launcher/virtwrap/converter/vcpu/ (QuantityToByte, GetVirtualMemory)
 * @see https://libvirt.org/formatdomain.html#memory-allocation
 */
import { ConversionError } from '../../core/errors.js';
import { parseQuantity } from '../../core/quantity.js';
import { Annotations, type Quantity, type VirtualMachineInstance } from '../../crd-gen/index.js';
import type { DomainSpec, MemoryAmount, MemoryBacking } from '../domain/schema.js';
import type { Configurator } from './configurator.js';


const MI = 2 ** 20;
const GI = 2 ** 30;

/**
 * The virtio-mem block size: 2 MiB, the x86_64 transparent hugepage and QEMU's recommendation.
 * @see https://github.com/kubevirt/kubevirt/blob/main/pkg/liveupdate/memory/memory.go (HotplugBlockAlignmentBytes)
 */
export const HOTPLUG_BLOCK_BYTES = 2 * MI;

/** The virtio-mem block size with 1Gi hugepages: one page (KubeVirt's Hotplug1GHugePagesBlockAlignmentBytes). */
export const HOTPLUG_1G_HUGEPAGES_BLOCK_BYTES = GI;

/**
 * `slots` of `<maxMemory>`. KubeVirt writes 0 (virtio-mem takes no slot, only DIMMs do), but
 * libvirt 9.0 refuses a ceiling without a positive count; one slot, never used, satisfies it and
 * leaves the guest's memory as KubeVirt's.
 */
export const HOTPLUG_MEMORY_SLOTS = 1;

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

function memoryBacking(vmi: Readonly<VirtualMachineInstance>): MemoryBacking | undefined {
  if (vmi.spec.domain.memory?.hugepages === undefined) return undefined;
  const memfd = vmi.metadata.annotations?.[Annotations.memfd] !== 'false';
  return memfd ? { hugepages: true, source: { type: 'memfd' } } : { hugepages: true };
}

const bytes = (value: number): MemoryAmount => ({ value, unit: 'b' });

/** The block size virtio-mem hotplugs in, which guest and ceiling must both be multiples of. */
function hotplugBlockBytes(vmi: Readonly<VirtualMachineInstance>): number {
  return parseQuantity(vmi.spec.domain.memory?.hugepages?.pageSize) === GI ? HOTPLUG_1G_HUGEPAGES_BLOCK_BYTES : HOTPLUG_BLOCK_BYTES;
}

/** A size as KubeVirt names alignments in its messages ("2Mi", "1Gi"). */
function binarySize(n: number): string {
  return n % GI === 0 ? `${n / GI}Gi` : `${n / MI}Mi`;
}

/**
 * The hotplug ceiling in bytes, or undefined without hotplug (no `maxGuest`, or one equal to the
 * guest size). A ceiling below the guest size or off the block size is a VMI admission should
 * have refused (KubeVirt's ValidateLiveUpdateMemory).
 */
function hotplugCeiling(vmi: Readonly<VirtualMachineInstance>, guestField: string, guest: number, block: number): number | undefined {
  const maxGuest = vmi.spec.domain.memory?.maxGuest;
  if (maxGuest === undefined) return undefined;
  const field = 'spec.domain.memory.maxGuest';
  const max = quantityToBytes(field, maxGuest);
  if (max === guest) return undefined;
  if (max < guest) throw new ConversionError(field, `${JSON.stringify(maxGuest)} is less than the guest memory (${guest} bytes); memory hotplug needs guest memory ≤ maxGuest`);
  if (guest % block !== 0) throw new ConversionError(guestField, `${guest} bytes is not ${binarySize(block)} aligned, as memory hotplug (maxGuest) requires`);
  if (max % block !== 0) throw new ConversionError(field, `${JSON.stringify(maxGuest)} is not ${binarySize(block)} aligned, as memory hotplug requires`);
  return max;
}

/**
 * The memory the guest boots with: `<memory>` less what memory devices add. libvirt counts memory
 * devices into `<memory>` (virDomainDefGetMemoryInitial); the NUMA cells hold the rest.
 */
export function bootMemoryBytes(domain: Readonly<DomainSpec>): number {
  return domain.devices.memories.reduce((left, device) => left - device.target.size.value, domain.memory.value);
}

/**
 * Sets `<memory>` (the guest size, as KubeVirt) and `<memoryBacking>` (hugepages) and, for memory
 * hotplug, the `<maxMemory>` ceiling with one slot (libvirt 9.0 refuses KubeVirt's zero).
 */
export const configureMemory: Configurator = (vmi, _ctx, domain) => {
  const [guestField, guestQuantity] = guestMemory(vmi);
  const guest = quantityToBytes(guestField, guestQuantity);
  const backing = memoryBacking(vmi);
  const out = { ...domain, memory: bytes(guest), ...(backing === undefined ? {} : { memoryBacking: backing }) };
  const max = hotplugCeiling(vmi, guestField, guest, hotplugBlockBytes(vmi));
  return max === undefined ? out : { ...out, maxMemory: { ...bytes(max), slots: HOTPLUG_MEMORY_SLOTS } };
};
