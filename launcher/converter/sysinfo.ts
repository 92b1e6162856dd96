/**
 * SMBIOS the guest sees (`<sysinfo type="smbios">`, used through `<smbios mode="sysinfo">`):
 * system uuid and serial from the VMI's firmware, the cluster's manufacturer/family/product/sku/
 * version, and the chassis when the VMI sets one. Empty bios/baseBoard tables are left out: libvirt's
 * grammar wants at least one entry in each.
 * @see https://github.com/kubevirt/kubevirt/blob/main/pkg/virt-launcher/virtwrap/converter/compute/sysinfo.go
 */
import type { Chassis, Firmware } from '../../crd-gen/index.js';
import type { Sysinfo, SysinfoEntry } from '../domain/schema.js';
import type { Configurator } from './configurator.js';
import type { SmbiosConfig } from './context.js';
import { matching, xmlText } from './values.js';

const UUID = /^[a-fA-F0-9]{8}-([a-fA-F0-9]{4}-){3}[a-fA-F0-9]{12}$|^[a-fA-F0-9]{32}$/;

function entry(field: string, name: string, value: string | undefined): SysinfoEntry {
  return { name, value: xmlText(field, value ?? '') };
}

/**
 * The firmware's entries. libvirt makes the SMBIOS uuid the domain's own uuid, so it must be a UUID
 * (libvirt's parser refuses anything else at define time).
 */
function firmwareEntries(firmware: Firmware | undefined): SysinfoEntry[] {
  if (firmware === undefined) return [];
  const uuid = matching('spec.domain.firmware.uuid', firmware.uuid ?? '', UUID, 'a UUID (8-4-4-4-12 hex digits)');
  const serial = firmware.serial ? [entry('spec.domain.firmware.serial', 'serial', firmware.serial)] : [];
  return [{ name: 'uuid', value: uuid }, ...serial];
}

function clusterEntries(smbios: SmbiosConfig): SysinfoEntry[] {
  const keys = ['manufacturer', 'family', 'product', 'sku', 'version'] as const;
  return keys.map((k) => entry(`smbios.${k}`, k, smbios[k]));
}

function chassisEntries(chassis: Chassis): SysinfoEntry[] {
  const keys = ['manufacturer', 'version', 'serial', 'asset', 'sku'] as const;
  return keys.map((k) => entry(`spec.domain.chassis.${k}`, k, chassis[k]));
}

/** Sets `<sysinfo>`. */
export const configureSysinfo: Configurator = (vmi, ctx, domain) => {
  const chassis = vmi.spec.domain.chassis;
  const sysinfo: Sysinfo = {
    type: 'smbios',
    system: { entries: [...firmwareEntries(vmi.spec.domain.firmware), ...clusterEntries(ctx.smbios)] },
    ...(chassis === undefined ? {} : { chassis: { entries: chassisEntries(chassis) } }),
  };
  return { ...domain, sysinfo };
};
