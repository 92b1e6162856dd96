/**
 * Sources: what enqueues a controller's primary keys. Each constructor binds its cache's object
 * type inside, so one controller lists sources of different kinds without a cast and the runtime
 * (reconcilers/runtime/controller.ts) handles them all as {@link Source}. A change only enqueues
 * keys; reconcile reads the caches (docs/ARCHITECTURE.md, Controllers: never branch on the event).
 * @see https://pkg.go.dev/sigs.k8s.io/controller-runtime/pkg/source
 * @see https://pkg.go.dev/sigs.k8s.io/controller-runtime/pkg/handler#EnqueueRequestForOwner
 */
import type { Cache } from '../core/cache.js';
import { objectKey, type KubeObject } from '../core/kube.js';
import { controllerOf } from '../core/owner.js';

/** Where a source puts keys: the controller's work queue, and where a mapping that threw is reported. */
export interface KeySink {
  add(key: string): void;
  /** Mapping a change to keys threw: the runtime logs it and the change enqueues nothing. */
  failed(err: unknown): void;
}

/** A stream of changes turned into primary keys. */
export interface Source {
  /** Feeds the keys of every later change into `sink` until the returned function is called. */
  start(sink: KeySink): () => void;
}

/** The controller's primary kind: a source that can also name every object it already holds. */
export interface PrimarySource extends Source {
  /** Adds the key of each object the cache holds now: the runtime does so once at start. */
  enqueueExisting(sink: KeySink): void;
}

/** A signal source for what is not an API object (a launcher connection): `notify(key)` enqueues the key. */
export interface Channel extends Source {
  /** Enqueues `key` in every running controller fed by this channel; before start it is dropped. */
  notify(key: string): void;
}

/** The primary keys a changed object concerns; `previous` is its last version, `deleted` says it went. */
export type KeysOf<T extends KubeObject> = (object: Readonly<T>, previous: Readonly<T> | undefined, deleted: boolean) => readonly string[];

/** Options of {@link primary}. */
export interface PrimaryOptions<T extends KubeObject> {
  /** Only objects it accepts enqueue themselves (controller-runtime's predicates). @default all */
  readonly when?: (object: Readonly<T>) => boolean;
}

function emit(sink: KeySink, keysOf: () => readonly string[]): void {
  let keys: readonly string[];
  try {
    keys = keysOf();
  } catch (err: unknown) {
    sink.failed(err);
    return;
  }
  for (const key of keys) sink.add(key);
}

/** Changes of `cache` mapped to keys by `keysOf` (an orphan's would-be owners, a selector's matches). */
export function mapped<T extends KubeObject>(cache: Cache<T>, keysOf: KeysOf<T>): Source {
  return {
    start: (sink) => cache.onChange((object, previous, deleted) => emit(sink, () => keysOf(object, previous, deleted))),
  };
}

/** The primary kind: each (accepted) object enqueues its own key, existing ones once at start. */
export function primary<T extends KubeObject>(cache: Cache<T>, options: PrimaryOptions<T> = {}): PrimarySource {
  const { when } = options;
  const keysOf = (object: Readonly<T>): readonly string[] => (when === undefined || when(object) ? [objectKey(object)] : []);
  return {
    ...mapped(cache, keysOf),
    enqueueExisting: (sink) => {
      for (const object of cache.list()) emit(sink, () => keysOf(object));
    },
  };
}

/** The key of `object`'s controller owner when that owner is of `ownerKind`. */
function ownerKeys(object: Readonly<KubeObject> | undefined, ownerKind: string): string[] {
  const ref = object === undefined ? undefined : controllerOf(object);
  if (object === undefined || ref?.kind !== ownerKind) return [];
  return [objectKey({ metadata: { namespace: object.metadata.namespace, name: ref.name } })];
}

/**
 * Children mapped to their controller owner of kind `ownerKind` (same namespace), as
 * controller-runtime's EnqueueRequestForOwner with OnlyControllerOwner: a child whose controller
 * changed enqueues the previous owner too, so a released child is noticed by the one it left.
 */
export function ownedBy<T extends KubeObject>(cache: Cache<T>, ownerKind: string): Source {
  return mapped(cache, (object, previous) => [...new Set([...ownerKeys(previous, ownerKind), ...ownerKeys(object, ownerKind)])]);
}

/** A new in-process signal source (see {@link Channel}). */
export function channel(): Channel {
  const sinks = new Set<KeySink>();
  return {
    notify: (key) => {
      for (const sink of sinks) sink.add(key);
    },
    start: (sink) => {
      sinks.add(sink);
      return () => sinks.delete(sink);
    },
  };
}
