// Rule A11 of shared/design/kubevirt/rules-compute.md (emulated machine patterns) and kubevirt-ts'
// AX14 (machine types spelt as libvirt accepts).
import { describe, expect, it } from 'vitest';
import { DEFAULT_CLUSTER_CONFIG, type ClusterConfig } from '../../../core/cluster-config.js';
import { path } from '../../../core/field-path.js';
import type { VirtualMachineInstance } from '../../../crd-gen/index.js';
import { newVmi, withDomain } from '../../../test/builders/vmi.js';
import { CauseType } from '../../cause.js';
import type { SpecContext } from '../types.js';
import { globMatch, validateMachineType } from './machine.js';

const ctx = (vmi: VirtualMachineInstance, cfg: Partial<ClusterConfig> = {}): SpecContext => ({ cfg: { ...DEFAULT_CLUSTER_CONFIG, ...cfg }, metadata: vmi.metadata, metadataPath: path('metadata'), origin: 'VirtualMachineInstance' });
const run = (vmi: VirtualMachineInstance, cfg?: Partial<ClusterConfig>) => validateMachineType(vmi.spec, path('spec'), ctx(vmi, cfg));
const machine = (type: string) => newVmi(withDomain({ machine: { type } }));

const DENIED = [
  { id: 'A11', what: 'an i440fx machine on amd64', vmi: machine('pc-i440fx-2.12'), field: 'spec.domain.machine.type', names: 'pc-i440fx-2.12' },
  { id: 'A11', what: 'q35 when the cluster allows only i440fx', vmi: machine('q35'), cfg: { emulatedMachines: ['pc-i440fx*'] }, field: 'spec.domain.machine.type', names: 'pc-i440fx*' },
  { id: 'A11', what: 'a "/" that "*" does not match', vmi: machine('q35/x'), field: 'spec.domain.machine.type', names: 'q35/x' },
  { id: 'AX14', what: 'a machine type with a space (q35* matches it)', vmi: machine('q35 evil'), field: 'spec.domain.machine.type', names: 'q35 evil' },
];

const ADMITTED = [
  { id: 'A11', what: 'q35 (the default)', vmi: newVmi() },
  { id: 'A11', what: 'a versioned pc-q35', vmi: machine('pc-q35-rhel9.6.0') },
  { id: 'A11', what: 'i440fx when the cluster allows it', vmi: machine('pc-i440fx-2.12'), cfg: { emulatedMachines: ['pc-i440fx*'] } },
  { id: 'AX14', what: 'letters, digits, ".", "_" and "-"', vmi: machine('q35_custom-1.0') },
];

describe('validateMachineType', () => {
  it.each(DENIED)('$id denies $what', ({ vmi, cfg, field, names }) => {
    const causes = run(vmi, cfg);
    const hit = causes.find((c) => c.field === field && c.type === CauseType.Invalid && c.message.includes(names));
    expect(hit, JSON.stringify(causes)).toBeDefined();
  });

  it.each(ADMITTED)('$id admits $what', ({ vmi, cfg }) => {
    expect(run(vmi, cfg)).toEqual([]);
  });

  it('A11 uses the arm64 default patterns for an arm64 VMI', () => {
    const vmi = newVmi(withDomain({ machine: { type: 'virt-8.2' } }), (v) => { v.spec.architecture = 'arm64'; });
    expect(run(vmi)).toEqual([]);
  });

  it.each([
    ['q35*', 'q35', true], ['q35*', 'pc-q35', false], ['pc-q35*', 'pc-q35-rhel9.6.0', true], ['q3?', 'q35', true],
    ['q[0-9]5', 'q35', true], ['q[^0-9]5', 'q35', false], ['q\\*', 'q*', true], ['q[', 'q[', false], ['*', 'a/b', false],
  ])('A11 glob %s against %s is %s', (pattern, name, expected) => {
    expect(globMatch(pattern, name)).toBe(expected);
  });
});
