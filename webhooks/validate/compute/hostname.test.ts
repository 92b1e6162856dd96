// Rules A01–A02 of shared/design/kubevirt/rules-compute.md: hostname and subdomain.
import { describe, expect, it } from 'vitest';
import { DEFAULT_CLUSTER_CONFIG } from '../../../core/cluster-config.js';
import { path } from '../../../core/field-path.js';
import type { VirtualMachineInstance } from '../../../crd-gen/index.js';
import { newVmi, withSpec } from '../../../test/builders/vmi.js';
import { CauseType } from '../../cause.js';
import type { SpecContext } from '../types.js';
import { validateHostname } from './hostname.js';

const ctx = (vmi: VirtualMachineInstance): SpecContext => ({ cfg: DEFAULT_CLUSTER_CONFIG, metadata: vmi.metadata, metadataPath: path('metadata'), origin: 'VirtualMachineInstance' });
const run = (vmi: VirtualMachineInstance) => validateHostname(vmi.spec, path('spec'), ctx(vmi));

const DENIED = [
  { id: 'A01', what: 'a hostname with capitals and "_"', vmi: newVmi(withSpec((s) => { s.hostname = 'Bad_Host'; })), field: 'spec.hostname', names: 'Bad_Host' },
  { id: 'A01', what: 'a hostname of 64 characters', vmi: newVmi(withSpec((s) => { s.hostname = 'a'.repeat(64); })), field: 'spec.hostname', names: 'a'.repeat(64) },
  { id: 'A02', what: 'a subdomain with an empty label', vmi: newVmi(withSpec((s) => { s.subdomain = 'bad..sub'; })), field: 'spec.subdomain', names: 'bad..sub' },
  { id: 'A02', what: 'a subdomain ending in "-"', vmi: newVmi(withSpec((s) => { s.subdomain = 'svc-'; })), field: 'spec.subdomain', names: 'svc-' },
];

const ADMITTED = [
  { id: 'A01', what: 'a DNS label hostname', vmi: newVmi(withSpec((s) => { s.hostname = 'my-vm-1'; })) },
  { id: 'A01', what: 'an empty hostname (unset)', vmi: newVmi(withSpec((s) => { s.hostname = ''; })) },
  { id: 'A02', what: 'a dotted subdomain', vmi: newVmi(withSpec((s) => { s.subdomain = 'my.sub-domain'; })) },
];

describe('validateHostname', () => {
  it.each(DENIED)('$id denies $what', ({ vmi, field, names }) => {
    const causes = run(vmi);
    const hit = causes.find((c) => c.field === field && c.type === CauseType.Invalid);
    expect(hit, JSON.stringify(causes)).toBeDefined();
    expect(hit?.message).toContain(names);
  });

  it.each(ADMITTED)('$id admits $what', ({ vmi }) => {
    expect(run(vmi)).toEqual([]);
  });

  it('A01 reports under the template prefix for a VM', () => {
    const vmi = newVmi(withSpec((s) => { s.hostname = 'UPPER'; }));
    const causes = validateHostname(vmi.spec, path('spec', 'template', 'spec'), { ...ctx(vmi), origin: 'template' });
    expect(causes.map((c) => c.field)).toEqual(['spec.template.spec.hostname']);
  });
});
