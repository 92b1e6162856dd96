/**
 * Hand-written Kubernetes metadata types shared by every generated kind. Object metadata is served
 * by the API machinery, not by our schemas, so it is typed here rather than generated.
 */

/** A reference from an object to the object that owns it. */
export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  /** Whether this owner is the managing controller of the object. */
  controller?: boolean;
  /** Whether the owner cannot be deleted (foreground) before this object is. */
  blockOwnerDeletion?: boolean;
}

/** Standard object metadata (the fields our components read and write). */
export interface KubeObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  deletionGracePeriodSeconds?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  finalizers?: string[];
  ownerReferences?: OwnerReference[];
  [field: string]: unknown;
}

/** Group, version and kind of an API object. */
export interface GroupVersionKind {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
}
