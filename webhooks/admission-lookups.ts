/**
 * Admission lookups over a fixed set of objects: what `kvt validate` reads from its files (and
 * `--presets DIR`), and what tests pass. Objects without a namespace are in `default`, as kubectl
 * would create them; presets keep the order they were given in (KubeVirt's informer order only
 * decides annotation order).
 */
import { ExternalGvk, Gvk, type VirtualMachineClusterInstancetype, type VirtualMachineClusterPreference, type VirtualMachineInstancePreset, type VirtualMachineInstancetype, type VirtualMachinePreference } from '../crd-gen/index.js';
import type { AdmissionLookups } from './context.js';

interface Meta {
  readonly name?: unknown;
  readonly namespace?: unknown;
  readonly labels?: unknown;
}

type Obj = Readonly<Record<string, unknown>>;

function isObject(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function metaOf(o: Obj): Meta {
  return isObject(o['metadata']) ? (o['metadata'] as Meta) : {};
}

/** The namespace an object is in: its own, or `default` when it names none. */
export function namespaceOf(o: Obj): string {
  const ns = metaOf(o).namespace;
  return typeof ns === 'string' && ns !== '' ? ns : 'default';
}

function nameOf(o: Obj): string | undefined {
  const name = metaOf(o).name;
  return typeof name === 'string' ? name : undefined;
}

const VOLUME_SOURCES: Readonly<Record<string, readonly string[]>> = {
  PersistentVolumeClaim: [ExternalGvk.PersistentVolumeClaim.apiVersion],
  DataVolume: [ExternalGvk.DataVolume.apiVersion],
  DataSource: [ExternalGvk.DataSource.apiVersion],
};

function is(o: Obj, apiVersions: readonly string[], kind: string): boolean {
  return o['kind'] === kind && typeof o['apiVersion'] === 'string' && apiVersions.includes(o['apiVersion']);
}

/** Lookups that find exactly the given objects (anything not an object, or of another kind, is passed over). */
export function lookupsFromObjects(objects: readonly unknown[]): AdmissionLookups {
  const all = objects.filter(isObject);
  const ofKind = <T>(type: { readonly apiVersion: string; readonly kind: string }): T[] => all.filter((o) => is(o, [type.apiVersion], type.kind)) as T[];
  const presets = ofKind<VirtualMachineInstancePreset>(Gvk.VirtualMachineInstancePreset);
  const instancetypes = ofKind<VirtualMachineInstancetype>(Gvk.VirtualMachineInstancetype);
  const clusterInstancetypes = ofKind<VirtualMachineClusterInstancetype>(Gvk.VirtualMachineClusterInstancetype);
  const preferences = ofKind<VirtualMachinePreference>(Gvk.VirtualMachinePreference);
  const clusterPreferences = ofKind<VirtualMachineClusterPreference>(Gvk.VirtualMachineClusterPreference);
  const inNamespace = <T extends object>(list: readonly T[], namespace: string, name?: string): T[] =>
    list.filter((o) => namespaceOf(o as Obj) === (namespace || 'default') && (name === undefined || nameOf(o as Obj) === name));
  const named = <T extends object>(list: readonly T[], name: string): T | undefined => list.find((o) => nameOf(o as Obj) === name);
  return {
    presets: (namespace) => inNamespace(presets, namespace),
    instancetype: (namespace, name) => inNamespace(instancetypes, namespace, name)[0],
    clusterInstancetype: (name) => named(clusterInstancetypes, name),
    preference: (namespace, name) => inNamespace(preferences, namespace, name)[0],
    clusterPreference: (name) => named(clusterPreferences, name),
    volumeLabels(namespace, kind, name) {
      const hit = all.find((o) => is(o, VOLUME_SOURCES[kind] ?? [], kind) && namespaceOf(o) === (namespace || 'default') && nameOf(o) === name);
      if (hit === undefined) return undefined;
      const labels = metaOf(hit).labels;
      return isObject(labels) ? (labels as Readonly<Record<string, string>>) : {};
    },
  };
}
