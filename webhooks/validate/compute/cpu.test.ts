// Rules A27–A34 of shared/design/kubevirt/rules-compute.md (NUMA, emulator thread, CPU feature
// policies, hotplug sockets, realtime) and kubevirt-ts' AX12–AX13 (CPU model and feature names).
import { describe, expect, it } from 'vitest';
import { DEFAULT_CLUSTER_CONFIG } from '../../../core/cluster-config.js';
import { path } from '../../../core/field-path.js';
import type { CPU, CPUFeature, VirtualMachineInstance } from '../../../crd-gen/index.js';
import { newVmi, withDomain } from '../../../test/builders/vmi.js';
import { CauseType } from '../../cause.js';
import type { SpecContext, SpecValidator } from '../types.js';
import { validateCpuModelAndTopology, validateCpuPlacementNeeds, validateRealtime } from './cpu.js';

const ctx = (vmi: VirtualMachineInstance): SpecContext => ({ cfg: DEFAULT_CLUSTER_CONFIG, metadata: vmi.metadata, metadataPath: path('metadata'), origin: 'VirtualMachineInstance' });
const run = (validate: SpecValidator, vmi: VirtualMachineInstance) => validate(vmi.spec, path('spec'), ctx(vmi));
const cpu = (c: CPU, hugepages = false) => newVmi(withDomain({ resources: { requests: { memory: '1Gi' } }, cpu: c, ...(hugepages ? { memory: { hugepages: { pageSize: '2Mi' } } } : {}) }));
const feature = (name: string, policy: string): CPUFeature => ({ name, policy: policy as CPUFeature['policy'] });
const passthrough = { guestMappingPassthrough: {} };

const DENIED = [
  { id: 'A28', what: 'NUMA passthrough without dedicated placement', validate: validateCpuPlacementNeeds, vmi: cpu({ numa: passthrough }, true), field: 'spec.domain.cpu.numa.guestMappingPassthrough', type: CauseType.Invalid, names: 'spec.domain.cpu.dedicatedCpuPlacement must be set' },
  { id: 'A29', what: 'NUMA passthrough without hugepages', validate: validateCpuPlacementNeeds, vmi: cpu({ numa: passthrough, dedicatedCpuPlacement: true }), field: 'spec.domain.cpu.numa.guestMappingPassthrough', type: CauseType.Invalid, names: 'spec.domain.memory.hugepages must be requested' },
  { id: 'A30', what: 'an isolated emulator thread without dedicated placement', validate: validateCpuPlacementNeeds, vmi: cpu({ isolateEmulatorThread: true }), field: 'spec.domain.cpu.isolateEmulatorThread', type: CauseType.Invalid, names: 'isolateEmulatorThread true' },
  { id: 'A31', what: 'an unknown feature policy', validate: validateCpuModelAndTopology, vmi: cpu({ features: [feature('pcid', 'sometimes')] }), field: 'spec.domain.cpu.features[0].policy', type: CauseType.NotSupported, names: '"sometimes"' },
  { id: 'A32', what: 'more sockets than maxSockets', validate: validateCpuModelAndTopology, vmi: cpu({ sockets: 5, maxSockets: 4 }), field: 'spec.domain.cpu.sockets', type: CauseType.Invalid, names: '5 is greater than the maximum of 4' },
  { id: 'A33', what: 'realtime without dedicated placement', validate: validateRealtime, vmi: cpu({ realtime: {}, numa: passthrough }, true), field: 'spec.domain.cpu.dedicatedCpuPlacement', type: CauseType.Required, names: 'spec.domain.cpu.realtime' },
  { id: 'A34', what: 'realtime without NUMA passthrough', validate: validateRealtime, vmi: cpu({ realtime: { mask: '0-1' }, dedicatedCpuPlacement: true }), field: 'spec.domain.cpu.numa.guestMappingPassthrough', type: CauseType.Required, names: 'spec.domain.cpu.realtime' },
  { id: 'AX12', what: 'a model name with a space', validate: validateCpuModelAndTopology, vmi: cpu({ model: 'Skylake Server' }), field: 'spec.domain.cpu.model', type: CauseType.Invalid, names: '"Skylake Server"' },
  { id: 'AX13', what: 'a feature name with a "/"', validate: validateCpuModelAndTopology, vmi: cpu({ features: [feature('avx/2', 'require')] }), field: 'spec.domain.cpu.features[0].name', type: CauseType.Invalid, names: '"avx/2"' },
];

const ADMITTED = [
  { id: 'A27', what: 'NUMA passthrough without any gate (NUMA is GA)', validate: validateCpuPlacementNeeds, vmi: cpu({ numa: passthrough, dedicatedCpuPlacement: true }, true) },
  { id: 'A30', what: 'an isolated emulator thread with dedicated placement', validate: validateCpuPlacementNeeds, vmi: cpu({ isolateEmulatorThread: true, dedicatedCpuPlacement: true }) },
  { id: 'A31', what: 'every known policy, and none', validate: validateCpuModelAndTopology, vmi: cpu({ features: ['force', 'require', 'optional', 'disable', 'forbid', ''].map((p, i) => feature(`f${i}`, p)) }) },
  { id: 'A32', what: 'sockets within maxSockets', validate: validateCpuModelAndTopology, vmi: cpu({ sockets: 2, maxSockets: 4 }) },
  { id: 'A33', what: 'realtime with dedicated placement and NUMA passthrough', validate: validateRealtime, vmi: cpu({ realtime: {}, dedicatedCpuPlacement: true, numa: passthrough }, true) },
  { id: 'AX12', what: 'a named model and host-passthrough', validate: validateCpuModelAndTopology, vmi: cpu({ model: 'Skylake-Server_v2.1' }) },
  { id: 'AX12', what: 'host-passthrough', validate: validateCpuModelAndTopology, vmi: cpu({ model: 'host-passthrough' }) },
];

describe('cpu', () => {
  it.each(DENIED)('$id denies $what', ({ validate, vmi, field, type, names }) => {
    const causes = run(validate, vmi);
    const hit = causes.find((c) => c.field === field && c.type === type && c.message.includes(names));
    expect(hit, JSON.stringify(causes)).toBeDefined();
  });

  it.each(ADMITTED)('$id admits $what', ({ validate, vmi }) => {
    expect(run(validate, vmi)).toEqual([]);
  });
});
