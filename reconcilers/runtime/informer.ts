/**
 * Informers: a {@link Cache} of one resource type kept current by list + watch over any KubeApi.
 * A watch that ends cleanly is resumed from the last resourceVersion seen; one that fails (410 Gone
 * among others) is followed by a relist whose diff is emitted as changes, so deletions missed while
 * no watch ran are noticed. Objects are deep-frozen before they enter the cache.
 * @see https://pkg.go.dev/k8s.io/client-go/tools/cache#SharedInformer
 */
import type { Cache } from '../../core/cache.js';
import { isGone } from '../../core/errors.js';
import { objectKey, type KubeApi, type KubeObject, type ListOptions, type ResourceType, type Watch, type WatchEvent } from '../../core/kube.js';
import type { Logger } from '../../core/log.js';
import { controllerOf } from '../../core/owner.js';

/**
 * An informer's life cycle without its object type, so informers of different kinds go in one list
 * (the manager starts, syncs and stops them) with no cast.
 */
export interface InformerLifecycle {
  /** Resolves once the initial list is applied (retried with backoff until then), or on stop. */
  start(): Promise<void>;
  /** Ends the watch; the cache keeps its last contents. Idempotent. */
  stop(): void;
  /** Whether the initial list has been applied. */
  hasSynced(): boolean;
}

/** A cache that runs: {@link Informer.start} lists and watches until {@link Informer.stop}. */
export interface Informer<T extends KubeObject = KubeObject> extends Cache<T>, InformerLifecycle {
  /** The resource type it informs on. */
  readonly type: ResourceType;
}

/** Options of {@link createInformer}. */
export type InformerOptions = ListOptions & {
  readonly log?: Logger;
  /** Longest wait between failed list/watch attempts. @default 5000 */
  readonly maxBackoffMs?: number;
};

type Handler<T> = (object: Readonly<T>, previous: Readonly<T> | undefined, deleted: boolean) => void;

/**
 * Freezes `value` and everything it holds. Arrays by index and objects with `for…in` (API objects are
 * plain JSON data): half the time of a loop over `Object.values`, which allocated an array per
 * object on every watch event.
 */
function deepFreeze<T>(value: T): T {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return value;
  Object.freeze(value);
  if (Array.isArray(value)) for (let i = 0; i < value.length; i += 1) deepFreeze(value[i]);
  else for (const key in value) deepFreeze((value as Record<string, unknown>)[key]);
  return value;
}

/**
 * The indices of the cache: by key, by namespace, by controller owner uid, and the objects without
 * a controller by namespace. Each change updates them in time proportional to the change.
 */
class Store<T extends KubeObject> {
  readonly byKey = new Map<string, Readonly<T>>();
  private readonly byNamespace = new Map<string, Map<string, Readonly<T>>>();
  private readonly byOwner = new Map<string, Map<string, Readonly<T>>>();
  private readonly orphansByNamespace = new Map<string, Map<string, Readonly<T>>>();

  put(key: string, object: Readonly<T>): Readonly<T> | undefined {
    const previous = this.remove(key);
    this.byKey.set(key, object);
    const namespace = object.metadata.namespace ?? '';
    index(this.byNamespace, namespace, key, object);
    const owner = controllerOf(object)?.uid;
    if (owner !== undefined) index(this.byOwner, owner, key, object);
    else index(this.orphansByNamespace, namespace, key, object);
    return previous;
  }

  remove(key: string): Readonly<T> | undefined {
    const previous = this.byKey.get(key);
    if (previous === undefined) return undefined;
    this.byKey.delete(key);
    const namespace = previous.metadata.namespace ?? '';
    unindex(this.byNamespace, namespace, key);
    const owner = controllerOf(previous)?.uid;
    if (owner !== undefined) unindex(this.byOwner, owner, key);
    else unindex(this.orphansByNamespace, namespace, key);
    return previous;
  }

  inNamespace(namespace: string): readonly Readonly<T>[] {
    return [...(this.byNamespace.get(namespace)?.values() ?? [])];
  }

  ownedBy(uid: string): readonly Readonly<T>[] {
    return [...(this.byOwner.get(uid)?.values() ?? [])];
  }

  orphansIn(namespace: string): readonly Readonly<T>[] {
    return [...(this.orphansByNamespace.get(namespace)?.values() ?? [])];
  }
}

function index<T>(map: Map<string, Map<string, T>>, bucket: string, key: string, object: T): void {
  let inner = map.get(bucket);
  if (inner === undefined) map.set(bucket, (inner = new Map()));
  inner.set(key, object);
}

function unindex<T>(map: Map<string, Map<string, T>>, bucket: string, key: string): void {
  const inner = map.get(bucket);
  inner?.delete(key);
  if (inner?.size === 0) map.delete(bucket);
}

class ListWatchInformer<T extends KubeObject> implements Informer<T> {
  private readonly store = new Store<T>();
  private readonly handlers = new Set<Handler<T>>();
  private synced = false;
  private stopped = false;
  private running: Promise<void> | undefined;
  private watch: Watch | undefined;
  private readonly wakers = new Set<() => void>();
  private resourceVersion = '';

  constructor(
    private readonly kube: KubeApi,
    readonly type: ResourceType,
    private readonly options: InformerOptions,
  ) {}

  get(key: string): Readonly<T> | undefined {
    return this.store.byKey.get(key);
  }

  list(namespace?: string): readonly Readonly<T>[] {
    return namespace === undefined ? [...this.store.byKey.values()] : this.store.inNamespace(namespace);
  }

  controlledBy(ownerUid: string): readonly Readonly<T>[] {
    return this.store.ownedBy(ownerUid);
  }

  uncontrolled(namespace: string): readonly Readonly<T>[] {
    return this.store.orphansIn(namespace);
  }

  onChange(handler: Handler<T>): () => void {
    this.handlers.add(handler);
    return () => this.handlers.delete(handler);
  }

  hasSynced(): boolean {
    return this.synced;
  }

  start(): Promise<void> {
    if (this.running !== undefined) return this.waitSynced();
    this.running = this.loop();
    return this.waitSynced();
  }

  stop(): void {
    this.stopped = true;
    this.watch?.stop();
    for (const wake of [...this.wakers]) wake();
  }

  private async waitSynced(): Promise<void> {
    while (!this.synced && !this.stopped) await this.sleep(5);
  }

  private async loop(): Promise<void> {
    let failures = 0;
    let relist = true;
    while (!this.stopped) {
      try {
        if (relist) await this.relist();
        failures = 0;
        relist = await this.watchOnce();
      } catch (err: unknown) {
        failures += 1;
        relist = true;
        this.options.log?.warn({ err, kind: this.type.kind, failures }, 'Could not list or watch, retrying');
      }
      if (failures > 0) await this.sleep(Math.min(this.options.maxBackoffMs ?? 5000, 50 * 2 ** (failures - 1)));
    }
  }

  private async relist(): Promise<void> {
    const result = await this.kube.list<T>(this.type, this.listOptions());
    if (this.stopped) return;
    const seen = new Set<string>();
    for (const item of result.items) {
      const key = objectKey(item);
      seen.add(key);
      const previous = this.store.byKey.get(key);
      if (previous?.metadata.resourceVersion !== item.metadata.resourceVersion || previous === undefined) this.upsert(item);
    }
    for (const [key, object] of [...this.store.byKey]) if (!seen.has(key)) this.delete(object);
    this.resourceVersion = result.resourceVersion;
    this.synced = true;
  }

  /** Watches until the watch ends; returns whether a relist is needed. */
  private async watchOnce(): Promise<boolean> {
    const watch = await this.kube.watch<T>(this.type, { ...this.listOptions(), resourceVersion: this.resourceVersion }, (event) => this.apply(event));
    this.watch = watch;
    if (this.stopped) watch.stop();
    const ended = await watch.done;
    this.watch = undefined;
    if (ended === undefined || this.stopped) return false;
    if (isGone(ended)) {
      this.options.log?.debug({ kind: this.type.kind, resourceVersion: this.resourceVersion }, 'Watch expired, relisting');
      return true;
    }
    throw ended;
  }

  private apply(event: WatchEvent<T>): void {
    if (this.stopped) return;
    if (event.type === 'BOOKMARK') {
      this.resourceVersion = event.resourceVersion;
      return;
    }
    this.resourceVersion = event.object.metadata.resourceVersion ?? this.resourceVersion;
    if (event.type === 'DELETED') this.delete(event.object);
    else this.upsert(event.object);
  }

  private upsert(object: T): void {
    const frozen = deepFreeze(object);
    const previous = this.store.put(objectKey(frozen), frozen);
    this.emit(frozen, previous, false);
  }

  private delete(object: Readonly<T>): void {
    const previous = this.store.remove(objectKey(object));
    if (previous === undefined) return;
    this.emit(previous, previous, true);
  }

  private emit(object: Readonly<T>, previous: Readonly<T> | undefined, deleted: boolean): void {
    for (const handler of this.handlers) {
      try {
        handler(object, previous, deleted);
      } catch (err: unknown) {
        this.options.log?.error({ err, kind: this.type.kind, key: objectKey(object) }, 'Change handler failed');
      }
    }
  }

  private listOptions(): ListOptions {
    const { namespace, labelSelector, fieldSelector } = this.options;
    return { namespace, labelSelector, fieldSelector };
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer: { handle?: ReturnType<typeof setTimeout> } = {};
      const done = (): void => {
        clearTimeout(timer.handle);
        this.wakers.delete(done);
        resolve();
      };
      timer.handle = setTimeout(done, ms);
      this.wakers.add(done);
    });
  }
}

/**
 * An informer on `type` (filtered by `options`' namespace and selectors) over `kube`. Handlers of
 * {@link Informer.onChange} run after the cache applied the change; cached objects are frozen.
 */
export function createInformer<T extends KubeObject>(kube: KubeApi, type: ResourceType, options: InformerOptions = {}): Informer<T> {
  return new ListWatchInformer<T>(kube, type, options);
}
