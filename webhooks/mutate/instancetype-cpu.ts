/**
 * The CPU part of instancetype expansion: the preference's preferred topology and spread options,
 * the spread divisibility check, the CPU conflicts between a VM template and its instancetype, and
 * the copy of the instancetype's CPU into the template (vCPUs laid out as sockets, cores, threads).
 * @see https://github.com/kubevirt/kubevirt/blob/main/pkg/instancetype/apply/cpu.go
 * @see https://github.com/kubevirt/kubevirt/blob/main/pkg/instancetype/preference/apply/cpu.go
 * @see https://github.com/kubevirt/kubevirt/blob/main/pkg/instancetype/preference/validation/cpu.go
 */
import type { FieldPath } from '../../core/field-path.js';
import type { CPU, VirtualMachineInstanceSpec, VirtualMachineInstancetypeSpec, VirtualMachinePreferenceSpec } from '../../crd-gen/index.js';
import { cause, CauseType, type Cause } from '../cause.js';

/** A preferred CPU topology, with the deprecated `prefer*` spellings folded into their new names. */
export type CpuTopology = 'sockets' | 'cores' | 'threads' | 'spread' | 'any';

/** The deprecated `prefer*` topologies and the names that replace them. */
export const DEPRECATED_TOPOLOGIES: Readonly<Record<string, CpuTopology>> = {
  preferSockets: 'sockets',
  preferCores: 'cores',
  preferThreads: 'threads',
  preferSpread: 'spread',
  preferAny: 'any',
};

/** Every topology a preference may name (C58), deprecated spellings included. */
export const KNOWN_TOPOLOGIES: readonly string[] = ['sockets', 'cores', 'threads', 'spread', 'any', ...Object.keys(DEPRECATED_TOPOLOGIES)];

/** The dimensions a spread topology may cover (C59). */
export const SPREAD_ACROSS = ['SocketsCores', 'CoresThreads', 'SocketsCoresThreads'] as const;

/** One of {@link SPREAD_ACROSS}. */
export type SpreadAcross = (typeof SPREAD_ACROSS)[number];

/** KubeVirt's spread ratio when the preference gives none. */
export const DEFAULT_SPREAD_RATIO = 2;
/** Threads per core of the SocketsCoresThreads spread. */
const THREADS_PER_CORE = 2;

/** The preference's topology as KubeVirt reads it: sockets when unset, deprecated names folded. */
export function preferredTopology(pref: Readonly<VirtualMachinePreferenceSpec> | undefined): string {
  const topology: string = pref?.cpu?.preferredCPUTopology ?? 'sockets';
  return DEPRECATED_TOPOLOGIES[topology] ?? topology;
}

/** The spread ratio and dimensions: ratio 2, then `preferSpreadSocketToCoreRatio`, then `spreadOptions.ratio`. */
export function spreadOptions(pref: Readonly<VirtualMachinePreferenceSpec> | undefined): { readonly ratio: number; readonly across: string } {
  const legacy = pref?.preferSpreadSocketToCoreRatio || DEFAULT_SPREAD_RATIO;
  const options = pref?.cpu?.spreadOptions ?? {};
  return { ratio: options.ratio ?? legacy, across: options.across ?? 'SocketsCores' };
}

/** Why `guest` vCPUs cannot be spread with `ratio` over `across`, or undefined when they can. */
function spreadProblem(guest: number, ratio: number, across: string): string | undefined {
  const of = `${guest} vCPUs provided by the instance type`;
  if (across === 'SocketsCores' && guest % ratio !== 0) {
    return `${of} are not divisible by the preference's spread ratio ${ratio} (spec.preferSpreadSocketToCoreRatio or spec.cpu.spreadOptions.ratio)`;
  }
  if (across === 'CoresThreads' && guest % ratio !== 0) return `${of} are not divisible by the ${ratio} threads per core the preference spreads across`;
  const odd = guest % THREADS_PER_CORE !== 0 || (guest / THREADS_PER_CORE) % ratio !== 0;
  if (across === 'SocketsCoresThreads' && odd) {
    return `${of} are not divisible by ${THREADS_PER_CORE} threads per core and the preference's spread ratio ${ratio} (spec.preferSpreadSocketToCoreRatio or spec.cpu.spreadOptions.ratio)`;
  }
  return undefined;
}

/**
 * C09: a spread preference with an instancetype whose vCPUs do not divide by the spread. Reported
 * on KubeVirt's literal path `instancetype.spec.cpu.guest`.
 */
export function checkSpreadTopology(
  it: Readonly<VirtualMachineInstancetypeSpec> | undefined,
  pref: Readonly<VirtualMachinePreferenceSpec> | undefined,
): Cause | undefined {
  if (it === undefined || preferredTopology(pref) !== 'spread') return undefined;
  const { ratio, across } = spreadOptions(pref);
  const problem = ratio > 0 ? spreadProblem(it.cpu.guest, ratio, across) : `the preference's spread ratio ${ratio} must be positive`;
  return problem === undefined ? undefined : cause(CauseType.Invalid, 'instancetype.spec.cpu.guest', problem);
}

type Spec = VirtualMachineInstanceSpec;
type Instancetype = Readonly<VirtualMachineInstancetypeSpec>;

/** Template CPU fields that conflict whenever the VM sets them. */
const ALWAYS_CONFLICTING: readonly (readonly [readonly string[], (s: Readonly<Spec>) => boolean])[] = [
  [['domain', 'resources', 'requests', 'cpu'], (s) => s.domain.resources?.requests?.['cpu'] !== undefined],
  [['domain', 'resources', 'limits', 'cpu'], (s) => s.domain.resources?.limits?.['cpu'] !== undefined],
  [['domain', 'cpu', 'sockets'], (s) => (s.domain.cpu?.sockets ?? 0) !== 0],
  [['domain', 'cpu', 'cores'], (s) => (s.domain.cpu?.cores ?? 0) !== 0],
  [['domain', 'cpu', 'threads'], (s) => (s.domain.cpu?.threads ?? 0) !== 0],
];

/** Template CPU fields that conflict only when the instancetype sets them too (VM field, then the test). */
const SHARED: readonly (readonly [keyof CPU, (cpu: Readonly<CPU>, it: Instancetype) => boolean])[] = [
  ['model', (cpu, it) => (cpu.model ?? '') !== '' && it.cpu.model !== undefined],
  ['dedicatedCpuPlacement', (cpu, it) => cpu.dedicatedCpuPlacement === true && it.cpu.dedicatedCPUPlacement !== undefined],
  ['isolateEmulatorThread', (cpu, it) => cpu.isolateEmulatorThread === true && it.cpu.isolateEmulatorThread !== undefined],
  ['numa', (cpu, it) => cpu.numa !== undefined && it.cpu.numa !== undefined],
  ['realtime', (cpu, it) => cpu.realtime !== undefined && it.cpu.realtime !== undefined],
];

/**
 * C10: every CPU field the VM template sets that the instancetype owns. `dedicatedCpuPlacement`
 * is reported on its real JSON name (KubeVirt's path spells it `dedicatedCPUPlacement`).
 */
export function cpuConflicts(spec: Readonly<Spec>, it: Instancetype, base: FieldPath): string[] {
  const cpu = spec.domain.cpu ?? {};
  const always = ALWAYS_CONFLICTING.filter(([, isSet]) => isSet(spec)).map(([names]) => names.reduce((p, n) => p.child(n), base));
  const shared = SHARED.filter(([, conflicts]) => conflicts(cpu, it)).map(([field]) => base.child('domain').child('cpu').child(field));
  return [...always, ...shared].map(String);
}

/** vCPUs laid out as (sockets, cores, threads) by the preference's topology. */
export function topologyFor(guest: number, pref: Readonly<VirtualMachinePreferenceSpec> | undefined): { sockets: number; cores: number; threads: number } {
  const one = { sockets: 1, cores: 1, threads: 1 };
  if (guest === 1) return one;
  const topology = preferredTopology(pref);
  if (topology === 'sockets' || topology === 'any') return { ...one, sockets: guest };
  if (topology === 'cores') return { ...one, cores: guest };
  if (topology === 'threads') return { ...one, threads: guest };
  return topology === 'spread' ? spreadTopology(guest, pref) : one;
}

function spreadTopology(guest: number, pref: Readonly<VirtualMachinePreferenceSpec> | undefined): { sockets: number; cores: number; threads: number } {
  const { ratio, across } = spreadOptions(pref);
  if (across === 'SocketsCores') return { sockets: guest / ratio, cores: ratio, threads: 1 };
  if (across === 'CoresThreads') return { sockets: 1, cores: guest / ratio, threads: ratio };
  if (across === 'SocketsCoresThreads') return { sockets: guest / THREADS_PER_CORE / ratio, cores: ratio, threads: THREADS_PER_CORE };
  return { sockets: 1, cores: 1, threads: 1 };
}

/** Copies the instancetype's CPU into the (conflict-free) template spec, in place on the working copy. */
export function applyInstancetypeCpu(spec: Spec, it: Instancetype, pref: Readonly<VirtualMachinePreferenceSpec> | undefined): void {
  const from = it.cpu;
  const cpu: CPU = { ...spec.domain.cpu };
  if (from.model !== undefined) cpu.model = from.model;
  if (from.dedicatedCPUPlacement !== undefined) cpu.dedicatedCpuPlacement = from.dedicatedCPUPlacement;
  if (from.isolateEmulatorThread !== undefined) cpu.isolateEmulatorThread = from.isolateEmulatorThread;
  if (from.numa !== undefined) cpu.numa = structuredClone(from.numa);
  if (from.realtime !== undefined) cpu.realtime = structuredClone(from.realtime);
  if (from.maxSockets !== undefined) cpu.maxSockets = from.maxSockets;
  spec.domain.cpu = { ...cpu, ...topologyFor(from.guest, pref) };
}
