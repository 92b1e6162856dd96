/**
 * The one port every controller talks to the API through. Two real implementations: the
 * client-node adapter for clusters (store/kube-client.ts) and the in-memory API server of the local
 * mode (store/memory.ts); both pass the same contract tests. Failures are `ApiError`s (core/errors.ts).
 * @see https://kubernetes.io/docs/reference/using-api/api-concepts/
 */
import type { KubeObjectMeta } from '../crd-gen/index.js';
/** The metadata fields the API machinery manages: crd-gen's KubeObjectMeta, the one definition. */
export type ObjectMetadata = KubeObjectMeta;

/** Any API object. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMetadata;
}

/** Which resource: `apiVersion` (`kubevirt.io/v1`, `v1`) and `kind` (`VirtualMachine`, `Pod`). */
export interface ResourceType {
  readonly apiVersion: string;
  readonly kind: string;
}

/** Filters of list and watch. */
export interface ListOptions {
  /** Undefined: all namespaces (or a cluster-scoped kind). */
  readonly namespace?: string;
  /** `a=b,c!=d,e in (f,g),!h` as Kubernetes parses it. */
  readonly labelSelector?: string;
  /** `metadata.name=x`, `metadata.namespace=y`, `status.nodeName=z` (the fields we select on). */
  readonly fieldSelector?: string;
}

/** One page of objects and the resourceVersion to watch from. */
export interface ObjectList<T extends KubeObject = KubeObject> {
  readonly items: T[];
  readonly resourceVersion: string;
}

/** A change seen by a watch. */
export type WatchEvent<T extends KubeObject = KubeObject> =
  | { readonly type: 'ADDED' | 'MODIFIED' | 'DELETED'; readonly object: T }
  | { readonly type: 'BOOKMARK'; readonly resourceVersion: string };

/** A running watch. */
export interface Watch {
  /** Ends it; `done` then resolves without an error. Idempotent. */
  stop(): void;
  /** Resolves when the watch ended: undefined when stopped or closed cleanly; an ApiError (410 Gone: relist) otherwise. */
  readonly done: Promise<unknown>;
}

/**
 * How a patch is interpreted. `strategic` is the API server's strategic merge patch: built-in kinds
 * only; on custom resources (ours) the API server refuses it (415 UnsupportedMediaType).
 */
export type PatchType = 'json' | 'merge' | 'strategic' | 'apply';

/** A patch: its body and how the API server applies it (RFC 6902 ops, a merge patch, server-side apply). */
export interface Patch {
  readonly type: PatchType;
  readonly body: unknown;
}

/** The object a patch changes: its name and namespace, and `subresource: 'status'` for its status. */
export interface PatchTarget {
  readonly namespace?: string;
  readonly name: string;
  readonly subresource?: 'status';
}

/** Options of writes. */
export interface WriteOptions {
  /** Server-side apply's field manager (required for `apply`). */
  readonly fieldManager?: string;
  /** Server-side apply: take over conflicting fields. */
  readonly force?: boolean;
  /** Admit and validate the write, answer with the object it would store, store nothing (`dryRun=All`). */
  readonly dryRun?: boolean;
  /**
   * The API server's `fieldValidation`: `Strict` refuses a field the schema does not declare (400
   * BadRequest naming each), `Warn` and `Ignore` accept it. Checked on our kinds' schemas.
   * @default "Warn" (the API server's default when a client does not say)
   */
  readonly fieldValidation?: FieldValidation;
  /**
   * Where the write's admission warnings go (the API server's `Warning` headers: a webhook's
   * AdmissionReview warnings, such as a preset's deprecation): appended to, never read.
   */
  readonly warnings?: string[];
}

/** The values of the `fieldValidation` write parameter. */
export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

/** Options of delete. */
export interface DeleteOptions {
  /** Precondition: delete only this incarnation. */
  readonly uid?: string;
  /** Precondition: delete only at this version. */
  readonly resourceVersion?: string;
  /** @default "Background" */
  readonly propagationPolicy?: 'Background' | 'Foreground' | 'Orphan';
  /**
   * Pods only, as the API server treats them: a pod bound to a node with a grace period > 0 is only
   * marked (deletionTimestamp + deletionGracePeriodSeconds) until its kubelet deletes it with 0.
   * @default the pod's spec.terminationGracePeriodSeconds (30)
   */
  readonly gracePeriodSeconds?: number;
}

/** The API, as far as kubevirt-ts uses it. */
export interface KubeApi {
  get<T extends KubeObject>(type: ResourceType, namespace: string | undefined, name: string): Promise<T>;
  list<T extends KubeObject>(type: ResourceType, options?: ListOptions): Promise<ObjectList<T>>;
  /** Watches from `resourceVersion` (exclusive); events arrive in order through `onEvent`. */
  watch<T extends KubeObject>(type: ResourceType, options: ListOptions & { readonly resourceVersion: string }, onEvent: (event: WatchEvent<T>) => void): Promise<Watch>;
  /** Creates; `metadata.generateName` is honoured. Admission runs (and may change or refuse it). */
  create<T extends KubeObject>(object: T, options?: WriteOptions): Promise<T>;
  /** Replaces the object (not its status); `metadata.resourceVersion` is the precondition. */
  update<T extends KubeObject>(object: T, options?: WriteOptions): Promise<T>;
  /** Replaces the status only (`/status`); `metadata.resourceVersion` is the precondition when set. */
  updateStatus<T extends KubeObject>(object: T): Promise<T>;
  /** Patches the object, or its status with `subresource: 'status'`. */
  patch<T extends KubeObject>(type: ResourceType, target: PatchTarget, patch: Patch, options?: WriteOptions): Promise<T>;
  /** Deletes (or, with finalizers, marks for deletion). A missing object is a NotFound ApiError. */
  delete(type: ResourceType, namespace: string | undefined, name: string, options?: DeleteOptions): Promise<void>;
}

/** `namespace/name`, or `name` for cluster-scoped objects: the key of caches and work queues. */
export function objectKey(object: { readonly metadata: { readonly namespace?: string; readonly name?: string } }): string {
  const ns = object.metadata.namespace;
  return ns === undefined || ns === '' ? (object.metadata.name ?? '') : `${ns}/${object.metadata.name ?? ''}`;
}

/** The namespace and name of a key made by {@link objectKey}. */
export function parseKey(key: string): { readonly namespace: string | undefined; readonly name: string } {
  const slash = key.indexOf('/');
  return slash === -1 ? { namespace: undefined, name: key } : { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
}

/** The resource type of an object. */
export function typeOf(object: { readonly apiVersion: string; readonly kind: string }): ResourceType {
  return { apiVersion: object.apiVersion, kind: object.kind };
}
