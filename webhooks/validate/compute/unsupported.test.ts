// kubevirt-ts' not-supported compute fields (AX01–AX06, AX08–AX10, AX30–AX32), which also stand in
// for the feature-gate rules of shared/design/kubevirt/rules-compute.md whose feature kubevirt-ts
// does not implement (A27 NUMA, A53 HostDevices, A56 VSOCK, A59 PanicDevices, A63
// ReservedOverheadMemlock, A73/A75 launch security).
import { describe, expect, it } from 'vitest';
import { DEFAULT_CLUSTER_CONFIG } from '../../../core/cluster-config.js';
import { path } from '../../../core/field-path.js';
import type { DomainSpec, VirtualMachineInstance } from '../../../crd-gen/index.js';
import { newVmi, withDevices, withDomain } from '../../../test/builders/vmi.js';
import { CauseType } from '../../cause.js';
import type { SpecContext } from '../types.js';
import { UNSUPPORTED_FIELDS, validateUnsupported } from './unsupported.js';

const ctx = (vmi: VirtualMachineInstance): SpecContext => ({ cfg: { ...DEFAULT_CLUSTER_CONFIG, featureGates: ['NUMA', 'HostDevices', 'VSOCK', 'PanicDevices', 'ReservedOverheadMemlock', 'WorkloadEncryptionSEV'] }, metadata: vmi.metadata, metadataPath: path('metadata'), origin: 'VirtualMachineInstance' });
const run = (vmi: VirtualMachineInstance) => validateUnsupported(vmi.spec, path('spec'), ctx(vmi));
const domain = (d: Partial<DomainSpec>) => newVmi(withDomain(d));
const hostDevice = { name: 'gpu', deviceName: 'nvidia.com/TU104GL' };

const DENIED = [
  { id: 'AX01', what: 'dedicated CPU placement', vmi: domain({ cpu: { dedicatedCpuPlacement: true } }), field: 'spec.domain.cpu.dedicatedCpuPlacement', names: 'dedicated CPU placement' },
  { id: 'AX02', what: 'realtime vCPUs', vmi: domain({ cpu: { realtime: {} } }), field: 'spec.domain.cpu.realtime', names: 'realtime vCPUs' },
  { id: 'AX03', what: 'NUMA passthrough (A27: the NUMA gate is GA, the feature is not implemented)', vmi: domain({ cpu: { numa: { guestMappingPassthrough: {} } } }), field: 'spec.domain.cpu.numa.guestMappingPassthrough', names: 'NUMA passthrough' },
  { id: 'AX04', what: 'launch security (A73/A75: refused whatever the gates)', vmi: domain({ launchSecurity: { sev: {} } }), field: 'spec.domain.launchSecurity', names: 'launch security' },
  { id: 'AX05', what: 'ACPI tables', vmi: domain({ firmware: { acpi: { slicNameRef: 'slic' } } }), field: 'spec.domain.firmware.acpi', names: 'ACPI SLIC/MSDM tables' },
  { id: 'AX06', what: 'reserved overhead (A63: ReservedOverheadMemlock)', vmi: domain({ memory: { reservedOverhead: { addedOverhead: '1Gi' } } }), field: 'spec.domain.memory.reservedOverhead', names: 'reserved overhead memory' },
  { id: 'AX08', what: 'host devices (A53: HostDevices)', vmi: newVmi(withDevices({ hostDevices: [hostDevice] })), field: 'spec.domain.devices.hostDevices', names: 'host device passthrough' },
  { id: 'AX09', what: 'VSOCK (A56: VSOCK)', vmi: newVmi(withDevices({ autoattachVSOCK: true })), field: 'spec.domain.devices.autoattachVSOCK', names: 'VSOCK' },
  { id: 'AX10', what: 'panic devices (A59: PanicDevices)', vmi: newVmi(withDevices({ panicDevices: [{ model: 'pvpanic' }] })), field: 'spec.domain.devices.panicDevices', names: 'panic devices' },
  { id: 'AX30', what: 'persistent EFI variables', vmi: domain({ firmware: { bootloader: { efi: { persistent: true } } } }), field: 'spec.domain.firmware.bootloader.efi.persistent', names: 'persistent EFI variables' },
  { id: 'AX31', what: 'the paravirtual EOI', vmi: domain({ features: { apic: { endOfInterrupt: true } } }), field: 'spec.domain.features.apic.endOfInterrupt', names: 'end-of-interrupt' },
  { id: 'AX32', what: 'direct TLB flush', vmi: domain({ features: { hyperv: { vpindex: {}, tlbflush: { direct: {} } } } }), field: 'spec.domain.features.hyperv.tlbflush.direct', names: 'direct TLB flush' },
  { id: 'AX32', what: 'extended TLB flush', vmi: domain({ features: { hyperv: { vpindex: {}, tlbflush: { extended: { enabled: true } } } } }), field: 'spec.domain.features.hyperv.tlbflush.extended', names: 'extended TLB flush' },
];

const ADMITTED = [
  { id: 'AX01', what: 'dedicated placement switched off', vmi: domain({ cpu: { dedicatedCpuPlacement: false } }) },
  { id: 'AX08', what: 'an empty host device list (A53: the feature is not used)', vmi: newVmi(withDevices({ hostDevices: [] })) },
  { id: 'AX09', what: 'VSOCK switched off', vmi: newVmi(withDevices({ autoattachVSOCK: false })) },
  { id: 'AX10', what: 'an empty panic device list', vmi: newVmi(withDevices({ panicDevices: [] })) },
  { id: 'AX30', what: 'EFI variables that are not persistent', vmi: domain({ firmware: { bootloader: { efi: { persistent: false, secureBoot: false } } } }) },
  { id: 'AX32', what: 'plain tlbflush, and its sub-features switched off', vmi: domain({ features: { hyperv: { vpindex: {}, tlbflush: { direct: { enabled: false } } } } }) },
];

describe('validateUnsupported', () => {
  it.each(DENIED)('$id denies $what', ({ vmi, field, names }) => {
    const causes = run(vmi);
    const hit = causes.find((c) => c.field === field && c.type === CauseType.NotSupported);
    expect(hit, JSON.stringify(causes)).toBeDefined();
    expect(hit?.message).toContain(names);
    expect(hit?.message).toContain('is not supported by kubevirt-ts');
  });

  it.each(ADMITTED)('$id admits $what', ({ vmi }) => {
    expect(run(vmi)).toEqual([]);
  });

  it('has a denied case for every row of its table', () => {
    expect(new Set(UNSUPPORTED_FIELDS.map(([, field]) => `spec.${field}`))).toEqual(new Set(DENIED.map((d) => d.field)));
  });

  it('uses the launcher\'s wording for the fields the launcher refuses', () => {
    const causes = run(domain({ cpu: { dedicatedCpuPlacement: true, realtime: {} } }));
    expect(causes.map((c) => c.message)).toEqual(['dedicated CPU placement (vCPU pinning) is not supported by kubevirt-ts', 'realtime vCPUs is not supported by kubevirt-ts']);
  });
});
