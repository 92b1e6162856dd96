import { describe, expect, it } from 'vitest';
import { applyPatch } from '../../core/json-patch.js';
import type { VirtualMachine, VirtualMachineInstance } from '../../crd-gen/index.js';
import { restartVm, startVm, stopVm, type StateChangeResult } from './state-change.js';

const vm = (spec: Partial<VirtualMachine['spec']>, status?: VirtualMachine['status']): VirtualMachine => ({
  apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachine', metadata: { name: 'web', namespace: 'prod' },
  spec: { template: { spec: { domain: { devices: {} } } }, ...spec }, ...(status ? { status } : {}),
});
const vmi = (phase: string): VirtualMachineInstance => ({
  apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachineInstance', metadata: { name: 'web', uid: 'vmi-1' }, spec: { domain: { devices: {} } }, status: { phase },
});

/** The VM after the patch, applied the way the API server would (test ops included). */
function applied(theVm: VirtualMachine, result: StateChangeResult): VirtualMachine {
  if (!result.ok) throw new Error(`refused: ${result.message}`);
  return applyPatch(theVm, result.patch) as VirtualMachine;
}

// KubeVirt pkg/virt-api/rest/lifecycle.go.
describe('startVm', () => {
  it('Halted → runStrategy Always', () => {
    expect(applied(vm({ runStrategy: 'Halted' }), startVm(vm({ runStrategy: 'Halted' }), undefined)).spec.runStrategy).toBe('Always');
  });
  it('running: false → running: true', () => {
    expect(applied(vm({ running: false }), startVm(vm({ running: false }), undefined)).spec.running).toBe(true);
  });
  it('Halted, paused → a paused Start request for the controller', () => {
    const theVm = vm({ runStrategy: 'Halted' }, { created: false });
    expect(applied(theVm, startVm(theVm, undefined, { paused: true })).status?.stateChangeRequests).toEqual([{ action: 'Start', data: { paused: 'true' } }]);
  });
  it('Manual → Start request, on a VM without status too', () => {
    expect(applied(vm({ runStrategy: 'Manual' }), startVm(vm({ runStrategy: 'Manual' }), undefined)).status).toEqual({ stateChangeRequests: [{ action: 'Start' }] });
  });
  it('Manual with a final VMI → Stop(uid) then Start, dropping the start failure', () => {
    const theVm = vm({ runStrategy: 'Manual' }, { startFailure: { consecutiveFailCount: 1 } });
    const after = applied(theVm, startVm(theVm, vmi('Succeeded')));
    expect(after.status).toEqual({ stateChangeRequests: [{ action: 'Stop', uid: 'vmi-1' }, { action: 'Start' }] });
  });
  it.each<[string, VirtualMachine, VirtualMachineInstance | undefined, string]>([
    ['a live VMI', vm({ runStrategy: 'Manual' }), vmi('Running'), 'VM is already running'],
    ['Always', vm({ runStrategy: 'Always' }), undefined, 'Always does not support manual start requests'],
    ['Once', vm({ runStrategy: 'Once' }), undefined, 'Once does not support manual start requests'],
    ['RerunOnFailure after a failure', vm({ runStrategy: 'RerunOnFailure' }), vmi('Failed'), 'RerunOnFailure does not support starting VM from failed state'],
    ['requests pending', vm({ runStrategy: 'Manual' }, { stateChangeRequests: [{ action: 'Start' }] }), undefined, 'unable to complete request: stop/start already underway'],
  ])('refuses with 409 on %s', (_name, theVm, theVmi, message) => {
    expect(startVm(theVm, theVmi)).toEqual({ ok: false, status: 409, message });
  });
});

describe('stopVm', () => {
  it('Always → Halted', () => {
    expect(applied(vm({ runStrategy: 'Always' }), stopVm(vm({ runStrategy: 'Always' }), vmi('Running'))).spec.runStrategy).toBe('Halted');
  });
  it('Manual → a lone Stop(uid) replaces pending requests', () => {
    const theVm = vm({ runStrategy: 'Manual' }, { stateChangeRequests: [{ action: 'Start' }] });
    expect(applied(theVm, stopVm(theVm, vmi('Running'))).status?.stateChangeRequests).toEqual([{ action: 'Stop', uid: 'vmi-1' }]);
  });
  it.each<[string, VirtualMachine, VirtualMachineInstance | undefined, string]>([
    ['no VMI', vm({ runStrategy: 'Manual' }), undefined, 'VM is not running'],
    ['a final VMI', vm({ runStrategy: 'RerunOnFailure' }), vmi('Failed'), 'VM is not running'],
    ['Halted', vm({ runStrategy: 'Halted' }), vmi('Running'), 'Halted only supports manual stop requests with a shorter graceperiod'],
  ])('refuses with 409 on %s', (_name, theVm, theVmi, message) => {
    expect(stopVm(theVm, theVmi)).toEqual({ ok: false, status: 409, message });
  });
});

describe('restartVm', () => {
  it('adds Stop(uid) and Start', () => {
    const theVm = vm({ runStrategy: 'Always' }, { created: true });
    expect(applied(theVm, restartVm(theVm, vmi('Running'))).status?.stateChangeRequests).toEqual([{ action: 'Stop', uid: 'vmi-1' }, { action: 'Start' }]);
  });
  it.each<[string, VirtualMachine, VirtualMachineInstance | undefined, string]>([
    ['Halted', vm({ runStrategy: 'Halted' }), vmi('Running'), 'RunStategy Halted does not support manual restart requests'],
    ['Once', vm({ runStrategy: 'Once' }), vmi('Running'), 'RunStategy Once does not support manual restart requests'],
    ['no VMI', vm({ runStrategy: 'Always' }), undefined, 'VM is not running: Halted'],
  ])('refuses with 409 on %s', (_name, theVm, theVmi, message) => {
    expect(restartVm(theVm, theVmi)).toEqual({ ok: false, status: 409, message });
  });
  it('a concurrent change fails the test op', () => {
    const theVm = vm({ runStrategy: 'Always' }, { created: true, stateChangeRequests: [] });
    const result = restartVm(theVm, vmi('Running'));
    const moved = { ...theVm, status: { created: true, stateChangeRequests: [{ action: 'Start' }] } };
    expect(() => applied(moved, result)).toThrow();
  });
});
