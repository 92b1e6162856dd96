import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError, isGone, isNotFound } from '../../core/errors.js';
import type { KubeObject, WatchEvent } from '../../core/kube.js';
import { createLogger } from '../../core/log.js';
import { startFakeApiServer, type FakeApiServer } from '../../test/fakes/api-server.js';
import { createKubeClient, KNOWN_RESOURCES, query, resourcePath, statusError, watchLine } from './kube-client.js';
import { runLeaderElection } from '../../reconcilers/runtime/leader.js';
import { createMemoryStore, type MemoryStore } from './memory.js';

describe('resourcePath', () => {
  const VM = { apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachine' };
  const NODE = { apiVersion: 'v1', kind: 'Node' };
  const LEASE = { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease' };
  it.each([
    { type: VM, at: { namespace: 'ns' }, path: '/apis/kubevirt.io/v1/namespaces/ns/virtualmachines' },
    { type: VM, at: {}, path: '/apis/kubevirt.io/v1/virtualmachines' },
    { type: VM, at: { namespace: 'ns', name: 'a b', subresource: 'status' }, path: '/apis/kubevirt.io/v1/namespaces/ns/virtualmachines/a%20b/status' },
    { type: NODE, at: { namespace: 'ignored', name: 'n1' }, path: '/api/v1/nodes/n1' },
    { type: LEASE, at: { namespace: 'kubevirt', name: 'l' }, path: '/apis/coordination.k8s.io/v1/namespaces/kubevirt/leases/l' },
  ])('$path', ({ type, at, path }) => {
    const info = KNOWN_RESOURCES[`${type.apiVersion}/${type.kind}`]!;
    expect(resourcePath(type, info, at)).toBe(path);
  });

  it('builds query strings of the set parameters only', () => {
    expect(query({ a: 'x=y', b: undefined, c: '' })).toBe('?a=x%3Dy');
    expect(query({})).toBe('');
  });
});

describe('statusError', () => {
  it('decodes a Status object with causes', () => {
    const e = statusError(422, {
      kind: 'Status', status: 'Failure', code: 422, reason: 'Invalid', message: 'VirtualMachine "x" is invalid',
      details: { causes: [{ reason: 'FieldValueRequired', field: 'spec.template', message: 'required' }] },
    });
    expect([e.status, e.reason, e.message]).toEqual([422, 'Invalid', 'VirtualMachine "x" is invalid']);
    expect(e.causes).toEqual([{ type: 'FieldValueRequired', field: 'spec.template', message: 'required' }]);
  });
  it.each([
    { code: 404, body: undefined, reason: 'NotFound' },
    { code: 503, body: 'upstream connect error', reason: 'ServiceUnavailable' },
    { code: 418, body: {}, reason: 'Unknown' },
  ])('falls back to the HTTP status $code', ({ code, body, reason }) => {
    const e = statusError(code, body);
    expect([e.status, e.reason]).toEqual([code, reason]);
    expect(e.message).toContain(String(code));
  });
});

describe('watchLine', () => {
  it('turns an ERROR event with a 410 Status into a Gone ApiError', () => {
    const e = watchLine(JSON.stringify({ type: 'ERROR', object: { kind: 'Status', code: 410, reason: 'Expired', message: 'too old resource version: 1 (5)' } }));
    expect(e).toBeInstanceOf(ApiError);
    expect(isGone(e)).toBe(true);
    expect((e as ApiError).reason).toBe('Expired');
  });
  it('decodes object events and bookmarks and ignores junk', () => {
    const object = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a', resourceVersion: '7' } };
    expect(watchLine(JSON.stringify({ type: 'MODIFIED', object }))).toEqual({ type: 'MODIFIED', object });
    expect(watchLine(JSON.stringify({ type: 'BOOKMARK', object }))).toEqual({ type: 'BOOKMARK', resourceVersion: '7' });
    expect(watchLine('not json')).toBeUndefined();
  });
});

const ROLE = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role' };
const CLUSTER_ROLE = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole' };

describe('over the loopback HTTPS API server', () => {
  let store: MemoryStore;
  let server: FakeApiServer;
  beforeAll(async () => {
    store = createMemoryStore({ admission: false });
    server = await startFakeApiServer(store, [ROLE, CLUSTER_ROLE]);
  });
  afterAll(async () => {
    await server.close();
    await store.close();
  });

  it('resolves kinds outside its table through discovery, with their scope', async () => {
    const api = createKubeClient(server.kubeConfig);
    await api.create({ ...ROLE, metadata: { name: 'r', namespace: 'kubevirt' }, rules: [] } as KubeObject);
    await api.create({ ...CLUSTER_ROLE, metadata: { name: 'cr' }, rules: [] } as KubeObject);
    expect((await store.get(ROLE, 'kubevirt', 'r')).metadata.namespace).toBe('kubevirt');
    expect((await api.get(CLUSTER_ROLE, undefined, 'cr')).metadata.namespace).toBeUndefined();
    expect((await api.list(ROLE)).items.map((o) => `${o.kind} ${o.metadata.name}`)).toEqual(['Role r']);
  });

  it('names an unserved kind (discovery finds nothing) in a NotFound', async () => {
    const api = createKubeClient(server.kubeConfig);
    const e = await api.list({ apiVersion: 'v1', kind: 'Gizmo' }).catch((err: unknown) => err);
    expect(isNotFound(e)).toBe(true);
    expect((e as Error).message).toContain('Gizmo');
  });

  it('a stopped watch ends without an error and delivers nothing after stop()', async () => {
    const api = createKubeClient(server.kubeConfig);
    const CM = { apiVersion: 'v1', kind: 'ConfigMap' };
    const { resourceVersion } = await api.list(CM, { namespace: 'default' });
    const seen: WatchEvent<KubeObject>[] = [];
    const w = await api.watch(CM, { namespace: 'default', resourceVersion }, (e) => seen.push(e));
    await api.create({ ...CM, metadata: { name: 'w1', namespace: 'default' } });
    for (let i = 0; i < 100 && seen.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    w.stop();
    expect(await w.done).toBeUndefined();
    await api.create({ ...CM, metadata: { name: 'w2', namespace: 'default' } });
    await new Promise((r) => setTimeout(r, 100));
    expect(seen.map((e) => (e.type === 'BOOKMARK' ? e.type : `${e.type} ${e.object.metadata.name}`))).toEqual(['ADDED w1']);
  });

  it('passes fieldValidation and the strategic patch type: the server\'s refusals come back as ApiErrors', async () => {
    const api = createKubeClient(server.kubeConfig);
    const VM = { apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachine' };
    const vm = { ...VM, metadata: { name: 'typo', namespace: 'default' }, spec: { runStrategy: 'Halted', runStrateg: 'Always', template: { spec: { domain: { devices: {} } } } } };
    const strict = await api.create(vm as KubeObject, { fieldValidation: 'Strict' }).catch((err: unknown) => err);
    expect(strict).toMatchObject({ status: 400, reason: 'BadRequest', message: expect.stringContaining('strict decoding error: unknown field "spec.runStrateg"') as unknown });
    await api.create(vm as KubeObject, { fieldValidation: 'Ignore' });
    const strategic = await api.patch(VM, { namespace: 'default', name: 'typo' }, { type: 'strategic', body: { spec: { runStrategy: 'Always' } } }).catch((err: unknown) => err);
    expect(strategic).toMatchObject({ status: 415, reason: 'UnsupportedMediaType' });
  });

  it('leader election runs over the adapter: one of two leads, the other takes over on release', async () => {
    const log = createLogger({ name: 'leader', level: 'silent' });
    const lead: string[] = [];
    const start = (identity: string): ReturnType<typeof runLeaderElection> =>
      runLeaderElection({
        kube: createKubeClient(server.kubeConfig), namespace: 'kubevirt', name: 'virt-controller', identity,
        leaseDurationSeconds: 1, renewDeadlineSeconds: 0.5, retryPeriodSeconds: 0.05, now: () => new Date(), log,
        onStartedLeading: () => lead.push(identity), onStoppedLeading: () => lead.push(`-${identity}`),
      });
    const a = start('a');
    const b = start('b');
    for (let i = 0; i < 100 && lead.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    await new Promise((r) => setTimeout(r, 200));
    expect(lead).toHaveLength(1);
    const [first, second] = lead[0] === 'a' ? [a, b] : [b, a];
    await first.stop();
    for (let i = 0; i < 100 && lead.length < 3; i++) await new Promise((r) => setTimeout(r, 10));
    expect(lead).toEqual(lead[0] === 'a' ? ['a', '-a', 'b'] : ['b', '-b', 'a']);
    await second.stop();
  });
});
