/**
 * The KubeApi contract: what every implementation (the in-memory API server, the client-node
 * adapter against an API server) must do, using only what a real API server does. Objects are a
 * ConfigMap (no status subresource) and a Pod (status subresource), so no admission is involved.
 * Store-only behaviour (GC, admission, persistence) is tested next to the store.
 *
 * The 410 case needs a way to age the watch history out: pass `expireWatchHistory` from setup
 * (the in-memory store's `expireWatchHistory()`); without it that case is skipped.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isAlreadyExists, isConflict, isGone, isNotFound } from '../../core/errors.js';
import type { KubeApi, KubeObject, WatchEvent } from '../../core/kube.js';
import { apiFailure } from '../builders/api-error.js';

/** What a contract run needs from an implementation. */
export interface ContractSubject {
  readonly api: KubeApi;
  close(): Promise<void>;
  /** Makes every resourceVersion seen so far too old to watch from (410 Gone). */
  readonly expireWatchHistory?: () => Promise<void>;
  /**
   * The namespaces the run may use, both existing (a shared API server gives each test fresh ones so
   * lists see only the test's objects). @default default and contract-other
   */
  readonly namespaces?: { readonly main: string; readonly other: string };
}

const CM = { apiVersion: 'v1', kind: 'ConfigMap' } as const;
const POD = { apiVersion: 'v1', kind: 'Pod' } as const;
// The namespaces of the running test (ContractSubject.namespaces), set before each test.
let NS = 'default';
let OTHER_NS = 'contract-other';

interface ConfigMap extends KubeObject {
  data?: Record<string, string>;
}

interface Pod extends KubeObject {
  spec: { containers: { name: string; image: string }[]; nodeName?: string; schedulerName?: string; activeDeadlineSeconds?: number };
  status?: { phase?: string; message?: string; qosClass?: string };
}

const configMap = (name: string, labels?: Record<string, string>, data: Record<string, string> = { k: 'v' }, namespace = NS): ConfigMap => ({
  ...CM,
  metadata: { name, namespace, ...(labels === undefined ? {} : { labels }) },
  data,
});

/** The pod's containers with a new image (the one container field a pod update may change). */
const withImage = (p: Pod, image: string): Pod['spec']['containers'] => p.spec.containers.map((c) => ({ ...c, image }));

const pod = (name: string): Pod => ({
  ...POD,
  metadata: { name, namespace: NS },
  // No scheduler takes it: on a real cluster a scheduler would write the pod's status under the test.
  spec: { schedulerName: 'kvt-contract-unscheduled', containers: [{ name: 'compute', image: 'example.com/img:1' }] },
});

async function eventually<T>(read: () => T | undefined, what: string, ms = 5000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = read();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

const names = (list: { items: KubeObject[] }): string[] => list.items.map((o) => o.metadata.name ?? '').sort();

/** The contract suite, run against the KubeApi `setup` makes (a fresh one per test). */
export function describeKubeApiContract(name: string, setup: () => Promise<ContractSubject>): void {
  describe(`KubeApi contract: ${name}`, () => {
    let subject: ContractSubject;
    let api: KubeApi;

    beforeEach(async () => {
      subject = await setup();
      api = subject.api;
      NS = subject.namespaces?.main ?? 'default';
      OTHER_NS = subject.namespaces?.other ?? 'contract-other';
    });
    afterEach(async () => {
      await subject.close();
    });

    it('creates, gets, lists, updates and deletes', async () => {
      const created = await api.create(configMap('crud'));
      expect(created.metadata).toMatchObject({ name: 'crud', namespace: NS });
      expect(created.metadata.uid).toMatch(/.+/);
      expect(created.metadata.resourceVersion).toMatch(/^\d+$/);
      expect(created.metadata.creationTimestamp).toMatch(/^\d{4}-\d\d-\d\dT/);
      expect(await api.get<ConfigMap>(CM, NS, 'crud')).toEqual(created);
      const listed = await api.list<ConfigMap>(CM, { namespace: NS });
      expect(names(listed)).toContain('crud');
      expect(Number(listed.resourceVersion)).toBeGreaterThanOrEqual(Number(created.metadata.resourceVersion));
      const updated = await api.update<ConfigMap>({ ...created, data: { k: 'w' } });
      expect(updated.data).toEqual({ k: 'w' });
      expect(Number(updated.metadata.resourceVersion)).toBeGreaterThan(Number(created.metadata.resourceVersion));
      expect(updated.metadata.uid).toBe(created.metadata.uid);
      await api.delete(CM, NS, 'crud');
      expect(isNotFound(await apiFailure(api.get(CM, NS, 'crud')))).toBe(true);
    });

    it('answers a dry-run create or update with what it would store, and stores nothing', async () => {
      const dry = await api.create(configMap('dry', { a: '1' }), { dryRun: true });
      expect(dry.metadata).toMatchObject({ name: 'dry', namespace: NS, labels: { a: '1' } });
      expect(isNotFound(await apiFailure(api.get(CM, NS, 'dry')))).toBe(true);
      const created = await api.create(configMap('dry'));
      const updated = await api.update<ConfigMap>({ ...created, data: { k: 'dry' } }, { dryRun: true });
      expect(updated.data).toEqual({ k: 'dry' });
      expect((await api.get<ConfigMap>(CM, NS, 'dry')).data).toEqual({ k: 'v' });
    });

    it('returns copies: changing a result does not change what is stored', async () => {
      const created = await api.create(configMap('copy'));
      (created.data as Record<string, string>)['k'] = 'mutated';
      expect((await api.get<ConfigMap>(CM, NS, 'copy')).data).toEqual({ k: 'v' });
    });

    it('honours generateName with a fresh suffix per create', async () => {
      const template: ConfigMap = { ...CM, metadata: { generateName: 'gen-', namespace: NS }, data: {} };
      const a = await api.create(template);
      const b = await api.create(template);
      expect(a.metadata.name).toMatch(/^gen-[a-z0-9]{5}$/);
      expect(b.metadata.name).toMatch(/^gen-[a-z0-9]{5}$/);
      expect(a.metadata.name).not.toBe(b.metadata.name);
    });

    it('answers AlreadyExists, NotFound and Conflict with their predicates', async () => {
      const created = await api.create(configMap('taken'));
      const exists = await apiFailure(api.create(configMap('taken')));
      expect([isAlreadyExists(exists), exists.status]).toEqual([true, 409]);
      expect(exists.message).toContain('"taken" already exists');
      const missing = await apiFailure(api.get(CM, NS, 'absent'));
      expect([isNotFound(missing), missing.message]).toEqual([true, 'configmaps "absent" not found']);
      expect(isNotFound(await apiFailure(api.update(configMap('absent'))))).toBe(true);
      expect(isNotFound(await apiFailure(api.delete(CM, NS, 'absent')))).toBe(true);
      await api.update({ ...created, data: { k: 'newer' } });
      const stale = await apiFailure(api.update({ ...created, data: { k: 'stale' } }));
      expect([isConflict(stale), stale.status]).toEqual([true, 409]);
      expect(stale.message).toContain('the object has been modified; please apply your changes to the latest version and try again');
      expect((await api.get<ConfigMap>(CM, NS, 'taken')).data).toEqual({ k: 'newer' });
    });

    it('lists by namespace, label selector and field selector', async () => {
      await api.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: OTHER_NS } }).catch((e: unknown) => {
        if (!isAlreadyExists(e)) throw e;
      });
      await api.create(configMap('la', { app: 'a', tier: 'web' }));
      await api.create(configMap('lb', { app: 'b' }));
      await api.create(configMap('lc', {}));
      await api.create(configMap('ld', { app: 'a' }, {}, OTHER_NS));
      const sel = async (labelSelector: string, namespace = NS): Promise<string[]> =>
        names(await api.list(CM, { ...(namespace === '*' ? {} : { namespace }), labelSelector })).filter((n) => /^l[a-d]$/.test(n));
      expect(await sel('app=a')).toEqual(['la']);
      expect(await sel('app=a', '*')).toEqual(['la', 'ld']);
      expect(await sel('app!=a')).toEqual(['lb', 'lc']);
      expect(await sel('app in (a,b)')).toEqual(['la', 'lb']);
      expect(await sel('app notin (a)')).toEqual(['lb', 'lc']);
      expect(await sel('!app')).toEqual(['lc']);
      expect(await sel('app,tier')).toEqual(['la']);
      expect(await sel('')).toEqual(['la', 'lb', 'lc']);
      expect(names(await api.list(CM, { fieldSelector: 'metadata.name=lb' }))).toEqual(['lb']);
      expect(names(await api.list(CM, { fieldSelector: `metadata.namespace=${OTHER_NS},metadata.name=ld` }))).toEqual(['ld']);
      expect(names(await api.list(CM, { namespace: NS, fieldSelector: 'metadata.name!=la', labelSelector: 'app' }))).toEqual(['lb']);
    });

    it('refuses a malformed selector with 400', async () => {
      expect((await apiFailure(api.list(CM, { labelSelector: 'app in (' }))).status).toBe(400);
      expect((await apiFailure(api.list(CM, { fieldSelector: 'spec.unknownField=x' }))).status).toBe(400);
      // A field a kind does not declare selectable (a ConfigMap has no status.phase) is refused too.
      expect((await apiFailure(api.list(CM, { fieldSelector: 'status.phase=Running' }))).status).toBe(400);
    });

    it('keeps status out of update and spec out of updateStatus', async () => {
      const created = await api.create(pod('status'));
      // A pod's QoS class is computed at create and kept by every status write (it is immutable).
      expect(created.status).toMatchObject({ phase: 'Pending', qosClass: 'BestEffort' });
      const withStatus = await api.updateStatus<Pod>({ ...created, spec: { ...created.spec, containers: withImage(created, 'example.com/img:2') }, status: { phase: 'Running', message: 'up' } });
      expect(withStatus.status).toEqual({ phase: 'Running', message: 'up', qosClass: 'BestEffort' });
      expect(withStatus.spec.containers[0]?.image).toBe('example.com/img:1');
      const updated = await api.update<Pod>({ ...withStatus, metadata: { ...withStatus.metadata, labels: { a: 'b' } }, status: { phase: 'Failed' } });
      expect(updated.metadata.labels).toEqual({ a: 'b' });
      expect(updated.status).toEqual({ phase: 'Running', message: 'up', qosClass: 'BestEffort' });
    });

    it('moves generation on spec changes only', async () => {
      const created = await api.create(pod('gen'));
      const g = created.metadata.generation ?? 0;
      expect(g).toBeGreaterThanOrEqual(1);
      const relabelled = await api.update<Pod>({ ...created, metadata: { ...created.metadata, labels: { x: 'y' } } });
      expect(relabelled.metadata.generation).toBe(g);
      const statused = await api.updateStatus<Pod>({ ...relabelled, status: { phase: 'Running' } });
      expect(statused.metadata.generation).toBe(g);
      const respecced = await api.update<Pod>({ ...statused, spec: { ...statused.spec, containers: withImage(statused, 'example.com/img:2') } });
      expect(respecced.metadata.generation).toBe(g + 1);
    });

    it('refuses a pod update that changes more than images, tolerations and deadlines', async () => {
      const created = await api.create(pod('immutable'));
      const renamed = { ...created, spec: { ...created.spec, containers: created.spec.containers.map((c) => ({ ...c, name: 'other' })) } };
      const refused = await apiFailure(api.update<Pod>(renamed));
      expect([refused.status, refused.reason]).toEqual([422, 'Invalid']);
      expect(refused.message).toContain('pod updates may not change fields other than');
    });

    it('applies merge patches, to the object and to its status', async () => {
      await api.create(configMap('merge', { a: '1', b: '2' }, { k: 'v', drop: 'x' }));
      const patched = await api.patch<ConfigMap>(CM, { namespace: NS, name: 'merge' }, { type: 'merge', body: { metadata: { labels: { b: null, c: '3' } }, data: { drop: null, n: 'new' } } });
      expect(patched.metadata.labels).toEqual({ a: '1', c: '3' });
      expect(patched.data).toEqual({ k: 'v', n: 'new' });
      await api.create(pod('merge-status'));
      // pods/status keeps the spec but, as the API server's pod status strategy does, takes labels.
      const status = await api.patch<Pod>(POD, { namespace: NS, name: 'merge-status', subresource: 'status' }, { type: 'merge', body: { status: { phase: 'Running' }, spec: { activeDeadlineSeconds: 5 }, metadata: { labels: { from: 'status' } } } });
      expect([status.status?.phase, status.metadata.labels, status.spec.activeDeadlineSeconds]).toEqual(['Running', { from: 'status' }, undefined]);
      const spec = await api.patch<Pod>(POD, { namespace: NS, name: 'merge-status' }, { type: 'merge', body: { status: { phase: 'Failed' }, metadata: { labels: { l: 'v' } } } });
      expect([spec.status?.phase, spec.metadata.labels]).toEqual(['Running', { from: 'status', l: 'v' }]);
    });

    it('applies JSON patches, refusing one whose test op fails and changing nothing', async () => {
      const created = await api.create(configMap('json', undefined, { k: 'v' }));
      const patched = await api.patch<ConfigMap>(CM, { namespace: NS, name: 'json' }, { type: 'json', body: [
        { op: 'test', path: '/data/k', value: 'v' },
        { op: 'replace', path: '/data/k', value: 'w' },
        { op: 'add', path: '/metadata/labels', value: { 'kubevirt.io/x': 'y' } },
      ] });
      expect([patched.data, patched.metadata.labels]).toEqual([{ k: 'w' }, { 'kubevirt.io/x': 'y' }]);
      const refused = await apiFailure(api.patch(CM, { namespace: NS, name: 'json' }, { type: 'json', body: [{ op: 'test', path: '/data/k', value: 'v' }, { op: 'replace', path: '/data/k', value: 'z' }] }));
      expect(refused.status).toBe(422);
      const now = await api.get<ConfigMap>(CM, NS, 'json');
      expect(now.data).toEqual({ k: 'w' });
      expect(now.metadata.resourceVersion).toBe(patched.metadata.resourceVersion);
      expect(Number(patched.metadata.resourceVersion)).toBeGreaterThan(Number(created.metadata.resourceVersion));
      await api.create(pod('json-status'));
      const status = await api.patch<Pod>(POD, { namespace: NS, name: 'json-status', subresource: 'status' }, { type: 'json', body: [{ op: 'replace', path: '/status/phase', value: 'Running' }] });
      expect(status.status?.phase).toBe('Running');
    });

    it('applies server-side apply patches, creating the object when absent', async () => {
      const applied = await api.patch<ConfigMap>(CM, { namespace: NS, name: 'apply' }, { type: 'apply', body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'apply', namespace: NS, labels: { a: '1' } }, data: { k: 'v' } } }, { fieldManager: 'contract', force: true });
      expect([applied.metadata.labels, applied.data]).toEqual([{ a: '1' }, { k: 'v' }]);
      const again = await api.patch<ConfigMap>(CM, { namespace: NS, name: 'apply' }, { type: 'apply', body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'apply', namespace: NS }, data: { k: 'w' } } }, { fieldManager: 'contract', force: true });
      expect(again.data?.['k']).toBe('w');
      expect(again.metadata.uid).toBe(applied.metadata.uid);
    });

    it('checks delete preconditions on uid and resourceVersion', async () => {
      const created = await api.create(configMap('pre'));
      expect(isConflict(await apiFailure(api.delete(CM, NS, 'pre', { uid: '00000000-0000-0000-0000-000000000000' })))).toBe(true);
      expect(isConflict(await apiFailure(api.delete(CM, NS, 'pre', { resourceVersion: `${created.metadata.resourceVersion ?? ''}0` })))).toBe(true);
      expect((await api.get(CM, NS, 'pre')).metadata.uid).toBe(created.metadata.uid);
      await api.delete(CM, NS, 'pre', { uid: created.metadata.uid ?? '', resourceVersion: created.metadata.resourceVersion ?? '' });
      expect(isNotFound(await apiFailure(api.get(CM, NS, 'pre')))).toBe(true);
    });

    it('holds an object with finalizers until the last one is removed', async () => {
      await api.create({ ...configMap('fin'), metadata: { name: 'fin', namespace: NS, finalizers: ['example.com/hold', 'example.com/also'] } });
      await api.delete(CM, NS, 'fin');
      const held = await api.get<ConfigMap>(CM, NS, 'fin');
      expect(held.metadata.deletionTimestamp).toMatch(/^\d{4}-/);
      const fewer = await api.update<ConfigMap>({ ...held, metadata: { ...held.metadata, finalizers: ['example.com/also'] } });
      expect(fewer.metadata.deletionTimestamp).toBe(held.metadata.deletionTimestamp);
      const added = await apiFailure(api.update<ConfigMap>({ ...fewer, metadata: { ...fewer.metadata, finalizers: ['example.com/also', 'example.com/new'] } }));
      expect(added.status).toBe(422);
      await api.patch(CM, { namespace: NS, name: 'fin' }, { type: 'merge', body: { metadata: { finalizers: null } } });
      expect(isNotFound(await apiFailure(api.get(CM, NS, 'fin')))).toBe(true);
    });

    it('watches from a resourceVersion: ADDED, MODIFIED, DELETED in order, filtered', async () => {
      await api.create(configMap('before', { w: 'yes' }));
      const start = (await api.list(CM, { namespace: NS })).resourceVersion;
      const seen: WatchEvent<ConfigMap>[] = [];
      const watch = await api.watch<ConfigMap>(CM, { namespace: NS, labelSelector: 'w=yes', resourceVersion: start }, (e) => seen.push(e));
      try {
        const a = await api.create(configMap('wa', { w: 'yes' }));
        await api.create(configMap('wother', { w: 'no' }));
        await api.update<ConfigMap>({ ...a, data: { k: 'changed' } });
        await api.patch(CM, { namespace: NS, name: 'wa' }, { type: 'merge', body: { metadata: { labels: { w: 'no' } } } });
        await api.create(configMap('wb', { w: 'yes' }));
        await api.delete(CM, NS, 'wb');
        const events = await eventually(() => (seen.length >= 5 ? seen : undefined), 'five watch events');
        const summary = events.map((e) => (e.type === 'BOOKMARK' ? ['BOOKMARK', ''] : [e.type, e.object.metadata.name]));
        expect(summary).toEqual([['ADDED', 'wa'], ['MODIFIED', 'wa'], ['DELETED', 'wa'], ['ADDED', 'wb'], ['DELETED', 'wb']]);
        const rvs = events.map((e) => (e.type === 'BOOKMARK' ? 0 : Number(e.object.metadata.resourceVersion)));
        expect([...rvs].sort((x, y) => x - y)).toEqual(rvs);
        expect(rvs[0]).toBeGreaterThan(Number(start));
      } finally {
        watch.stop();
      }
      expect(await watch.done).toBeUndefined();
    });

    it('replays changes made before the watch started, after its resourceVersion', async () => {
      const from = (await api.list(CM, { namespace: NS })).resourceVersion;
      await api.create(configMap('replay'));
      const seen: WatchEvent<ConfigMap>[] = [];
      const watch = await api.watch<ConfigMap>(CM, { namespace: NS, fieldSelector: 'metadata.name=replay', resourceVersion: from }, (e) => seen.push(e));
      try {
        const first = await eventually(() => seen[0], 'the replayed ADDED');
        expect(first.type === 'ADDED' && first.object.metadata.name).toBe('replay');
      } finally {
        watch.stop();
      }
    });

    it('ends a watch from a too-old resourceVersion with 410 Gone', async (ctx) => {
      if (subject.expireWatchHistory === undefined) ctx.skip();
      const old = (await api.create(configMap('old'))).metadata.resourceVersion ?? '';
      await api.update({ ...(await api.get<ConfigMap>(CM, NS, 'old')), data: { k: 'later' } });
      await subject.expireWatchHistory?.();
      const watch = await api.watch(CM, { namespace: NS, resourceVersion: old }, () => undefined);
      const ended = await Promise.race([watch.done, new Promise((r) => setTimeout(() => r('still running'), 5000))]);
      watch.stop();
      expect(isGone(ended)).toBe(true);
    });
  });
}
