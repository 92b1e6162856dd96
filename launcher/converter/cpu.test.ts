import { describe, expect, it } from 'vitest';
import type { CPU } from '../../crd-gen/index.js';
import { newRawVmi, withDomain } from '../../test/builders/vmi.js';
import { testContext } from '../../test/builders/context.js';
import { emptyDomain } from './configurator.js';
import { configureCpu } from './cpu.js';
import { requestedTopology } from './cpu-topology.js';

function cpuOf(cpu: CPU | undefined, resources?: object) {
  const vmi = newRawVmi(withDomain({ ...(cpu === undefined ? {} : { cpu }), ...(resources === undefined ? {} : { resources }) }));
  const d = configureCpu(vmi, testContext(), emptyDomain());
  return { cpu: d.cpu, vcpu: d.vcpu, vcpus: d.vcpus };
}

describe('configureCpu', () => {
  it.each([
    ['no cpu block: host-model, one vCPU', undefined, { mode: 'host-model', features: [], topology: { sockets: 1, cores: 1, threads: 1 } }],
    ['host-passthrough', { model: 'host-passthrough', sockets: 1 }, { mode: 'host-passthrough', features: [], topology: { sockets: 1, cores: 1, threads: 1 } }],
    ['host-model keeps the flags, no mpx rule', { model: 'host-model', features: [{ name: 'vmx', policy: 'require' }] }, { mode: 'host-model', features: [{ name: 'vmx', policy: 'require' }], topology: { sockets: 1, cores: 1, threads: 1 } }],
    ['a custom model gets mpx disabled', { model: 'Skylake-Server', cores: 2 }, { mode: 'custom', model: { value: 'Skylake-Server' }, features: [{ name: 'mpx', policy: 'disable' }], topology: { sockets: 1, cores: 2, threads: 1 } }],
    ['a custom model that names mpx keeps its choice', { model: 'Haswell', features: [{ name: 'mpx', policy: 'require' }] }, { mode: 'custom', model: { value: 'Haswell' }, features: [{ name: 'mpx', policy: 'require' }], topology: { sockets: 1, cores: 1, threads: 1 } }],
    ['an empty policy written as require', { model: 'Haswell', features: [{ name: 'pcid', policy: '' }] }, { mode: 'custom', model: { value: 'Haswell' }, features: [{ name: 'pcid', policy: 'require' }, { name: 'mpx', policy: 'disable' }], topology: { sockets: 1, cores: 1, threads: 1 } }],
    ['a cpu block with an empty model: host-model, mpx disabled', { cores: 1 }, { mode: 'host-model', features: [{ name: 'mpx', policy: 'disable' }], topology: { sockets: 1, cores: 1, threads: 1 } }],
  ] as const)('%s', (_what, cpu, expected) => {
    expect(cpuOf(cpu as CPU | undefined).cpu).toEqual(expected);
  });

  it.each([
    [{ sockets: 2, cores: 3, threads: 2 }, undefined, 12],
    [{ cores: 4 }, undefined, 4],
    [undefined, { limits: { cpu: '3' } }, 3],
    [undefined, { requests: { cpu: '1500m' } }, 2],
    [{}, undefined, 1],
  ])('topology %j with resources %j gives %d vCPUs', (cpu, resources, vcpus) => {
    expect(cpuOf(cpu as CPU | undefined, resources).vcpu).toEqual({ placement: 'static', value: vcpus });
  });

  it('lays out hotpluggable vCPUs up to maxSockets', () => {
    const { cpu, vcpu, vcpus } = cpuOf({ sockets: 1, cores: 2, threads: 1, maxSockets: 3 });
    expect(cpu?.topology).toEqual({ sockets: 3, cores: 2, threads: 1 });
    expect(vcpu).toEqual({ placement: 'static', value: 6 });
    expect(vcpus?.vcpus).toEqual([
      { id: 0, enabled: 'yes', hotpluggable: 'no' },
      { id: 1, enabled: 'yes', hotpluggable: 'no' },
      { id: 2, enabled: 'no', hotpluggable: 'yes' },
      { id: 3, enabled: 'no', hotpluggable: 'yes' },
      { id: 4, enabled: 'no', hotpluggable: 'yes' },
      { id: 5, enabled: 'no', hotpluggable: 'yes' },
    ]);
  });

  const MI = 2 ** 20;
  const GI = 2 ** 30;
  const hotplug = (guest: number, max: number) => ({ memory: { value: guest, unit: 'b' }, maxMemory: { value: max, unit: 'b', slots: 1 } });

  it.each([
    ['memfd backing', { memory: { value: 512 * MI, unit: 'b' }, memoryBacking: { hugepages: true, source: { type: 'memfd' } } }, 524288],
    ['memory hotplug: the boot memory, not the ceiling', hotplug(GI, 4 * GI), 1048576],
    ['memfd backing and memory hotplug share the cell', { ...hotplug(2 * GI, 8 * GI), memoryBacking: { hugepages: true, source: { type: 'memfd' } } }, 2097152],
  ])('adds the NUMA cell for %s', (_what, memory, kib) => {
    const vmi = newRawVmi(withDomain({ cpu: { sockets: 2 } }));
    const domain = { ...emptyDomain(), ...memory };
    expect(configureCpu(vmi, testContext(), domain).cpu?.numa).toEqual({ cells: [{ id: 0, cpus: '0-1', memory: kib, unit: 'KiB' }] });
  });

  it('covers every vCPU of a CPU-hotplug layout with the memory-hotplug cell', () => {
    const vmi = newRawVmi(withDomain({ cpu: { sockets: 1, cores: 2, maxSockets: 4 } }));
    const domain = { ...emptyDomain(), ...hotplug(GI, 4 * GI) };
    expect(configureCpu(vmi, testContext(), domain).cpu?.numa).toEqual({ cells: [{ id: 0, cpus: '0-7', memory: 1048576, unit: 'KiB' }] });
  });

  it('adds no NUMA cell without memfd backing or memory hotplug', () => {
    const vmi = newRawVmi(withDomain({ cpu: { sockets: 2 } }));
    expect(configureCpu(vmi, testContext(), { ...emptyDomain(), memory: { value: 512 * MI, unit: 'b' } }).cpu?.numa).toBeUndefined();
  });

  it.each([
    [{ model: 'bad model' }, 'spec.domain.cpu.model: "bad model" is not allowed'],
    [{ features: [{ name: 'a"b' }] }, 'spec.domain.cpu.features[0].name'],
    [{ features: [{ name: 'ok', policy: 'sometimes' }] }, 'spec.domain.cpu.features[0].policy: "sometimes" is not supported'],
  ])('refuses %j', (cpu, message) => {
    expect(() => cpuOf(cpu as CPU)).toThrow(message);
  });

  it('counts requested sockets from resources only without any topology', () => {
    expect(requestedTopology(newRawVmi(withDomain({ cpu: { threads: 2 }, resources: { limits: { cpu: '4' } } })))).toEqual({ sockets: 1, cores: 1, threads: 2 });
  });
});
