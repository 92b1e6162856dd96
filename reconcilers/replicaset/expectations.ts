/**
 * KubeVirt's (client-go's) controller expectations: per replica set key, the creates and deletes it
 * issued but has not yet seen in its cache. A generateName create is invisible to a stale cache, so
 * the controller does not scale again until every expected event was observed (or expired).
 * Stateful but IO-free: time comes in as milliseconds.
 * @see https://github.com/kubevirt/kubevirt/blob/main/pkg/controller/expectations.go
 */

/** client-go's ExpectationsTimeout: expectations older than this count as satisfied. */
export const EXPECTATIONS_TIMEOUT_MS = 5 * 60 * 1000;

interface Pending {
  adds: number;
  /** uids whose deletion we wait to observe. */
  readonly deletes: Set<string>;
  readonly since: number;
}

/** The pending creates and deletes of each key. */
export class Expectations {
  private readonly byKey = new Map<string, Pending>();

  /** Records `adds` creates and the deletes of `deleteUids` about to be issued for `key`. */
  expect(key: string, adds: number, deleteUids: readonly string[], nowMs: number): void {
    this.byKey.set(key, { adds, deletes: new Set(deleteUids), since: nowMs });
  }

  /** A create was seen in the cache, or failed (it will never be seen). */
  creationObserved(key: string): void {
    const pending = this.byKey.get(key);
    if (pending !== undefined && pending.adds > 0) pending.adds -= 1;
  }

  /** A delete of `uid` was seen, or failed. */
  deletionObserved(key: string, uid: string): void {
    this.byKey.get(key)?.deletes.delete(uid);
  }

  /** Whether `key` may act: nothing pending, or the expectations expired. */
  satisfied(key: string, nowMs: number): boolean {
    const pending = this.byKey.get(key);
    if (pending === undefined) return true;
    return (pending.adds <= 0 && pending.deletes.size === 0) || nowMs - pending.since > EXPECTATIONS_TIMEOUT_MS;
  }

  /** Forgets `key` (its replica set is gone). */
  forget(key: string): void {
    this.byKey.delete(key);
  }
}
