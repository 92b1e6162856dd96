// Rules A07–A10 and A65 of shared/design/kubevirt/rules-compute.md, and kubevirt-ts' AX25 (guest
// memory is a quantity) and AX26 (a memory-hotplug ceiling the launcher can build).
import { describe, expect, it } from 'vitest';
import { DEFAULT_CLUSTER_CONFIG, type ClusterConfig } from '../../../core/cluster-config.js';
import { path } from '../../../core/field-path.js';
import type { VirtualMachineInstance } from '../../../crd-gen/index.js';
import { newVmi, withDomain, withSpec } from '../../../test/builders/vmi.js';
import { CauseType } from '../../cause.js';
import type { SpecContext, SpecOrigin, SpecValidator } from '../types.js';
import { validateGuestMemoryLimit, validateGuestMemoryValue, validateHugepages, validateMemoryCeiling, validateMemoryHotplug, validateMemoryRequired } from './memory.js';

const ctx = (vmi: VirtualMachineInstance, cfg: Partial<ClusterConfig> = {}, origin: SpecOrigin = 'VirtualMachineInstance'): SpecContext => (
  { cfg: { ...DEFAULT_CLUSTER_CONFIG, ...cfg }, metadata: vmi.metadata, metadataPath: path('metadata'), origin });
const run = (validate: SpecValidator, vmi: VirtualMachineInstance, cfg?: Partial<ClusterConfig>) => validate(vmi.spec, path('spec'), ctx(vmi, cfg));
const noResources = withSpec((s) => { delete s.domain.resources; });

const DENIED = [
  { id: 'A07', what: 'a page size that is no quantity', validate: validateHugepages, vmi: newVmi(withDomain({ memory: { hugepages: { pageSize: 'huge' } } })), field: 'spec.domain.memory.hugepages.pageSize', type: CauseType.Invalid, names: 'huge' },
  { id: 'A08', what: 'a memory request below the page size', validate: validateHugepages, vmi: newVmi(withDomain({ resources: { requests: { memory: '1Mi' } }, memory: { hugepages: { pageSize: '2Mi' } } })), field: 'spec.domain.resources.requests.memory', type: CauseType.Invalid, names: "'1Mi'" },
  { id: 'A08', what: 'guest memory below the page size (reported on the request, naming the guest)', validate: validateHugepages, vmi: newVmi(noResources, withDomain({ memory: { guest: '1Mi', hugepages: { pageSize: '2Mi' } } })), field: 'spec.domain.resources.requests.memory', type: CauseType.Invalid, names: "spec.domain.memory.guest '1Mi'" },
  { id: 'A09', what: 'memory that is not a multiple of the page size', validate: validateHugepages, vmi: newVmi(withDomain({ resources: { requests: { memory: '3Mi' } }, memory: { hugepages: { pageSize: '2Mi' } } })), field: 'spec.domain.resources.requests.memory', type: CauseType.Invalid, names: "'3Mi' is not a multiple" },
  { id: 'A10', what: 'guest memory above the limit under the Stage rollout strategy', validate: validateGuestMemoryLimit, cfg: { vmRolloutStrategy: 'Stage' as const }, vmi: newVmi(withDomain({ resources: { requests: { memory: '1Gi' }, limits: { memory: '1Gi' } }, memory: { guest: '2Gi' } })), field: 'spec.domain.memory.guest', type: CauseType.Invalid, names: "'2Gi'" },
  { id: 'AX25', what: 'negative guest memory', validate: validateGuestMemoryValue, vmi: newVmi(withDomain({ memory: { guest: '-1Gi' } })), field: 'spec.domain.memory.guest', type: CauseType.Invalid, names: '-1Gi' },
  { id: 'AX26', what: 'maxGuest below the guest memory', validate: validateMemoryHotplug, vmi: newVmi(withDomain({ resources: { requests: { memory: '1Gi' } }, memory: { maxGuest: '512Mi' } })), field: 'spec.domain.memory.maxGuest', type: CauseType.Invalid, names: "'512Mi'" },
  { id: 'AX26', what: 'guest memory off the 2Mi hotplug block', validate: validateMemoryHotplug, vmi: newVmi(withDomain({ resources: { requests: { memory: '1025Mi' } }, memory: { maxGuest: '4Gi' } })), field: 'spec.domain.memory.guest', type: CauseType.Invalid, names: "'1025Mi' is not 2Mi aligned" },
  { id: 'AX26', what: 'maxGuest off the 1Gi block of 1Gi hugepages', validate: validateMemoryHotplug, vmi: newVmi(withDomain({ resources: { requests: { memory: '2Gi' } }, memory: { hugepages: { pageSize: '1Gi' }, maxGuest: '5000Mi' } })), field: 'spec.domain.memory.maxGuest', type: CauseType.Invalid, names: "'5000Mi' is not 1Gi aligned" },
  { id: 'AX34', what: 'a memory request of 1e308 bytes', validate: validateMemoryCeiling, vmi: newVmi(withDomain({ resources: { requests: { memory: '1e308' } } })), field: 'spec.domain.resources.requests.memory', type: CauseType.NotSupported, names: 'at most 4Pi' },
  { id: 'AX34', what: 'a limit past 4Pi', validate: validateMemoryCeiling, vmi: newVmi(withDomain({ resources: { limits: { memory: '5Pi' } } })), field: 'spec.domain.resources.limits.memory', type: CauseType.NotSupported, names: "'5Pi'" },
  { id: 'A65', what: 'a VMI without any memory', validate: validateMemoryRequired, vmi: newVmi(noResources), field: 'spec.domain.resources.requests.memory', type: CauseType.Required, names: 'spec.domain.memory.guest' },
];

const ADMITTED = [
  { id: 'A07', what: 'a 2Mi page size', validate: validateHugepages, vmi: newVmi(withDomain({ resources: { requests: { memory: '64Mi' } }, memory: { hugepages: { pageSize: '2Mi' } } })) },
  { id: 'A08', what: 'memory of exactly one page', validate: validateHugepages, vmi: newVmi(withDomain({ resources: { requests: { memory: '1Gi' } }, memory: { hugepages: { pageSize: '1Gi' } } })) },
  { id: 'A09', what: 'guest memory (from the page size) that is a multiple of it', validate: validateHugepages, vmi: newVmi(noResources, withDomain({ memory: { hugepages: { pageSize: '2Mi' } } })) },
  { id: 'A10', what: 'guest memory above the limit under LiveUpdate (the default)', validate: validateGuestMemoryLimit, vmi: newVmi(withDomain({ resources: { requests: { memory: '1Gi' }, limits: { memory: '1Gi' } }, memory: { guest: '2Gi' } })) },
  { id: 'A10', what: 'guest memory within the limit under Stage', validate: validateGuestMemoryLimit, cfg: { vmRolloutStrategy: 'Stage' as const }, vmi: newVmi(withDomain({ resources: { requests: { memory: '1Gi' }, limits: { memory: '2Gi' } }, memory: { guest: '2Gi' } })) },
  { id: 'AX25', what: 'guest memory as a quantity', validate: validateGuestMemoryValue, vmi: newVmi(withDomain({ memory: { guest: '1536Mi' } })) },
  { id: 'AX26', what: 'the defaulted hotplug ceiling (4 x 1Gi)', validate: validateMemoryHotplug, vmi: newVmi(withDomain({ resources: { requests: { memory: '1Gi' } } })) },
  { id: 'AX26', what: 'maxGuest equal to the guest memory (no hotplug)', validate: validateMemoryHotplug, vmi: newVmi(withDomain({ resources: { requests: { memory: '1025Mi' } }, memory: { maxGuest: '1025Mi' } })) },
  { id: 'AX34', what: 'exactly 4Pi', validate: validateMemoryCeiling, vmi: newVmi(withDomain({ resources: { requests: { memory: '4Pi' } } })) },
  { id: 'A65', what: 'a VMI with hugepages only', validate: validateMemoryRequired, vmi: newVmi(noResources, withDomain({ memory: { hugepages: { pageSize: '2Mi' } } })) },
  { id: 'A65', what: 'a VMI with a memory request', validate: validateMemoryRequired, vmi: newVmi() },
];

describe('memory', () => {
  it.each(DENIED)('$id denies $what', ({ validate, vmi, cfg, field, type, names }) => {
    const causes = run(validate, vmi, cfg);
    const hit = causes.find((c) => c.field === field && c.type === type);
    expect(hit, JSON.stringify(causes)).toBeDefined();
    expect(hit?.message).toContain(names);
  });

  it.each(ADMITTED)('$id admits $what', ({ validate, vmi, cfg }) => {
    expect(run(validate, vmi, cfg)).toEqual([]);
  });

  it('A65 runs for VMIs only, not for VM templates', () => {
    const vmi = newVmi(noResources);
    expect(validateMemoryRequired(vmi.spec, path('spec', 'template', 'spec'), ctx(vmi, {}, 'template'))).toEqual([]);
  });

  it('AX26 runs for VMIs only: a template\'s ceiling is the VM admitter\'s C34', () => {
    const vmi = newVmi(withDomain({ resources: { requests: { memory: '1Gi' } }, memory: { maxGuest: '512Mi' } }));
    expect(validateMemoryHotplug(vmi.spec, path('spec', 'template', 'spec'), ctx(vmi, {}, 'template'))).toEqual([]);
    expect(run(validateMemoryHotplug, vmi)).toHaveLength(1);
  });
});
