// The VMI controller on the in-memory API server with admission on, asserting the resulting objects.
// The test plays the kubelet (binding and running the pod through updateStatus) and drives reconcile()
// one step at a time, each from caches listed fresh from the store (what a synced informer holds);
// controller.e2e.test.ts runs the same controller under the runtime's informers and work queue.
import { describe, expect, it } from 'vitest';
import type { Cache } from '../../core/cache.js';
import { findCondition } from '../../core/conditions.js';
import { ApiError, isNotFound, SyncError } from '../../core/errors.js';
import { objectKey, type DeleteOptions, type KubeApi, type KubeObject, type ResourceType } from '../../core/kube.js';
import { createLogger } from '../../core/log.js';
import { Finalizers, type VirtualMachineInstance } from '../../crd-gen/index.js';
import { createMemoryStore, type MemoryStore } from '../../store/runtime/memory.js';
import { LAUNCHER_CONTAINER, POD_TYPE, type Pod } from '../pod.js';
import { createEventBroadcaster, EVENT_TYPE, type KubeEvent } from '../runtime/event-recorder.js';
import { vmiController } from './reconciler.js';

const VMI_TYPE: ResourceType = { apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachineInstance' };
const CONTROLLER = { username: 'system:serviceaccount:kubevirt:kubevirt-controller', groups: ['system:serviceaccounts', 'system:authenticated'] };

/** A read-only snapshot of one kind, refreshed from the store before each reconcile. */
class Snapshot<T extends KubeObject> implements Cache<T> {
  private items: T[] = [];
  constructor(private readonly kube: KubeApi, private readonly type: ResourceType) {}
  async refresh(): Promise<void> { this.items = (await this.kube.list<T>(this.type)).items; }
  get(key: string): T | undefined { return this.items.find((o) => objectKey(o) === key); }
  list(namespace?: string): T[] { return this.items.filter((o) => namespace === undefined || o.metadata.namespace === namespace); }
  controlledBy(uid: string): T[] { return this.items.filter((o) => o.metadata.ownerReferences?.some((r) => r.controller === true && r.uid === uid)); }
  uncontrolled(namespace: string): T[] { return this.items.filter((o) => o.metadata.namespace === namespace && !o.metadata.ownerReferences?.some((r) => r.controller === true)); }
  onChange(): () => void { return () => undefined; }
  hasSynced(): boolean { return true; }
}

const vmiManifest: VirtualMachineInstance = {
  apiVersion: 'kubevirt.io/v1',
  kind: 'VirtualMachineInstance',
  metadata: { name: 'testvmi', namespace: 'default' },
  spec: { domain: { devices: {}, resources: { requests: { memory: '64Mi' } } } },
};

/** The controller's client, refusing pod creates as a quota would (a fake passed in, over the real store). */
function refusingPods(kube: KubeApi): KubeApi {
  return Object.assign(Object.create(kube) as KubeApi, {
    create: async <T extends KubeObject>(object: T): Promise<T> => {
      if (object.kind === 'Pod') throw new ApiError(403, 'Forbidden', 'pods "x" is forbidden: exceeded quota');
      return kube.create(object);
    },
  });
}

interface Setup {
  store: MemoryStore;
  sync: () => Promise<void>;
  vmi: () => Promise<VirtualMachineInstance | undefined>;
  pod: () => Promise<Pod | undefined>;
  /** The Events written so far (after the queued ones were). */
  events: () => Promise<KubeEvent[]>;
}

async function setup(wrap: (kube: KubeApi) => KubeApi = (k) => k, wrapEvents: (kube: KubeApi) => KubeApi = (k) => k): Promise<Setup> {
  const store = createMemoryStore({});
  const kube = wrap(store.client(CONTROLLER));
  const vmis = new Snapshot<VirtualMachineInstance>(store, VMI_TYPE);
  const pods = new Snapshot<Pod>(store, POD_TYPE);
  const log = createLogger({ name: 'test', level: 'silent' });
  const broadcaster = createEventBroadcaster({ kube: wrapEvents(store.client(CONTROLLER)), log });
  const { reconciler } = vmiController({ kube, log, now: () => new Date(), events: broadcaster.recorder('virtualmachine-controller'), vmis, pods, launcherImage: 'kvt:dev' });
  const events = async (): Promise<KubeEvent[]> => {
    await broadcaster.flush();
    return (await store.list<KubeEvent>(EVENT_TYPE, { namespace: 'default' })).items;
  };
  const sync = async (): Promise<void> => {
    await Promise.all([vmis.refresh(), pods.refresh()]);
    await reconciler.reconcile('default/testvmi', new AbortController().signal);
  };
  const vmi = async (): Promise<VirtualMachineInstance | undefined> => store.get<VirtualMachineInstance>(VMI_TYPE, 'default', 'testvmi').catch((e: unknown) => {
    if (isNotFound(e)) return undefined;
    throw e;
  });
  const pod = async (): Promise<Pod | undefined> => (await store.list<Pod>(POD_TYPE, { namespace: 'default' })).items[0];
  await store.create(vmiManifest);
  return { store, sync, vmi, pod, events };
}

/** What the kubelet does: bind the pod, run the compute container, report Ready. */
async function runPod(store: MemoryStore, pod: Pod): Promise<void> {
  const bound = await store.patch<Pod>(POD_TYPE, { namespace: 'default', name: pod.metadata.name ?? '' }, { type: 'merge', body: { spec: { nodeName: 'node01' } } });
  await store.updateStatus<Pod>({
    ...bound,
    status: {
      phase: 'Running',
      qosClass: 'Burstable',
      conditions: [{ type: 'PodScheduled', status: 'True' }, { type: 'Ready', status: 'True' }],
      containerStatuses: [{ name: LAUNCHER_CONTAINER, ready: true, state: { running: { startedAt: new Date().toISOString() } } }],
    },
  });
}

describe('vmiController on the in-memory store', () => {
  it('VMI → Pending → pod → Scheduling → Scheduled on the pod\'s node, labelled', async () => {
    const { store, sync, vmi, pod } = await setup();
    await sync();
    expect((await vmi())?.status?.phase).toBe('Pending');
    const created = await pod();
    expect(created?.metadata.name).toMatch(/^virt-launcher-testvmi-[0-9a-f]{5}$/);
    expect(created?.spec.containers[0]?.command).toEqual(['kvt', 'virt-launcher']);

    await sync();
    expect((await vmi())?.status?.phase).toBe('Scheduling');

    await runPod(store, created!);
    await sync();
    const scheduled = await vmi();
    expect(scheduled?.status?.phase).toBe('Scheduled');
    expect(scheduled?.status?.nodeName).toBe('node01');
    expect(scheduled?.metadata.labels?.['kubevirt.io/nodeName']).toBe('node01');
    expect(scheduled?.status?.phaseTransitionTimestamps?.map((t) => t.phase)).toEqual(['Pending', 'Scheduling', 'Scheduled']);
    await sync();
    expect((await store.list<Pod>(POD_TYPE)).items).toHaveLength(1);
    await store.close();
  });

  it('a deleted pod fails the VMI', async () => {
    const { store, sync, vmi, pod } = await setup();
    await sync();
    await sync();
    await runPod(store, (await pod())!);
    await sync();
    const running = await vmi();
    await store.updateStatus<VirtualMachineInstance>({ ...running!, status: { ...running!.status, phase: 'Running' } });
    await store.delete(POD_TYPE, 'default', (await pod())!.metadata.name ?? '', { gracePeriodSeconds: 0 });
    await sync();
    const failed = await vmi();
    expect(failed?.status?.phase).toBe('Failed');
    expect(failed?.status?.reason).toBe('LauncherPodMissing');
    expect(findCondition(failed?.status?.conditions, 'Ready')).toMatchObject({ status: 'False', reason: 'PodNotExists' });
    // A final VMI without pods loses the controller's finalizer.
    expect(failed?.metadata.finalizers ?? []).not.toContain(Finalizers.vmiForegroundDelete);
    await store.close();
  });

  it('VMI deletion: the pod is deleted gracefully, the finalizer stays until the pod is gone, then the VMI disappears', async () => {
    const { store, sync, vmi, pod } = await setup();
    await sync();
    await sync();
    await runPod(store, (await pod())!);
    await sync();
    expect((await vmi())?.metadata.finalizers).toContain(Finalizers.vmiForegroundDelete);

    await store.delete(VMI_TYPE, 'default', 'testvmi');
    await sync();
    const terminating = await pod();
    expect(terminating?.metadata.deletionTimestamp).toBeDefined();
    await sync();
    expect((await vmi())?.metadata.finalizers).toContain(Finalizers.vmiForegroundDelete);

    // The kubelet finishes the pod's termination.
    await store.delete(POD_TYPE, 'default', terminating?.metadata.name ?? '', { gracePeriodSeconds: 0 });
    expect(await pod()).toBeUndefined();
    await sync();
    expect(await vmi()).toBeUndefined();
    await store.close();
  });

  it('a refused pod create: Synchronized=False with FailedCreate, and the reconcile throws a SyncError (the runtime requeues it)', async () => {
    const refused = await setup(refusingPods);
    await expect(refused.sync()).rejects.toBeInstanceOf(SyncError);
    const vmi = await refused.vmi();
    expect(vmi?.status?.phase).toBe('Pending');
    expect(findCondition(vmi?.status?.conditions, 'Synchronized')).toMatchObject({ status: 'False', reason: 'FailedCreate' });
    expect(await refused.pod()).toBeUndefined();
    await refused.store.close();
  });

  it('records KubeVirt\'s Events on the VMI: SuccessfulCreate for the launcher pod, SuccessfulDelete when the VMI goes', async () => {
    const { store, sync, pod, events } = await setup();
    await sync();
    const created = await pod();
    await store.delete(VMI_TYPE, 'default', 'testvmi');
    await sync();
    expect((await events()).map((e) => [e.involvedObject.kind, e.involvedObject.name, e.type, e.reason, e.message])).toEqual([
      ['VirtualMachineInstance', 'testvmi', 'Normal', 'SuccessfulCreate', `Created virtual machine pod ${created?.metadata.name ?? ''}`],
      ['VirtualMachineInstance', 'testvmi', 'Normal', 'SuccessfulDelete', `Deleted virtual machine pod ${created?.metadata.name ?? ''}`],
    ]);
    expect((await events())[0]?.source).toEqual({ component: 'virtualmachine-controller' });
    await store.close();
  });

  it('a refused pod create or delete records a Warning: FailedCreate, FailedDelete', async () => {
    const refused = await setup(refusingPods);
    await expect(refused.sync()).rejects.toBeInstanceOf(SyncError);
    expect((await refused.events()).map((e) => [e.type, e.reason, e.message])).toEqual([
      ['Warning', 'FailedCreate', 'Error creating pod: pods "x" is forbidden: exceeded quota'],
    ]);
    await refused.store.close();

    const undeletable = await setup((kube) => Object.assign(Object.create(kube) as KubeApi, {
      delete: async (type: ResourceType, namespace: string | undefined, name: string, options?: DeleteOptions): Promise<void> => {
        if (type.kind === 'Pod') throw new ApiError(403, 'Forbidden', 'pods is forbidden');
        return kube.delete(type, namespace, name, options);
      },
    }));
    await undeletable.sync();
    const created = await undeletable.pod();
    await undeletable.store.delete(VMI_TYPE, 'default', 'testvmi');
    await expect(undeletable.sync()).rejects.toBeInstanceOf(SyncError);
    expect((await undeletable.events()).map((e) => [e.type, e.reason, e.message])).toEqual([
      ['Normal', 'SuccessfulCreate', `Created virtual machine pod ${created?.metadata.name ?? ''}`],
      ['Warning', 'FailedDelete', `Failed to delete virtual machine pod ${created?.metadata.name ?? ''}`],
    ]);
    await undeletable.store.close();
  });

  it('an Event API that fails never fails the reconcile', async () => {
    const failingEvents = (kube: KubeApi): KubeApi => Object.assign(Object.create(kube) as KubeApi, {
      create: async <T extends KubeObject>(object: T): Promise<T> => {
        if (object.kind === 'Event') throw new ApiError(500, 'InternalError', 'etcd is down');
        return kube.create(object);
      },
    });
    const { store, sync, vmi, pod, events } = await setup((k) => k, failingEvents);
    await sync();
    await sync();
    expect(await pod()).toBeDefined();
    expect((await vmi())?.status?.phase).toBe('Scheduling');
    expect(await events()).toEqual([]);
    await store.close();
  });
});
