/**
 * Applying an instancetype to a VM template: the VM's own values never win, and every field the
 * template already sets that the instancetype also provides is a conflict. All conflict groups are
 * gathered (CPU: every field; memory: the first only), and any conflict leaves the template as it was.
 * @see https://github.com/kubevirt/kubevirt/blob/main/pkg/instancetype/apply/vmi.go
 * @see ../../../shared/design/kubevirt/mutation.md §4
 */
import type { FieldPath } from '../../core/field-path.js';
import { parseQuantity } from '../../core/quantity.js';
import type { KubeObjectMeta, Quantity, VirtualMachineInstanceSpec, VirtualMachineInstancetypeSpec, VirtualMachinePreferenceSpec } from '../../crd-gen/index.js';
import { applyInstancetypeCpu, cpuConflicts } from './instancetype-cpu.js';

type Spec = VirtualMachineInstanceSpec;
type Instancetype = Readonly<VirtualMachineInstancetypeSpec>;

/** One instancetype-owned field group: the conflicting template paths, and how to copy it in. */
interface Group {
  readonly conflicts: (spec: Readonly<Spec>, it: Instancetype, base: FieldPath) => string[];
  readonly apply: (spec: Spec, it: Instancetype) => void;
}

const child = (base: FieldPath, ...names: readonly string[]): string => String(names.reduce((p, n) => p.child(n), base));
const nonEmpty = (list: readonly unknown[] | undefined): boolean => (list?.length ?? 0) > 0;

/** Memory conflicts in KubeVirt's order; only the first is reported (C11). */
const MEMORY_CONFLICTS: readonly (readonly [readonly string[], (s: Readonly<Spec>, it: Instancetype) => boolean])[] = [
  [['domain', 'memory', 'guest'], (s) => s.domain.memory?.guest !== undefined],
  [['domain', 'memory', 'hugepages'], (s, it) => s.domain.memory?.hugepages !== undefined && it.memory.hugepages !== undefined],
  [['domain', 'memory', 'maxGuest'], (s, it) => s.domain.memory?.maxGuest !== undefined && it.memory.maxGuest !== undefined],
  [['domain', 'resources', 'requests', 'memory'], (s) => s.domain.resources?.requests?.['memory'] !== undefined],
  [['domain', 'resources', 'limits', 'memory'], (s) => s.domain.resources?.limits?.['memory'] !== undefined],
];

function memoryConflicts(spec: Readonly<Spec>, it: Instancetype, base: FieldPath): string[] {
  const first = MEMORY_CONFLICTS.find(([, conflicts]) => conflicts(spec, it));
  return first === undefined ? [] : [child(base, ...first[0])];
}

const DECIMAL: readonly (readonly [string, number])[] = [['E', 1e18], ['P', 1e15], ['T', 1e12], ['G', 1e9], ['M', 1e6], ['k', 1e3]];
const BINARY: readonly (readonly [string, number])[] = [['Ei', 2 ** 60], ['Pi', 2 ** 50], ['Ti', 2 ** 40], ['Gi', 2 ** 30], ['Mi', 2 ** 20], ['Ki', 2 ** 10]];

/** A byte count written the way Kubernetes canonicalises it in the format (binary or decimal) of `like`. */
function formatLike(bytes: number, like: Quantity): string {
  const suffixes = typeof like === 'string' && /[KMGTPE]i$/.test(like) ? BINARY : DECIMAL;
  const hit = suffixes.find(([, size]) => bytes !== 0 && bytes % size === 0);
  return hit === undefined ? String(bytes) : `${bytes / hit[1]}${hit[0]}`;
}

/**
 * The pod's memory request for a guest of `guest` with `percent` overcommit, computed as KubeVirt
 * does: in float32, truncated to whole bytes (128Mi at 10% gives 120795952, not 120795955).
 */
export function overcommittedRequest(guest: Quantity, percent: number): string | undefined {
  const bytes = parseQuantity(guest);
  if (bytes === undefined) return undefined;
  const keep = Math.fround(1 - Math.fround(Math.fround(percent) / 100));
  return formatLike(Math.trunc(Math.fround(Math.fround(Math.ceil(bytes)) * keep)), guest);
}

function applyMemory(spec: Spec, it: Instancetype): void {
  const domain = spec.domain;
  domain.memory = { ...domain.memory, guest: it.memory.guest };
  const percent = it.memory.overcommitPercent ?? 0;
  const request = percent > 0 ? overcommittedRequest(it.memory.guest, percent) : undefined;
  if (request !== undefined) domain.resources = { ...domain.resources, requests: { ...domain.resources?.requests, memory: request } };
  if (it.memory.hugepages !== undefined) domain.memory.hugepages = structuredClone(it.memory.hugepages);
  if (it.memory.maxGuest !== undefined) domain.memory.maxGuest = it.memory.maxGuest;
}

/** A group the instancetype owns only when it sets it: a conflict when the VM sets it too. */
function owned(
  names: readonly string[],
  itSets: (it: Instancetype) => boolean,
  vmSets: (s: Readonly<Spec>) => boolean,
  apply: (spec: Spec, it: Instancetype) => void,
): Group {
  return {
    conflicts: (s, it, base) => (itSets(it) && vmSets(s) ? [child(base, ...names)] : []),
    apply: (s, it) => { if (itSets(it)) apply(s, it); },
  };
}

/** The field groups in KubeVirt's order (node selector, scheduler, CPU, memory, I/O threads, …). */
const GROUPS: readonly Group[] = [
  owned(['nodeSelector'], (it) => it.nodeSelector !== undefined, (s) => s.nodeSelector !== undefined, (s, it) => { s.nodeSelector = { ...it.nodeSelector }; }),
  owned(['schedulerName'], (it) => (it.schedulerName ?? '') !== '', (s) => (s.schedulerName ?? '') !== '', (s, it) => { s.schedulerName = it.schedulerName; }),
  { conflicts: cpuConflicts, apply: () => undefined },
  { conflicts: memoryConflicts, apply: applyMemory },
  owned(['domain', 'ioThreadsPolicy'], (it) => it.ioThreadsPolicy !== undefined, (s) => s.domain.ioThreadsPolicy !== undefined, (s, it) => {
    s.domain.ioThreadsPolicy = it.ioThreadsPolicy as Spec['domain']['ioThreadsPolicy'];
  }),
  owned(
    ['domain', 'ioThreads', 'supplementalPoolThreadCount'],
    (it) => it.ioThreads?.supplementalPoolThreadCount !== undefined,
    (s) => s.domain.ioThreads?.supplementalPoolThreadCount !== undefined,
    (s, it) => { s.domain.ioThreads = { ...s.domain.ioThreads, supplementalPoolThreadCount: it.ioThreads?.supplementalPoolThreadCount }; },
  ),
  owned(['domain', 'launchSecurity'], (it) => it.launchSecurity !== undefined, (s) => s.domain.launchSecurity !== undefined, (s, it) => {
    s.domain.launchSecurity = structuredClone(it.launchSecurity);
  }),
  owned(['domain', 'devices', 'gpus'], (it) => nonEmpty(it.gpus), (s) => nonEmpty(s.domain.devices.gpus), (s, it) => {
    s.domain.devices.gpus = structuredClone(it.gpus);
  }),
  owned(['domain', 'devices', 'hostDevices'], (it) => nonEmpty(it.hostDevices), (s) => nonEmpty(s.domain.devices.hostDevices), (s, it) => {
    s.domain.devices.hostDevices = structuredClone(it.hostDevices);
  }),
];

/** C13: instancetype annotations already on the template with another value; path `annotations.<key>`. */
function annotationConflicts(meta: Readonly<KubeObjectMeta>, it: Instancetype): string[] {
  const existing = meta.annotations ?? {};
  return Object.entries(it.annotations ?? {})
    .filter(([key, value]) => Object.hasOwn(existing, key) && existing[key] !== value)
    .map(([key]) => `annotations.${key}`);
}

/**
 * Applies `it` to the working copy (`spec`, `meta`, changed in place) unless something conflicts;
 * returns the conflicting field paths (C10–C13), empty when the instancetype was applied.
 */
export function applyInstancetype(
  target: { spec: Spec; meta: KubeObjectMeta },
  it: Instancetype,
  pref: Readonly<VirtualMachinePreferenceSpec> | undefined,
  base: FieldPath,
): string[] {
  const conflicts = [...GROUPS.flatMap((g) => g.conflicts(target.spec, it, base)), ...annotationConflicts(target.meta, it)];
  if (conflicts.length > 0) return conflicts;
  applyInstancetypeCpu(target.spec, it, pref);
  for (const group of GROUPS) group.apply(target.spec, it);
  const annotations = Object.fromEntries(Object.entries(it.annotations ?? {}).filter((e): e is [string, string] => e[1] !== undefined));
  if (Object.keys(annotations).length > 0) target.meta.annotations = { ...annotations, ...target.meta.annotations };
  return [];
}
