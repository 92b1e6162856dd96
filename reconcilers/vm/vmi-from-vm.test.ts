import { describe, expect, it } from 'vitest';
import { firmwareUuidFor } from '../../core/uuid.js';
import type { VirtualMachine } from '../../crd-gen/index.js';
import { vmiFromVm } from './vmi-from-vm.js';

const vm = (template: VirtualMachine['spec']['template'], uid?: string): VirtualMachine => ({
  apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachine', metadata: { name: 'web', namespace: 'prod', ...(uid ? { uid } : {}) },
  spec: { runStrategy: 'Always', template },
});

describe('vmiFromVm', () => {
  it('names the VMI after the VM, keeps template labels, and owns it', () => {
    const vmi = vmiFromVm(vm({ metadata: { name: 'ignored', generateName: 'x-', labels: { app: 'web' } }, spec: { domain: { devices: {} } } }, 'uid-1'));
    expect(vmi.metadata).toEqual({
      name: 'web', namespace: 'prod', labels: { app: 'web' },
      ownerReferences: [{ apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachine', name: 'web', uid: 'uid-1', controller: true, blockOwnerDeletion: true }],
    });
    expect(vmi.spec.domain.firmware?.uuid).toBe(firmwareUuidFor('web'));
  });

  it('keeps a firmware UUID the template sets, and does not touch the VM', () => {
    const input = vm({ spec: { domain: { devices: {}, firmware: { uuid: 'given' } } } });
    const copy = structuredClone(input);
    expect(vmiFromVm(input).spec.domain.firmware?.uuid).toBe('given');
    expect(input).toEqual(copy);
  });

  it('refuses a template without spec on its path', () => {
    expect(() => vmiFromVm(vm({ metadata: {} }))).toThrow(/spec\.template\.spec: Required value/);
  });
});
