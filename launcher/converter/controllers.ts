/**
 * Controllers: USB (`none` unless something needs USB), virtio-scsi (kept for disk hotplug unless
 * hotplug is disabled and no disk uses SCSI), the PCIe root with a zero-sized 64-bit hole when the
 * VMI's annotation asks, and virtio-serial for the console unless the serial console is off. q35
 * brings its own SATA controller, so none is written.
 * @see https://github.com/kubevirt/kubevirt/blob/main/pkg/virt-launcher/virtwrap/converter/converter.go (usb, needsSCSIController, shouldDisablePCIHole64)
 */
import { Annotations, type VirtualMachineInstance } from '../../crd-gen/index.js';
import type { Controller } from '../domain/schema.js';
import type { Configurator } from './configurator.js';
import { busOf } from './disk-targets.js';
import { virtioModel } from './values.js';

type Vmi = Readonly<VirtualMachineInstance>;


/**
 * USB is needed by a USB (or bus-less) tablet and by any USB disk. KubeVirt checks only plain disks;
 * a USB cdrom or lun needs the controller as much, so they count here too.
 */
function needsUsb(vmi: Vmi): boolean {
  const devices = vmi.spec.domain.devices;
  const inputs = (devices.inputs ?? []).some((i) => !i.bus || i.bus === 'usb');
  return inputs || (devices.disks ?? []).some((d) => busOf(d) === 'usb');
}

function needsScsi(vmi: Vmi): boolean {
  const devices = vmi.spec.domain.devices;
  return devices.disableHotplug !== true || (devices.disks ?? []).some((d) => busOf(d) === 'scsi');
}

function disablesPciHole64(vmi: Vmi): boolean {
  return vmi.metadata.annotations?.[Annotations.disablePciHole64]?.toLowerCase() === 'true';
}

/** Sets the controllers, in KubeVirt's order. */
export const configureControllers: Configurator = (vmi, _ctx, domain) => {
  const model = virtioModel(vmi.spec.domain.devices.useVirtioTransitional);
  const controllers: Controller[] = [{ type: 'usb', index: 0, model: needsUsb(vmi) ? 'qemu-xhci' : 'none' }];
  if (needsScsi(vmi)) controllers.push({ type: 'scsi', index: 0, model });
  if (disablesPciHole64(vmi)) controllers.push({ type: 'pci', index: 0, model: 'pcie-root', pcihole64: { unit: 'KiB', value: 0 } });
  if (vmi.spec.domain.devices.autoattachSerialConsole !== false) controllers.push({ type: 'virtio-serial', index: 0, model });
  return { ...domain, devices: { ...domain.devices, controllers } };
};
