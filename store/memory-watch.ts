/**
 * The in-memory API server's watches: a bounded history of changes (a watch from a resourceVersion
 * older than it ends with 410 Gone, so informers relist), filters applied per watcher (an object
 * that stops matching is seen as DELETED, one that starts matching as ADDED, as the watch cache
 * does), and delivery in order, asynchronously, never inside the write that caused it.
 */
import type { KubeObject, Watch, WatchEvent } from '../core/kube.js';
import { copyObject } from './memory-copy.js';
import { expired } from './memory-errors.js';

/** One committed change. `prev` is the object before a MODIFIED. */
export interface Change {
  readonly rv: number;
  readonly type: 'ADDED' | 'MODIFIED' | 'DELETED';
  readonly kind: string;
  readonly object: KubeObject;
  readonly prev?: KubeObject;
}

/** Which objects a watch sees. */
export type ObjectFilter = (object: KubeObject) => boolean;

/** The event a filtered watcher sees for a change, if any. */
export function filteredEvent(change: Change, matches: ObjectFilter): Change['type'] | undefined {
  const now = matches(change.object);
  if (change.type !== 'MODIFIED') return now ? change.type : undefined;
  const before = change.prev !== undefined && matches(change.prev);
  if (now) return before ? 'MODIFIED' : 'ADDED';
  return before ? 'DELETED' : undefined;
}

class Watcher implements Watch {
  readonly done: Promise<unknown>;
  private resolve!: (v: unknown) => void;
  private readonly queue: WatchEvent[] = [];
  private scheduled = false;
  private stopped = false;

  constructor(
    readonly kind: string,
    readonly matches: ObjectFilter,
    private readonly onEvent: (event: WatchEvent) => void,
    private readonly detach: (w: Watcher) => void,
  ) {
    this.done = new Promise((resolve) => (this.resolve = resolve));
  }

  offer(change: Change): void {
    const type = filteredEvent(change, this.matches);
    if (type !== undefined) this.push({ type, object: copyObject(change.object) });
  }

  push(event: WatchEvent): void {
    if (this.stopped) return;
    this.queue.push(event);
    if (this.scheduled) return;
    this.scheduled = true;
    queueMicrotask(() => this.drain());
  }

  private drain(): void {
    this.scheduled = false;
    while (!this.stopped && this.queue.length > 0) {
      const event = this.queue.shift() as WatchEvent;
      try {
        this.onEvent(event);
      } catch {
        // A watcher's own failure never reaches the store.
      }
    }
  }

  end(error?: unknown): void {
    if (this.stopped) return;
    this.stopped = true;
    this.queue.length = 0;
    this.detach(this);
    this.resolve(error);
  }

  stop(): void {
    this.end(undefined);
  }
}

/** Change history and the watchers of every kind. */
export class WatchHub {
  private readonly history: Change[] = [];
  private readonly watchers = new Map<string, Set<Watcher>>();
  /** Every change with rv > oldest is in the history. */
  private oldest: number;

  constructor(
    private readonly limit: number,
    startRv: number,
  ) {
    this.oldest = startRv;
  }

  /** Records a change and offers it to the watchers of its kind. */
  publish(change: Change): void {
    this.history.push(change);
    if (this.history.length > this.limit) {
      const dropped = this.history.splice(0, this.history.length - this.limit);
      this.oldest = (dropped[dropped.length - 1] as Change).rv;
    }
    for (const w of this.watchers.get(change.kind) ?? []) w.offer(change);
  }

  /** Forgets the whole history (watches from any earlier resourceVersion then get 410). */
  expire(currentRv: number): void {
    this.history.length = 0;
    this.oldest = currentRv;
  }

  /**
   * A watch of `kind` from `fromRv` (exclusive); `initial` (a watch from "0" or "") are sent as
   * ADDED first. Too old a resourceVersion: the watch's `done` resolves with 410 Expired.
   */
  watch(kind: string, from: { readonly rv: number; readonly text: string; readonly initial?: readonly KubeObject[] }, matches: ObjectFilter, onEvent: (event: WatchEvent) => void): Watch {
    const w = new Watcher(kind, matches, onEvent, (x) => this.watchers.get(kind)?.delete(x));
    if (from.initial === undefined && from.rv < this.oldest) {
      const oldest = this.oldest;
      queueMicrotask(() => w.end(expired(from.text, oldest)));
      return w;
    }
    for (const o of from.initial ?? []) if (matches(o)) w.push({ type: 'ADDED', object: copyObject(o) });
    for (const change of this.history) if (change.kind === kind && change.rv > from.rv) w.offer(change);
    let set = this.watchers.get(kind);
    if (set === undefined) this.watchers.set(kind, (set = new Set()));
    set.add(w);
    return w;
  }

  /** Ends every watch with `error` (its `done` resolves with it). */
  endAll(error: unknown): void {
    for (const set of this.watchers.values()) for (const w of [...set]) w.end(error);
  }

  /** Ends every watch cleanly. */
  closeAll(): void {
    for (const set of this.watchers.values()) for (const w of [...set]) w.stop();
  }
}
