import { describe, expect, it } from 'vitest';
import { resolveResource } from './resources.js';

describe('resolveResource', () => {
  it.each([
    ['vmis', 'VirtualMachineInstance', 'virtualmachineinstances.kubevirt.io', true],
    ['VM', 'VirtualMachine', 'virtualmachines.kubevirt.io', true],
    ['vmirs', 'VirtualMachineInstanceReplicaSet', 'virtualmachineinstancereplicasets.kubevirt.io', true],
    ['vmcps', 'VirtualMachineClusterPreference', 'virtualmachineclusterpreferences.instancetype.kubevirt.io', false],
    ['po', 'Pod', 'pods', true],
    ['nodes', 'Node', 'nodes', false],
  ])('%s → %s', (word, kind, display, namespaced) => {
    const r = resolveResource(word);
    expect(r?.type.kind).toBe(kind);
    expect(r?.display).toBe(display);
    expect(r?.namespaced).toBe(namespaced);
  });
  it('knows nothing of other words', () => {
    expect(resolveResource('deployments')).toBeUndefined();
  });
});
