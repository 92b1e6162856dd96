import { describe, expect, it } from 'vitest';
import { Annotations, Finalizers, type VirtualMachine, type VirtualMachineInstance } from '../../crd-gen/index.js';
import { planVm, type VmAction } from './plan.js';
import { startBackoffSeconds } from './run-strategy.js';

const NOW = new Date('2026-01-01T00:00:00Z');

type Spec = Partial<VirtualMachine['spec']>;
const vm = (spec: Spec, status?: VirtualMachine['status'], meta: Partial<VirtualMachine['metadata']> = {}): VirtualMachine => ({
  apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachine',
  metadata: { name: 'web', namespace: 'prod', uid: 'vm-uid', generation: 3, finalizers: [Finalizers.vmControllerFinalize], ...meta },
  spec: { template: { metadata: { labels: { app: 'web' } }, spec: { domain: { devices: {} } } }, ...spec },
  ...(status ? { status } : {}),
});
const vmi = (phase?: string, meta: Partial<VirtualMachineInstance['metadata']> = {}): VirtualMachineInstance => ({
  apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachineInstance',
  metadata: { name: 'web', namespace: 'prod', uid: 'vmi-1', finalizers: [Finalizers.vmiForegroundDelete, Finalizers.vmControllerFinalize], ...meta },
  spec: { domain: { devices: {} } },
  ...(phase ? { status: { phase } } : {}),
});
const stop = (uid = 'vmi-1') => ({ stateChangeRequests: [{ action: 'Stop', uid }] });
const startReq = { stateChangeRequests: [{ action: 'Start' }] };
const types = (actions: readonly VmAction[]) => actions.map((a) => a.type);
const deleting = { deletionTimestamp: '2026-01-01T00:00:00Z' };

// controllers.md §4 and rules-other-kinds.md "Run strategies" (KubeVirt's syncRunStrategy).
describe('planVm: run strategies', () => {
  it.each<[string, VirtualMachine, VirtualMachineInstance | undefined, string[]]>([
    ['Always, no VMI → create', vm({ runStrategy: 'Always' }), undefined, ['createVmi']],
    ['Always, running VMI → nothing', vm({ runStrategy: 'Always' }), vmi('Running'), []],
    ['Always, Succeeded VMI → delete (recreated next sync)', vm({ runStrategy: 'Always' }), vmi('Succeeded'), ['deleteVmi', 'patchVmiFinalizers']],
    ['Always, Failed VMI → delete', vm({ runStrategy: 'Always' }), vmi('Failed'), ['deleteVmi', 'patchVmiFinalizers']],
    ['Always, stop request for this VMI → delete', vm({ runStrategy: 'Always' }, stop()), vmi('Running'), ['deleteVmi']],
    ['Always, stop request for another VMI → nothing', vm({ runStrategy: 'Always' }, stop('old')), vmi('Running'), []],
    ['Always, VMI deleting → only our finalizer off', vm({ runStrategy: 'Always' }, stop()), vmi('Running', deleting), ['patchVmiFinalizers']],
    ['running: true is Always', vm({ running: true }), undefined, ['createVmi']],
    ['running: false is Halted', vm({ running: false }), vmi('Running'), ['deleteVmi']],
    ['RerunOnFailure, first start (status.runStrategy unset) → create', vm({ runStrategy: 'RerunOnFailure' }), undefined, ['createVmi']],
    ['RerunOnFailure, stopped earlier → stays down', vm({ runStrategy: 'RerunOnFailure' }, { runStrategy: 'RerunOnFailure' }), undefined, []],
    ['RerunOnFailure, start request → create', vm({ runStrategy: 'RerunOnFailure' }, { runStrategy: 'RerunOnFailure', ...startReq }), undefined, ['createVmi']],
    ['RerunOnFailure, Failed → delete + start request', vm({ runStrategy: 'RerunOnFailure' }), vmi('Failed'), ['deleteVmi', 'addStartRequest', 'patchVmiFinalizers']],
    ['RerunOnFailure, Succeeded → delete only', vm({ runStrategy: 'RerunOnFailure' }), vmi('Succeeded'), ['deleteVmi', 'patchVmiFinalizers']],
    ['RerunOnFailure, stop request → delete', vm({ runStrategy: 'RerunOnFailure' }, stop()), vmi('Running'), ['deleteVmi']],
    ['Manual, no VMI, no request → nothing', vm({ runStrategy: 'Manual' }), undefined, []],
    ['Manual, start request → create', vm({ runStrategy: 'Manual' }, startReq), undefined, ['createVmi']],
    ['Manual, stop request → delete', vm({ runStrategy: 'Manual' }, stop()), vmi('Running'), ['deleteVmi']],
    ['Manual, Failed VMI left alone (finalizer off)', vm({ runStrategy: 'Manual' }), vmi('Failed'), ['patchVmiFinalizers']],
    ['Halted, VMI → delete', vm({ runStrategy: 'Halted' }), vmi('Running'), ['deleteVmi']],
    ['Halted, no VMI → nothing', vm({ runStrategy: 'Halted' }), undefined, []],
    ['Halted, start request → switch to Always', vm({ runStrategy: 'Halted' }, startReq), undefined, ['setRunning']],
    ['Once, no VMI → create', vm({ runStrategy: 'Once' }), undefined, ['createVmi']],
    ['Once, Failed VMI → never recreated', vm({ runStrategy: 'Once' }), vmi('Failed'), ['patchVmiFinalizers']],
    ['Once, Succeeded VMI → stays', vm({ runStrategy: 'Once' }), vmi('Succeeded'), ['patchVmiFinalizers']],
  ])('%s', (_name, theVm, theVmi, expected) => {
    expect(types(planVm({ vm: theVm, vmi: theVmi, now: NOW }).actions)).toEqual(expected);
  });

  it('deletes with the uid precondition and counts a stop as expected', () => {
    const plan = planVm({ vm: vm({ runStrategy: 'Halted' }), vmi: vmi('Running'), now: NOW });
    expect(plan.actions).toEqual([{ type: 'deleteVmi', name: 'web', uid: 'vmi-1' }]);
    expect(plan.stopExpected).toBe(true);
  });

  it('refuses WaitAsReceiver with a Failure reason naming the field', () => {
    const plan = planVm({ vm: vm({ runStrategy: 'WaitAsReceiver' }), vmi: undefined, now: NOW });
    expect(plan.actions).toEqual([]);
    expect(plan.syncError?.reason).toBe('FailedCreate');
    expect(plan.syncError?.message).toMatch(/^spec\.runStrategy: WaitAsReceiver/);
  });

  it('reports a template without spec as FailedCreate instead of throwing', () => {
    const theVm = vm({ runStrategy: 'Always', template: { metadata: {} } });
    expect(planVm({ vm: theVm, vmi: undefined, now: NOW }).syncError?.message).toMatch(/spec\.template\.spec/);
  });
});

describe('planVm: the created VMI (controllers.md §4)', () => {
  it('is named after the VM, owned by it, annotated with its generation, carrying our finalizer', () => {
    const [action] = planVm({ vm: vm({ runStrategy: 'Always' }), vmi: undefined, now: NOW }).actions;
    if (action?.type !== 'createVmi') throw new Error(`expected createVmi, got ${action?.type}`);
    expect(action.vmi.metadata.name).toBe('web');
    expect(action.vmi.metadata.ownerReferences?.[0]).toMatchObject({ kind: 'VirtualMachine', uid: 'vm-uid', controller: true });
    expect(action.vmi.metadata.annotations?.[Annotations.vmGeneration]).toBe('3');
    expect(action.vmi.metadata.finalizers).toEqual([Finalizers.vmControllerFinalize]);
    expect(action.vmi.spec.startStrategy).toBeUndefined();
  });

  it('starts paused on a Start request with paused=true', () => {
    const theVm = vm({ runStrategy: 'Manual' }, { stateChangeRequests: [{ action: 'Start', data: { paused: 'true' } }] });
    const [action] = planVm({ vm: theVm, vmi: undefined, now: NOW }).actions;
    expect(action?.type === 'createVmi' && action.vmi.spec.startStrategy).toBe('Paused');
  });
});

describe('planVm: crash-loop backoff (controllers.md §4)', () => {
  const failing = (retryAfter: string) => ({ startFailure: { consecutiveFailCount: 2, lastFailedVMIUID: 'vmi-0', retryAfterTimestamp: retryAfter } });

  it('waits while retryAfter is in the future and requeues for the rest', () => {
    const plan = planVm({ vm: vm({ runStrategy: 'Always' }, failing('2026-01-01T00:00:30Z')), vmi: undefined, now: NOW });
    expect(plan.actions).toEqual([]);
    expect(plan.requeueAfterMs).toBe(30_000);
  });

  it('starts once retryAfter has passed', () => {
    const plan = planVm({ vm: vm({ runStrategy: 'Always' }, failing('2025-12-31T23:59:59Z')), vmi: undefined, now: NOW });
    expect(types(plan.actions)).toEqual(['createVmi']);
  });

  it.each([
    [1, 0, 10], [1, 0.999, 15], [2, 0, 40], [2, 0.999, 60], [3, 0, 90], [4, 0.999, 240], [5, 0, 250], [5, 0.999, 300], [9, 0, 300],
  ])('backoff of failure %i with jitter %f is %i s', (count, jitter, seconds) => {
    expect(startBackoffSeconds(count, jitter)).toBe(seconds);
  });
});

describe('planVm: finalizers and deletion (KubeVirt sync)', () => {
  it('adds the controller finalizer to a VM without it', () => {
    const plan = planVm({ vm: vm({ runStrategy: 'Halted' }, undefined, { finalizers: [] }), vmi: undefined, now: NOW });
    expect(plan.actions).toEqual([{ type: 'patchVmFinalizers', from: [], to: [Finalizers.vmControllerFinalize] }]);
  });

  it('a deleting VM with a VMI stops it and keeps its finalizer', () => {
    const plan = planVm({ vm: vm({ runStrategy: 'Always' }, undefined, deleting), vmi: vmi('Running'), now: NOW });
    expect(types(plan.actions)).toEqual(['deleteVmi']);
  });

  it('a deleting VM without a VMI drops its finalizer', () => {
    const plan = planVm({ vm: vm({ runStrategy: 'Always' }, undefined, { ...deleting, finalizers: ['x/y', Finalizers.vmControllerFinalize] }), vmi: undefined, now: NOW });
    expect(plan.actions).toEqual([{ type: 'patchVmFinalizers', from: ['x/y', Finalizers.vmControllerFinalize], to: ['x/y'] }]);
  });

  it('a deleting VM orphaning its dependents drops its finalizer at once', () => {
    const plan = planVm({ vm: vm({ runStrategy: 'Always' }, undefined, { ...deleting, finalizers: ['orphan', Finalizers.vmControllerFinalize] }), vmi: vmi('Running'), now: NOW });
    expect(types(plan.actions)).toEqual(['patchVmFinalizers']);
  });

  it('takes only its own finalizer off a final VMI', () => {
    const plan = planVm({ vm: vm({ runStrategy: 'Manual' }), vmi: vmi('Succeeded'), now: NOW });
    expect(plan.actions).toEqual([{
      type: 'patchVmiFinalizers', name: 'web',
      from: [Finalizers.vmiForegroundDelete, Finalizers.vmControllerFinalize], to: [Finalizers.vmiForegroundDelete],
    }]);
  });
});
