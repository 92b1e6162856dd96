/**
 * VirtualMachineInstancePresets, applied as KubeVirt's VMI mutating webhook applies them on CREATE,
 * before any other default: select the namespace's presets whose selector matches the VMI's labels,
 * refuse the whole set when two of them disagree, merge each one's field groups into
 * `spec.domain` (the VMI always wins) and annotate the VMI with every preset that took.
 * Each step is a separate pure function, mirroring `preset.go`.
 * @see ../../../shared/design/kubevirt/mutation.md §1
 * @see https://github.com/kubevirt/kubevirt/blob/main/pkg/virt-api/webhooks/mutating-webhook/mutators/preset.go
 */
import { parseQuantity } from '../../core/quantity.js';
import { AnnotationPrefixes, Annotations, type DomainSpec, Gvk, type VirtualMachineInstance, type VirtualMachineInstancePreset } from '../../crd-gen/index.js';
import { CauseType, type Cause } from '../cause.js';
import { parseLabelSelector } from '../../core/labels.js';

type Preset = Readonly<VirtualMachineInstancePreset>;
type Domain = DomainSpec;

/** The warning a CREATE gets when the VMI carries a preset annotation (KubeVirt's words). */
export const PRESET_DEPRECATION_WARNING = 'kubevirt.io/v1 VirtualMachineInstancePresets is now deprecated and will be removed in v2.';

/** One field group on which two domains disagree. `field` is the VMI path the group merges into. */
export interface PresetConflict {
  readonly field: string;
  /** `<first value> != <second value>`, as JSON. */
  readonly message: string;
}

/** Two matching presets that disagree: `presets` is (later, earlier) in listing order, as KubeVirt names them. */
export interface PresetPairConflict extends PresetConflict {
  readonly presets: readonly [string, string];
}

/** The outcome of merging one preset into a domain. */
export interface MergeOutcome {
  readonly domain: Domain;
  /** At least one field group the preset sets now equals the VMI's. */
  readonly applied: boolean;
  /** Groups where the VMI kept its own, different value (KubeVirt logs these; they are not errors). */
  readonly conflicts: readonly PresetConflict[];
}

/** The presets that matched, or why the create is refused (a selector that cannot be converted). */
export type PresetSelection =
  | { readonly ok: true; readonly presets: readonly Preset[] }
  | { readonly ok: false; readonly causes: readonly Cause[]; readonly message: string };

/** The VMI after presets, with what happened to each matching preset; or the denial. */
export type PresetsResult =
  | {
      readonly ok: true;
      readonly object: VirtualMachineInstance;
      readonly applied: readonly string[];
      /** Presets that matched but whose every group conflicted with the VMI (skipped silently). */
      readonly skipped: readonly string[];
      /** Per applied preset, the groups the VMI kept (KubeVirt's "Some settings were not applied"). */
      readonly partial: readonly { readonly preset: string; readonly conflicts: readonly PresetConflict[] }[];
    }
  | { readonly ok: false; readonly causes: readonly Cause[]; readonly code: 422; readonly message: string };

function nameOf(preset: Preset): string {
  return preset.metadata.name ?? '';
}

/** Whether the VMI opted out of presets (the exclude annotation, exactly `"true"`). */
export function isExcludedFromPresets(vmi: Readonly<VirtualMachineInstance>): boolean {
  return vmi.metadata.annotations?.[Annotations.presetExclude] === 'true';
}

/** The presets whose selector matches the VMI's labels, in the order given; any unusable selector refuses the create. */
export function selectPresets(vmi: Readonly<VirtualMachineInstance>, presets: readonly Preset[]): PresetSelection {
  const out: Preset[] = [];
  for (const preset of presets) {
    const selector = parseLabelSelector(preset.spec?.selector);
    if (!selector.ok) {
      const message = `VirtualMachineInstancePreset "${nameOf(preset)}" cannot be matched: spec.selector.${selector.field}: ${selector.message}`;
      return { ok: false, causes: [{ type: CauseType.Invalid, field: 'metadata.labels', message }], message };
    }
    if (selector.matches(vmi.metadata.labels)) out.push(preset);
  }
  return { ok: true, presets: out };
}

function isEmptyValue(v: unknown): boolean {
  return v === undefined || (Array.isArray(v) && v.length === 0);
}

function isRecord(v: unknown): v is Readonly<Record<string, unknown>> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** JSON equality as `equality.Semantic.DeepEqual` sees it: absent, undefined and empty lists are alike. */
export function semanticEqual(a: unknown, b: unknown): boolean {
  if (isEmptyValue(a) || isEmptyValue(b)) return isEmptyValue(a) && isEmptyValue(b);
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => semanticEqual(x, b[i]));
  if (isRecord(a) && isRecord(b)) return [...new Set([...Object.keys(a), ...Object.keys(b)])].every((k) => semanticEqual(a[k], b[k]));
  return a === b;
}

function sameQuantity(a: string | number | undefined, b: string | number | undefined): boolean {
  const x = parseQuantity(a);
  const y = parseQuantity(b);
  return x !== undefined && y !== undefined ? x === y : a === b;
}

type Quantities = Readonly<Record<string, string | number | undefined>>;

function definedEntries(q: Quantities | undefined): [string, string | number][] {
  return Object.entries(q ?? {}).filter((e): e is [string, string | number] => e[1] !== undefined);
}

function sameQuantities(a: Quantities | undefined, b: Quantities | undefined): boolean {
  const x = definedEntries(a);
  return x.length === definedEntries(b).length && x.every(([k, v]) => sameQuantity(v, b?.[k]));
}

function conflict(field: string, a: unknown, b: unknown): PresetConflict {
  return { field, message: `${JSON.stringify(a)} != ${JSON.stringify(b)}` };
}

/** One group of KubeVirt's merge: how two domains conflict on it, and how a preset's value merges in. */
interface GroupRule {
  conflicts(preset: Domain, target: Domain): PresetConflict[];
  /** Merges into `target` (a working copy); whether the group now equals the preset's, or undefined when the preset leaves it unset. */
  merge(target: Domain, preset: Domain): boolean | undefined;
}

const requestsRule: GroupRule = {
  conflicts(preset, target) {
    const theirs = target.resources?.requests ?? {};
    return definedEntries(preset.resources?.requests)
      .filter(([key, value]) => theirs[key] !== undefined && !sameQuantity(value, theirs[key]))
      .map(([key, value]) => conflict(`spec.domain.resources.requests.${key}`, value, theirs[key]));
  },
  merge(target, preset) {
    const requests = preset.resources?.requests;
    if (definedEntries(requests).length === 0) return undefined;
    // Only a VMI without any requests map takes the preset's, and then all of it.
    if (target.resources?.requests === undefined) target.resources = { ...target.resources, requests: structuredClone(requests) };
    return sameQuantities(target.resources?.requests, requests);
  },
};

/** A group copied whole when the VMI leaves it unset. */
function wholeRule<K extends 'cpu' | 'firmware' | 'features' | 'ioThreadsPolicy'>(key: K): GroupRule {
  return {
    conflicts: (preset, target) =>
      preset[key] !== undefined && target[key] !== undefined && !semanticEqual(preset[key], target[key]) ? [conflict(`spec.domain.${key}`, preset[key], target[key])] : [],
    merge(target, preset) {
      if (preset[key] === undefined) return undefined;
      target[key] ??= structuredClone(preset[key]);
      return semanticEqual(target[key], preset[key]);
    },
  };
}

const watchdogRule: GroupRule = {
  conflicts(preset, target) {
    const [a, b] = [preset.devices?.watchdog, target.devices?.watchdog];
    return a !== undefined && b !== undefined && !semanticEqual(a, b) ? [conflict('spec.domain.devices.watchdog', a, b)] : [];
  },
  merge(target, preset) {
    const watchdog = preset.devices?.watchdog;
    if (watchdog === undefined) return undefined;
    if (target.devices?.watchdog === undefined) target.devices = { ...target.devices, watchdog: structuredClone(watchdog) };
    return semanticEqual(target.devices.watchdog, watchdog);
  },
};

/** `utc` and `timezone`: KubeVirt's ClockOffset, inlined in the clock. */
function clockOffset(clock: NonNullable<Domain['clock']>): Pick<NonNullable<Domain['clock']>, 'utc' | 'timezone'> {
  return { utc: clock.utc, timezone: clock.timezone };
}

const clockRule: GroupRule = {
  conflicts(preset, target) {
    const [a, b] = [preset.clock, target.clock];
    if (a === undefined || b === undefined) return [];
    const out: PresetConflict[] = [];
    if (!semanticEqual(clockOffset(a), clockOffset(b))) out.push(conflict('spec.domain.clock', clockOffset(a), clockOffset(b)));
    if (a.timer !== undefined && b.timer !== undefined && !semanticEqual(a.timer, b.timer)) out.push(conflict('spec.domain.clock.timer', a.timer, b.timer));
    return out;
  },
  merge(target, preset) {
    const clock = preset.clock;
    if (clock === undefined) return undefined;
    target.clock ??= structuredClone(clockOffset(clock));
    let applied = semanticEqual(target.clock, clock);
    if (clock.timer !== undefined) {
      target.clock.timer ??= structuredClone(clock.timer);
      applied ||= semanticEqual(target.clock.timer, clock.timer);
    }
    return applied;
  },
};

/** KubeVirt's groups, in its order. Memory, machine, disks, interfaces and the rest are never merged. */
const GROUP_RULES: readonly GroupRule[] = [
  requestsRule, wholeRule('cpu'), wholeRule('firmware'), clockRule, wholeRule('features'), watchdogRule, wholeRule('ioThreadsPolicy'),
];

/** Where `preset` and `target` both set a group to different values (a group set on one side only never conflicts). */
export function domainConflicts(preset: Readonly<Domain> | undefined, target: Readonly<Domain> | undefined): PresetConflict[] {
  if (preset === undefined || target === undefined) return [];
  return GROUP_RULES.flatMap((rule) => rule.conflicts(preset, target));
}

/** Every pair of presets that disagree, each later preset compared with every earlier one. */
export function checkConflicts(presets: readonly Preset[]): PresetPairConflict[] {
  return presets.flatMap((preset, i) =>
    presets.slice(0, i).flatMap((earlier) =>
      domainConflicts(preset.spec?.domain, earlier.spec?.domain).map((c): PresetPairConflict => ({ ...c, presets: [nameOf(preset), nameOf(earlier)] })),
    ),
  );
}

/** The domain with the preset's groups merged in where the VMI leaves them unset; the input is left untouched. */
export function mergePreset(domain: Readonly<Domain>, preset: Preset): MergeOutcome {
  const source = preset.spec?.domain;
  const target = structuredClone(domain) as Domain;
  if (source === undefined) return { domain: target, applied: false, conflicts: [] };
  const conflicts = domainConflicts(source, domain);
  const outcomes = GROUP_RULES.map((rule) => rule.merge(target, source));
  return { domain: target, applied: outcomes.includes(true), conflicts };
}

/** The VMI annotated with one applied preset (`virtualmachinepreset.kubevirt.io/<name>: kubevirt.io/v1`). */
export function annotateApplied(vmi: Readonly<VirtualMachineInstance>, preset: Preset): VirtualMachineInstance {
  const annotations = { ...vmi.metadata.annotations, [`${AnnotationPrefixes.presetApplied}${nameOf(preset)}`]: Gvk.VirtualMachineInstancePreset.apiVersion };
  return { ...vmi, metadata: { ...vmi.metadata, annotations } } as VirtualMachineInstance;
}

/** KubeVirt's deprecation warning, when any annotation key mentions `virtualmachinepreset`. */
export function presetDeprecationWarnings(vmi: Readonly<VirtualMachineInstance>): string[] {
  return Object.keys(vmi.metadata.annotations ?? {}).some((k) => k.includes('virtualmachinepreset')) ? [PRESET_DEPRECATION_WARNING] : [];
}

function conflictDenial(conflicts: readonly PresetPairConflict[]): Extract<PresetsResult, { ok: false }> {
  const pair = (c: PresetPairConflict): string => `presets '${c.presets[0]}' and '${c.presets[1]}' conflict`;
  const causes = conflicts.map((c): Cause => ({ type: CauseType.Invalid, field: c.field, message: `${pair(c)}: ${c.message}` }));
  const message = `VirtualMachinePresets cannot be applied due to conflicts: ${conflicts.map((c) => `${pair(c)}: ${c.field}: ${c.message}`).join('; ')}`;
  return { ok: false, causes, code: 422, message };
}

/**
 * Every step of §1 in order: opt-out, selection, preset-vs-preset conflicts (a denial), then each
 * preset merged and annotated when it took. `presets` are the namespace's, in listing order.
 */
export function applyPresets(vmi: Readonly<VirtualMachineInstance>, presets: readonly Preset[]): PresetsResult {
  const unchanged = { ok: true, object: structuredClone(vmi) as VirtualMachineInstance, applied: [], skipped: [], partial: [] } as const;
  if (isExcludedFromPresets(vmi)) return unchanged;
  const selection = selectPresets(vmi, presets);
  if (!selection.ok) return { ...selection, code: 422 };
  const conflicts = checkConflicts(selection.presets);
  if (conflicts.length > 0) return conflictDenial(conflicts);
  let object = unchanged.object;
  const applied: string[] = [];
  const skipped: string[] = [];
  const partial: { preset: string; conflicts: readonly PresetConflict[] }[] = [];
  for (const preset of selection.presets) {
    const merged = mergePreset(object.spec.domain, preset);
    if (!merged.applied) {
      skipped.push(nameOf(preset));
      continue;
    }
    object = annotateApplied({ ...object, spec: { ...object.spec, domain: merged.domain } }, preset);
    applied.push(nameOf(preset));
    if (merged.conflicts.length > 0) partial.push({ preset: nameOf(preset), conflicts: merged.conflicts });
  }
  return { ok: true, object, applied, skipped, partial };
}
