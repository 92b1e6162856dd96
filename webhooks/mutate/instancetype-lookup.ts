/**
 * Finding the instancetype and preference a VirtualMachine's matchers name, and the VMI
 * annotations that record them. KubeVirt reads an empty matcher kind as the cluster-scoped kind and
 * compares kinds case-insensitively, singular or plural.
 * @see https://github.com/kubevirt/kubevirt/blob/main/pkg/instancetype/find/spec.go
 * @see https://github.com/kubevirt/kubevirt/blob/main/pkg/instancetype/annotations/annotations.go
 */
import { path } from '../../core/field-path.js';
import { Annotations, type InstancetypeMatcher, type KubeObjectMeta, type PreferenceMatcher, type VirtualMachineInstancetypeSpec, type VirtualMachinePreferenceSpec } from '../../crd-gen/index.js';
import { cause, CauseType, type Cause } from '../cause.js';
import type { AdmissionLookups } from '../context.js';


/** Where a matcher's object lives. */
type Scope = 'namespaced' | 'cluster';

const INSTANCETYPE_KINDS: Readonly<Record<string, Scope>> = {
  virtualmachineinstancetype: 'namespaced',
  virtualmachineinstancetypes: 'namespaced',
  virtualmachineclusterinstancetype: 'cluster',
  virtualmachineclusterinstancetypes: 'cluster',
  '': 'cluster',
};

const PREFERENCE_KINDS: Readonly<Record<string, Scope>> = {
  virtualmachinepreference: 'namespaced',
  virtualmachinepreferences: 'namespaced',
  virtualmachineclusterpreference: 'cluster',
  virtualmachineclusterpreferences: 'cluster',
  '': 'cluster',
};

/**
 * What looking a matcher up gave: the object's spec, nothing (no matcher, or a matcher that still
 * infers from a volume), a missing object (KubeVirt's admitter only logs that), or a matcher kind
 * KubeVirt does not know (a denial).
 */
export type LookupResult<T> =
  | { readonly status: 'found'; readonly spec: T }
  | { readonly status: 'none' }
  | { readonly status: 'missing'; readonly message: string }
  | { readonly status: 'refused'; readonly cause: Cause };

function scopeOf(kinds: Readonly<Record<string, Scope>>, kind: string | undefined): Scope | undefined {
  const key = (kind ?? '').toLowerCase();
  return Object.hasOwn(kinds, key) ? kinds[key] : undefined;
}

/** Where the object a matcher of `what` names lives by its kind; undefined for a kind KubeVirt does not know. */
export function matcherScope(what: 'instancetype' | 'preference', kind: string | undefined): Scope | undefined {
  return scopeOf(what === 'instancetype' ? INSTANCETYPE_KINDS : PREFERENCE_KINDS, kind);
}

interface Finder<T> {
  readonly what: 'instancetype' | 'preference';
  readonly kinds: Readonly<Record<string, Scope>>;
  readonly namespaced: (namespace: string, name: string) => T | undefined;
  readonly cluster: (name: string) => T | undefined;
}

function find<T>(finder: Finder<T>, matcher: Readonly<InstancetypeMatcher | PreferenceMatcher> | undefined, namespace: string): LookupResult<T> {
  const name = matcher?.name ?? '';
  if (name === '') return { status: 'none' };
  const scope = scopeOf(finder.kinds, matcher?.kind);
  if (scope === undefined) {
    const allowed = Object.keys(finder.kinds).filter((k) => k !== '').join(', ');
    return {
      status: 'refused',
      cause: cause(CauseType.NotFound, path('spec', finder.what), `Failure to find ${finder.what}: unexpected kind ${JSON.stringify(matcher?.kind)} in the ${finder.what} matcher; allowed kinds are ${allowed} (any case) or empty for the cluster kind`),
    };
  }
  const spec = scope === 'cluster' ? finder.cluster(name) : finder.namespaced(namespace, name);
  if (spec !== undefined) return { status: 'found', spec };
  const where = scope === 'cluster' ? 'cluster-wide' : `in namespace ${JSON.stringify(namespace)}`;
  return { status: 'missing', message: `${finder.what} ${JSON.stringify(name)} was not found ${where}` };
}

/** The instancetype spec `matcher` names (namespaced or cluster kind). */
export function findInstancetype(
  matcher: Readonly<InstancetypeMatcher> | undefined,
  namespace: string,
  lookups: AdmissionLookups,
): LookupResult<VirtualMachineInstancetypeSpec> {
  return find({
    what: 'instancetype',
    kinds: INSTANCETYPE_KINDS,
    namespaced: (ns, name) => lookups.instancetype(ns, name)?.spec,
    cluster: (name) => lookups.clusterInstancetype(name)?.spec,
  }, matcher, namespace);
}

/** The preference spec `matcher` names (namespaced or cluster kind). */
export function findPreference(
  matcher: Readonly<PreferenceMatcher> | undefined,
  namespace: string,
  lookups: AdmissionLookups,
): LookupResult<VirtualMachinePreferenceSpec> {
  return find({
    what: 'preference',
    kinds: PREFERENCE_KINDS,
    namespaced: (ns, name) => lookups.preference(ns, name)?.spec,
    cluster: (name) => lookups.clusterPreference(name)?.spec,
  }, matcher, namespace);
}

function nameAnnotation(matcher: Readonly<InstancetypeMatcher | PreferenceMatcher> | undefined, kinds: Readonly<Record<string, Scope>>, keys: readonly [string, string]): Record<string, string> {
  const name = matcher?.name ?? '';
  const scope = scopeOf(kinds, matcher?.kind);
  if (name === '' || scope === undefined) return {};
  return { [scope === 'cluster' ? keys[1] : keys[0]]: name };
}

/**
 * The annotations KubeVirt's controller puts on a VMI made from a VM with these matchers:
 * `kubevirt.io/[cluster-]instancetype-name` and `kubevirt.io/[cluster-]preference-name`.
 */
export function matcherAnnotations(
  instancetype: Readonly<InstancetypeMatcher> | undefined,
  preference: Readonly<PreferenceMatcher> | undefined,
): Record<string, string> {
  return {
    ...nameAnnotation(instancetype, INSTANCETYPE_KINDS, [Annotations.instancetypeName, Annotations.clusterInstancetypeName]),
    ...nameAnnotation(preference, PREFERENCE_KINDS, [Annotations.preferenceName, Annotations.clusterPreferenceName]),
  };
}

/** `meta` with `annotations` added (existing keys are overwritten, as the controller does). */
export function withAnnotations(meta: Readonly<KubeObjectMeta> | undefined, annotations: Readonly<Record<string, string>>): KubeObjectMeta {
  if (Object.keys(annotations).length === 0) return { ...meta };
  return { ...meta, annotations: { ...meta?.annotations, ...annotations } };
}
