// The ReplicaSet controller on the in-memory API server (admission on) with the runtime's
// informers and runController, asserting on the resulting objects (controllers.md §3).
import { afterEach, describe, expect, it } from 'vitest';
import type { ResourceType } from '../../core/kube.js';
import { createLogger } from '../../core/log.js';
import { controllerOf } from '../../core/owner.js';
import type { VirtualMachineInstance, VirtualMachineInstanceReplicaSet } from '../../crd-gen/index.js';
import { createMemoryStore, type MemoryStore } from '../../store/runtime/memory.js';
import { runController, type RunningController } from '../runtime/controller.js';
import { createEventBroadcaster, EVENT_TYPE, type KubeEvent } from '../runtime/event-recorder.js';
import { createInformer, type InformerLifecycle } from '../runtime/informer.js';
import { replicaSetController } from './reconciler.js';

const RS_TYPE: ResourceType = { apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachineInstanceReplicaSet' };
const VMI_TYPE: ResourceType = { apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachineInstance' };
const CONTROLLER = { username: 'system:serviceaccount:kubevirt:kubevirt-controller', groups: ['system:serviceaccounts', 'system:authenticated'] };
const log = createLogger({ name: 'test', level: 'silent' });

const replicaSet = (replicas: number): VirtualMachineInstanceReplicaSet => ({
  apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachineInstanceReplicaSet', metadata: { name: 'web', namespace: 'default' },
  spec: {
    replicas,
    selector: { matchLabels: { app: 'web' } },
    template: { metadata: { name: 'web', labels: { app: 'web' } }, spec: { domain: { devices: {}, resources: { requests: { memory: '64Mi' } } } } },
  },
});

const orphan = (name: string, labels: Record<string, string>): VirtualMachineInstance => ({
  apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachineInstance', metadata: { name, namespace: 'default', labels },
  spec: { domain: { devices: {}, resources: { requests: { memory: '64Mi' } } } },
});

let stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const stop of stops) await stop();
  stops = [];
});

async function setup(): Promise<MemoryStore> {
  const store = createMemoryStore({});
  const replicaSets = createInformer<VirtualMachineInstanceReplicaSet>(store, RS_TYPE);
  const vmis = createInformer<VirtualMachineInstance>(store, VMI_TYPE);
  await Promise.all([replicaSets.start(), vmis.start()]);
  const events = createEventBroadcaster({ kube: store.client(CONTROLLER), log });
  const controller: RunningController = runController(replicaSetController({ kube: store.client(CONTROLLER), log, now: () => new Date(), events: events.recorder('virtualmachinereplicaset-controller'), replicaSets, vmis }), { log });
  const informers: InformerLifecycle[] = [replicaSets, vmis];
  stops.push(async () => {
    await controller.stop();
    events.stop();
    informers.forEach((i) => i.stop());
    await store.close();
  });
  return store;
}

const vmisOf = async (store: MemoryStore): Promise<VirtualMachineInstance[]> => (await store.list<VirtualMachineInstance & { apiVersion: string; kind: string }>(VMI_TYPE, { namespace: 'default' })).items;
const owned = (list: readonly VirtualMachineInstance[], uid: string): VirtualMachineInstance[] => list.filter((v) => controllerOf(v)?.uid === uid && v.metadata.deletionTimestamp === undefined);

async function until<T>(what: string, probe: () => Promise<T>, ok: (value: T) => boolean, timeoutMs = 5000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (ok(value)) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const scaleTo = (store: MemoryStore, replicas: number): Promise<unknown> => store.patch(RS_TYPE, { namespace: 'default', name: 'web' }, { type: 'merge', body: { spec: { replicas } } });
const getRs = (store: MemoryStore): Promise<VirtualMachineInstanceReplicaSet> => store.get<VirtualMachineInstanceReplicaSet & { apiVersion: string; kind: string }>(RS_TYPE, 'default', 'web');

describe('replica set controller on the in-memory store', () => {
  it('scales 0 → 5 → 2 → 0, adopting a matching orphan and releasing a relabelled VMI (§3)', async () => {
    const store = await setup();
    await store.create(orphan('stray', { app: 'web' }));
    await store.create(orphan('other', { app: 'db' }));
    const rs = await store.create(replicaSet(0));
    const uid = rs.metadata.uid ?? '';

    // 0 wanted: the matching orphan is adopted (and then scaled away); the other one is left alone.
    await until('the orphan adopted and deleted', () => vmisOf(store), (l) => owned(l, uid).length === 0 && l.every((v) => v.metadata.name !== 'stray' || v.metadata.deletionTimestamp !== undefined));
    expect(controllerOf((await vmisOf(store)).find((v) => v.metadata.name === 'other') ?? orphan('x', {}))).toBeUndefined();

    await scaleTo(store, 5);
    const five = await until('5 VMIs', () => vmisOf(store), (l) => owned(l, uid).length === 5);
    for (const vmi of owned(five, uid)) {
      expect(vmi.metadata.name).toMatch(/^web[a-z0-9]{5}$/);
      expect(vmi.metadata.labels?.['app']).toBe('web');
      expect(vmi.metadata.ownerReferences).toEqual([expect.objectContaining({ kind: 'VirtualMachineInstanceReplicaSet', name: 'web', uid, controller: true, blockOwnerDeletion: true })]);
    }
    await until('status 5 replicas', () => getRs(store), (r) => r.status?.replicas === 5 && r.status.labelSelector === 'app=web');

    // A relabelled VMI is released (ownerReference dropped) and replaced.
    const victim = owned(five, uid)[0] as VirtualMachineInstance;
    await store.patch(VMI_TYPE, { namespace: 'default', name: victim.metadata.name ?? '' }, { type: 'merge', body: { metadata: { labels: { app: 'debug' } } } });
    await until('released and replaced', () => vmisOf(store), (l) => owned(l, uid).length === 5 && controllerOf(l.find((v) => v.metadata.name === victim.metadata.name) as VirtualMachineInstance) === undefined);

    await scaleTo(store, 2);
    await until('2 VMIs', () => vmisOf(store), (l) => owned(l, uid).length === 2);
    await until('status 2 replicas', () => getRs(store), (r) => r.status?.replicas === 2);

    await scaleTo(store, 0);
    await until('0 VMIs', () => vmisOf(store), (l) => owned(l, uid).length === 0);
    const finalRs = await until('status 0 replicas', () => getRs(store), (r) => r.status?.replicas === 0);
    expect(finalRs.status?.readyReplicas).toBe(0);
    // The released VMI and the unrelated one are still there, untouched by the scale-down.
    const names = (await vmisOf(store)).filter((v) => v.metadata.deletionTimestamp === undefined).map((v) => v.metadata.name).sort();
    expect(names).toEqual(['other', victim.metadata.name].sort());
  });

  it('honours spec.paused: no scaling, a ReplicaPaused condition', async () => {
    const store = await setup();
    const rs = await store.create({ ...replicaSet(3), spec: { ...replicaSet(3).spec, paused: true } });
    const paused = await until('ReplicaPaused', () => getRs(store), (r) => (r.status?.conditions ?? []).some((c) => c.type === 'ReplicaPaused' && c.status === 'True'));
    expect(paused.status?.replicas).toBe(0);
    expect(owned(await vmisOf(store), rs.metadata.uid ?? '')).toHaveLength(0);
    await store.patch(RS_TYPE, { namespace: 'default', name: 'web' }, { type: 'merge', body: { spec: { paused: false } } });
    await until('3 VMIs after resume', () => vmisOf(store), (l) => owned(l, rs.metadata.uid ?? '').length === 3);
  });

  it('records KubeVirt\'s Events on the replica set: SuccessfulCreate per VMI created, SuccessfulDelete per VMI deleted', async () => {
    const store = await setup();
    const rs = await store.create(replicaSet(2));
    const two = owned(await until('2 VMIs', () => vmisOf(store), (l) => owned(l, rs.metadata.uid ?? '').length === 2), rs.metadata.uid ?? '');
    await scaleTo(store, 0);
    const rsEvents = async (): Promise<KubeEvent[]> => (await store.list<KubeEvent>(EVENT_TYPE, { namespace: 'default' })).items.filter((e) => e.involvedObject.uid === rs.metadata.uid);
    const events = await until('4 Events', rsEvents, (l) => l.length === 4);
    const names = two.map((v) => v.metadata.name ?? '').sort();
    const uids = two.map((v) => v.metadata.uid ?? '').sort();
    const of = (reason: string): string[] => events.filter((e) => e.reason === reason && e.type === 'Normal').map((e) => e.message).sort();
    expect(of('SuccessfulCreate')).toEqual(names.map((n) => `Started the virtual machine by creating the new virtual machine instance ${n}`));
    expect(of('SuccessfulDelete')).toEqual(uids.map((u) => `Stopped the virtual machine by deleting the virtual machine instance ${u}`));
    expect(events[0]).toMatchObject({ involvedObject: { kind: 'VirtualMachineInstanceReplicaSet', name: 'web' }, source: { component: 'virtualmachinereplicaset-controller' } });
  });

  it('deleting the replica set takes its VMIs with it (ownerReference GC)', async () => {
    const store = await setup();
    const rs = await store.create(replicaSet(2));
    await until('2 VMIs', () => vmisOf(store), (l) => owned(l, rs.metadata.uid ?? '').length === 2);
    await store.delete(RS_TYPE, 'default', 'web');
    await until('VMIs collected', () => vmisOf(store), (l) => l.every((v) => v.metadata.deletionTimestamp !== undefined));
  });
});
