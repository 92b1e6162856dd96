/**
 * Admission lookups over a plain list of objects: what `kvt validate` has when it reads manifests
 * (a VM next to the instancetypes and preferences it names), and what tests pass. Pure.
 */
import type {
  ApiKind, VirtualMachineClusterInstancetype, VirtualMachineClusterPreference, VirtualMachineInstancePreset, VirtualMachineInstancetype,
  VirtualMachinePreference,
} from '../../crd-gen/index.js';
import type { AdmissionLookups } from '../context.js';

/** Labels of volume-like objects (PVCs, DataVolumes, DataSources), by `kind/namespace/name`. */
export type VolumeLabelTable = Readonly<Record<string, Readonly<Record<string, string>>>>;

/** The key {@link VolumeLabelTable} files an object's labels under. */
export function volumeKey(kind: string, namespace: string, name: string): string {
  return `${kind}/${namespace}/${name}`;
}

function inNamespace<T extends { metadata: { name?: string; namespace?: string } }>(list: readonly T[], namespace: string, name: string): T | undefined {
  return list.find((o) => o.metadata.name === name && (o.metadata.namespace ?? 'default') === namespace);
}

function named<T extends { metadata: { name?: string } }>(list: readonly T[], name: string): T | undefined {
  return list.find((o) => o.metadata.name === name);
}

function ofKind<K extends ApiKind['kind']>(objects: readonly ApiKind[], kind: K): Extract<ApiKind, { kind: K }>[] {
  return objects.filter((o): o is Extract<ApiKind, { kind: K }> => o.kind === kind);
}

/**
 * Lookups that find the given objects: namespaced kinds by namespace and name (an object without a
 * namespace counts as `default`, as kubectl would create it), cluster kinds by name, volume labels
 * from `volumeLabels`.
 */
export function lookupsFromObjects(objects: readonly ApiKind[], volumeLabels: VolumeLabelTable = {}): AdmissionLookups {
  const presets: readonly VirtualMachineInstancePreset[] = ofKind(objects, 'VirtualMachineInstancePreset');
  const instancetypes: readonly VirtualMachineInstancetype[] = ofKind(objects, 'VirtualMachineInstancetype');
  const clusterInstancetypes: readonly VirtualMachineClusterInstancetype[] = ofKind(objects, 'VirtualMachineClusterInstancetype');
  const preferences: readonly VirtualMachinePreference[] = ofKind(objects, 'VirtualMachinePreference');
  const clusterPreferences: readonly VirtualMachineClusterPreference[] = ofKind(objects, 'VirtualMachineClusterPreference');
  return {
    presets: (namespace) => presets.filter((p) => (p.metadata.namespace ?? 'default') === namespace),
    instancetype: (namespace, name) => inNamespace(instancetypes, namespace, name),
    clusterInstancetype: (name) => named(clusterInstancetypes, name),
    preference: (namespace, name) => inNamespace(preferences, namespace, name),
    clusterPreference: (name) => named(clusterPreferences, name),
    volumeLabels: (namespace, kind, name) => volumeLabels[volumeKey(kind, namespace, name)],
  };
}
