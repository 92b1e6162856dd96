/**
 * What the in-memory API server knows of each kind: its resource name (for the API server's
 * messages, `virtualmachines.kubevirt.io`), whether it is cluster-scoped, and whether it has a status
 * subresource. Our kinds come from crd-gen's KINDS; core kinds from a small table; any other kind
 * is namespaced, with a status subresource, named by its lower-case plural.
 */
import type { ResourceType } from '../core/kube.js';
import { ExternalGvk, lookupKind, KINDS } from '../crd-gen/index.js';

/** Facts about one kind. */
export interface KindInfo {
  /** `virtualmachines.kubevirt.io`, `pods`, `leases.coordination.k8s.io`. */
  readonly resource: string;
  readonly namespaced: boolean;
  readonly hasStatus: boolean;
  /** Fields list and watch may select on (a CRD's declared ones; a Pod's spec.nodeName and status.phase). */
  readonly selectableFields: readonly string[];
}

const METADATA_FIELDS = ['metadata.name', 'metadata.namespace'];
const POD_FIELDS = [...METADATA_FIELDS, 'spec.nodeName', 'status.phase'];

const CLUSTER_SCOPED = new Set([
  'Node', 'Namespace', 'PersistentVolume', 'StorageClass', 'CustomResourceDefinition', 'ClusterRole', 'ClusterRoleBinding',
  'PriorityClass', 'MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration', 'APIService', 'CSIDriver',
]);

const NO_STATUS = new Set([
  'ConfigMap', 'Secret', 'Event', 'Lease', 'ControllerRevision', 'ServiceAccount', 'Endpoints', 'EndpointSlice', 'Role', 'RoleBinding',
  'ClusterRole', 'ClusterRoleBinding', 'StorageClass', 'PriorityClass', 'MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration',
]);

const IRREGULAR_PLURALS: Readonly<Record<string, string>> = { Endpoints: 'endpoints' };

function plural(kind: string): string {
  const lower = kind.toLowerCase();
  if (IRREGULAR_PLURALS[kind] !== undefined) return IRREGULAR_PLURALS[kind];
  if (/[^aeiou]y$/.test(lower)) return `${lower.slice(0, -1)}ies`;
  if (/(s|x|ch|sh)$/.test(lower)) return `${lower}es`;
  return `${lower}s`;
}

function groupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash === -1 ? '' : apiVersion.slice(0, slash);
}

const cache = new Map<string, KindInfo>();

/** The facts of a resource type. */
export function kindInfo(type: ResourceType): KindInfo {
  const key = `${type.apiVersion}/${type.kind}`;
  const known = cache.get(key);
  if (known !== undefined) return known;
  const ours = lookupKind(type.apiVersion, type.kind);
  const group = groupOf(type.apiVersion);
  const info: KindInfo =
    ours !== undefined
      ? { resource: `${KINDS[ours].plural}.${KINDS[ours].group}`, namespaced: KINDS[ours].namespaced, hasStatus: KINDS[ours].hasStatus, selectableFields: [...METADATA_FIELDS, ...KINDS[ours].selectableFields] }
      : {
        resource: group === '' ? plural(type.kind) : `${plural(type.kind)}.${group}`, namespaced: !CLUSTER_SCOPED.has(type.kind), hasStatus: !NO_STATUS.has(type.kind),
        selectableFields: type.apiVersion === ExternalGvk.Pod.apiVersion && type.kind === ExternalGvk.Pod.kind ? POD_FIELDS : METADATA_FIELDS,
      };
  cache.set(key, info);
  return info;
}
