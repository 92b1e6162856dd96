import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../core/kube.js';
import { stateToRemove, type Deletion, type LiveObjects } from './vm-state-removal.js';

const VM_UID = '11111111-2222-4333-8444-555555555555';
const VMI_UID = '66666666-7777-4888-9999-aaaaaaaaaaaa';

const vm: KubeObject = { apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachine', metadata: { namespace: 'ns', name: 'win', uid: VM_UID } };
const ownedVmi: KubeObject = {
  apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachineInstance',
  metadata: { namespace: 'ns', name: 'win', uid: VMI_UID, ownerReferences: [{ apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachine', name: 'win', uid: VM_UID, controller: true }] },
};
const standaloneVmi: KubeObject = { apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachineInstance', metadata: { namespace: 'ns', name: 'solo', uid: VMI_UID } };

function live(vms: readonly string[], vmisByVm: Readonly<Record<string, number>>): LiveObjects {
  return { vmExists: (uid) => vms.includes(uid), vmisOf: (uid) => vmisByVm[uid] ?? 0 };
}

const VM_OWNER = { kind: 'VirtualMachine', namespace: 'ns', name: 'win', uid: VM_UID };

describe('stateToRemove', () => {
  it.each<[string, Deletion, LiveObjects, unknown[]]>([
    ['a deleted VM without VMIs: its state', { kind: 'VirtualMachine', object: vm }, live([], {}), [VM_OWNER]],
    ['a deleted VM whose VMI is still there: nothing yet (its VMI\'s deletion decides)', { kind: 'VirtualMachine', object: vm }, live([], { [VM_UID]: 1 }), []],
    ['a VMI of a VM that still exists (a stop or restart): nothing', { kind: 'VirtualMachineInstance', object: ownedVmi }, live([VM_UID], {}), []],
    ['the last VMI of a deleted VM: the VM\'s state', { kind: 'VirtualMachineInstance', object: ownedVmi }, live([], {}), [VM_OWNER]],
    ['a VMI of a deleted VM with another VMI left: nothing yet', { kind: 'VirtualMachineInstance', object: ownedVmi }, live([], { [VM_UID]: 1 }), []],
    ['a standalone VMI: its own state', { kind: 'VirtualMachineInstance', object: standaloneVmi }, live([], {}), [{ kind: 'VirtualMachineInstance', namespace: 'ns', name: 'solo', uid: VMI_UID }]],
    ['a VM without a uid: nothing', { kind: 'VirtualMachine', object: { ...vm, metadata: { name: 'win' } } }, live([], {}), []],
  ])('%s', (_what, deletion, objects, owners) => {
    expect(stateToRemove(deletion, objects)).toEqual(owners);
  });
});
