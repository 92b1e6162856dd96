/**
 * Controller owner references: how a child names the one object that manages it (garbage collection
 * follows them; controllers adopt and release through them).
 * @see https://kubernetes.io/docs/concepts/overview/working-with-objects/owners-dependents/
 */
import type { KubeObject, ObjectMetadata } from './kube.js';

/** One entry of `metadata.ownerReferences`. */
export type OwnerReference = NonNullable<ObjectMetadata['ownerReferences']>[number];

/** The controller reference to `owner`: `controller` and `blockOwnerDeletion` set, as KubeVirt's `NewControllerRef`. */
export function controllerRef(owner: Readonly<KubeObject>): OwnerReference {
  return {
    apiVersion: owner.apiVersion,
    kind: owner.kind,
    name: owner.metadata.name ?? '',
    uid: owner.metadata.uid ?? '',
    controller: true,
    blockOwnerDeletion: true,
  };
}

/** The owner reference with `controller: true`, or undefined. */
export function controllerOf(object: { readonly metadata: Readonly<ObjectMetadata> }): OwnerReference | undefined {
  return object.metadata.ownerReferences?.find((r) => r.controller === true);
}

/** Whether `object`'s controller is `owner` (compared by uid). */
export function isControlledBy(object: { readonly metadata: Readonly<ObjectMetadata> }, owner: { readonly metadata: Readonly<ObjectMetadata> }): boolean {
  const ref = controllerOf(object);
  return ref !== undefined && owner.metadata.uid !== undefined && ref.uid === owner.metadata.uid;
}
