// Rules A03–A06 and A12–A14 of shared/design/kubevirt/rules-compute.md: requests and limits.
import { describe, expect, it } from 'vitest';
import { DEFAULT_CLUSTER_CONFIG } from '../../../core/cluster-config.js';
import { path } from '../../../core/field-path.js';
import type { VirtualMachineInstance } from '../../../crd-gen/index.js';
import { newVmi, withDomain } from '../../../test/builders/vmi.js';
import { CauseType } from '../../cause.js';
import type { SpecContext, SpecValidator } from '../types.js';
import { validateCpuResources, validateMemoryResources } from './resources.js';

const ctx = (vmi: VirtualMachineInstance): SpecContext => ({ cfg: DEFAULT_CLUSTER_CONFIG, metadata: vmi.metadata, metadataPath: path('metadata'), origin: 'VirtualMachineInstance' });
const run = (validate: SpecValidator, vmi: VirtualMachineInstance) => validate(vmi.spec, path('spec'), ctx(vmi));
const resources = (requests: Record<string, string>, limits?: Record<string, string>) => newVmi(withDomain({ resources: { requests, ...(limits ? { limits } : {}) } }));

const DENIED = [
  { id: 'A03', what: 'a negative memory request', validate: validateMemoryResources, vmi: resources({ memory: '-1Gi' }), field: 'spec.domain.resources.requests.memory', names: '-1Gi' },
  { id: 'A04', what: 'a memory request below 1M', validate: validateMemoryResources, vmi: resources({ memory: '512k' }), field: 'spec.domain.resources.requests.memory', names: '512k' },
  { id: 'A05', what: 'a negative memory limit', validate: validateMemoryResources, vmi: resources({ memory: '1Gi' }, { memory: '-1Gi' }), field: 'spec.domain.resources.limits.memory', names: '-1Gi' },
  { id: 'A06', what: 'a memory request above the limit', validate: validateMemoryResources, vmi: resources({ memory: '2Gi' }, { memory: '1Gi' }), field: 'spec.domain.resources.requests.memory', names: "'2Gi' is greater than spec.domain.resources.limits.memory '1Gi'" },
  { id: 'A12', what: 'a negative CPU request', validate: validateCpuResources, vmi: resources({ memory: '1Gi', cpu: '-1' }), field: 'spec.domain.resources.requests.cpu', names: '-1' },
  { id: 'A13', what: 'a negative CPU limit', validate: validateCpuResources, vmi: resources({ memory: '1Gi' }, { cpu: '-500m' }), field: 'spec.domain.resources.limits.cpu', names: '-500m' },
  { id: 'A14', what: 'a CPU request above the limit', validate: validateCpuResources, vmi: resources({ memory: '1Gi', cpu: '2' }, { cpu: '1500m' }), field: 'spec.domain.resources.requests.cpu', names: "'2' is greater than spec.domain.resources.limits.cpu '1500m'" },
];

const ADMITTED = [
  { id: 'A03', what: 'a zero memory request (left to guest memory)', validate: validateMemoryResources, vmi: newVmi(withDomain({ resources: { requests: { memory: '0' } }, memory: { guest: '1Gi' } })) },
  { id: 'A04', what: 'a memory request of exactly 1M', validate: validateMemoryResources, vmi: resources({ memory: '1M' }) },
  { id: 'A05', what: 'a positive memory limit', validate: validateMemoryResources, vmi: resources({ memory: '1Gi' }, { memory: '2Gi' }) },
  { id: 'A06', what: 'a memory request equal to the limit', validate: validateMemoryResources, vmi: resources({ memory: '1Gi' }, { memory: '1024Mi' }) },
  { id: 'A12', what: 'a fractional CPU request', validate: validateCpuResources, vmi: resources({ memory: '1Gi', cpu: '500m' }) },
  { id: 'A13', what: 'a CPU limit without a request (the request is copied from it)', validate: validateCpuResources, vmi: resources({ memory: '1Gi' }, { cpu: '2' }) },
  { id: 'A14', what: 'a CPU request equal to the limit in another unit', validate: validateCpuResources, vmi: resources({ memory: '1Gi', cpu: '1' }, { cpu: '1000m' }) },
];

describe('requests and limits', () => {
  it.each(DENIED)('$id denies $what', ({ validate, vmi, field, names }) => {
    const causes = run(validate, vmi);
    const hit = causes.find((c) => c.field === field && c.type === CauseType.Invalid);
    expect(hit, JSON.stringify(causes)).toBeDefined();
    expect(hit?.message).toContain(names);
  });

  it.each(ADMITTED)('$id admits $what', ({ validate, vmi }) => {
    expect(run(validate, vmi)).toEqual([]);
  });
});
