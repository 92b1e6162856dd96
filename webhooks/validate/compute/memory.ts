/**
 * Guest memory: hugepage size and alignment (A07–A09), guest memory within the limit when VMs do
 * not roll out live (A10), a memory amount at all for a VMI (A65), and what the launcher needs to
 * lay memory out: a guest size that is a quantity (AX25) and a memory-hotplug ceiling it can
 * build (AX26: `maxGuest` not below the guest size, both aligned to the hotplug block).
 * @see https://github.com/kubevirt/kubevirt/blob/main/pkg/virt-api/webhooks/validating-webhook/admitters/vmi-create-admitter.go (validateHugepagesMemoryRequests, validateGuestMemoryLimit, ValidateVirtualMachineInstanceMandatoryFields)
 * @see https://github.com/kubevirt/kubevirt/blob/main/pkg/liveupdate/memory/memory.go (hotplug block alignment)
 */
import type { FieldPath } from '../../../core/field-path.js';
import { parseQuantity } from '../../../core/quantity.js';
import type { Quantity } from '../../../crd-gen/index.js';
import { cause, CauseType, type Cause } from '../../cause.js';
import type { SpecValidator } from '../types.js';
import { at, limitOf, requestOf, shown, valueOf, type Spec } from './common.js';

const MI = 2 ** 20;
const GI = 2 ** 30;

/** A07: the page size as bytes, or the cause why it is not a usable quantity. */
function pageSizeBytes(pageSize: string | undefined, field: FieldPath): number | Cause {
  const bytes = valueOf(pageSize);
  if (parseQuantity(pageSize) !== undefined && bytes > 0) return bytes;
  return cause(CauseType.Invalid, field, `${field} ${JSON.stringify(pageSize ?? '')} is not a valid page size: it must be a positive quantity such as 2Mi or 1Gi`);
}

/** The memory KubeVirt checks against the page size: request, else guest, else limit, with its field name. */
function hugepageMemory(spec: Spec): [Quantity | undefined, string] {
  const candidates: readonly [Quantity | undefined, string][] = [
    [requestOf(spec, 'memory'), 'domain.resources.requests.memory'],
    [spec.domain.memory?.guest, 'domain.memory.guest'],
    [limitOf(spec, 'memory'), 'domain.resources.limits.memory'],
  ];
  return candidates.find(([q]) => valueOf(q) !== 0) ?? [undefined, 'domain.resources.requests.memory'];
}

/** A07–A09: hugepage backing needs a page size the guest memory is at least one of and a multiple of. */
export const validateHugepages: SpecValidator = (spec, path) => {
  const hugepages = spec.domain.memory?.hugepages;
  if (hugepages === undefined) return [];
  const pageField = at(path, 'domain.memory.hugepages.pageSize');
  const page = pageSizeBytes(hugepages.pageSize, pageField);
  if (typeof page !== 'number') return [page];
  const [memory, name] = hugepageMemory(spec);
  const bytes = valueOf(memory);
  const field = at(path, 'domain.resources.requests.memory');
  const what = `${at(path, name)} ${shown(memory)}`;
  if (bytes !== 0 && bytes < page) return [cause(CauseType.Invalid, field, `${what} must be equal to or larger than the page size ${pageField} '${hugepages.pageSize}'`)];
  if (bytes % page !== 0) return [cause(CauseType.Invalid, field, `${what} is not a multiple of the page size ${pageField} '${hugepages.pageSize}'`)];
  return [];
};

/** A10: with a rollout strategy other than LiveUpdate, guest memory may not exceed the memory limit. */
export const validateGuestMemoryLimit: SpecValidator = (spec, path, ctx) => {
  const strategy = ctx.cfg.vmRolloutStrategy;
  const guest = spec.domain.memory?.guest;
  if (strategy === undefined || strategy === 'LiveUpdate' || guest === undefined) return [];
  const limit = limitOf(spec, 'memory');
  if (valueOf(limit) === 0 || valueOf(limit) >= valueOf(guest)) return [];
  const field = at(path, 'domain.memory.guest');
  return [cause(CauseType.Invalid, field, `${field} ${shown(guest)} must be equal to or less than the memory limit ${at(path, 'domain.resources.limits.memory')} ${shown(limit)}`)];
};

/**
 * Bytes of a quantity as the launcher computes them: whole values as they are, fractional ones
 * rounded down; undefined when it is malformed or negative.
 */
function launcherBytes(q: Quantity): number | undefined {
  const v = parseQuantity(q);
  if (v === undefined || v < 0) return undefined;
  return Math.floor(v);
}

/** The quantity the launcher sizes the guest from (guest, else the limit without a request, else the request). */
function launcherGuest(spec: Spec): [Quantity, string] | undefined {
  const guest = spec.domain.memory?.guest;
  if (guest !== undefined) return [guest, 'domain.memory.guest'];
  const request = requestOf(spec, 'memory');
  const limit = limitOf(spec, 'memory');
  if (request === undefined && limit !== undefined) return [limit, 'domain.resources.limits.memory'];
  return request === undefined ? undefined : [request, 'domain.resources.requests.memory'];
}

/** AX25: `memory.guest`, when set, is a non-negative quantity (the request and limit have A03/A05). */
export const validateGuestMemoryValue: SpecValidator = (spec, path) => {
  const guest = spec.domain.memory?.guest;
  if (guest === undefined || launcherBytes(guest) !== undefined) return [];
  const field = at(path, 'domain.memory.guest');
  return [cause(CauseType.Invalid, field, `${field} ${shown(guest)} must be a quantity greater than or equal to 0`)];
};

/**
 * The most memory kubevirt-ts lays out for a guest: 4 PiB, x86_64's 52-bit physical address space
 * (QEMU's limit), and well inside the byte counts the launcher computes exactly.
 */
export const MAX_GUEST_MEMORY = 2 ** 52;

const MEMORY_FIELDS = ['domain.resources.requests.memory', 'domain.resources.limits.memory', 'domain.memory.guest', 'domain.memory.maxGuest'] as const;

/** AX34: no memory quantity beyond what a guest can address (KubeVirt admits it, and no node could run it). */
export const validateMemoryCeiling: SpecValidator = (spec, path) => {
  const values: Readonly<Record<(typeof MEMORY_FIELDS)[number], Quantity | undefined>> = {
    'domain.resources.requests.memory': requestOf(spec, 'memory'),
    'domain.resources.limits.memory': limitOf(spec, 'memory'),
    'domain.memory.guest': spec.domain.memory?.guest,
    'domain.memory.maxGuest': spec.domain.memory?.maxGuest,
  };
  return MEMORY_FIELDS.filter((f) => (parseQuantity(values[f]) ?? 0) > MAX_GUEST_MEMORY).map((f) => {
    const field = at(path, f);
    return cause(CauseType.NotSupported, field, `${field} ${shown(values[f])} is more memory than a guest can address: kubevirt-ts supports at most 4Pi`);
  });
};

/** The virtio-mem block: 1Gi with 1Gi hugepages, 2Mi otherwise. */
function hotplugBlock(spec: Spec): number {
  return parseQuantity(spec.domain.memory?.hugepages?.pageSize) === GI ? GI : 2 * MI;
}

const blockName = (block: number): string => (block === GI ? '1Gi' : '2Mi');

/**
 * AX26: a memory-hotplug ceiling the launcher can lay out. VMIs only: a VM template's ceiling is
 * KubeVirt's C34 (webhooks/validate/vm*.ts), which would otherwise be reported twice in two wordings.
 */
export const validateMemoryHotplug: SpecValidator = (spec, path, ctx) => (ctx.origin === 'VirtualMachineInstance' ? hotplugCauses(spec, path) : []);

function hotplugCauses(spec: Parameters<SpecValidator>[0], path: Parameters<SpecValidator>[1]): Cause[] {
  const maxGuest = spec.domain.memory?.maxGuest;
  const sized = launcherGuest(spec);
  if (maxGuest === undefined || sized === undefined) return [];
  const maxField = at(path, 'domain.memory.maxGuest');
  const max = launcherBytes(maxGuest);
  if (max === undefined) return [cause(CauseType.Invalid, maxField, `${maxField} ${shown(maxGuest)} must be a quantity greater than or equal to 0`)];
  const guest = launcherBytes(sized[0]);
  if (guest === undefined || max === guest) return [];
  const guestField = at(path, sized[1]);
  if (max < guest) return [cause(CauseType.Invalid, maxField, `${maxField} ${shown(maxGuest)} is less than the guest memory ${guestField} ${shown(sized[0])}; memory hotplug needs the guest memory to be at most maxGuest`)];
  const block = hotplugBlock(spec);
  const out: Cause[] = [];
  if (guest % block !== 0) out.push(cause(CauseType.Invalid, guestField, `${guestField} ${shown(sized[0])} is not ${blockName(block)} aligned, as memory hotplug (${maxField}) requires`));
  if (max % block !== 0) out.push(cause(CauseType.Invalid, maxField, `${maxField} ${shown(maxGuest)} is not ${blockName(block)} aligned, as memory hotplug requires`));
  return out;
}

/**
 * A65 (VMI only, KubeVirt's "mandatory fields"): some memory must be asked for. KubeVirt leaves
 * the cause's field empty; it is reported on the memory request, the field users set.
 */
export const validateMemoryRequired: SpecValidator = (spec, path, ctx) => {
  if (ctx.origin !== 'VirtualMachineInstance' || valueOf(requestOf(spec, 'memory')) !== 0) return [];
  const memory = spec.domain.memory;
  if (memory?.guest !== undefined || memory?.hugepages !== undefined) return [];
  const field = at(path, 'domain.resources.requests.memory');
  return [cause(CauseType.Required, field, `no memory requested: set at least one of ${at(path, 'domain.memory.guest')}, ${at(path, 'domain.memory.hugepages.pageSize')} or ${field}`)];
};
