import { describe, expect, it } from 'vitest';
import type { Firmware } from '../../crd-gen/index.js';
import { newVmi, withDomain, withSpec } from '../../test/builders/vmi.js';
import type { VmiOption } from '../../test/builders/vmi.js';
import { TEST_EFI, TEST_RUN_DIR, testContext } from '../../test/builders/context.js';
import type { ConverterContext } from './context.js';
import { emptyDomain } from './configurator.js';
import { configureOs } from './os.js';

const NVRAM = `${TEST_RUN_DIR}/nvram/testvmi_VARS.fd`;
const KERNEL = { kernel: `${TEST_RUN_DIR}/kernel-boot/vmlinuz`, initrd: `${TEST_RUN_DIR}/kernel-boot/initrd.img` };
const ctx = (o: Partial<ConverterContext> = {}) => testContext({ efi: TEST_EFI, nvramPath: NVRAM, kernelBoot: KERNEL, ...o });
const osOf = (firmware: Firmware, c = ctx(), ...more: VmiOption[]) => configureOs(newVmi(withDomain({ firmware }), ...more), c, emptyDomain()).os;
const TYPE = { arch: 'x86_64', machine: 'q35', value: 'hvm' };
const SMBIOS = { mode: 'sysinfo' };

describe('configureOs', () => {
  it.each([
    ['legacy BIOS: nothing but type and smbios', {}, { type: TYPE, smbios: SMBIOS }],
    ['BIOS on serial', { bootloader: { bios: { useSerial: true } } }, { type: TYPE, smbios: SMBIOS, bios: { useserial: 'yes' } }],
    ['EFI, secure boot by default', { bootloader: { efi: {} } }, {
      type: TYPE, smbios: SMBIOS,
      loader: { readonly: 'yes', secure: 'yes', type: 'pflash', path: TEST_EFI.secureBootCode }, nvram: { template: TEST_EFI.secureBootVars, path: NVRAM },
    }],
    ['EFI without secure boot', { bootloader: { efi: { secureBoot: false } } }, {
      type: TYPE, smbios: SMBIOS,
      loader: { readonly: 'yes', secure: 'no', type: 'pflash', path: TEST_EFI.code }, nvram: { template: TEST_EFI.vars, path: NVRAM },
    }],
    ['kernel boot with arguments', { kernelBoot: { kernelArgs: 'console=ttyS0', container: { image: 'k:1', kernelPath: '/boot/vmlinuz', initrdPath: '/boot/initrd.img' } } }, {
      type: TYPE, smbios: SMBIOS, kernel: KERNEL.kernel, initrd: KERNEL.initrd, cmdline: 'console=ttyS0',
    }],
    ['kernel only, no arguments', { kernelBoot: { container: { image: 'k:1', kernelPath: '/boot/vmlinuz' } } }, { type: TYPE, smbios: SMBIOS, kernel: KERNEL.kernel }],
  ])('%s', (_what, firmware, expected) => {
    expect(osOf(firmware as Firmware)).toEqual(expected);
  });

  it('gives a paused start a boot menu', () => {
    expect(osOf({}, ctx(), withSpec((s) => { s.startStrategy = 'Paused'; })).bootmenu).toEqual({ enable: 'yes', timeout: 10000 });
  });

  it('takes the machine type from the VMI', () => {
    expect(osOf({}, ctx(), withDomain({ machine: { type: 'pc-q35-7.2' } })).type.machine).toBe('pc-q35-7.2');
  });

  it.each([
    ['EFI on a host without OVMF', { bootloader: { efi: {} } }, { efi: undefined }, 'spec.domain.firmware.bootloader.efi: this host has no UEFI firmware'],
    ['EFI without a variable store path', { bootloader: { efi: {} } }, { nvramPath: undefined }, 'spec.domain.firmware.bootloader.efi: no path for the UEFI variable store'],
    ['a kernel that was not extracted', { kernelBoot: { container: { image: 'k:1', kernelPath: '/boot/vmlinuz' } } }, { kernelBoot: {} }, 'spec.domain.firmware.kernelBoot.container.kernelPath'],
    ['a control character in kernelArgs', { kernelBoot: { kernelArgs: 'a\u0007b', container: { image: 'k:1', kernelPath: '/k' } } }, {}, 'spec.domain.firmware.kernelBoot.kernelArgs: contains the character U+0007'],
  ])('refuses %s', (_what, firmware, overrides, message) => {
    expect(() => osOf(firmware as Firmware, ctx(overrides as Partial<ConverterContext>))).toThrow(message);
  });
});
