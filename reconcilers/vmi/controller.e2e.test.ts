// The VMI controller run by the runtime (informers → work queue → reconcile) on the in-memory store,
// with the test playing the kubelet; asserts the resulting objects as they settle.
import { afterEach, describe, expect, it } from 'vitest';
import { isNotFound } from '../../core/errors.js';
import type { ResourceType } from '../../core/kube.js';
import { createLogger } from '../../core/log.js';
import { Finalizers, type VirtualMachineInstance } from '../../crd-gen/index.js';
import { createMemoryStore, type MemoryStore } from '../../store/runtime/memory.js';
import { LAUNCHER_CONTAINER, POD_TYPE, type Pod } from '../pod.js';
import { runController, type RunningController } from '../runtime/controller.js';
import { createEventBroadcaster } from '../runtime/event-recorder.js';
import { createInformer, type Informer } from '../runtime/informer.js';
import { vmiController } from './reconciler.js';

const VMI_TYPE: ResourceType = { apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachineInstance' };
const CONTROLLER = { username: 'system:serviceaccount:kubevirt:kubevirt-controller', groups: ['system:serviceaccounts', 'system:authenticated'] };

async function eventually<T>(read: () => Promise<T>, ok: (value: T) => boolean, what: string): Promise<T> {
  const until = Date.now() + 5000;
  for (;;) {
    const value = await read();
    if (ok(value)) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('vmiController under the runtime', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  async function start(): Promise<MemoryStore> {
    const store = createMemoryStore({});
    const kube = store.client(CONTROLLER);
    const vmis: Informer<VirtualMachineInstance> = createInformer(kube, VMI_TYPE);
    const pods: Informer<Pod> = createInformer(kube, POD_TYPE);
    await Promise.all([vmis.start(), pods.start()]);
    const log = createLogger({ name: 'test', level: 'silent' });
    const events = createEventBroadcaster({ kube, log });
    const running: RunningController = runController(vmiController({ kube, log, now: () => new Date(), events: events.recorder('virtualmachine-controller'), vmis, pods, launcherImage: 'kvt:dev' }), { log });
    cleanups.push(async () => { await running.stop(); events.stop(); vmis.stop(); pods.stop(); await store.close(); });
    return store;
  }

  const getVmi = (store: MemoryStore) => async (): Promise<VirtualMachineInstance | undefined> =>
    store.get<VirtualMachineInstance>(VMI_TYPE, 'default', 'e2e').catch((e: unknown) => {
      if (isNotFound(e)) return undefined;
      throw e;
    });
  const getPods = (store: MemoryStore) => async (): Promise<Pod[]> => (await store.list<Pod>(POD_TYPE, { namespace: 'default' })).items;

  it('created → pod → kubelet runs it → Scheduled; deleted → pod terminated → finalizer gone → VMI gone', async () => {
    const store = await start();
    await store.create<VirtualMachineInstance>({
      apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachineInstance',
      metadata: { name: 'e2e', namespace: 'default' },
      spec: { domain: { devices: {}, resources: { requests: { memory: '64Mi' } } } },
    });
    const [pod] = await eventually(getPods(store), (p) => p.length === 1, 'the launcher pod');
    await eventually(getVmi(store), (v) => v?.status?.phase === 'Scheduling', 'Scheduling');

    const bound = await store.patch<Pod>(POD_TYPE, { namespace: 'default', name: pod!.metadata.name ?? '' }, { type: 'merge', body: { spec: { nodeName: 'node01' } } });
    await store.updateStatus<Pod>({ ...bound, status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }], containerStatuses: [{ name: LAUNCHER_CONTAINER, ready: true, state: { running: {} } }] } });
    const scheduled = await eventually(getVmi(store), (v) => v?.status?.phase === 'Scheduled' && v.metadata.labels?.['kubevirt.io/nodeName'] === 'node01', 'Scheduled');
    expect(scheduled?.status?.nodeName).toBe('node01');

    await store.delete(VMI_TYPE, 'default', 'e2e');
    const [terminating] = await eventually(getPods(store), (p) => p[0]?.metadata.deletionTimestamp !== undefined, 'the pod terminating');
    expect((await getVmi(store)())?.metadata.finalizers).toContain(Finalizers.vmiForegroundDelete);
    await store.delete(POD_TYPE, 'default', terminating!.metadata.name ?? '', { gracePeriodSeconds: 0 });
    await eventually(getVmi(store), (v) => v === undefined, 'the VMI gone');
  });
});
