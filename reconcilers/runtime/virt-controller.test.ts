// virt-controller's wiring on the in-memory API server with admission on: a VMI created by a user
// gets its launcher pod and moves to Scheduling through the real informers, queue and controllers.
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../core/kube.js';
import { createLogger } from '../../core/log.js';
import { Labels, type VirtualMachineInstance } from '../../crd-gen/index.js';
import { createMemoryStore } from '../../store/runtime/memory.js';
import { POD_TYPE, type Pod } from '../pod.js';
import { primary } from '../sources.js';
import { EVENT_TYPE, type KubeEvent } from './event-recorder.js';
import { DONE } from '../contract.js';
import { startVirtController } from './virt-controller.js';

const CONTROLLER = { username: 'system:serviceaccount:kubevirt:kubevirt-controller', groups: ['system:serviceaccounts', 'system:authenticated'] };
const until = async (check: () => Promise<boolean> | boolean, ms = 5000): Promise<void> => {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 5));
  }
};

describe('startVirtController', () => {
  it('a created VMI gets its launcher pod and phase Scheduling; a created VM gets its VMI; extra controllers share the caches', async () => {
    const store = createMemoryStore({});
    const seen: string[] = [];
    const running = await startVirtController({
      kube: store.client(CONTROLLER),
      log: createLogger({ name: 'test', level: 'silent' }),
      launcherImage: 'kvt:dev',
      extraControllers: ({ vmis }) => [{ reconciler: { name: 'probe', reconcile: async (key) => (seen.push(key), DONE) }, primary: primary(vmis) }],
    });
    try {
      await store.create<VirtualMachineInstance>({
        apiVersion: 'kubevirt.io/v1',
        kind: 'VirtualMachineInstance',
        metadata: { name: 'vmi1', namespace: 'default' },
        spec: { domain: { devices: {}, resources: { requests: { memory: '64Mi' } } } },
      });
      const pods = async (): Promise<Pod[]> => (await store.list<Pod>(POD_TYPE, { namespace: 'default' })).items;
      await until(async () => (await pods()).length === 1);
      const [pod] = await pods();
      expect(pod?.metadata.name).toMatch(/^virt-launcher-vmi1-[a-z0-9]{5}$/);
      expect(pod?.metadata.labels?.[Labels.app]).toBe('virt-launcher');
      await until(async () => (await store.get<VirtualMachineInstance>({ apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachineInstance' }, 'default', 'vmi1')).status?.phase === 'Scheduling');
      expect(running.caches.pods.list().map((p) => p.metadata.name)).toEqual([pod?.metadata.name]);
      expect(seen).toContain('default/vmi1');
      await store.create({ apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachine', metadata: { name: 'vm1', namespace: 'default' }, spec: { runStrategy: 'Always', template: { spec: { domain: { devices: {}, resources: { requests: { memory: '64Mi' } } } } } } } as KubeObject);
      await until(() => running.caches.vmis.get('default/vm1') !== undefined);
      expect(running.caches.vmis.get('default/vm1')?.metadata.ownerReferences?.[0]?.kind).toBe('VirtualMachine');
      // Each controller records its Events with KubeVirt's source component.
      const events = async (): Promise<string[]> => (await store.list<KubeEvent>(EVENT_TYPE, { namespace: 'default' })).items.map((e) => `${e.involvedObject.kind}/${e.involvedObject.name} ${e.reason} ${e.source.component}`);
      await until(async () => (await events()).includes('VirtualMachine/vm1 SuccessfulCreate virtualmachine-controller'));
      expect(await events()).toContain('VirtualMachineInstance/vmi1 SuccessfulCreate virtualmachine-controller');
    } finally {
      await running.stop();
    }
  });
});
