/**
 * What kubevirt-ts does not convert, refused up front with a ConversionError that says so, rather
 * than a guest that silently lacks what its VMI asked for. Each entry is one KubeVirt feature
 * that needs host facts or devices this project does not provide yet.
 */
import { ConversionError } from '../../core/errors.js';
import type { VirtualMachineInstance } from '../../crd-gen/index.js';
import type { Configurator } from './configurator.js';

type Vmi = Readonly<VirtualMachineInstance>;

const nonEmpty = (list: readonly unknown[] | undefined): boolean => (list?.length ?? 0) > 0;

/** `[field, is it used, what it is]`, checked in this order. */
const UNSUPPORTED: readonly (readonly [string, (vmi: Vmi) => boolean, string])[] = [
  ['spec.domain.cpu.dedicatedCpuPlacement', (v) => v.spec.domain.cpu?.dedicatedCpuPlacement === true, 'dedicated CPU placement (vCPU pinning)'],
  ['spec.domain.cpu.realtime', (v) => v.spec.domain.cpu?.realtime !== undefined, 'realtime vCPUs'],
  ['spec.domain.cpu.numa.guestMappingPassthrough', (v) => v.spec.domain.cpu?.numa?.guestMappingPassthrough !== undefined, 'NUMA passthrough'],
  ['spec.domain.launchSecurity', (v) => v.spec.domain.launchSecurity !== undefined, 'launch security (SEV, SNP, TDX)'],
  ['spec.domain.firmware.acpi', (v) => v.spec.domain.firmware?.acpi !== undefined, 'ACPI SLIC/MSDM tables'],
  ['spec.domain.devices.gpus', (v) => nonEmpty(v.spec.domain.devices.gpus), 'GPU passthrough'],
  ['spec.domain.devices.hostDevices', (v) => nonEmpty(v.spec.domain.devices.hostDevices), 'host device passthrough'],
  ['spec.domain.devices.filesystems', (v) => nonEmpty(v.spec.domain.devices.filesystems), 'virtiofs filesystems'],
  ['spec.domain.devices.sound', (v) => v.spec.domain.devices.sound !== undefined, 'sound devices'],
  ['spec.domain.devices.clientPassthrough', (v) => v.spec.domain.devices.clientPassthrough !== undefined, 'USB redirection'],
  ['spec.domain.devices.downwardMetrics', (v) => v.spec.domain.devices.downwardMetrics !== undefined, 'downward metrics'],
  ['spec.domain.devices.panicDevices', (v) => nonEmpty(v.spec.domain.devices.panicDevices), 'panic devices'],
  ['spec.domain.devices.autoattachVSOCK', (v) => v.spec.domain.devices.autoattachVSOCK === true, 'VSOCK'],
];

function perDisk(vmi: Vmi): void {
  (vmi.spec.domain.devices.disks ?? []).forEach((d, i) => {
    if (d.changedBlockTracking === true) throw new ConversionError(`spec.domain.devices.disks[${i}].changedBlockTracking`, 'changed block tracking is not supported by kubevirt-ts');
    if (d.lun?.reservation === true) throw new ConversionError(`spec.domain.devices.disks[${i}].lun.reservation`, 'SCSI persistent reservations are not supported by kubevirt-ts');
  });
  (vmi.spec.volumes ?? []).forEach((v, i) => {
    if (v.downwardMetrics !== undefined) throw new ConversionError(`spec.volumes[${i}].downwardMetrics`, 'downward metrics are not supported by kubevirt-ts');
  });
}

/** Refuses the first unsupported feature the VMI uses; changes nothing otherwise. */
export const refuseUnsupported: Configurator = (vmi, _ctx, domain) => {
  for (const [field, used, what] of UNSUPPORTED) {
    if (used(vmi)) throw new ConversionError(field, `${what} is not supported by kubevirt-ts`);
  }
  perDisk(vmi);
  return domain;
};
