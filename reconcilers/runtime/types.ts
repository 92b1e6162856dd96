/**
 * The reconciler contract (ARCHITECTURE.md §6) shared by every controller and the runtime that drives
 * them. A controller module exports a factory returning a {@link ControllerDefinition}: its
 * reconciler plus the caches whose changes enqueue which primary keys. The runtime
 * (reconcilers/runtime/controller.ts) runs informers → work queue → workers; events only enqueue
 * keys, reconcile always reads from the caches.
 */
import type { Cache } from '../../core/cache.js';
import type { KubeApi, KubeObject } from '../../core/kube.js';
import type { Logger } from '../../core/log.js';

/** What a reconcile asks for next. An empty result means done until the next change. */
export interface ReconcileResult {
  /** Check again after this long even without a change (a backoff, a grace period). */
  readonly requeueAfterMs?: number;
}

/** Done: nothing to re-check. */
export const DONE: ReconcileResult = Object.freeze({});

/**
 * One controller's reconcile step for a primary key (`namespace/name`). Throwing requeues the key with
 * per-key exponential backoff, except a TerminalError (logged, not requeued).
 */
export interface Reconciler {
  /** The controller's name in logs and metrics (`vm`, `vmi`, `replicaset`, `node-handler`). */
  readonly name: string;
  reconcile(key: string): Promise<ReconcileResult>;
}

/** A cache whose changes enqueue primary keys: the primary kind itself, or a child mapped to its owner. */
export interface WatchSource<T extends KubeObject = KubeObject> {
  readonly cache: Cache<T>;
  /** The primary keys a changed object of this cache concerns (itself, its controller owner, …). */
  readonly keysOf: (object: Readonly<T>) => readonly string[];
}

/** What the runtime runs: a reconciler and the sources that feed its queue. */
export interface ControllerDefinition {
  readonly reconciler: Reconciler;
  // A list of sources of different object types: each is only ever called with objects of its own cache.
  readonly sources: readonly WatchSource<never>[];
  /** Concurrent workers (distinct keys only). @default 1 */
  readonly workers?: number;
}

/** What controller factories take. */
export interface ControllerDeps {
  readonly kube: KubeApi;
  readonly log: Logger;
  readonly now: () => Date;
}
