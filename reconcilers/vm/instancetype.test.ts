import { describe, expect, it } from 'vitest';
import type { VirtualMachine } from '../../crd-gen/index.js';
import { matcherRefs } from './matchers.js';
import { withInstancetype, type FoundMatcher } from './instancetype.js';

const vm = (spec: Partial<VirtualMachine['spec']>, domain: object = { devices: {} }): VirtualMachine => ({
  apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachine', metadata: { name: 'web', namespace: 'ns' },
  spec: { runStrategy: 'Always', template: { spec: { domain } } as VirtualMachine['spec']['template'], ...spec },
});

const found = (v: VirtualMachine, objects: Record<string, object>): FoundMatcher[] => matcherRefs(v).map((ref) => ({ ref, object: { spec: objects[`${ref.what}/${ref.name}`] } }));

describe('withInstancetype', () => {
  const it1 = { cpu: { guest: 2 }, memory: { guest: '1Gi' } };
  it.each([
    ['a cluster instancetype', vm({ instancetype: { name: 'm' } }), { 'instancetype/m': it1 }, { memory: { guest: '1Gi' }, cpu: { sockets: 2, cores: 1, threads: 1 } }],
    ['a namespaced instancetype', vm({ instancetype: { name: 'm', kind: 'VirtualMachineInstancetype' } }), { 'instancetype/m': it1 }, { memory: { guest: '1Gi' } }],
    ['an instancetype and a preference for cores', vm({ instancetype: { name: 'm' }, preference: { name: 'p' } }), { 'instancetype/m': it1, 'preference/p': { cpu: { preferredCPUTopology: 'cores' } } }, { cpu: { sockets: 1, cores: 2, threads: 1 } }],
  ])('applies %s to the template', (_, input, objects, domain) => {
    const result = withInstancetype(input, found(input, objects));
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.vm.spec.template.spec?.domain).toMatchObject(domain);
  });

  it('leaves a VM without matchers as it is', () => {
    const input = vm({}, { devices: {}, resources: { requests: { memory: '64Mi' } } });
    expect(withInstancetype(input, [])).toEqual({ ok: true, vm: input });
  });

  it('gives the conflicts as KubeVirt names them', () => {
    const input = vm({ instancetype: { name: 'm' } }, { devices: {}, memory: { guest: '512Mi' } });
    expect(withInstancetype(input, found(input, { 'instancetype/m': it1 }))).toEqual({
      ok: false, message: 'spec.template.spec.domain.memory.guest: VM field(s) spec.template.spec.domain.memory.guest conflicts with selected instance type',
    });
  });
});
