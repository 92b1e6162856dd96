/**
 * Boot setup: machine type, SMBIOS from `<sysinfo>`, legacy BIOS on serial, UEFI (with secure boot)
 * from the host's firmware files, direct kernel boot from the extracted kernel-boot container, and
 * the boot menu that gives a paused-start guest time to reach its firmware.
 * @see https://github.com/kubevirt/kubevirt/blob/main/pkg/virt-launcher/virtwrap/converter/compute/os.go
 */
import { ConversionError } from '../../core/errors.js';
import type { Firmware, KernelBootContainer, VirtualMachineInstance } from '../../crd-gen/index.js';
import type { DomainOs } from '../domain/schema.js';
import type { Configurator } from './configurator.js';
import type { ConverterContext } from './context.js';
import { matching, xmlText, yesNo } from './values.js';

/** libvirt's machine-type pattern. */
const MACHINE = /^[a-zA-Z0-9_.-]+$/;
/** Milliseconds the boot menu waits for a key when the VMI starts paused. */
const BOOT_MENU_TIMEOUT_MS = 10_000;
const FIRMWARE = 'spec.domain.firmware';

type OsPart = Partial<DomainOs>;

/** UEFI: the code image (secure-boot build unless secureBoot is false) and a per-VMI variable store. */
function efi(firmware: Firmware | undefined, ctx: ConverterContext): OsPart {
  const bootloader = firmware?.bootloader?.efi;
  if (bootloader === undefined) return {};
  const field = `${FIRMWARE}.bootloader.efi`;
  if (ctx.efi === undefined) throw new ConversionError(field, 'this host has no UEFI firmware (install OVMF)');
  if (ctx.nvramPath === undefined) throw new ConversionError(field, 'no path for the UEFI variable store was prepared');
  const secure = bootloader.secureBoot !== false;
  return {
    loader: { readonly: 'yes', secure: yesNo(secure), type: 'pflash', path: secure ? ctx.efi.secureBootCode : ctx.efi.code },
    nvram: { template: secure ? ctx.efi.secureBootVars : ctx.efi.vars, path: ctx.nvramPath },
  };
}

function bios(firmware: Firmware | undefined): OsPart {
  return firmware?.bootloader?.bios?.useSerial === true ? { bios: { useserial: 'yes' } } : {};
}

function hostFile(field: string, wanted: string | undefined, prepared: string | undefined): string | undefined {
  if (!wanted) return undefined;
  if (prepared === undefined) throw new ConversionError(field, 'the kernel-boot container has not been extracted on this host');
  return prepared;
}

function only<K extends 'kernel' | 'initrd' | 'cmdline'>(key: K, value: string | undefined): Partial<Record<K, string>> {
  return (value === undefined ? {} : { [key]: value }) as Partial<Record<K, string>>;
}

function kernelFiles(container: KernelBootContainer | undefined, ctx: ConverterContext): OsPart {
  const path = `${FIRMWARE}.kernelBoot.container`;
  return {
    ...only('kernel', hostFile(`${path}.kernelPath`, container?.kernelPath, ctx.kernelBoot?.kernel)),
    ...only('initrd', hostFile(`${path}.initrdPath`, container?.initrdPath, ctx.kernelBoot?.initrd)),
  };
}

/** Direct kernel boot: host copies of the container's kernel and initrd, and the command line. */
function kernelBoot(firmware: Firmware | undefined, ctx: ConverterContext): OsPart {
  const kb = firmware?.kernelBoot;
  if (kb === undefined) return {};
  const cmdline = kb.kernelArgs ? xmlText(`${FIRMWARE}.kernelBoot.kernelArgs`, kb.kernelArgs) : undefined;
  return { ...kernelFiles(kb.container, ctx), ...only('cmdline', cmdline) };
}

/** The machine type admission gave the VMI (webhooks/mutate/vmi-defaults.ts); none means admission was skipped. */
function machine(vmi: Readonly<VirtualMachineInstance>): string {
  const type = vmi.spec.domain.machine?.type;
  if (!type) throw new ConversionError('spec.domain.machine.type', 'the VMI has no machine type; admission defaults it (kvt validate -o yaml shows the admitted VMI)');
  return matching('spec.domain.machine.type', type, MACHINE, 'letters, digits, "_", "." and "-" only');
}

/** Sets `<os>`: machine, smbios, bootmenu, bios, loader/nvram, kernel/initrd/cmdline. */
export const configureOs: Configurator = (vmi, ctx, domain) => {
  const firmware = vmi.spec.domain.firmware;
  const bootmenu = vmi.spec.startStrategy === 'Paused' ? { bootmenu: { enable: 'yes' as const, timeout: BOOT_MENU_TIMEOUT_MS } } : {};
  const os: DomainOs = {
    type: { ...domain.os.type, arch: ctx.architecture, machine: machine(vmi) },
    smbios: { mode: 'sysinfo' },
    ...bootmenu,
    ...bios(firmware),
    ...efi(firmware, ctx),
    ...kernelBoot(firmware, ctx),
  };
  return { ...domain, os };
};
