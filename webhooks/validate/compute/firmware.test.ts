// Rules A15–A17 and A43–A49 of shared/design/kubevirt/rules-compute.md (ACPI tables, bootloader,
// kernel boot, secure boot and SMM) and kubevirt-ts' AX19–AX23 (SMBIOS values, kernel command line
// and image paths the launcher writes as they are).
import { describe, expect, it } from 'vitest';
import { DEFAULT_CLUSTER_CONFIG } from '../../../core/cluster-config.js';
import { path } from '../../../core/field-path.js';
import type { Firmware, KernelBoot, VirtualMachineInstance } from '../../../crd-gen/index.js';
import { newVmi, withDisk, withDomain, type VmiOption } from '../../../test/builders/vmi.js';
import { CauseType } from '../../cause.js';
import type { SpecContext, SpecValidator } from '../types.js';
import { validateFirmware, validateFirmwareAcpi } from './firmware.js';

const ctx = (vmi: VirtualMachineInstance): SpecContext => ({ cfg: DEFAULT_CLUSTER_CONFIG, metadata: vmi.metadata, metadataPath: path('metadata'), origin: 'VirtualMachineInstance' });
const run = (validate: SpecValidator, vmi: VirtualMachineInstance) => validate(vmi.spec, path('spec'), ctx(vmi));
const firmware = (f: Firmware, ...more: VmiOption[]) => newVmi(withDomain({ firmware: f }), ...more);
const kernel = (kb: KernelBoot) => firmware({ kernelBoot: kb });
const container = (c: Record<string, string>) => kernel({ container: { image: 'registry.example/kernel:1', ...c } });
const smm = withDomain({ features: { smm: { enabled: true } } });
const secret = withDisk({ name: 'slic', disk: { bus: 'virtio' } }, { secret: { secretName: 'licence' } });
const configMap = withDisk({ name: 'msdm', disk: { bus: 'virtio' } }, { configMap: { name: 'cm' } });
const KB = 'spec.domain.firmware.kernelBoot';

const DENIED = [
  { id: 'A15', what: 'ACPI without table references', validate: validateFirmwareAcpi, vmi: firmware({ acpi: {} }), field: 'spec.domain.firmware.acpi', type: CauseType.Invalid, names: 'neither slicNameRef nor msdmNameRef' },
  { id: 'A16', what: 'a SLIC reference to no volume', validate: validateFirmwareAcpi, vmi: firmware({ acpi: { slicNameRef: 'nothing' } }), field: 'spec.domain.firmware.acpi.slicNameRef', type: CauseType.Invalid, names: '"nothing" does not have a matching volume' },
  { id: 'A17', what: 'an MSDM reference to a config map volume', validate: validateFirmwareAcpi, vmi: firmware({ acpi: { msdmNameRef: 'msdm' } }, configMap), field: 'spec.domain.firmware.acpi.msdmNameRef', type: CauseType.Invalid, names: '"msdm" refers to a volume of unsupported type' },
  { id: 'A43', what: 'both EFI and BIOS', validate: validateFirmware, vmi: firmware({ bootloader: { efi: { secureBoot: false }, bios: {} } }), field: 'spec.domain.firmware.bootloader', type: CauseType.Invalid, names: 'both efi and bios' },
  { id: 'A44', what: 'kernel arguments without a kernel', validate: validateFirmware, vmi: kernel({ kernelArgs: 'console=ttyS0' }), field: `${KB}.kernelArgs`, type: CauseType.Invalid, names: '"console=ttyS0"' },
  { id: 'A45', what: 'a kernel container without an image', validate: validateFirmware, vmi: kernel({ container: { image: '', kernelPath: '/boot/vmlinuz' } }), field: `${KB}.container.image`, type: CauseType.Required, names: `${KB}.container must be defined with an image` },
  { id: 'A46', what: 'a kernel container without kernel or initrd', validate: validateFirmware, vmi: container({}), field: `${KB}.container`, type: CauseType.Required, names: 'kernelPath, initrdPath' },
  { id: 'A47', what: 'a kernel path of "/"', validate: validateFirmware, vmi: container({ kernelPath: '/' }), field: `${KB}.container.kernelPath`, type: CauseType.Invalid, names: '"/" must not point to root' },
  { id: 'A48', what: 'a relative initrd path', validate: validateFirmware, vmi: container({ kernelPath: '/boot/vmlinuz', initrdPath: 'boot/initrd' }), field: `${KB}.container.initrdPath`, type: CauseType.Invalid, names: '"boot/initrd" must be an absolute path' },
  { id: 'A48', what: 'a kernel path with ".."', validate: validateFirmware, vmi: container({ kernelPath: '/boot/../etc/passwd' }), field: `${KB}.container.kernelPath`, type: CauseType.Invalid, names: '"/boot/../etc/passwd"' },
  { id: 'A49', what: 'secure boot (by default) without SMM', validate: validateFirmware, vmi: firmware({ bootloader: { efi: {} } }), field: 'spec.domain', type: CauseType.Invalid, names: 'requires SMM' },
  { id: 'A49', what: 'secure boot with SMM switched off', validate: validateFirmware, vmi: firmware({ bootloader: { efi: { secureBoot: true } } }, withDomain({ features: { smm: { enabled: false } } })), field: 'spec.domain', type: CauseType.Invalid, names: 'spec.domain.features.smm' },
  { id: 'AX19', what: 'a firmware uuid that is no UUID', validate: validateFirmware, vmi: firmware({ uuid: 'not-a-uuid' }), field: 'spec.domain.firmware.uuid', type: CauseType.Invalid, names: '"not-a-uuid"' },
  { id: 'AX20', what: 'a serial with a control character', validate: validateFirmware, vmi: firmware({ serial: 'ABC\u0007' }), field: 'spec.domain.firmware.serial', type: CauseType.Invalid, names: 'U+0007' },
  { id: 'AX21', what: 'a chassis asset tag with a control character', validate: validateFirmware, vmi: newVmi(withDomain({ chassis: { asset: 'tag\u0001' } })), field: 'spec.domain.chassis.asset', type: CauseType.Invalid, names: 'U+0001' },
  { id: 'AX22', what: 'kernel arguments with a newline', validate: validateFirmware, vmi: kernel({ container: { image: 'k:1', kernelPath: '/boot/vmlinuz' }, kernelArgs: 'console=ttyS0\ninit=/bin/sh' }), field: `${KB}.kernelArgs`, type: CauseType.Invalid, names: 'U+000A' },
  { id: 'AX23', what: 'a kernel path ending in "/" (KubeVirt accepts it)', validate: validateFirmware, vmi: container({ kernelPath: '/boot/vmlinuz/' }), field: `${KB}.container.kernelPath`, type: CauseType.Invalid, names: '"/boot/vmlinuz/" ends with "/"' },
  { id: 'AX23', what: 'an initrd path with a control character', validate: validateFirmware, vmi: container({ initrdPath: '/boot/initrd\u0001' }), field: `${KB}.container.initrdPath`, type: CauseType.Invalid, names: 'control character' },
];

const ADMITTED = [
  { id: 'A15', what: 'no ACPI tables', validate: validateFirmwareAcpi, vmi: newVmi() },
  { id: 'A16', what: 'a SLIC table from a secret volume', validate: validateFirmwareAcpi, vmi: firmware({ acpi: { slicNameRef: 'slic' } }, secret) },
  { id: 'A43', what: 'BIOS on serial', validate: validateFirmware, vmi: firmware({ bootloader: { bios: { useSerial: true } } }) },
  { id: 'A44', what: 'kernel boot with a kernel and arguments', validate: validateFirmware, vmi: kernel({ container: { image: 'k:1', kernelPath: '/boot/vmlinuz', initrdPath: '/boot/initrd.img' }, kernelArgs: 'console=ttyS0 panic=-1' }) },
  { id: 'A46', what: 'an initrd only', validate: validateFirmware, vmi: container({ initrdPath: '/initrd' }) },
  { id: 'A49', what: 'EFI without secure boot and without SMM', validate: validateFirmware, vmi: firmware({ bootloader: { efi: { secureBoot: false } } }) },
  { id: 'A49', what: 'secure boot with SMM on (present counts as on)', validate: validateFirmware, vmi: firmware({ bootloader: { efi: {} } }, withDomain({ features: { smm: {} } })) },
  { id: 'A49', what: 'secure boot with SMM enabled', validate: validateFirmware, vmi: firmware({ bootloader: { efi: { secureBoot: true } } }, smm) },
  { id: 'AX19', what: 'a 32-digit uuid and a printable serial and chassis', validate: validateFirmware, vmi: firmware({ uuid: '5d307ca9b3ef428c886106e72d69f223', serial: 'SN-0001' }, withDomain({ chassis: { manufacturer: 'Acme', asset: 'rack 4' } })) },
];

describe('firmware', () => {
  it.each(DENIED)('$id denies $what', ({ validate, vmi, field, type, names }) => {
    const causes = run(validate, vmi);
    const hit = causes.find((c) => c.field === field && c.type === type && c.message.includes(names));
    expect(hit, JSON.stringify(causes)).toBeDefined();
  });

  it.each(ADMITTED)('$id admits $what', ({ validate, vmi }) => {
    expect(run(validate, vmi)).toEqual([]);
  });

  it('A15 stops after the missing references: no A16/A17 causes', () => {
    expect(run(validateFirmwareAcpi, firmware({ acpi: {} })).map((c) => c.field)).toEqual(['spec.domain.firmware.acpi']);
  });

  it('A47 and A48 give one cause per path, before AX23', () => {
    expect(run(validateFirmware, container({ kernelPath: 'vmlinuz/' })).map((c) => c.field)).toEqual([`${KB}.container.kernelPath`]);
  });
});
