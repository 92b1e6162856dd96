/**
 * Admission in the in-memory API server, as the API server calls KubeVirt's webhooks: `admit`
 * (webhooks/admission.ts) on every create and update of our kinds, as the writing user, with the
 * lookups (presets, instancetypes, preferences, volume labels) read from the store itself. A denial
 * is an ApiError worded as the API server words a webhook's.
 */
import { DEFAULT_CLUSTER_CONFIG, type ClusterConfig } from '../core/cluster-config.js';
import { ApiError } from '../core/errors.js';
import type { KubeObject, ResourceType } from '../core/kube.js';
import { ApiGroups, ExternalGvk, Gvk, lookupKind, type VirtualMachineInstancePreset } from '../crd-gen/index.js';
import { admit } from '../webhooks/admission.js';
import type { AdmissionIds, AdmissionLookups, RequestUser } from '../webhooks/context.js';
import { routesFor } from '../webhooks/registry.js';
import type { AdmissionOperation } from '../webhooks/review-types.js';
import { kindKeyOf, storeKeyOf } from './memory-index.js';

/** Read access to the store's objects by `apiVersion/kind` and `namespace/name`. */
export interface StoreReader {
  get(kind: string, key: string): KubeObject | undefined;
  all(kind: string): Iterable<KubeObject>;
}

const VOLUME_KINDS: Readonly<Record<string, ResourceType>> = {
  PersistentVolumeClaim: ExternalGvk.PersistentVolumeClaim,
  DataVolume: ExternalGvk.DataVolume,
  DataSource: ExternalGvk.DataSource,
};

/** Admission lookups over the store's current contents. */
export function storeLookups(store: StoreReader): AdmissionLookups {
  const one = <T>(type: ResourceType | undefined, namespace: string | undefined, name: string): T | undefined =>
    type === undefined ? undefined : (store.get(kindKeyOf(type), storeKeyOf(namespace === '' ? 'default' : namespace, name)) as T | undefined);
  return {
    presets: (namespace) => [...store.all(kindKeyOf(Gvk.VirtualMachineInstancePreset))].filter((p) => p.metadata.namespace === (namespace || 'default')) as VirtualMachineInstancePreset[],
    instancetype: (namespace, name) => one(Gvk.VirtualMachineInstancetype, namespace, name),
    clusterInstancetype: (name) => one(Gvk.VirtualMachineClusterInstancetype, undefined, name),
    preference: (namespace, name) => one(Gvk.VirtualMachinePreference, namespace, name),
    clusterPreference: (name) => one(Gvk.VirtualMachineClusterPreference, undefined, name),
    volumeLabels(namespace, kind, name) {
      const hit = one<KubeObject>(VOLUME_KINDS[kind], namespace, name);
      return hit === undefined ? undefined : (hit.metadata.labels ?? {});
    },
  };
}

/** Admission settings of a store. */
export interface AdmissionSettings {
  readonly cfg: ClusterConfig;
  readonly ids: AdmissionIds;
  readonly lookups: AdmissionLookups;
  readonly now: () => Date;
}

/** Defaults for the parts a caller left out. */
export function admissionSettings(options: { cfg?: ClusterConfig; ids?: AdmissionIds }, lookups: AdmissionLookups, now: () => Date, uuid: () => string): AdmissionSettings {
  return { cfg: options.cfg ?? DEFAULT_CLUSTER_CONFIG, ids: options.ids ?? { uuid }, lookups, now };
}

function webhookName(object: KubeObject, operation: AdmissionOperation): string {
  const kind = lookupKind(object.apiVersion, object.kind);
  const routes = kind === undefined ? [] : routesFor(kind, operation);
  const validating = routes.filter((r) => r.type === 'validating');
  return (validating[0] ?? routes[0])?.name ?? ApiGroups.kubevirt;
}

/**
 * The object as admission leaves it (our kinds only; other kinds pass unchanged), or the denial as
 * an ApiError: `admission webhook "…" denied the request: …` with the causes.
 */
export function admitWrite<T extends KubeObject>(write: { object: T; old: T | undefined; operation: AdmissionOperation; user: RequestUser | undefined; warnings?: string[] | undefined }, settings: AdmissionSettings): T {
  if (lookupKind(write.object.apiVersion, write.object.kind) === undefined) return write.object;
  const ctx = { cfg: settings.cfg, lookups: settings.lookups, ids: settings.ids, now: settings.now(), ...(write.user === undefined ? {} : { user: write.user }) };
  const result = admit(write.object, write.old, write.operation, ctx);
  if (result.allowed) {
    write.warnings?.push(...result.warnings);
    return result.object;
  }
  const { status } = result;
  const causes = (status.details?.causes ?? []).map((c) => ({ type: c.type, field: c.field, message: c.message }));
  const message = `admission webhook ${JSON.stringify(webhookName(write.object, write.operation))} denied the request: ${status.message}`;
  throw new ApiError(status.code, status.reason, message, { causes });
}
