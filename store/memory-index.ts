/**
 * The in-memory API server's object index: objects by kind and `namespace/name`, by uid, and
 * dependents by owner uid (what garbage collection and its foreground deletion look up). Stored
 * objects are never mutated in place: every write puts a new object.
 */
import type { KubeObject, ResourceType } from '../core/kube.js';

/** `apiVersion/kind`: the index's kind key. */
export const kindKeyOf = (type: ResourceType): string => `${type.apiVersion}/${type.kind}`;

/** `namespace/name`, or `name` for cluster-scoped objects. */
export const storeKeyOf = (namespace: string | undefined, name: string): string => (namespace === undefined || namespace === '' ? name : `${namespace}/${name}`);

const ownerUids = (o: KubeObject): string[] => (o.metadata.ownerReferences ?? []).map((r) => r.uid);

/** Objects by kind and key, by uid, and by owner uid. */
export class ObjectIndex {
  private readonly kinds = new Map<string, Map<string, KubeObject>>();
  private readonly uids = new Map<string, KubeObject>();
  private readonly owners = new Map<string, Set<string>>();

  /** Forgets every object. */
  clear(): void {
    this.kinds.clear();
    this.uids.clear();
    this.owners.clear();
  }

  get(kind: string, key: string): KubeObject | undefined {
    return this.kinds.get(kind)?.get(key);
  }

  /** The object with this uid, if it exists. */
  byUid(uid: string): KubeObject | undefined {
    return this.uids.get(uid);
  }

  /** Objects whose ownerReferences name `ownerUid`. */
  dependents(ownerUid: string): KubeObject[] {
    return [...(this.owners.get(ownerUid) ?? [])].map((uid) => this.uids.get(uid)).filter((o): o is KubeObject => o !== undefined);
  }

  /** Every object of a kind. */
  all(kind: string): IterableIterator<KubeObject> {
    return (this.kinds.get(kind) ?? new Map<string, KubeObject>()).values();
  }

  /** Every object of every kind. */
  everything(): KubeObject[] {
    return [...this.kinds.values()].flatMap((m) => [...m.values()]);
  }

  put(kind: string, key: string, object: KubeObject): void {
    let byKey = this.kinds.get(kind);
    if (byKey === undefined) this.kinds.set(kind, (byKey = new Map()));
    const before = byKey.get(key);
    if (before !== undefined) this.unindex(before);
    byKey.set(key, object);
    const uid = object.metadata.uid ?? '';
    this.uids.set(uid, object);
    for (const owner of ownerUids(object)) {
      let set = this.owners.get(owner);
      if (set === undefined) this.owners.set(owner, (set = new Set()));
      set.add(uid);
    }
  }

  remove(kind: string, key: string): void {
    const byKey = this.kinds.get(kind);
    const before = byKey?.get(key);
    if (before === undefined) return;
    byKey?.delete(key);
    this.unindex(before);
  }

  private unindex(object: KubeObject): void {
    const uid = object.metadata.uid ?? '';
    this.uids.delete(uid);
    for (const owner of ownerUids(object)) {
      const set = this.owners.get(owner);
      set?.delete(uid);
      if (set?.size === 0) this.owners.delete(owner);
    }
  }
}
