import { describe, expect, it } from 'vitest';
import { DEFAULT_CLUSTER_CONFIG } from '../../core/cluster-config.js';
import type { DomainSpec, VirtualMachine, VirtualMachineInstancePreset } from '../../crd-gen/index.js';
import { lookupsFromObjects } from '../admission-lookups.js';
import type { AdmissionContext } from '../context.js';
import { presetWarnings } from './preset.js';
import { vmMatcherWarnings } from './vm.js';

const ctx: AdmissionContext = {
  cfg: DEFAULT_CLUSTER_CONFIG,
  lookups: lookupsFromObjects([
    { apiVersion: 'instancetype.kubevirt.io/v1beta1', kind: 'VirtualMachineClusterInstancetype', metadata: { name: 'small' }, spec: { cpu: { guest: 1 }, memory: { guest: '64Mi' } } },
    { apiVersion: 'instancetype.kubevirt.io/v1beta1', kind: 'VirtualMachinePreference', metadata: { name: 'virtio', namespace: 'default' }, spec: {} },
  ]),
  ids: { uuid: () => 'u' },
  now: new Date(0),
};

const vm = (spec: Partial<VirtualMachine['spec']>): VirtualMachine => ({
  apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachine', metadata: { name: 'vm', namespace: 'default' },
  spec: { runStrategy: 'Halted', template: { spec: { domain: { devices: {} } } }, ...spec },
});

describe('vmMatcherWarnings: a missing instancetype or preference is admitted with a warning naming it', () => {
  it.each<[string, Partial<VirtualMachine['spec']>, string[]]>([
    ['no matchers', {}, []],
    ['both found', { instancetype: { name: 'small' }, preference: { name: 'virtio', kind: 'VirtualMachinePreference' } }, []],
    ['a missing cluster instancetype', { instancetype: { name: 'large' } },
      ['spec.instancetype: instancetype "large" was not found cluster-wide: the VirtualMachine is admitted, as KubeVirt admits it, but does not start until the instancetype exists']],
    ['a namespaced instancetype of a name only the cluster has', { instancetype: { name: 'small', kind: 'VirtualMachineInstancetype' } },
      ['spec.instancetype: instancetype "small" was not found in namespace "default": the VirtualMachine is admitted, as KubeVirt admits it, but does not start until the instancetype exists']],
    ['a missing cluster preference', { preference: { name: 'virtio' } },
      ['spec.preference: preference "virtio" was not found cluster-wide: the VirtualMachine is admitted, as KubeVirt admits it, but does not start until the preference exists']],
    ['a matcher still inferring from a volume', { instancetype: { inferFromVolume: 'root' } }, []],
  ])('%s', (_name, spec, expected) => {
    expect(vmMatcherWarnings(vm(spec), ctx)).toEqual(expected);
  });
});

describe('presetWarnings: a preset\'s domain.memory is never applied', () => {
  const preset = (domain: DomainSpec): VirtualMachineInstancePreset => ({
    apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachineInstancePreset', metadata: { name: 'small', namespace: 'default' }, spec: { selector: {}, domain },
  });
  it.each<[string, DomainSpec, RegExp | undefined]>([
    ['requests only', { devices: {}, resources: { requests: { memory: '64M' } } }, undefined],
    ['memory.guest (KubeVirt\'s vmi-preset-small.yaml)', { devices: {}, memory: { guest: '64M' } }, /^spec\.domain\.memory\.guest: ignored: presets never apply domain\.memory/],
    ['memory.guest and hugepages', { devices: {}, memory: { guest: '1Gi', hugepages: { pageSize: '2Mi' } } }, /^spec\.domain\.memory\.guest, spec\.domain\.memory\.hugepages: ignored/],
  ])('%s', (_name, domain, expected) => {
    const warnings = presetWarnings(preset(domain));
    if (expected === undefined) expect(warnings).toEqual([]);
    else expect(warnings).toEqual([expect.stringMatching(expected)]);
  });
});
