import { describe, expect, it } from 'vitest';
import type { VirtualMachine, VirtualMachineInstance } from '../../crd-gen/index.js';
import { guestAgentRefusal, notFound, pauseRefusal, snapshotRefusal, unpauseRefusal } from './vmi-lifecycle.js';

const vmi = (status: VirtualMachineInstance['status'], spec: Partial<VirtualMachineInstance['spec']> = {}): VirtualMachineInstance => ({
  apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachineInstance', metadata: { name: 'v', namespace: 'default' },
  spec: { domain: { devices: {} }, ...spec }, ...(status === undefined ? {} : { status }),
});
const paused = { type: 'Paused', status: 'True', reason: 'PausedByUser' };
const conflict = (message: string): unknown => ({ status: 409, reason: 'Conflict', message });

// KubeVirt pkg/virt-api/rest/lifecycle.go: PauseVMIRequestHandler and UnpauseVMIRequestHandler's validations.
describe('pauseRefusal', () => {
  it.each<[string, VirtualMachineInstance, unknown]>([
    ['a Running VMI', vmi({ phase: 'Running' }), undefined],
    ['a Running VMI after its migration completed', vmi({ phase: 'Running', migrationState: { completed: true } }), undefined],
    ['a Scheduled VMI', vmi({ phase: 'Scheduled' }), conflict('VM is not running')],
    ['a VMI without status', vmi(undefined), conflict('VM is not running')],
    ['a Succeeded VMI', vmi({ phase: 'Succeeded' }), conflict('VM is not running')],
    ['a VMI with a liveness probe', vmi({ phase: 'Running' }, { livenessProbe: { tcpSocket: { port: 22 } } }), { status: 403, reason: 'Forbidden', message: 'Pausing VMIs with LivenessProbe is currently not supported' }],
    ['a paused VMI', vmi({ phase: 'Running', conditions: [paused] }), conflict('VMI is already paused')],
    ['a VMI whose Paused condition is False (KubeVirt looks at its presence)', vmi({ phase: 'Running', conditions: [{ ...paused, status: 'False' }] }), conflict('VMI is already paused')],
    ['a migrating VMI', vmi({ phase: 'Running', migrationState: { completed: false } }), conflict('Cannot pause VM \'v\' because it is currently being migrated')],
  ])('%s', (_name, theVmi, expected) => {
    expect(pauseRefusal(theVmi)).toEqual(expected);
  });
});

describe('unpauseRefusal', () => {
  it.each<[string, VirtualMachineInstance, unknown]>([
    ['a paused VMI', vmi({ phase: 'Running', conditions: [paused] }), undefined],
    ['a running VMI', vmi({ phase: 'Running', conditions: [{ type: 'LiveMigratable', status: 'False' }] }), conflict('VMI is not paused')],
    ['a Scheduled VMI', vmi({ phase: 'Scheduled' }), conflict('VMI is not running')],
    ['a Failed VMI that was paused', vmi({ phase: 'Failed', conditions: [paused] }), conflict('VMI is not running')],
  ])('%s', (_name, theVmi, expected) => {
    expect(unpauseRefusal(theVmi)).toEqual(expected);
  });
});

describe('snapshotRefusal', () => {
  const vm = (status: VirtualMachine['status']): VirtualMachine => ({ apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachine', metadata: { name: 'v' }, spec: { template: {} }, ...(status === undefined ? {} : { status }) });
  it('refuses while the VM of the VMI is snapshotted; no VM, or no snapshot, is fine', () => {
    expect(snapshotRefusal(vm({ snapshotInProgress: 'snap-1' }))).toEqual(conflict('VM snapshot is in progress'));
    expect(snapshotRefusal(vm({ created: true }))).toBeUndefined();
    expect(snapshotRefusal(undefined)).toBeUndefined();
  });
});

describe('notFound', () => {
  it('reads as the API server\'s NotFound', () => {
    expect(notFound('virtualmachineinstance', 'x')).toEqual({ status: 404, reason: 'NotFound', message: 'virtualmachineinstance.kubevirt.io "x" not found' });
  });
});

// KubeVirt pkg/virt-api/rest: the guest-agent subresources need the AgentConnected condition.
describe('guestAgentRefusal', () => {
  const noAgent = conflict('Operation cannot be fulfilled on virtualmachineinstance.kubevirt.io "v": VMI does not have guest agent connected');
  it.each<[string, VirtualMachineInstance, unknown]>([
    ['a Running VMI without the condition', vmi({ phase: 'Running' }), noAgent],
    ['a VMI without status', vmi(undefined), noAgent],
    ['AgentConnected False', vmi({ phase: 'Running', conditions: [{ type: 'AgentConnected', status: 'False' }] }), noAgent],
    ['AgentConnected True', vmi({ phase: 'Running', conditions: [{ type: 'AgentConnected', status: 'True' }] }), undefined],
  ])('%s', (_name, theVmi, expected) => {
    expect(guestAgentRefusal(theVmi)).toEqual(expected);
  });
});
