/**
 * Garbage collection by ownerReferences, as kube-controller-manager's collector does it, built into
 * the in-memory API server: dependents whose owners are all gone are deleted (background); dangling
 * references next to a live owner are dropped; an owner in foreground deletion (finalizer
 * `foregroundDeletion`) has its dependents deleted first and goes once no dependent with
 * blockOwnerDeletion is left. Work runs asynchronously, one task at a time, after the write that
 * caused it.
 */
import type { KubeObject } from '../core/kube.js';
import { isNotFound } from '../core/errors.js';

/** The foreground-deletion finalizer. */
export const FOREGROUND_FINALIZER = 'foregroundDeletion';

/** What the collector does to the store (writes as the collector, without admission). */
export interface GcTarget {
  byUid(uid: string): KubeObject | undefined;
  dependents(ownerUid: string): KubeObject[];
  /** Deletes (background), as the API server would for the collector. */
  remove(object: KubeObject): Promise<void>;
  /** Replaces the metadata's ownerReferences or finalizers of the current version. */
  setMeta(object: KubeObject, meta: Pick<KubeObject['metadata'], 'ownerReferences' | 'finalizers'>): Promise<void>;
  onError(error: unknown): void;
}

const isDeleting = (o: KubeObject): boolean => o.metadata.deletionTimestamp !== undefined;

/** The collector's queue of work. */
export class Collector {
  private readonly tasks: (() => Promise<void>)[] = [];
  private running: Promise<void> | undefined;

  constructor(private readonly store: GcTarget) {}

  /** An object with this uid is gone: look at its dependents. */
  ownerGone(uid: string): void {
    this.enqueue(async () => {
      for (const dep of this.store.dependents(uid)) await this.settle(dep.metadata.uid ?? '');
    });
  }

  /** Look at one dependent's owners. */
  checkDependent(uid: string): void {
    this.enqueue(() => this.settle(uid));
  }

  /** An owner is (or may be) in foreground deletion: delete its dependents, release it when it may go. */
  foreground(uid: string): void {
    this.enqueue(() => this.foregroundStep(uid));
  }

  /** Resolves once no work is queued or running. */
  async idle(): Promise<void> {
    while (this.running !== undefined) await this.running;
  }

  private enqueue(task: () => Promise<void>): void {
    this.tasks.push(task);
    this.running ??= this.drain();
  }

  private async drain(): Promise<void> {
    await Promise.resolve();
    for (let task = this.tasks.shift(); task !== undefined; task = this.tasks.shift()) {
      try {
        await task();
      } catch (e) {
        if (!isNotFound(e)) this.store.onError(e);
      }
    }
    this.running = undefined;
  }

  private async settle(uid: string): Promise<void> {
    const dep = this.store.byUid(uid);
    const refs = dep?.metadata.ownerReferences ?? [];
    if (dep === undefined || refs.length === 0) return;
    const alive = refs.filter((r) => this.store.byUid(r.uid) !== undefined);
    if (alive.length === refs.length) return;
    if (alive.length > 0) return this.store.setMeta(dep, { ownerReferences: alive });
    if (!isDeleting(dep)) await this.store.remove(dep);
  }

  private async foregroundStep(uid: string): Promise<void> {
    const owner = this.store.byUid(uid);
    if (owner === undefined || !isDeleting(owner) || !(owner.metadata.finalizers ?? []).includes(FOREGROUND_FINALIZER)) return;
    const deps = this.store.dependents(uid);
    for (const dep of deps) if (!isDeleting(dep)) await this.store.remove(dep);
    const blocking = this.store.dependents(uid).filter((d) => (d.metadata.ownerReferences ?? []).some((r) => r.uid === uid && r.blockOwnerDeletion === true));
    if (blocking.length > 0) return;
    const current = this.store.byUid(uid);
    if (current === undefined) return;
    await this.store.setMeta(current, { finalizers: (current.metadata.finalizers ?? []).filter((f) => f !== FOREGROUND_FINALIZER) });
  }
}
