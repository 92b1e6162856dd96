// Rules A18–A26 of shared/design/kubevirt/rules-compute.md: dedicated CPU placement. (kubevirt-ts
// refuses the feature itself as AX01, see unsupported.test.ts; these rules still report.)
import { describe, expect, it } from 'vitest';
import { DEFAULT_CLUSTER_CONFIG } from '../../../core/cluster-config.js';
import { path } from '../../../core/field-path.js';
import type { CPU, ResourceRequirements, VirtualMachineInstance } from '../../../crd-gen/index.js';
import { newRawVmi, newVmi, withDomain, withSpec } from '../../../test/builders/vmi.js';
import { CauseType } from '../../cause.js';
import type { SpecContext } from '../types.js';
import { validateDedicatedCpu, vcpuCount } from './cpu-dedicated.js';

const ctx = (vmi: VirtualMachineInstance): SpecContext => ({ cfg: DEFAULT_CLUSTER_CONFIG, metadata: vmi.metadata, metadataPath: path('metadata'), origin: 'VirtualMachineInstance' });
const run = (vmi: VirtualMachineInstance) => validateDedicatedCpu(vmi.spec, path('spec'), ctx(vmi));
const dedicated = (resources: ResourceRequirements, cpu: CPU = {}) => newVmi(withDomain({ resources, cpu: { dedicatedCpuPlacement: true, ...cpu } }));
const mem = { memory: '1Gi' };

const DENIED = [
  { id: 'A18', what: 'no memory at all', vmi: newVmi(withSpec((s) => { delete s.domain.resources; s.domain.cpu = { dedicatedCpuPlacement: true }; })), field: 'spec.domain.resources.limits.memory', names: 'spec.domain.memory.guest' },
  { id: 'A19', what: 'a fractional CPU request', vmi: dedicated({ requests: { ...mem, cpu: '1500m' } }), field: 'spec.domain.resources.requests.cpu', names: '1500m' },
  { id: 'A20', what: 'a fractional CPU limit', vmi: dedicated({ requests: mem, limits: { ...mem, cpu: '2500m' } }), field: 'spec.domain.resources.limits.cpu', names: '2500m' },
  { id: 'A21', what: 'a memory request below the limit', vmi: dedicated({ requests: { memory: '1Gi' }, limits: { memory: '2Gi' } }), field: 'spec.domain.resources.requests.memory', names: "'1Gi' must be equal to spec.domain.resources.limits.memory '2Gi'" },
  { id: 'A22', what: 'no CPU request, limit or topology (as written, before defaults)', vmi: newRawVmi(withDomain({ cpu: { dedicatedCpuPlacement: true } })), field: 'spec.domain.cpu.dedicatedCpuPlacement', names: 'spec.domain.cpu.cores' },
  { id: 'A23', what: 'a CPU request other than the limit', vmi: dedicated({ requests: { ...mem, cpu: '1' }, limits: { ...mem, cpu: '2' } }), field: 'spec.domain.cpu.dedicatedCpuPlacement', names: "spec.domain.resources.requests.cpu '1' and spec.domain.resources.limits.cpu '2'" },
  { id: 'A24', what: 'CPU resources that disagree with 4 cores', vmi: dedicated({ requests: { ...mem, cpu: '2' }, limits: { ...mem, cpu: '2' } }, { cores: 4 }), field: 'spec.domain.cpu.dedicatedCpuPlacement', names: '4 vCPUs' },
  { id: 'A25', what: 'two threads on arm64', vmi: newVmi(withDomain({ resources: { requests: mem }, cpu: { dedicatedCpuPlacement: true, cores: 1, threads: 2 } }), withSpec((s) => { s.architecture = 'arm64'; })), field: 'spec.architecture', names: 'spec.domain.cpu.threads (got 2)' },
  { id: 'A26', what: 'three threads', vmi: dedicated({ requests: mem }, { cores: 1, threads: 3 }), field: 'spec.domain.cpu.dedicatedCpuPlacement', names: '(got 3)' },
];

const ADMITTED = [
  { id: 'A18', what: 'memory from guest only', vmi: newVmi(withSpec((s) => { delete s.domain.resources; s.domain.cpu = { dedicatedCpuPlacement: true, cores: 2 }; s.domain.memory = { guest: '1Gi' }; })) },
  { id: 'A19', what: 'whole CPUs equal to the cores', vmi: dedicated({ requests: { ...mem, cpu: '2' }, limits: { ...mem, cpu: '2' } }, { cores: 2 }) },
  { id: 'A21', what: 'memory request equal to the limit', vmi: dedicated({ requests: mem, limits: mem }, { cores: 2 }) },
  { id: 'A22', what: 'the topology alone', vmi: dedicated({ requests: mem }, { cores: 4 }) },
  { id: 'A24', what: 'a CPU limit matching sockets × cores × threads', vmi: dedicated({ requests: mem, limits: { cpu: '4' } }, { sockets: 2, cores: 1, threads: 2 }) },
  { id: 'A25', what: 'two threads on amd64', vmi: dedicated({ requests: mem }, { cores: 1, threads: 2 }) },
  { id: 'A18', what: 'anything without dedicated placement (the rules do not run)', vmi: newVmi(withDomain({ resources: { requests: { cpu: '1500m', memory: '1Gi' } }, cpu: { threads: 4 } })) },
];

describe('validateDedicatedCpu', () => {
  it.each(DENIED)('$id denies $what', ({ vmi, field, names }) => {
    const causes = run(vmi);
    const hit = causes.find((c) => c.field === field && c.type === CauseType.Invalid && c.message.includes(names));
    expect(hit, JSON.stringify(causes)).toBeDefined();
  });

  it.each(ADMITTED)('$id admits $what', ({ vmi }) => {
    expect(run(vmi)).toEqual([]);
  });

  it.each([
    [{}, 0], [{ cores: 3 }, 3], [{ sockets: 2 }, 2], [{ sockets: 2, cores: 3, threads: 2 }, 12], [{ sockets: 0, cores: 0, threads: 2 }, 2],
  ] as const)('A22 counts vCPUs of %o as %i, skipping zero factors', (cpu, n) => {
    expect(vcpuCount(cpu)).toBe(n);
  });
});
