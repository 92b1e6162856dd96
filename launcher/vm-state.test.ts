import { describe, expect, it } from 'vitest';
import { stateOwnerOf, tpmStateDir, vmStateDir, type StateOwner } from './vm-state.js';

const UID = '0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0';
const VM_UID = '11111111-2222-4333-8444-555555555555';

describe('stateOwnerOf', () => {
  it.each<[string, Parameters<typeof stateOwnerOf>[0], StateOwner]>([
    ['the controlling VirtualMachine', {
      metadata: { namespace: 'ns', name: 'win', uid: UID, ownerReferences: [{ apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachine', name: 'win', uid: VM_UID, controller: true }] },
    }, { kind: 'VirtualMachine', namespace: 'ns', name: 'win', uid: VM_UID }],
    ['the VMI itself without a controller', { metadata: { namespace: 'ns', name: 'solo', uid: UID } }, { kind: 'VirtualMachineInstance', namespace: 'ns', name: 'solo', uid: UID }],
    ['the VMI itself when its controller is a replica set (its VMIs do not share state)', {
      metadata: { name: 'pool-x', uid: UID, ownerReferences: [{ apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachineInstanceReplicaSet', name: 'pool', uid: VM_UID, controller: true }] },
    }, { kind: 'VirtualMachineInstance', namespace: 'default', name: 'pool-x', uid: UID }],
  ])('%s', (_what, vmi, owner) => {
    expect(stateOwnerOf(vmi)).toEqual(owner);
  });
});

describe('vmStateDir', () => {
  it('is <dataDir>/vm-state/<namespace>/<name>/<uid>, swtpm inside', () => {
    const dir = vmStateDir('/var/lib/kvt', { kind: 'VirtualMachine', namespace: 'default', name: 'win.example', uid: VM_UID });
    expect(dir).toBe(`/var/lib/kvt/vm-state/default/win.example/${VM_UID}`);
    expect(tpmStateDir(dir)).toBe(`/var/lib/kvt/vm-state/default/win.example/${VM_UID}/swtpm`);
  });

  it.each<[string, Partial<StateOwner>, string]>([
    ['a namespace that is not a DNS label', { namespace: '../etc' }, 'metadata.namespace'],
    ['a name with a slash', { name: 'a/b' }, 'metadata.name'],
    ['a name that is ..', { name: '..' }, 'metadata.name'],
    ['an empty uid', { uid: '' }, 'metadata.uid'],
    ['a uid that is a path', { uid: '../../x' }, 'metadata.uid'],
  ])('refuses %s, naming the field', (_what, change, field) => {
    const owner: StateOwner = { kind: 'VirtualMachine', namespace: 'default', name: 'win', uid: VM_UID, ...change };
    expect(() => vmStateDir('/d', owner)).toThrow(field);
  });
});
