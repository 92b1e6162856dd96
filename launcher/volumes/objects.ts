/**
 * Where the launcher reads the Kubernetes objects a VMI's volumes name (Secrets, ConfigMaps,
 * service-account tokens). An interface: a launcher pod's launcher reads its pod volumes
 * (launcher/runtime/mounted-objects.ts), `kvt virt-launcher FILE` the objects beside the VMI, tests a
 * fixed set; plus the decoding of Kubernetes' own shapes.
 * @see https://kubernetes.io/docs/concepts/configuration/secret/
 */
import { posix } from 'node:path';
import { launcherPodObjects } from '../../core/launcher-pod-objects.js';
import type { VirtualMachineInstance, Volume } from '../../crd-gen/index.js';

/** An object's keys and their decoded bytes. */
export type ObjectData = Readonly<Record<string, Uint8Array>>;

/** What a serviceAccount volume holds (the files of a projected service-account token). */
export interface ServiceAccountToken {
  /** The bearer token (`token`). */
  readonly token: string;
  /** The cluster CA bundle (`ca.crt`), when there is one. */
  readonly caCrt?: string;
}

/**
 * Reads the objects a VMI's volumes need; each returns undefined when the object does not exist
 * (the launcher then names the volume field that wanted it).
 */
export interface ObjectSource {
  /** A Secret's decoded data (`data` and `stringData`). */
  getSecret(namespace: string, name: string): Promise<ObjectData | undefined>;
  /** A ConfigMap's data (`data` as UTF-8 and `binaryData`). */
  getConfigMap(namespace: string, name: string): Promise<ObjectData | undefined>;
  /** A token for the service account. */
  serviceAccountToken(namespace: string, name: string): Promise<ServiceAccountToken | undefined>;
}

/** The parts of a core/v1 Secret that carry data. */
export interface SecretLike {
  readonly data?: Readonly<Record<string, string>>;
  readonly stringData?: Readonly<Record<string, string>>;
}

/** The parts of a core/v1 ConfigMap that carry data. */
export interface ConfigMapLike {
  readonly data?: Readonly<Record<string, string>>;
  readonly binaryData?: Readonly<Record<string, string>>;
}

function decodeAll(values: Readonly<Record<string, string>> | undefined, encoding: 'base64' | 'utf8'): Record<string, Uint8Array> {
  return Object.fromEntries(Object.entries(values ?? {}).map(([k, v]) => [k, Buffer.from(v, encoding)]));
}

/** A Secret's keys: `data` (base64) overlaid by `stringData`, as the API server merges them. */
export function secretData(secret: Readonly<SecretLike>): ObjectData {
  return { ...decodeAll(secret.data, 'base64'), ...decodeAll(secret.stringData, 'utf8') };
}

/** A ConfigMap's keys: `data` (text) and `binaryData` (base64); the API server keeps them disjoint. */
export function configMapData(configMap: Readonly<ConfigMapLike>): ObjectData {
  return { ...decodeAll(configMap.binaryData, 'base64'), ...decodeAll(configMap.data, 'utf8') };
}

/** Fixed objects by `namespace/name`, for local runs and tests. */
export interface StaticObjects {
  readonly secrets?: Readonly<Record<string, SecretLike>>;
  readonly configMaps?: Readonly<Record<string, ConfigMapLike>>;
  readonly serviceAccounts?: Readonly<Record<string, ServiceAccountToken>>;
}

/** An {@link ObjectSource} over fixed objects keyed `namespace/name`. */
export function staticObjectSource(objects: StaticObjects): ObjectSource {
  const find = <T>(map: Readonly<Record<string, T>> | undefined, namespace: string, name: string): T | undefined => {
    const key = `${namespace}/${name}`;
    return map !== undefined && Object.hasOwn(map, key) ? map[key] : undefined;
  };
  return {
    getSecret: (ns, name) => {
      const s = find(objects.secrets, ns, name);
      return Promise.resolve(s === undefined ? undefined : secretData(s));
    },
    getConfigMap: (ns, name) => {
      const cm = find(objects.configMaps, ns, name);
      return Promise.resolve(cm === undefined ? undefined : configMapData(cm));
    },
    serviceAccountToken: (ns, name) => Promise.resolve(find(objects.serviceAccounts, ns, name)),
  };
}

/**
 * Where a launcher pod's Secrets and ConfigMaps are mounted, by `Kind/name`: the first mount of each
 * (core/launcher-pod-objects.ts lays them out), under `root` (`/` in a pod; the pod root the local
 * kubelet wrote them under otherwise).
 */
export function mountedObjectDirs(volumes: readonly Readonly<Volume>[] | undefined, root: string, credentials?: VirtualMachineInstance['spec']['accessCredentials']): ReadonlyMap<string, string> {
  const dirs = new Map<string, string>();
  for (const o of launcherPodObjects(volumes, credentials)) {
    const key = `${o.kind}/${o.name}`;
    if (!dirs.has(key)) dirs.set(key, posix.join(root, o.mountPath));
  }
  return dirs;
}
