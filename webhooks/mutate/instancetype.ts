/**
 * Instancetype and preference expansion of a VM template (KubeVirt's `ApplyToVMI`): look up what
 * the matchers name, refuse an instancetype the preference cannot spread, apply the instancetype
 * (any conflict refuses the whole expansion, with one cause per conflicting field), then fill
 * unset fields from the preference, and record the matchers in the VMI annotations. Pure: the
 * objects come from `lookups`, the input is never changed.
 * @see https://github.com/kubevirt/kubevirt/blob/main/pkg/instancetype/webhooks/vm/admitter.go
 * @see ../../../shared/design/kubevirt/mutation.md §4
 */
import { path } from '../../core/field-path.js';
import type {
  InstancetypeMatcher, PreferenceMatcher, VirtualMachineInstanceSpec, VirtualMachineInstanceTemplateSpec, VirtualMachineInstancetypeSpec,
  VirtualMachinePreferenceSpec,
} from '../../crd-gen/index.js';
import { cause, CauseType, type Cause } from '../cause.js';
import type { AdmissionLookups } from '../context.js';
import { applyInstancetype } from './instancetype-apply.js';
import { checkSpreadTopology } from './instancetype-cpu.js';
import { findInstancetype, findPreference, matcherAnnotations, withAnnotations, type LookupResult } from './instancetype-lookup.js';
import { applyPreference } from './preference-apply.js';

/** The matchers of a VirtualMachine spec. */
export interface InstancetypeMatchers {
  readonly instancetype?: Readonly<InstancetypeMatcher>;
  readonly preference?: Readonly<PreferenceMatcher>;
}

/** What expansion gives: the expanded template and what was applied, or why it was refused. */
export type ExpansionResult =
  | {
      readonly ok: true;
      readonly template: VirtualMachineInstanceTemplateSpec;
      /** The instancetype that was applied, if any. */
      readonly instancetype?: VirtualMachineInstancetypeSpec;
      /** The preference that was applied, if any. */
      readonly preference?: VirtualMachinePreferenceSpec;
      /** Matchers whose object does not exist (KubeVirt's admitter logs and carries on). */
      readonly missing: readonly string[];
    }
  | { readonly ok: false; readonly causes: readonly Cause[] };

/** Where conflicts are reported: KubeVirt's admitter applies to `spec.template.spec`. */
const TEMPLATE_SPEC = path('spec', 'template', 'spec');

/** Go's zero value of a template spec, used when a template has none. */
const EMPTY_SPEC: VirtualMachineInstanceSpec = { domain: { devices: {} } };

/** The message KubeVirt's admitter gives each conflicting field. */
export function conflictMessage(field: string): string {
  return `VM field(s) ${field} conflicts with selected instance type`;
}

function specOf<T>(found: LookupResult<T>): T | undefined {
  return found.status === 'found' ? found.spec : undefined;
}

function refusals(...results: readonly LookupResult<unknown>[]): Cause[] {
  return results.flatMap((r) => (r.status === 'refused' ? [r.cause] : []));
}

function missingOf(...results: readonly LookupResult<unknown>[]): string[] {
  return results.flatMap((r) => (r.status === 'missing' ? [r.message] : []));
}

/**
 * `template` with the instancetype and preference the matchers name applied, looked up in
 * `namespace` (namespaced kinds) or cluster-wide (empty or cluster kinds). A matcher that still
 * infers from a volume (no name yet) is ignored: the VM mutator resolves it first.
 */
export function expandInstancetypes(
  template: Readonly<VirtualMachineInstanceTemplateSpec>,
  matchers: InstancetypeMatchers,
  namespace: string,
  lookups: AdmissionLookups,
): ExpansionResult {
  const foundType = findInstancetype(matchers.instancetype, namespace, lookups);
  const foundPref = findPreference(matchers.preference, namespace, lookups);
  const refused = refusals(foundType, foundPref);
  if (refused.length > 0) return { ok: false, causes: refused };
  const instancetype = specOf(foundType);
  const preference = specOf(foundPref);
  const spread = checkSpreadTopology(instancetype, preference);
  if (spread !== undefined) return { ok: false, causes: [spread] };
  const target = {
    spec: structuredClone(template.spec ?? EMPTY_SPEC) as VirtualMachineInstanceSpec,
    meta: withAnnotations(structuredClone(template.metadata), matcherAnnotations(matchers.instancetype, matchers.preference)),
  };
  const conflicts = instancetype === undefined ? [] : applyInstancetype(target, instancetype, preference, TEMPLATE_SPEC);
  if (conflicts.length > 0) return { ok: false, causes: conflicts.map((f) => cause(CauseType.Invalid, f, conflictMessage(f))) };
  if (preference !== undefined) applyPreference(target, preference);
  return {
    ok: true,
    template: { metadata: target.meta, spec: target.spec },
    ...(instancetype === undefined ? {} : { instancetype }),
    ...(preference === undefined ? {} : { preference }),
    missing: missingOf(foundType, foundPref),
  };
}
