/**
 * KubeVirt's VM controller applies the instancetype and preference a VirtualMachine names to the
 * VMI it creates (pkg/instancetype's ApplyToVMI): the VMI gets the instancetype's CPU, memory and
 * the rest, the preference's defaults, and the matcher annotations. The application itself is the
 * admission webhook's (webhooks/mutate/instancetype.ts, which the VM admitter runs on a copy to
 * validate): one owner, used by both. Pure: the reconciler reads the objects and passes them.
 */
import type { VirtualMachine } from '../../crd-gen/index.js';
import { expandInstancetypes } from '../../webhooks/mutate/instancetype.js';
import type { MatcherRef } from './matchers.js';

/** An object a matcher named, as read from the API. */
export interface FoundMatcher {
  readonly ref: MatcherRef;
  readonly object: { readonly spec?: unknown };
}

/** The VM with its template expanded, or why the instancetype and template conflict (KubeVirt's message). */
export type WithInstancetype = { readonly ok: true; readonly vm: VirtualMachine } | { readonly ok: false; readonly message: string };

function finder(found: readonly FoundMatcher[], what: MatcherRef['what'], namespaced: boolean) {
  return (namespace: string | undefined, name: string): never | undefined => {
    const hit = found.find((f) => f.ref.what === what && (f.ref.namespace !== undefined) === namespaced && f.ref.name === name && (!namespaced || f.ref.namespace === namespace));
    return hit?.object as never | undefined;
  };
}

/** `vm` with the instancetype and preference in `found` applied to its template (unchanged when it names none). */
export function withInstancetype(vm: Readonly<VirtualMachine>, found: readonly FoundMatcher[]): WithInstancetype {
  if (found.length === 0) return { ok: true, vm: vm as VirtualMachine };
  const instancetype = finder(found, 'instancetype', true);
  const clusterInstancetype = finder(found, 'instancetype', false);
  const preference = finder(found, 'preference', true);
  const clusterPreference = finder(found, 'preference', false);
  const expanded = expandInstancetypes(vm.spec.template, vm.spec, vm.metadata.namespace ?? 'default', {
    presets: () => [],
    instancetype: (ns, name) => instancetype(ns, name),
    clusterInstancetype: (name) => clusterInstancetype(undefined, name),
    preference: (ns, name) => preference(ns, name),
    clusterPreference: (name) => clusterPreference(undefined, name),
    volumeLabels: () => undefined,
  });
  if (!expanded.ok) return { ok: false, message: expanded.causes.map((c) => `${c.field}: ${c.message}`).join(', ') };
  return { ok: true, vm: { ...vm, spec: { ...vm.spec, template: expanded.template } } as VirtualMachine };
}
