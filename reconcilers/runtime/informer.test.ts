import { afterEach, describe, expect, it } from 'vitest';
import type { KubeApi, KubeObject, Watch } from '../../core/kube.js';
import { createMemoryStore, type MemoryStore } from '../../store/runtime/memory.js';
import { createInformer, type Informer } from './informer.js';

const CM = { apiVersion: 'v1', kind: 'ConfigMap' } as const;
type ConfigMap = KubeObject & { data?: Record<string, string> };

const cm = (name: string, extra: Partial<ConfigMap['metadata']> = {}, namespace = 'default'): ConfigMap => ({ ...CM, metadata: { name, namespace, ...extra }, data: { v: name } });

const until = async (check: () => boolean, ms = 2000): Promise<void> => {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 2));
  }
};

/** The real store, with a handle on the watches it opened so a test can end them. */
function withWatchHandles(store: MemoryStore): { kube: KubeApi; watches: Watch[]; gate: { open: Promise<void> } } {
  const watches: Watch[] = [];
  const gate = { open: Promise.resolve() };
  const kube: KubeApi = Object.create(store) as KubeApi;
  kube.watch = async (type, options, onEvent) => {
    await gate.open;
    const w = await store.watch(type, options, onEvent);
    watches.push(w);
    return w;
  };
  return { kube, watches, gate };
}

let informer: Informer<ConfigMap> | undefined;
afterEach(() => informer?.stop());

describe('createInformer', () => {
  it('applies the initial list before start resolves, indexed by key and namespace', async () => {
    const store = createMemoryStore({ admission: false });
    await store.create(cm('a'));
    await store.create(cm('b', {}, 'other'));
    informer = createInformer<ConfigMap>(store, CM);
    expect(informer.hasSynced()).toBe(false);
    await informer.start();
    expect(informer.hasSynced()).toBe(true);
    expect(informer.get('default/a')?.data?.v).toBe('a');
    expect(informer.list().map((o) => o.metadata.name).sort()).toEqual(['a', 'b']);
    expect(informer.list('other').map((o) => o.metadata.name)).toEqual(['b']);
    expect(informer.list('none')).toEqual([]);
  });

  it('follows the watch: adds, updates and deletions, handlers after the cache applied them', async () => {
    const store = createMemoryStore({ admission: false });
    informer = createInformer<ConfigMap>(store, CM);
    await informer.start();
    const seen: string[] = [];
    informer.onChange((o, prev, deleted) => {
      const inCache = informer?.get(`default/${o.metadata.name ?? ''}`);
      seen.push(`${o.metadata.name ?? ''}:${deleted ? 'del' : prev === undefined ? 'add' : 'upd'}:${deleted ? String(inCache === undefined) : String(inCache === o)}`);
    });
    const created = await store.create(cm('a'));
    await store.update({ ...created, data: { v: 'changed' } });
    await until(() => informer?.get('default/a')?.data?.v === 'changed');
    await store.delete(CM, 'default', 'a');
    await until(() => informer?.get('default/a') === undefined);
    expect(seen).toEqual(['a:add:true', 'a:upd:true', 'a:del:true']);
  });

  it('hands out frozen objects, arrays and their items included', async () => {
    const store = createMemoryStore({ admission: false });
    await store.create(cm('a', { finalizers: ['example.com/keep'], annotations: { a: 'b' } }));
    informer = createInformer<ConfigMap>(store, CM);
    await informer.start();
    const o = informer.get('default/a') as ConfigMap;
    expect(() => {
      (o.data as Record<string, string>).v = 'x';
    }).toThrow(TypeError);
    expect(() => (o.metadata.finalizers as string[]).push('x')).toThrow(TypeError);
    expect([o, o.metadata, o.metadata.finalizers, o.metadata.annotations].every((part) => Object.isFrozen(part))).toBe(true);
  });

  it('indexes by controller owner uid, following owner changes and deletions', async () => {
    const store = createMemoryStore({ admission: false });
    const ref = (uid: string, controller: boolean): NonNullable<ConfigMap['metadata']['ownerReferences']>[number] => ({ apiVersion: 'v1', kind: 'ConfigMap', name: 'owner', uid, controller });
    // Owners must exist: the store garbage-collects children of missing owners.
    const u1 = (await store.create(cm('owner1'))).metadata.uid as string;
    const u2 = (await store.create(cm('owner2'))).metadata.uid as string;
    informer = createInformer<ConfigMap>(store, CM);
    await informer.start();
    const a = await store.create(cm('a', { ownerReferences: [ref(u1, true)] }));
    await store.create(cm('b', { ownerReferences: [ref(u1, false)] }));
    await store.create(cm('c', { ownerReferences: [ref(u1, true)] }));
    await until(() => informer?.list().length === 5);
    expect(informer.controlledBy(u1).map((o) => o.metadata.name).sort()).toEqual(['a', 'c']);
    await store.update({ ...a, metadata: { ...a.metadata, ownerReferences: [ref(u2, true)] } });
    await store.delete(CM, 'default', 'c');
    await until(() => informer?.get('default/c') === undefined && informer?.controlledBy(u2).length === 1);
    expect(informer.controlledBy(u1)).toEqual([]);
    expect(informer.controlledBy(u2).map((o) => o.metadata.name)).toEqual(['a']);
  });

  it('indexes the objects without a controller by namespace, following adoption and release', async () => {
    const store = createMemoryStore({ admission: false });
    const ref = (uid: string, controller: boolean): NonNullable<ConfigMap['metadata']['ownerReferences']>[number] => ({ apiVersion: 'v1', kind: 'ConfigMap', name: 'owner', uid, controller });
    const u1 = (await store.create(cm('owner'))).metadata.uid as string;
    informer = createInformer<ConfigMap>(store, CM);
    await informer.start();
    const names = (namespace: string): string[] => (informer?.uncontrolled(namespace) ?? []).map((o) => o.metadata.name ?? '').sort();
    const loose = await store.create(cm('loose'));
    await store.create(cm('held', { ownerReferences: [ref(u1, true)] }));
    await store.create(cm('weak', { ownerReferences: [ref(u1, false)] }));
    await store.create(cm('elsewhere', {}, 'other'));
    await until(() => informer?.list().length === 5);
    expect(names('default')).toEqual(['loose', 'owner', 'weak']);
    expect(names('other')).toEqual(['elsewhere']);
    expect(names('none')).toEqual([]);
    // Adopted: no longer an orphan; released: one again; deleted: gone from the index.
    const adopted = await store.update({ ...loose, metadata: { ...loose.metadata, ownerReferences: [ref(u1, true)] } });
    await until(() => !names('default').includes('loose'));
    await store.update({ ...adopted, metadata: { ...adopted.metadata, ownerReferences: [] } });
    await until(() => names('default').includes('loose'));
    await store.delete(CM, 'other', 'elsewhere');
    await until(() => names('other').length === 0);
    expect(names('default')).toEqual(['loose', 'owner', 'weak']);
  });

  it('relists after 410 Gone and emits the diff, deletions of vanished objects included', async () => {
    const store = createMemoryStore({ admission: false });
    const { kube, watches, gate } = withWatchHandles(store);
    const keep = await store.create(cm('keep'));
    await store.create(cm('gone'));
    informer = createInformer<ConfigMap>(kube, CM);
    await informer.start();
    await until(() => watches.length === 1);
    const events: string[] = [];
    informer.onChange((o, _prev, deleted) => events.push(`${o.metadata.name ?? ''}:${deleted ? 'del' : 'put'}`));
    const first = watches[0] as Watch;
    const stopWatch = first.stop.bind(first);
    await store.delete(CM, 'default', 'gone');
    await store.update({ ...keep, data: { v: 'new' } });
    await store.create(cm('fresh'));
    await until(() => events.length === 3);
    events.length = 0;
    // Now a gap: end the watch, change things while none runs, expire the history → 410 → relist.
    let open = (): void => undefined;
    gate.open = new Promise((r) => (open = r));
    const latest = informer.get('default/keep') as ConfigMap;
    stopWatch();
    await store.delete(CM, 'default', 'fresh');
    await store.update({ ...latest, data: { v: 'newer' } });
    store.expireWatchHistory();
    expect(informer.get('default/fresh')).toBeDefined();
    open();
    await until(() => informer?.get('default/fresh') === undefined && informer?.get('default/keep')?.data?.v === 'newer');
    expect(events.sort()).toEqual(['fresh:del', 'keep:put']);
    expect(watches.length).toBeGreaterThanOrEqual(2);
  });

  it('stop ends the watch and further changes are not applied', async () => {
    const store = createMemoryStore({ admission: false });
    informer = createInformer<ConfigMap>(store, CM);
    await informer.start();
    informer.stop();
    await store.create(cm('late'));
    await new Promise((r) => setTimeout(r, 20));
    expect(informer.get('default/late')).toBeUndefined();
  });
});
