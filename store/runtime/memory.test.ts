import { describe, expect, it } from 'vitest';
import { ApiError, isNotFound } from '../../core/errors.js';
import type { KubeObject } from '../../core/kube.js';
import { createMemoryStore, type MemoryStore } from './memory.js';
import { apiFailure } from '../../test/builders/api-error.js';

const CM = { apiVersion: 'v1', kind: 'ConfigMap' } as const;
const POD = { apiVersion: 'v1', kind: 'Pod' } as const;
const VMI = { apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachineInstance' } as const;
const VM = { apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachine' } as const;
const CONTROLLER = { username: 'system:serviceaccount:kubevirt:kubevirt-controller' };

type Obj = KubeObject & Record<string, unknown>;

const exists = (store: MemoryStore, type: typeof CM | typeof POD, name: string): Promise<boolean> =>
  store.get(type, 'default', name).then(
    () => true,
    (e: unknown) => (isNotFound(e) ? false : Promise.reject(e)),
  );

const vmi = (name: string, labels?: Record<string, string>): Obj => ({
  ...VMI,
  metadata: { name, namespace: 'default', ...(labels === undefined ? {} : { labels }) },
  spec: { domain: { devices: {}, resources: { requests: { memory: '128Mi' } } } },
  status: { phase: 'Running' },
});

describe('admission in the store', () => {
  it('admits a VMI create: presets and defaults applied, finalizer added, status not stored', async () => {
    const store = createMemoryStore();
    await store.create({
      apiVersion: 'kubevirt.io/v1',
      kind: 'VirtualMachineInstancePreset',
      metadata: { name: 'small', namespace: 'default' },
      spec: { selector: { matchLabels: { 'kubevirt.io/flavor': 'small' } }, domain: { cpu: { cores: 1 }, devices: {} } },
    });
    const created = await store.create(vmi('flavoured', { 'kubevirt.io/flavor': 'small' }));
    expect(created.metadata.annotations?.['virtualmachinepreset.kubevirt.io/small']).toBe('kubevirt.io/v1');
    expect((created['spec'] as { domain: { cpu?: unknown } }).domain.cpu).toMatchObject({ cores: 1 });
    expect(created.metadata.finalizers).toContain('kubevirt.io/foregroundDeleteVirtualMachine');
    expect(created['status']).toBeUndefined();
    expect(await store.get(VMI, 'default', 'flavoured')).toEqual(created);
    await store.close();
  });

  it('refuses an invalid VM with the cause naming the field, storing nothing', async () => {
    const store = createMemoryStore();
    const bad: Obj = {
      ...VM,
      metadata: { name: 'bad', namespace: 'default' },
      spec: { runStrategy: 'Halted', template: { spec: { domain: { devices: { disks: [{ name: 'nodisk', disk: { bus: 'virtio' } }] } } } } },
    };
    const denied = await apiFailure(store.create(bad));
    expect(denied.status).toBe(422);
    expect(denied.reason).toBe('Invalid');
    expect(denied.message).toMatch(/^admission webhook "virtualmachine-validator\.kubevirt\.io" denied the request: /);
    expect(denied.causes.some((c) => c.field.includes('disks[0]'))).toBe(true);
    expect((await store.list(VM)).items).toEqual([]);
    const off = createMemoryStore({ admission: false });
    await off.create(bad);
    expect((await off.list(VM)).items).toHaveLength(1);
    await Promise.all([store.close(), off.close()]);
  });

  it('admits as the writing user: reserved labels only for KubeVirt service accounts', async () => {
    const store = createMemoryStore();
    await store.create(vmi('owned'));
    const labelled = { metadata: { labels: { 'kubevirt.io/nodeName': 'node01' } } };
    const denied = await apiFailure(store.patch(VMI, { namespace: 'default', name: 'owned' }, { type: 'merge', body: labelled }));
    expect([denied.status, denied.message]).toEqual([422, expect.stringContaining('kubevirt.io/nodeName')]);
    const asController = await store.client(CONTROLLER).patch(VMI, { namespace: 'default', name: 'owned' }, { type: 'merge', body: labelled });
    expect(asController.metadata.labels?.['kubevirt.io/nodeName']).toBe('node01');
    await store.close();
  });

  it('does not admit status writes', async () => {
    const store = createMemoryStore();
    const created = await store.create(vmi('status'));
    const written = await store.updateStatus({ ...created, status: { phase: 'Pending' } });
    expect(written['status']).toEqual({ phase: 'Pending' });
    const patched = await store.patch<Obj>(VMI, { namespace: 'default', name: 'status', subresource: 'status' }, { type: 'merge', body: { status: { phase: 'Scheduling' } } });
    expect(patched['status']).toEqual({ phase: 'Scheduling' });
    await store.close();
  });
});

const owned = (name: string, owners: readonly KubeObject[], extra: Partial<KubeObject['metadata']> = {}, block = false): KubeObject => ({
  ...CM,
  metadata: {
    name,
    namespace: 'default',
    ...extra,
    ownerReferences: owners.map((o) => ({ apiVersion: o.apiVersion, kind: o.kind, name: o.metadata.name ?? '', uid: o.metadata.uid ?? '', ...(block ? { blockOwnerDeletion: true } : {}) })),
  },
});

describe('garbage collection', () => {
  it('background: dependents go after their owner', async () => {
    const store = createMemoryStore({ admission: false });
    const owner = await store.create({ ...CM, metadata: { name: 'owner', namespace: 'default' } });
    await store.create(owned('dep1', [owner]));
    await store.create(owned('dep2', [owner]));
    await store.create({ ...CM, metadata: { name: 'bystander', namespace: 'default' } });
    await store.delete(CM, 'default', 'owner');
    expect(await exists(store, CM, 'owner')).toBe(false);
    await store.settled();
    expect((await store.list(CM)).items.map((o) => o.metadata.name)).toEqual(['bystander']);
    await store.close();
  });

  it('collects a dependent whose owner uid does not exist, and drops a dangling reference next to a live owner', async () => {
    const store = createMemoryStore({ admission: false });
    const live = await store.create<KubeObject>({ ...CM, metadata: { name: 'live', namespace: 'default' } });
    const ghost: KubeObject = { ...CM, metadata: { name: 'ghost', namespace: 'default', uid: 'no-such-uid' } };
    await store.create(owned('orphaned', [ghost]));
    await store.create(owned('shared', [live, ghost]));
    await store.settled();
    expect(await exists(store, CM, 'orphaned')).toBe(false);
    const shared = await store.get(CM, 'default', 'shared');
    expect(shared.metadata.ownerReferences?.map((r) => r.uid)).toEqual([live.metadata.uid]);
    await store.close();
  });

  it('foreground: the owner waits for blocking dependents', async () => {
    const store = createMemoryStore({ admission: false });
    const owner = await store.create({ ...CM, metadata: { name: 'fg', namespace: 'default' } });
    await store.create(owned('blocker', [owner], { finalizers: ['example.com/hold'] }, true));
    await store.create(owned('free', [owner]));
    await store.delete(CM, 'default', 'fg', { propagationPolicy: 'Foreground' });
    await store.settled();
    const held = await store.get(CM, 'default', 'fg');
    expect(held.metadata.deletionTimestamp).toBeDefined();
    expect(held.metadata.finalizers).toEqual(['foregroundDeletion']);
    expect(await exists(store, CM, 'free')).toBe(false);
    const blocker = await store.get(CM, 'default', 'blocker');
    expect(blocker.metadata.deletionTimestamp).toBeDefined();
    await store.patch(CM, { namespace: 'default', name: 'blocker' }, { type: 'merge', body: { metadata: { finalizers: null } } });
    await store.settled();
    expect(await exists(store, CM, 'blocker')).toBe(false);
    expect(await exists(store, CM, 'fg')).toBe(false);
    await store.close();
  });

  it('orphan: dependents stay and lose the reference', async () => {
    const store = createMemoryStore({ admission: false });
    const owner = await store.create({ ...CM, metadata: { name: 'parent', namespace: 'default' } });
    await store.create(owned('child', [owner]));
    await store.delete(CM, 'default', 'parent', { propagationPolicy: 'Orphan' });
    await store.settled();
    const child = await store.get(CM, 'default', 'child');
    expect(child.metadata.ownerReferences).toBeUndefined();
    await store.close();
  });
});

const podOf = (name: string, spec: Record<string, unknown>): KubeObject => ({ ...POD, metadata: { name, namespace: 'default' }, spec: { containers: [{ name: 'c', image: 'i' }], ...spec } } as KubeObject);

describe('pod deletion', () => {
  it('deletes an unbound pod at once', async () => {
    const store = createMemoryStore({ admission: false });
    await store.create(podOf('unbound', {}));
    await store.delete(POD, 'default', 'unbound');
    expect(await exists(store, POD, 'unbound')).toBe(false);
    await store.close();
  });

  it('only marks a bound pod until it is deleted with grace period 0', async () => {
    const now = new Date('2026-01-01T00:00:00Z');
    const store = createMemoryStore({ admission: false, now: () => now });
    await store.create(podOf('bound', { nodeName: 'node01', terminationGracePeriodSeconds: 45 }));
    await store.delete(POD, 'default', 'bound');
    const marked = await store.get(POD, 'default', 'bound');
    expect(marked.metadata.deletionGracePeriodSeconds).toBe(45);
    expect(marked.metadata.deletionTimestamp).toBe('2026-01-01T00:00:45Z');
    await store.delete(POD, 'default', 'bound', { gracePeriodSeconds: 10 });
    expect((await store.get(POD, 'default', 'bound')).metadata.deletionGracePeriodSeconds).toBe(10);
    await store.delete(POD, 'default', 'bound', { gracePeriodSeconds: 0 });
    expect(await exists(store, POD, 'bound')).toBe(false);
    await store.close();
  });

  it('deletes a bound pod that has terminated at once', async () => {
    const store = createMemoryStore({ admission: false });
    const created = await store.create(podOf('done', { nodeName: 'node01' }));
    await store.updateStatus({ ...created, status: { phase: 'Succeeded' } } as KubeObject);
    await store.delete(POD, 'default', 'done');
    expect(await exists(store, POD, 'done')).toBe(false);
    await store.close();
  });
});

describe('watch history', () => {
  it('keeps the last watchHistory changes; an older resourceVersion gets 410 Expired', async () => {
    const store = createMemoryStore({ admission: false, watchHistory: 2 });
    for (let i = 0; i < 5; i++) await store.create({ ...CM, metadata: { name: `h${i}`, namespace: 'default' } });
    const gone = await store.watch(CM, { resourceVersion: '1' }, () => undefined);
    const ended = await gone.done;
    expect(ended).toBeInstanceOf(ApiError);
    expect([(ended as ApiError).status, (ended as ApiError).reason]).toEqual([410, 'Expired']);
    const seen: string[] = [];
    const ok = await store.watch(CM, { resourceVersion: '3' }, (e) => seen.push(e.type === 'BOOKMARK' ? '' : (e.object.metadata.name ?? '')));
    await new Promise((r) => setTimeout(r, 5));
    expect(seen).toEqual(['h3', 'h4']);
    ok.stop();
    await store.close();
  });

  it('delivers events after the write returns, never inside it', async () => {
    const store = createMemoryStore({ admission: false });
    const seen: string[] = [];
    await store.watch(CM, { resourceVersion: '0' }, () => seen.push('event'));
    const write = store.create({ ...CM, metadata: { name: 'x', namespace: 'default' } });
    expect(seen).toEqual([]);
    await write;
    await new Promise((r) => setTimeout(r, 1));
    expect(seen).toEqual(['event']);
    await store.close();
  });
});

describe('scope and subresources', () => {
  it('puts a namespaced object without namespace in default and drops the namespace of a cluster-scoped one', async () => {
    const store = createMemoryStore({ admission: false });
    const cm = await store.create<KubeObject>({ ...CM, metadata: { name: 'nons' } });
    expect(cm.metadata.namespace).toBe('default');
    const node = await store.create<KubeObject>({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'node01', namespace: 'ignored' } });
    expect(node.metadata.namespace).toBeUndefined();
    expect((await store.get({ apiVersion: 'v1', kind: 'Node' }, undefined, 'node01')).metadata.uid).toBe(node.metadata.uid);
    await store.close();
  });

  it('has no status subresource for a ConfigMap: updateStatus is NotFound, update keeps every field', async () => {
    const store = createMemoryStore({ admission: false });
    const cm = await store.create<Obj>({ ...CM, metadata: { name: 'nostatus', namespace: 'default' }, status: { kept: true } });
    expect(cm['status']).toEqual({ kept: true });
    expect(isNotFound(await apiFailure(store.updateStatus(cm)))).toBe(true);
    await store.close();
  });

  it('words errors as the API server does, with the resource name of the kind', async () => {
    const store = createMemoryStore({ admission: false });
    expect((await apiFailure(store.get(VMI, 'default', 'x'))).message).toBe('virtualmachineinstances.kubevirt.io "x" not found');
    expect((await apiFailure(store.get({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease' }, 'kubevirt', 'l'))).message).toBe('leases.coordination.k8s.io "l" not found');
    const nameless = await apiFailure(store.create({ ...CM, metadata: {} }));
    expect([nameless.status, nameless.causes[0]?.field]).toEqual([422, 'metadata.name']);
    await store.close();
  });
});

describe('object metadata, as the API server checks it', () => {
  const PRESET = { apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachineInstancePreset' } as const;
  it.each([
    ['a preset named like a path', { ...PRESET, metadata: { name: '../../../../tmp/preset', namespace: 'default' }, spec: { selector: {} } }, 'metadata.name'],
    ['a namespace like a path', { ...CM, metadata: { name: 'ok', namespace: '../etc' } }, 'metadata.namespace'],
    ['a label key with a space', { ...CM, metadata: { name: 'ok', namespace: 'default', labels: { 'bad key!': 'v' } } }, 'metadata.labels'],
    ['a NUL in a name', { ...CM, metadata: { name: 'a\u0000b', namespace: 'default' } }, 'metadata.name'],
    ['a YAML boolean as a name', { ...CM, metadata: { name: true, namespace: 'default' } }, 'metadata.name'],
  ])('refuses %s with 422 on the field, storing nothing', async (_title, object, field) => {
    const store = createMemoryStore({});
    const e = await apiFailure(store.create(object as unknown as KubeObject));
    expect([e.status, e.causes.map((c) => c.field)]).toEqual([422, [field]]);
    expect(e.message).toMatch(/is invalid: metadata\./);
    expect((await store.list(CM)).items).toEqual([]);
    expect((await store.list(PRESET)).items).toEqual([]);
    await store.close();
  });

  it('refuses an update that gives an object a bad label', async () => {
    const store = createMemoryStore({});
    const stored = await store.create({ ...CM, metadata: { name: 'ok', namespace: 'default' } } as KubeObject);
    const e = await apiFailure(store.update({ ...stored, metadata: { ...stored.metadata, labels: { 'kubevirt.io/a/b': 'x' } } }));
    expect([e.status, e.causes[0]?.field]).toEqual([422, 'metadata.labels']);
    await store.close();
  });
});
