// The status-ownership contract (core/status-ownership.ts) as the local control plane wires it: each
// component's user may write only the status fields its own code declares; anyone else is unchecked.
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../core/kube.js';
import { unownedStatusChanges } from '../../core/status-ownership.js';
import { KINDS, type VirtualMachineInstance } from '../../crd-gen/index.js';
import { KUBELET_STATUS } from '../../local/kubelet/plan.js';
import { LOCAL_STATUS_OWNERS } from '../../local/runtime/control-plane.js';
import { NODE_HANDLER_STATUS } from '../../reconcilers/node-handler/status.js';
import { VMI_CONTROLLER_STATUS } from '../../reconcilers/vmi/status.js';
import { createMemoryStore, STORE_ADMIN } from './memory.js';
import { apiFailure } from '../../test/builders/api-error.js';

const CONTROLLER = { username: 'system:serviceaccount:kubevirt:kubevirt-controller', groups: [] };
const HANDLER = { username: 'system:serviceaccount:kubevirt:kubevirt-handler', groups: [] };
const KUBELET = { username: 'system:node:local', groups: [] };
const VMI = { apiVersion: KINDS.VirtualMachineInstance.apiVersion, kind: KINDS.VirtualMachineInstance.kind };

async function setup(): Promise<{ store: ReturnType<typeof createMemoryStore>; vmi: VirtualMachineInstance }> {
  const store = createMemoryStore({ admission: false, statusOwners: LOCAL_STATUS_OWNERS });
  await store.create({ ...VMI, metadata: { name: 'v', namespace: 'default' }, spec: { domain: { devices: {} } } });
  const vmi = await store.client(CONTROLLER).updateStatus<VirtualMachineInstance>({
    ...(await store.get<VirtualMachineInstance>(VMI, 'default', 'v')),
    status: { phase: 'Scheduled', nodeName: 'local', runtimeUser: 107, conditions: [{ type: 'Ready', status: 'False' }] },
  });
  return { store, vmi };
}

const withStatus = (vmi: VirtualMachineInstance, status: NonNullable<VirtualMachineInstance['status']>): VirtualMachineInstance & KubeObject => ({ ...vmi, status: { ...vmi.status, ...status } });

describe('status ownership in the memory store', () => {
  it('lets each component write its own fields and conditions', async () => {
    const { store, vmi } = await setup();
    const running = await store.client(HANDLER).updateStatus<VirtualMachineInstance>(withStatus(vmi, {
      phase: 'Running', interfaces: [{ name: 'default' }], conditions: [...(vmi.status?.conditions ?? []), { type: 'LiveMigratable', status: 'False' }],
    }));
    expect(running.status?.phase).toBe('Running');
  });

  it.each([
    ['the handler may not move the node', HANDLER, { nodeName: 'elsewhere' }, 'status.nodeName'],
    ['the handler may not change the runtime user', HANDLER, { runtimeUser: 0 }, 'status.runtimeUser'],
    ['the handler may not set the Ready condition', HANDLER, { conditions: [{ type: 'Ready', status: 'True' }] }, 'status.conditions[Ready]'],
    ['the VMI controller may not write the interfaces', CONTROLLER, { interfaces: [{ name: 'x' }] }, 'status.interfaces'],
    ['the VMI controller may not set Paused', CONTROLLER, { conditions: [{ type: 'Ready', status: 'False' }, { type: 'Paused', status: 'True' }] }, 'status.conditions[Paused]'],
    ['the kubelet owns no VMI status', KUBELET, { phase: 'Failed' }, 'status.phase'],
  ])('%s: 403 naming the field', async (_name, user, change, field) => {
    const { store, vmi } = await setup();
    const e = await apiFailure(store.client(user).updateStatus(withStatus(vmi, change)));
    expect([e.status, e.reason]).toEqual([403, 'Forbidden']);
    expect(e.message).toContain(field);
    expect((await store.get<VirtualMachineInstance>(VMI, 'default', 'v')).status).toEqual(vmi.status);
  });

  it('checks status patches too', async () => {
    const { store } = await setup();
    const e = await apiFailure(store.client(HANDLER).patch(VMI, { namespace: 'default', name: 'v', subresource: 'status' }, { type: 'merge', body: { status: { qosClass: 'Guaranteed' } } }));
    expect(e.message).toContain('status.qosClass');
  });

  it('does not check users that are not components (an admin, kubectl)', async () => {
    const { store, vmi } = await setup();
    const written = await store.client(STORE_ADMIN).updateStatus<VirtualMachineInstance>(withStatus(vmi, { nodeName: 'elsewhere', interfaces: [] }));
    expect(written.status?.nodeName).toBe('elsewhere');
  });

  it('the kubelet owns all of a pod status; virt-controller none of it', async () => {
    const { store } = await setup();
    await store.create({ ...KUBELET_STATUS, metadata: { name: 'p', namespace: 'default' }, spec: { containers: [] } });
    const pod = await store.get(KUBELET_STATUS, 'default', 'p');
    await store.client(KUBELET).updateStatus({ ...pod, status: { phase: 'Running', podIP: '10.0.0.2' } });
    const e = await apiFailure(store.client(CONTROLLER).updateStatus({ ...pod, metadata: { ...pod.metadata, resourceVersion: undefined }, status: { phase: 'Failed' } }));
    expect(e.message).toContain('status.phase');
  });
});

describe('unownedStatusChanges', () => {
  it.each([
    ['unchanged', { phase: 'Running' }, { phase: 'Running' }, []],
    ['an owned field', { phase: 'Scheduled' }, { phase: 'Running' }, []],
    ['a removed field counts', { nodeName: 'a' }, {}, ['status.nodeName']],
    ['condition order does not count', { conditions: [{ type: 'Ready' }, { type: 'Paused' }] }, { conditions: [{ type: 'Paused' }, { type: 'Ready' }] }, []],
    ['a removed condition counts', { conditions: [{ type: 'Ready', status: 'True' }] }, { conditions: [] }, ['status.conditions[Ready]']],
  ])('%s', (_name, before, after, want) => {
    expect(unownedStatusChanges(before, after, [NODE_HANDLER_STATUS])).toEqual(want);
  });

  it('the two VMI writers share only phase, its timestamps, reason and Synchronized', () => {
    const shared = (VMI_CONTROLLER_STATUS.fields as readonly string[]).filter((f) => (NODE_HANDLER_STATUS.fields as readonly string[]).includes(f));
    const conditions = (VMI_CONTROLLER_STATUS.conditions ?? []).filter((c) => (NODE_HANDLER_STATUS.conditions ?? []).includes(c));
    expect([shared, conditions]).toEqual([['phase', 'phaseTransitionTimestamps', 'reason'], ['Synchronized']]);
  });
});
