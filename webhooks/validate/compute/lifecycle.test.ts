// Rules A35, A36, A40 and A62 of shared/design/kubevirt/rules-compute.md (start strategy, eviction
// strategy, reboot policy) and kubevirt-ts' AX24 (reboot policy values the launcher can express).
import { describe, expect, it } from 'vitest';
import { DEFAULT_CLUSTER_CONFIG, type ClusterConfig } from '../../../core/cluster-config.js';
import { path } from '../../../core/field-path.js';
import type { VirtualMachineInstance, VirtualMachineInstanceSpec } from '../../../crd-gen/index.js';
import { newVmi, withDomain, withSpec } from '../../../test/builders/vmi.js';
import { CauseType } from '../../cause.js';
import type { SpecContext, SpecValidator } from '../types.js';
import { validateEvictionStrategy, validateRebootPolicy, validateStartStrategy } from './lifecycle.js';

const ctx = (vmi: VirtualMachineInstance, cfg: Partial<ClusterConfig> = {}): SpecContext => ({ cfg: { ...DEFAULT_CLUSTER_CONFIG, ...cfg }, metadata: vmi.metadata, metadataPath: path('metadata'), origin: 'VirtualMachineInstance' });
const run = (validate: SpecValidator, vmi: VirtualMachineInstance, cfg?: Partial<ClusterConfig>) => validate(vmi.spec, path('spec'), ctx(vmi, cfg));
const spec = (fields: Record<string, unknown>) => newVmi(withSpec((s) => { Object.assign(s, fields as Partial<VirtualMachineInstanceSpec>); }));
const probe = { exec: { command: ['true'] } };

const DENIED = [
  { id: 'A35', what: 'an unknown start strategy', validate: validateStartStrategy, vmi: spec({ startStrategy: 'Later' }), field: 'spec.startStrategy', type: CauseType.Invalid, names: '"Later"' },
  { id: 'A36', what: 'a paused start with a liveness probe', validate: validateStartStrategy, vmi: spec({ startStrategy: 'Paused', livenessProbe: probe }), field: 'spec.startStrategy', type: CauseType.Invalid, names: 'spec.livenessProbe' },
  { id: 'A40', what: 'an unknown eviction strategy', validate: validateEvictionStrategy, vmi: spec({ evictionStrategy: 'Migrate' }), field: 'spec.evictionStrategy', type: CauseType.Invalid, names: '"Migrate"' },
  { id: 'A40', what: 'an unknown cluster-wide eviction strategy', validate: validateEvictionStrategy, cfg: { evictionStrategy: 'Bogus' }, vmi: newVmi(), field: 'spec.evictionStrategy', type: CauseType.Invalid, names: '"Bogus"' },
  { id: 'AX24', what: 'a reboot policy the launcher cannot express', validate: validateRebootPolicy, vmi: newVmi(withDomain({ rebootPolicy: 'Restart' })), field: 'spec.domain.rebootPolicy', type: CauseType.NotSupported, names: '"Restart"' },
];

const ADMITTED = [
  { id: 'A35', what: 'a paused start', validate: validateStartStrategy, vmi: spec({ startStrategy: 'Paused' }) },
  { id: 'A36', what: 'a liveness probe without a paused start', validate: validateStartStrategy, vmi: spec({ livenessProbe: probe }) },
  { id: 'A40', what: 'LiveMigrate', validate: validateEvictionStrategy, vmi: spec({ evictionStrategy: 'LiveMigrate' }) },
  { id: 'A40', what: 'None from the cluster', validate: validateEvictionStrategy, cfg: { evictionStrategy: 'None' }, vmi: newVmi() },
  { id: 'A62', what: 'rebootPolicy Terminate without the RebootPolicy gate (implemented)', validate: validateRebootPolicy, vmi: newVmi(withDomain({ rebootPolicy: 'Terminate' })) },
  { id: 'AX24', what: 'rebootPolicy Reboot', validate: validateRebootPolicy, vmi: newVmi(withDomain({ rebootPolicy: 'Reboot' })) },
];

describe('lifecycle', () => {
  it.each(DENIED)('$id denies $what', ({ validate, vmi, cfg, field, type, names }) => {
    const causes = run(validate, vmi, cfg);
    const hit = causes.find((c) => c.field === field && c.type === type && c.message.includes(names));
    expect(hit, JSON.stringify(causes)).toBeDefined();
  });

  it.each(ADMITTED)('$id admits $what', ({ validate, vmi, cfg }) => {
    expect(run(validate, vmi, cfg)).toEqual([]);
  });
});
