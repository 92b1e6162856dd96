/**
 * An informer's view of one resource type: kept current by list + watch, read by reconcilers
 * instead of the API (controllers observe from the cache, never from the event). Implemented by
 * reconcilers/runtime/informer.ts over any KubeApi.
 */
import type { KubeObject } from './kube.js';

/** A live, read-only cache of one resource type. */
export interface Cache<T extends KubeObject = KubeObject> {
  /** The object with this `namespace/name` key, or undefined. Never mutate what it returns. */
  get(key: string): Readonly<T> | undefined;
  /** Every object (of a namespace), in no particular order. */
  list(namespace?: string): readonly Readonly<T>[];
  /** The objects whose controller ownerReference has this uid. */
  controlledBy(ownerUid: string): readonly Readonly<T>[];
  /**
   * The objects of a namespace with no controller ownerReference: the orphans a controller may
   * adopt, found without scanning what other controllers own.
   */
  uncontrolled(namespace: string): readonly Readonly<T>[];
  /** Calls `handler` with each changed object (and its previous version) after the cache applied it. */
  onChange(handler: (object: Readonly<T>, previous: Readonly<T> | undefined, deleted: boolean) => void): () => void;
  /** Whether the initial list has been applied. */
  hasSynced(): boolean;
}

/** Resolves once every cache has synced (of any object type: only `hasSynced` is read). */
export async function waitForSync(caches: readonly Pick<Cache, 'hasSynced'>[], pollMs = 10): Promise<void> {
  while (!caches.every((c) => c.hasSynced())) await new Promise((done) => setTimeout(done, pollMs));
}
