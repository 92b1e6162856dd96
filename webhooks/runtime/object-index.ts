/**
 * Admission lookups over a fixed set of objects read from manifests: presets by namespace,
 * instancetypes and preferences (namespaced and cluster) by name, and the labels of
 * PersistentVolumeClaims, DataVolumes and DataSources. Pure: the runtime reads the files and
 * hands the texts in. Objects are matched by API group and kind, whatever the version; those
 * without a name and kinds admission never consults are skipped and counted.
 */
import { parseKubeYamlDocuments } from '../../core/yaml.js';
import type {
  VirtualMachineClusterInstancetype, VirtualMachineClusterPreference, VirtualMachineInstancePreset, VirtualMachineInstancetype,
  VirtualMachinePreference,
} from '../../crd-gen/index.js';
import type { AdmissionLookups } from '../context.js';

/** One manifest file's text. */
export interface ObjectText {
  readonly source: string;
  readonly text: string;
}

/** The lookups built from a set of objects, with what went into them. */
export interface ObjectIndex {
  readonly lookups: AdmissionLookups;
  /** How many objects of each indexed kind were taken. */
  readonly counts: Readonly<Record<string, number>>;
  /** Objects that were ignored (other kinds, or no `metadata.name`). */
  readonly skipped: number;
}

type VolumeKind = 'PersistentVolumeClaim' | 'DataVolume' | 'DataSource';

/** Kinds admission consults, keyed by `group/kind` (the core group is empty). */
const INDEXED: Readonly<Record<string, string>> = {
  'kubevirt.io/VirtualMachineInstancePreset': 'VirtualMachineInstancePreset',
  'instancetype.kubevirt.io/VirtualMachineInstancetype': 'VirtualMachineInstancetype',
  'instancetype.kubevirt.io/VirtualMachineClusterInstancetype': 'VirtualMachineClusterInstancetype',
  'instancetype.kubevirt.io/VirtualMachinePreference': 'VirtualMachinePreference',
  'instancetype.kubevirt.io/VirtualMachineClusterPreference': 'VirtualMachineClusterPreference',
  '/PersistentVolumeClaim': 'PersistentVolumeClaim',
  'cdi.kubevirt.io/DataVolume': 'DataVolume',
  'cdi.kubevirt.io/DataSource': 'DataSource',
};

const CLUSTER_SCOPED = new Set(['VirtualMachineClusterInstancetype', 'VirtualMachineClusterPreference']);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function groupOf(apiVersion: unknown): string | undefined {
  if (typeof apiVersion !== 'string') return undefined;
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}

/** The indexed kind of an object, with its namespace (`default` when unset) and name. */
function classify(object: unknown): { kind: string; namespace: string; name: string } | undefined {
  if (!isRecord(object) || !isRecord(object['metadata'])) return undefined;
  const kind = INDEXED[`${groupOf(object['apiVersion']) ?? '?'}/${String(object['kind'])}`];
  const { name, namespace } = object['metadata'];
  if (kind === undefined || typeof name !== 'string' || name === '') return undefined;
  const ns = CLUSTER_SCOPED.has(kind) ? '' : typeof namespace === 'string' && namespace !== '' ? namespace : 'default';
  return { kind, namespace: ns, name };
}

function expandLists(value: unknown): unknown[] {
  if (isRecord(value) && value['kind'] === 'List' && Array.isArray(value['items'])) return value['items'].flatMap(expandLists);
  return [value];
}

/** A problem in one manifest. */
export class ObjectManifestError extends Error {
  override name = 'ObjectManifestError';
}

/** Every object of the texts, in order; throws an {@link ObjectManifestError} naming the first unparsable document. */
export function parseObjectTexts(texts: readonly ObjectText[]): unknown[] {
  const objects: unknown[] = [];
  for (const { source, text } of texts) {
    parseKubeYamlDocuments(text).forEach((doc, i) => {
      const err = doc.errors[0];
      if (err !== undefined) throw new ObjectManifestError(`${source}: document ${i + 1}: ${err.message.split('\n')[0] ?? ''}`);
      objects.push(...expandLists(doc.toJS({ maxAliasCount: 100 })).filter((o) => o !== null && o !== undefined));
    });
  }
  return objects;
}

/** Indexes the objects; a later object with the same kind, namespace and name replaces an earlier one. */
export function indexObjects(objects: readonly unknown[]): ObjectIndex {
  const byKey = new Map<string, unknown>();
  const presets = new Map<string, VirtualMachineInstancePreset[]>();
  const counts: Record<string, number> = {};
  let skipped = 0;
  for (const object of objects) {
    const c = classify(object);
    if (c === undefined) {
      skipped += 1;
      continue;
    }
    counts[c.kind] = (counts[c.kind] ?? 0) + 1;
    if (c.kind === 'VirtualMachineInstancePreset') presets.set(c.namespace, [...(presets.get(c.namespace) ?? []), object as VirtualMachineInstancePreset]);
    else byKey.set(`${c.kind}/${c.namespace}/${c.name}`, object);
  }
  const get = <T>(kind: string, namespace: string, name: string): T | undefined => byKey.get(`${kind}/${namespace}/${name}`) as T | undefined;
  const lookups: AdmissionLookups = {
    presets: (namespace) => presets.get(namespace) ?? [],
    instancetype: (namespace, name) => get<VirtualMachineInstancetype>('VirtualMachineInstancetype', namespace, name),
    clusterInstancetype: (name) => get<VirtualMachineClusterInstancetype>('VirtualMachineClusterInstancetype', '', name),
    preference: (namespace, name) => get<VirtualMachinePreference>('VirtualMachinePreference', namespace, name),
    clusterPreference: (name) => get<VirtualMachineClusterPreference>('VirtualMachineClusterPreference', '', name),
    volumeLabels: (namespace, kind: VolumeKind, name) => labelsOf(get(kind, namespace, name)),
  };
  return { lookups, counts, skipped };
}

function labelsOf(object: unknown): Readonly<Record<string, string>> | undefined {
  if (!isRecord(object)) return undefined;
  const meta = object['metadata'] as Record<string, unknown>;
  const labels = isRecord(meta['labels']) ? meta['labels'] : {};
  return Object.fromEntries(Object.entries(labels).filter((e): e is [string, string] => typeof e[1] === 'string'));
}
