import { describe, expect, it } from 'vitest';
import { Annotations, type VirtualMachine, type VirtualMachineInstance } from '../../crd-gen/index.js';
import { computeVmStatus, printableStatus, type VmStatusInput } from './status.js';
import { formatKubeTime } from '../../core/time.js';

const NOW = new Date('2026-01-01T00:00:00Z');
const vm = (spec: Partial<VirtualMachine['spec']>, status?: VirtualMachine['status'], meta: Partial<VirtualMachine['metadata']> = {}): VirtualMachine => ({
  apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachine', metadata: { name: 'web', namespace: 'prod', uid: 'vm-uid', generation: 2, ...meta },
  spec: { template: { spec: { domain: { devices: {} } } }, ...spec },
  ...(status ? { status } : {}),
});
const vmi = (status: VirtualMachineInstance['status'], meta: Partial<VirtualMachineInstance['metadata']> = {}): VirtualMachineInstance => ({
  apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachineInstance', metadata: { name: 'web', namespace: 'prod', uid: 'vmi-1', ...meta },
  spec: { domain: { devices: {} } }, status,
});
const idle = { startExpected: false, stopExpected: false };
const input = (theVm: VirtualMachine, theVmi: VirtualMachineInstance | undefined, plan: VmStatusInput['plan'] = idle): VmStatusInput =>
  ({ vm: theVm, vmi: theVmi, plan, now: NOW, jitter: 0 });

// rules-other-kinds.md "VM status.printableStatus" (KubeVirt's setPrintableStatus order).
describe('printableStatus', () => {
  const always = vm({ runStrategy: 'Always' });
  it.each<[string, VmStatusInput, number, string]>([
    ['VM deleting', input(vm({ runStrategy: 'Always' }, undefined, { deletionTimestamp: 'x' }), vmi({ phase: 'Running' })), 0, 'Terminating'],
    ['VMI deleting and not final', input(always, vmi({ phase: 'Running' }, { deletionTimestamp: 'x' })), 0, 'Stopping'],
    ['stop expected', input(always, vmi({ phase: 'Running' }), { ...idle, stopExpected: true }), 0, 'Stopping'],
    ['paused', input(always, vmi({ phase: 'Running', conditions: [{ type: 'Paused', status: 'True' }] })), 0, 'Paused'],
    ['running', input(always, vmi({ phase: 'Running' })), 0, 'Running'],
    ['unschedulable', input(always, vmi({ phase: 'Scheduling', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable' }] })), 0, 'ErrorUnschedulable'],
    ['image pull', input(always, vmi({ phase: 'Scheduling', conditions: [{ type: 'Synchronized', status: 'False', reason: 'ErrImagePull' }] })), 0, 'ErrImagePull'],
    ['no VMI, start expected', input(always, undefined, { ...idle, startExpected: true }), 0, 'Starting'],
    ['VMI pending', input(always, vmi({ phase: 'Pending' })), 0, 'Starting'],
    ['VMI scheduled', input(always, vmi({ phase: 'Scheduled' })), 0, 'Starting'],
    ['no VMI, failures counted', input(always, undefined), 2, 'CrashLoopBackOff'],
    ['Manual never crash-loops', input(vm({ runStrategy: 'Manual' }), undefined), 2, 'Stopped'],
    ['no VMI, nothing expected', input(always, undefined), 0, 'Stopped'],
    ['final VMI', input(always, vmi({ phase: 'Succeeded' })), 0, 'Stopped'],
    ['VMI in an odd phase', input(always, vmi({ phase: 'Unknown' })), 0, 'Unknown'],
  ])('%s → %s', (_name, theInput, failures, expected) => {
    expect(printableStatus(theInput, failures)).toBe(expected);
  });
});

describe('computeVmStatus', () => {
  it('records created/ready, mirrors Ready and other VMI conditions, generations, and runStrategy once created', () => {
    const theVmi = vmi({ phase: 'Running', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: 't0' }, { type: 'AgentConnected', status: 'True' }] }, { annotations: { [Annotations.vmGeneration]: '1' } });
    const status = computeVmStatus(input(vm({ runStrategy: 'Always' }), theVmi));
    expect(status).toMatchObject({ created: true, ready: true, runStrategy: 'Always', printableStatus: 'Running', desiredGeneration: 2, observedGeneration: 1 });
    expect(status.conditions).toEqual([{ type: 'Ready', status: 'True', lastTransitionTime: 't0' }, { type: 'AgentConnected', status: 'True' }]);
  });

  it('without a VMI: Ready False VMINotExists, no runStrategy before a first start, mirrored conditions left as KubeVirt leaves them', () => {
    const status = computeVmStatus(input(vm({ runStrategy: 'Halted' }, { conditions: [{ type: 'Paused', status: 'True' }] }), undefined));
    expect(status.created).toBe(false);
    expect(status.runStrategy).toBeUndefined();
    expect(status.conditions).toEqual([
      { type: 'Paused', status: 'True' },
      { type: 'Ready', status: 'False', reason: 'VMINotExists', message: 'VMI does not exist', lastTransitionTime: formatKubeTime(NOW) },
    ]);
  });

  it('keeps the mirrored conditions off a VMI that lost them', () => {
    const status = computeVmStatus(input(vm({ runStrategy: 'Always' }, { conditions: [{ type: 'Paused', status: 'True' }] }), vmi({ phase: 'Running' })));
    expect(status.conditions?.map((c) => c.type)).toEqual(['Ready']);
  });

  it('sets the Failure condition from a sync error and removes it on success', () => {
    const failed = computeVmStatus(input(vm({ runStrategy: 'Always' }), undefined, { ...idle, syncError: { reason: 'FailedCreate', message: 'boom' } }));
    expect(failed.conditions?.find((c) => c.type === 'Failure')).toMatchObject({ status: 'True', reason: 'FailedCreate', message: 'boom' });
    const healed = computeVmStatus(input(vm({ runStrategy: 'Always' }, failed), undefined));
    expect(healed.conditions?.find((c) => c.type === 'Failure')).toBeUndefined();
  });

  it.each<[string, VirtualMachine['status'], VirtualMachineInstance | undefined, number]>([
    ['Stop of the current VMI stays until it is gone', { stateChangeRequests: [{ action: 'Stop', uid: 'vmi-1' }] }, vmi({ phase: 'Running' }), 1],
    ['Stop is done once the VMI is gone', { stateChangeRequests: [{ action: 'Stop', uid: 'vmi-1' }, { action: 'Start' }] }, undefined, 1],
    ['Stop of an older VMI is done', { stateChangeRequests: [{ action: 'Stop', uid: 'old' }] }, vmi({ phase: 'Running' }), 0],
    ['Start stays while no live VMI', { stateChangeRequests: [{ action: 'Start' }] }, vmi({ phase: 'Failed' }), 1],
    ['Start is done once a live VMI exists', { stateChangeRequests: [{ action: 'Start' }] }, vmi({ phase: 'Pending' }), 0],
  ])('state change requests: %s', (_name, status, theVmi, left) => {
    expect(computeVmStatus(input(vm({ runStrategy: 'Manual' }, status), theVmi)).stateChangeRequests?.length ?? 0).toBe(left);
  });

  it('counts an early failure once per VMI uid with the backoff, and clears it once a VMI ran', () => {
    const failedEarly = vmi({ phase: 'Failed' });
    const first = computeVmStatus(input(vm({ runStrategy: 'Always' }), failedEarly));
    expect(first.startFailure).toEqual({ lastFailedVMIUID: 'vmi-1', consecutiveFailCount: 1, retryAfterTimestamp: '2026-01-01T00:00:10Z' });
    expect(computeVmStatus(input(vm({ runStrategy: 'Always' }, first), failedEarly)).startFailure).toEqual(first.startFailure);
    const second = computeVmStatus(input(vm({ runStrategy: 'Always' }, first), vmi({ phase: 'Failed' }, { uid: 'vmi-2' })));
    expect(second.startFailure?.consecutiveFailCount).toBe(2);
    expect(second.printableStatus).toBe('CrashLoopBackOff');
    const ran = vmi({ phase: 'Failed', phaseTransitionTimestamps: [{ phase: 'Running', phaseTransitionTimestamp: 't' }] }, { uid: 'vmi-3' });
    expect(computeVmStatus(input(vm({ runStrategy: 'Always' }, second), ran)).startFailure).toBeUndefined();
    expect(computeVmStatus(input(vm({ runStrategy: 'Manual' }, second), undefined)).startFailure).toBeUndefined();
  });
});
