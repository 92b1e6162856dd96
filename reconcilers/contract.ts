/**
 * The reconciler contract (docs/ARCHITECTURE.md, Controllers) shared by every controller and the
 * runtime that drives them. A controller module exports a factory returning a {@link ControllerDefinition}: its
 * reconciler, its primary source and the secondary sources whose changes enqueue primary keys
 * (reconcilers/sources.ts). The runtime (reconcilers/runtime/controller.ts) runs informers → work
 * queue → workers; events only enqueue keys, reconcile always reads from the caches.
 */
import type { EventRecorder } from '../core/events.js';
import type { KubeApi } from '../core/kube.js';
import type { Logger } from '../core/log.js';
import type { PrimarySource, Source } from './sources.js';

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
  /**
   * Reconciles `key`. `signal` aborts when the controller stops (leadership lost, process ending):
   * check it between actions and after awaits, and end long waits on it (`signal.throwIfAborted()`
   * throws its reason, which the runtime does not count as a failure).
   */
  reconcile(key: string, signal: AbortSignal): Promise<ReconcileResult>;
  /**
   * Releases what the reconciler holds besides the caches (the node handler's launcher
   * connections). The runtime calls it once the controller stopped and no reconcile runs.
   */
  close?(): Promise<void>;
}

/** What the runtime runs: a reconciler and the sources that feed its queue. */
export interface ControllerDefinition {
  readonly reconciler: Reconciler;
  /** The one kind this controller reconciles (its existing objects are enqueued at start). */
  readonly primary: PrimarySource;
  /** Further changes that enqueue primary keys: children by owner, mapped kinds, channels. @default none */
  readonly secondary?: readonly Source[];
  /** Concurrent workers (distinct keys only). @default 1 */
  readonly workers?: number;
}

/** What controller factories take. */
export interface ControllerDeps {
  readonly kube: KubeApi;
  readonly log: Logger;
  readonly now: () => Date;
  /** Events for users about the objects the controller acts on (KubeVirt's child create/delete Events). */
  readonly events: EventRecorder;
}
