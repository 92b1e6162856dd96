// kubevirt-ts' metadata rules: AX27 (a VMI name and namespace libvirt can use), AX28–AX29 (the
// ignition and hook-sidecar annotations KubeVirt gates, not supported), AX33 (KubeVirt's reserved
// labels, for an admitter that knows the requester).
import { describe, expect, it } from 'vitest';
import { DEFAULT_CLUSTER_CONFIG } from '../../../core/cluster-config.js';
import { path, type FieldPath } from '../../../core/field-path.js';
import { Annotations, type VirtualMachineInstance } from '../../../crd-gen/index.js';
import { newVmi, withAnnotation, withName } from '../../../test/builders/vmi.js';
import { CauseType } from '../../cause.js';
import type { SpecContext, SpecOrigin } from '../types.js';
import { reservedLabelCauses, validateMetadata } from './metadata.js';

const ctx = (vmi: VirtualMachineInstance, origin: SpecOrigin, metadataPath: FieldPath): SpecContext => (
  { cfg: { ...DEFAULT_CLUSTER_CONFIG, featureGates: ['ExperimentalIgnitionSupport', 'Sidecar'] }, metadata: vmi.metadata, metadataPath, origin });
const run = (vmi: VirtualMachineInstance, origin: SpecOrigin = 'VirtualMachineInstance', metadataPath = path('metadata')) => validateMetadata(vmi.spec, path('spec'), ctx(vmi, origin, metadataPath));
const template = path('spec', 'template', 'metadata');

const DENIED = [
  { id: 'AX27', what: 'a name with "/"', vmi: newVmi(withName('a/b', 'default')), field: 'metadata.name', type: CauseType.Invalid, names: '"a/b" contains "/"' },
  { id: 'AX27', what: 'a namespace with a newline', vmi: newVmi(withName('vm', 'ns\n')), field: 'metadata.namespace', type: CauseType.Invalid, names: 'U+000A' },
  { id: 'AX28', what: 'ignition data, even with the gate on', vmi: newVmi(withAnnotation(Annotations.ignitionData, '{"ignition":{}}')), field: 'metadata.annotations', type: CauseType.NotSupported, names: Annotations.ignitionData },
  { id: 'AX28', what: 'ignition data on a VM template', vmi: newVmi(withAnnotation(Annotations.ignitionData, '{}')), origin: 'template' as const, metadataPath: template, field: 'spec.template.metadata.annotations', type: CauseType.NotSupported, names: 'ExperimentalIgnitionSupport' },
  { id: 'AX29', what: 'hook sidecars', vmi: newVmi(withAnnotation(Annotations.hookSidecars, '[{"image":"hook:1"}]')), field: 'metadata.annotations', type: CauseType.NotSupported, names: Annotations.hookSidecars },
];

const ADMITTED = [
  { id: 'AX27', what: 'a DNS name', vmi: newVmi(withName('vm-1.prod', 'team-a')) },
  { id: 'AX27', what: 'a template name (the VMI takes the VM name)', vmi: newVmi(withName('a/b')), origin: 'template' as const, metadataPath: template },
  { id: 'AX28', what: 'an empty ignition annotation', vmi: newVmi(withAnnotation(Annotations.ignitionData, '')) },
  { id: 'AX29', what: 'other annotations', vmi: newVmi(withAnnotation('kubevirt.io/memfd', 'false')) },
];

describe('validateMetadata', () => {
  it.each(DENIED)('$id denies $what', ({ vmi, origin, metadataPath, field, type, names }) => {
    const causes = run(vmi, origin, metadataPath);
    const hit = causes.find((c) => c.field === field && c.type === type && c.message.includes(names));
    expect(hit, JSON.stringify(causes)).toBeDefined();
  });

  it.each(ADMITTED)('$id admits $what', ({ vmi, origin, metadataPath }) => {
    expect(run(vmi, origin, metadataPath)).toEqual([]);
  });

  it('AX33 refuses reserved kubevirt.io labels, naming them', () => {
    const causes = reservedLabelCauses({ labels: { 'kubevirt.io/nodeName': 'n1', 'kubevirt.io/vm': 'x' } }, template);
    expect(causes).toEqual([{ type: CauseType.NotSupported, field: 'spec.template.metadata.labels', message: expect.stringContaining('"kubevirt.io/nodeName"') }]);
  });

  it('AX33 admits kubevirt.io labels that are not reserved', () => {
    expect(reservedLabelCauses({ labels: { 'kubevirt.io/vm': 'x', 'kubevirt.io/flavor': 'small' } }, path('metadata'))).toEqual([]);
  });
});
