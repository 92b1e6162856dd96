// Rules A66–A72 of shared/design/kubevirt/rules-compute.md (per-architecture, VMI only) and
// kubevirt-ts' AX11 (amd64 guests only).
import { describe, expect, it } from 'vitest';
import { DEFAULT_CLUSTER_CONFIG } from '../../../core/cluster-config.js';
import { path } from '../../../core/field-path.js';
import type { VideoDevice, VirtualMachineInstance } from '../../../crd-gen/index.js';
import { newVmi, withDevices, withDomain, withSpec, type VmiOption } from '../../../test/builders/vmi.js';
import { CauseType } from '../../cause.js';
import type { SpecContext, SpecOrigin, SpecValidator } from '../types.js';
import { validateArchitectureSettings, validateArchitectureSupported } from './arch.js';

const ctx = (vmi: VirtualMachineInstance, origin: SpecOrigin): SpecContext => ({ cfg: DEFAULT_CLUSTER_CONFIG, metadata: vmi.metadata, metadataPath: path('metadata'), origin });
const run = (validate: SpecValidator, vmi: VirtualMachineInstance, origin: SpecOrigin = 'VirtualMachineInstance') => validate(vmi.spec, path('spec'), ctx(vmi, origin));
const arch = (a: string): VmiOption => withSpec((s) => { s.architecture = a; });
const video = (type: string) => withDevices({ video: { type: type as VideoDevice['type'] } });
const arm64 = (...more: VmiOption[]) => newVmi(arch('arm64'), withDomain({ cpu: { model: 'host-passthrough' } }), ...more);

const DENIED = [
  { id: 'A66', what: 'an architecture KubeVirt does not know', validate: validateArchitectureSettings, vmi: newVmi(arch('riscv64')), field: 'spec.architecture', type: CauseType.Invalid, names: '"riscv64"' },
  { id: 'A67', what: 'a qxl video card on amd64', validate: validateArchitectureSettings, vmi: newVmi(video('qxl')), field: 'spec.domain.devices.video.type', type: CauseType.NotSupported, names: '"qxl"' },
  { id: 'A67', what: 'a cirrus video card on arm64', validate: validateArchitectureSettings, vmi: arm64(video('cirrus')), field: 'spec.domain.devices.video.type', type: CauseType.NotSupported, names: '"cirrus"' },
  { id: 'A67', what: 'a vga video card on s390x', validate: validateArchitectureSettings, vmi: newVmi(arch('s390x'), video('vga')), field: 'spec.domain.devices.video.type', type: CauseType.NotSupported, names: '"vga" is not supported on the s390x' },
  { id: 'A68', what: 'a diag288 watchdog on amd64', validate: validateArchitectureSettings, vmi: newVmi(withDevices({ watchdog: { name: 'wd', diag288: {} } })), field: 'spec.domain.devices.watchdog', type: CauseType.NotSupported, names: 'i6300esb' },
  { id: 'A68', what: 'any watchdog on arm64', validate: validateArchitectureSettings, vmi: arm64(withDevices({ watchdog: { name: 'wd', i6300esb: {} } })), field: 'spec.domain.devices.watchdog', type: CauseType.NotSupported, names: '"wd"' },
  { id: 'A69', what: 'BIOS on arm64', validate: validateArchitectureSettings, vmi: arm64(withDomain({ cpu: { model: 'host-passthrough' }, firmware: { bootloader: { bios: {} } } })), field: 'spec.domain.firmware.bootloader.bios', type: CauseType.NotSupported, names: 'BIOS' },
  { id: 'A70', what: 'secure boot (by default) on arm64', validate: validateArchitectureSettings, vmi: arm64(withDomain({ cpu: { model: 'host-passthrough' }, firmware: { bootloader: { efi: {} } } })), field: 'spec.domain.firmware.bootloader.efi.secureBoot', type: CauseType.NotSupported, names: 'unset (on)' },
  { id: 'A71', what: 'the defaulted host-model CPU on arm64', validate: validateArchitectureSettings, vmi: newVmi(arch('arm64')), field: 'spec.domain.cpu.model', type: CauseType.NotSupported, names: '"host-model"' },
  { id: 'A72', what: 'a sound card on arm64', validate: validateArchitectureSettings, vmi: arm64(withDevices({ sound: { name: 'audio' } })), field: 'spec.domain.devices.sound', type: CauseType.NotSupported, names: '"audio"' },
  { id: 'AX11', what: 'an arm64 VMI', validate: validateArchitectureSupported, vmi: arm64(), field: 'spec.architecture', type: CauseType.NotSupported, names: '"arm64" architecture is not supported by kubevirt-ts' },
  { id: 'AX11', what: 'an s390x VMI', validate: validateArchitectureSupported, vmi: newVmi(arch('s390x')), field: 'spec.architecture', type: CauseType.NotSupported, names: '"s390x"' },
];

const ADMITTED = [
  { id: 'A66', what: 'the defaulted amd64', validate: validateArchitectureSettings, vmi: newVmi() },
  { id: 'A67', what: 'every amd64 video model', validate: validateArchitectureSettings, vmi: newVmi(video('bochs')) },
  { id: 'A68', what: 'an i6300esb watchdog on amd64', validate: validateArchitectureSettings, vmi: newVmi(withDevices({ watchdog: { name: 'wd', i6300esb: { action: 'poweroff' } } })) },
  { id: 'A68', what: 'a diag288 watchdog on s390x', validate: validateArchitectureSettings, vmi: newVmi(arch('s390x'), withDevices({ watchdog: { name: 'wd', diag288: {} } })) },
  { id: 'A70', what: 'UEFI without secure boot and host-passthrough on arm64', validate: validateArchitectureSettings, vmi: arm64(withDomain({ cpu: { model: 'host-passthrough' }, firmware: { bootloader: { efi: { secureBoot: false } } } })) },
  { id: 'AX11', what: 'amd64', validate: validateArchitectureSupported, vmi: newVmi() },
  { id: 'AX11', what: 'an unknown architecture on a VMI (A66 reports it)', validate: validateArchitectureSupported, vmi: newVmi(arch('riscv64')) },
];

describe('architecture', () => {
  it.each(DENIED)('$id denies $what', ({ validate, vmi, field, type, names }) => {
    const causes = run(validate, vmi);
    const hit = causes.find((c) => c.field === field && c.type === type && c.message.includes(names));
    expect(hit, JSON.stringify(causes)).toBeDefined();
  });

  it.each(ADMITTED)('$id admits $what', ({ validate, vmi }) => {
    expect(run(validate, vmi)).toEqual([]);
  });

  it('A66–A72 run for VMIs only; AX11 runs for templates too, for any architecture', () => {
    const vmi = newVmi(arch('riscv64'));
    expect(run(validateArchitectureSettings, vmi, 'template')).toEqual([]);
    expect(validateArchitectureSupported(vmi.spec, path('spec', 'template', 'spec'), ctx(vmi, 'template')).map((c) => [c.field, c.type]))
      .toEqual([['spec.template.spec.architecture', CauseType.NotSupported]]);
  });
});
