import { describe, expect, it } from 'vitest';
import type { VirtualMachine } from '../../crd-gen/index.js';
import { holdStart, matcherRefs, missingMatcherError } from './matchers.js';
import type { VmPlan } from './plan.js';

const vmWith = (spec: Partial<VirtualMachine['spec']>): VirtualMachine => ({
  apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachine', metadata: { name: 'vm', namespace: 'ns' },
  spec: { runStrategy: 'Always', template: { spec: { domain: { devices: {} } } }, ...spec },
});

describe('matcherRefs and missingMatcherError (KubeVirt\'s FailedFind… reasons and NotFound messages)', () => {
  it.each<[string, Partial<VirtualMachine['spec']>, string[]]>([
    ['no matchers', {}, []],
    ['an inferring matcher (no name yet)', { instancetype: { inferFromVolume: 'root' } }, []],
    ['a cluster instancetype (empty kind)', { instancetype: { name: 'small' } },
      ['FailedFindInstancetype virtualmachineclusterinstancetype.instancetype.kubevirt.io "small" not found @cluster']],
    ['a namespaced instancetype, plural and any case', { instancetype: { name: 'small', kind: 'VirtualMachineInstancetypes' } },
      ['FailedFindInstancetype virtualmachineinstancetype.instancetype.kubevirt.io "small" not found @ns']],
    ['both, namespaced preference', { instancetype: { name: 'i' }, preference: { name: 'p', kind: 'virtualmachinepreference' } }, [
      'FailedFindInstancetype virtualmachineclusterinstancetype.instancetype.kubevirt.io "i" not found @cluster',
      'FailedFindPreference virtualmachinepreference.instancetype.kubevirt.io "p" not found @ns',
    ]],
    ['a cluster preference', { preference: { name: 'p', kind: 'VirtualMachineClusterPreference' } },
      ['FailedFindPreference virtualmachineclusterpreference.instancetype.kubevirt.io "p" not found @cluster']],
  ])('%s', (_name, spec, expected) => {
    expect(matcherRefs(vmWith(spec)).map((r) => {
      const e = missingMatcherError(r);
      return `${e.reason} ${e.message} @${r.namespace ?? 'cluster'}`;
    })).toEqual(expected);
  });
});

describe('holdStart', () => {
  it('drops the VMI create, expects no start, reports the failure and looks again', () => {
    const plan: VmPlan = { actions: [{ type: 'createVmi', vmi: { apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachineInstance', metadata: {}, spec: { domain: { devices: {} } } } }], startExpected: true, stopExpected: false };
    const held = holdStart(plan, { reason: 'FailedFindPreference', message: 'gone' });
    expect(held).toEqual({ actions: [], startExpected: false, stopExpected: false, syncError: { reason: 'FailedFindPreference', message: 'gone' }, requeueAfterMs: 5000 });
  });
});
