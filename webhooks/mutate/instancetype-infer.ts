/**
 * Inferring a VM's instancetype and preference from the labels of one of its volumes (KubeVirt's
 * `inferFromVolume`): the matcher becomes `{name, kind}` from the labels
 * `instancetype.kubevirt.io/default-instancetype[-kind]` / `default-preference[-kind]` of the
 * volume's PVC, DataVolume (or its template) or DataSource. Some failures may be ignored (policy
 * `Ignore` then clears the matcher); the rest refuse the VM with a 400 and the error text (C08).
 *
 * The lookups hold labels only, so where KubeVirt would read a DataVolume's or DataSource's spec
 * after finding no label on it, an unlabelled one is an ignorable missing-label failure here.
 * @see https://github.com/kubevirt/kubevirt/blob/main/pkg/instancetype/infer/volume.go
 * @see https://github.com/kubevirt/kubevirt/blob/main/pkg/instancetype/infer/handler.go
 */
import { type DataVolumeSpec, type InstancetypeMatcher, Labels, type PreferenceMatcher, type VirtualMachine } from '../../crd-gen/index.js';
import type { AdmissionLookups } from '../context.js';


/** A name and kind read from labels, or why not; `ignorable` failures obey the Ignore policy. */
type Inference = { readonly name: string; readonly kind: string } | { readonly error: string; readonly ignorable: boolean };

interface Labels {
  readonly name: string;
  readonly kind: string;
}

interface Reader {
  readonly vm: Readonly<VirtualMachine>;
  readonly namespace: string;
  readonly lookups: AdmissionLookups;
  readonly labels: Labels;
}

const ignorable = (error: string): Inference => ({ error, ignorable: true });

function fromLabels(found: Readonly<Record<string, string>>, labels: Labels): Inference {
  const name = found[labels.name];
  return name === undefined ? ignorable(`unable to find required ${labels.name} label on the volume`) : { name, kind: found[labels.kind] ?? '' };
}

function fromPvc(r: Reader, name: string, namespace: string): Inference {
  const found = r.lookups.volumeLabels(namespace, 'PersistentVolumeClaim', name);
  return found === undefined ? { error: `persistentvolumeclaims "${name}" not found`, ignorable: false } : fromLabels(found, r.labels);
}

function fromDataSource(r: Reader, name: string, namespace: string): Inference {
  const found = r.lookups.volumeLabels(namespace, 'DataSource', name);
  return found === undefined ? { error: `datasources.cdi.kubevirt.io "${name}" not found`, ignorable: false } : fromLabels(found, r.labels);
}

function fromDataVolumeSpec(r: Reader, spec: Readonly<DataVolumeSpec>): Inference {
  const pvc = spec.source?.pvc;
  if (pvc !== undefined) return fromPvc(r, pvc.name, pvc.namespace || r.namespace);
  const ref = spec.sourceRef;
  if (ref === undefined) return ignorable('unable to infer defaults from DataVolumeSpec as DataVolumeSource is not supported');
  if (ref.kind !== 'DataSource') return ignorable(`unable to infer defaults from DataVolumeSourceRef as Kind ${ref.kind} is not supported`);
  return fromDataSource(r, ref.name, ref.namespace || r.namespace);
}

function fromDataVolume(r: Reader, name: string): Inference {
  const template = r.vm.spec.dataVolumeTemplates?.find((t) => t.metadata?.name === name);
  if (template !== undefined) return fromDataVolumeSpec(r, template.spec);
  const found = r.lookups.volumeLabels(r.namespace, 'DataVolume', name);
  // A garbage-collected DataVolume leaves its PVC, which has the DataVolume's name.
  return found === undefined ? fromPvc(r, name, r.namespace) : fromLabels(found, r.labels);
}

function fromVolume(r: Reader, volumeName: string): Inference {
  const volume = r.vm.spec.template?.spec?.volumes?.find((v) => v.name === volumeName);
  if (volume === undefined) return { error: `unable to find volume ${volumeName} to infer defaults`, ignorable: false };
  if (volume.persistentVolumeClaim !== undefined) return fromPvc(r, volume.persistentVolumeClaim.claimName, r.namespace);
  if (volume.dataVolume !== undefined) return fromDataVolume(r, volume.dataVolume.name);
  return ignorable(`unable to infer defaults from volume ${volumeName} as type is not supported`);
}

/** What happened to one matcher: unchanged, replaced (`undefined`: cleared after an ignored failure), or refused. */
type Outcome<M> = { readonly unchanged: true } | { readonly matcher: M | undefined; readonly ignorePolicy: boolean } | { readonly error: string };

function inferOne<M extends InstancetypeMatcher | PreferenceMatcher>(r: Reader, matcher: Readonly<M> | undefined): Outcome<M> {
  const volume = matcher?.inferFromVolume ?? '';
  if (volume === '') return { unchanged: true };
  const ignorePolicy = matcher?.inferFromVolumeFailurePolicy === 'Ignore';
  const result = fromVolume(r, volume);
  if ('error' in result) return result.ignorable && ignorePolicy ? { matcher: undefined, ignorePolicy } : { error: result.error };
  return { matcher: { name: result.name, ...(result.kind === '' ? {} : { kind: result.kind }) } as M, ignorePolicy };
}

/** The VM with inferred matchers, or the error KubeVirt answers with (code 400, no causes). */
export type InferenceResult = { readonly ok: true; readonly vm: VirtualMachine } | { readonly ok: false; readonly message: string };

function withMatcher<K extends 'instancetype' | 'preference'>(vm: VirtualMachine, key: K, outcome: Outcome<VirtualMachine['spec'][K]>): void {
  if ('unchanged' in outcome || 'error' in outcome) return;
  if (outcome.matcher === undefined) delete vm.spec[key];
  else vm.spec[key] = outcome.matcher;
}

/**
 * `vm` (copied) with `inferFromVolume` matchers resolved from volume labels. With policy Ignore, a
 * successful instancetype inference also drops the template's `domain.memory`, as KubeVirt does,
 * so the inferred instancetype's memory does not conflict.
 */
export function inferMatchers(vm: Readonly<VirtualMachine>, lookups: AdmissionLookups): InferenceResult {
  const r = (labels: Labels): Reader => ({ vm, namespace: vm.metadata.namespace ?? 'default', lookups, labels });
  const instancetype = inferOne(r({ name: Labels.defaultInstancetype, kind: Labels.defaultInstancetypeKind }), vm.spec.instancetype);
  if ('error' in instancetype) return { ok: false, message: instancetype.error };
  const preference = inferOne(r({ name: Labels.defaultPreference, kind: Labels.defaultPreferenceKind }), vm.spec.preference);
  if ('error' in preference) return { ok: false, message: preference.error };
  const out = structuredClone(vm) as VirtualMachine;
  withMatcher(out, 'instancetype', instancetype);
  withMatcher(out, 'preference', preference);
  const inferredWithIgnore = 'matcher' in instancetype && instancetype.matcher !== undefined && instancetype.ignorePolicy;
  if (inferredWithIgnore && out.spec.template?.spec !== undefined) delete out.spec.template.spec.domain.memory;
  return { ok: true, vm: out };
}
