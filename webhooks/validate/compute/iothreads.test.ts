// Rules A41–A42 of shared/design/kubevirt/rules-compute.md (I/O threads policy) and kubevirt-ts'
// AX07 (supplementalPool is not supported by the launcher).
import { describe, expect, it } from 'vitest';
import { DEFAULT_CLUSTER_CONFIG } from '../../../core/cluster-config.js';
import { path } from '../../../core/field-path.js';
import type { DomainSpec, VirtualMachineInstance } from '../../../crd-gen/index.js';
import { newVmi, withDomain } from '../../../test/builders/vmi.js';
import { CauseType } from '../../cause.js';
import type { SpecContext } from '../types.js';
import { validateIoThreads } from './iothreads.js';

const ctx = (vmi: VirtualMachineInstance): SpecContext => ({ cfg: DEFAULT_CLUSTER_CONFIG, metadata: vmi.metadata, metadataPath: path('metadata'), origin: 'VirtualMachineInstance' });
const run = (vmi: VirtualMachineInstance) => validateIoThreads(vmi.spec, path('spec'), ctx(vmi));
const policy = (p: string, count?: number) => newVmi(withDomain({ ioThreadsPolicy: p as DomainSpec['ioThreadsPolicy'], ...(count === undefined ? {} : { ioThreads: { supplementalPoolThreadCount: count } }) }));

const DENIED = [
  { id: 'A41', what: 'an unknown policy', vmi: policy('dedicated'), field: 'spec.domain.ioThreadsPolicy', type: CauseType.Invalid, names: '"dedicated"' },
  { id: 'A42', what: 'supplementalPool without a thread count', vmi: policy('supplementalPool'), field: 'spec.domain.ioThreads.supplementalPoolThreadCount', type: CauseType.Invalid, names: 'unset' },
  { id: 'A42', what: 'supplementalPool with 0 threads', vmi: policy('supplementalPool', 0), field: 'spec.domain.ioThreads.supplementalPoolThreadCount', type: CauseType.Invalid, names: 'supplementalPoolThreadCount 0' },
  { id: 'AX07', what: 'supplementalPool at all', vmi: policy('supplementalPool', 2), field: 'spec.domain.ioThreadsPolicy', type: CauseType.NotSupported, names: 'supplementalPool I/O threads policy is not supported by kubevirt-ts' },
];

const ADMITTED = [
  { id: 'A41', what: 'shared', vmi: policy('shared') },
  { id: 'A41', what: 'auto', vmi: policy('auto') },
  { id: 'A42', what: 'no policy with a stray thread count', vmi: newVmi(withDomain({ ioThreads: { supplementalPoolThreadCount: 0 } })) },
];

describe('validateIoThreads', () => {
  it.each(DENIED)('$id denies $what', ({ vmi, field, type, names }) => {
    const causes = run(vmi);
    const hit = causes.find((c) => c.field === field && c.type === type && c.message.includes(names));
    expect(hit, JSON.stringify(causes)).toBeDefined();
  });

  it.each(ADMITTED)('$id admits $what', ({ vmi }) => {
    expect(run(vmi)).toEqual([]);
  });
});
