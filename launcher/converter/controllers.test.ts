import { describe, expect, it } from 'vitest';
import type { Devices } from '../../crd-gen/index.js';
import { newVmi, withAnnotation, withDevices } from '../../test/builders/vmi.js';
import type { VmiOption } from '../../test/builders/vmi.js';
import { testContext } from '../../test/builders/context.js';
import { emptyDomain } from './configurator.js';
import { configureControllers } from './controllers.js';

const USB_NONE = { type: 'usb', index: 0, model: 'none' };
const USB_XHCI = { type: 'usb', index: 0, model: 'qemu-xhci' };
const SCSI = { type: 'scsi', index: 0, model: 'virtio-non-transitional' };
const SERIAL = { type: 'virtio-serial', index: 0, model: 'virtio-non-transitional' };
const controllersOf = (devices: Partial<Devices>, ...more: VmiOption[]) =>
  configureControllers(newVmi(withDevices(devices), ...more), testContext(), emptyDomain()).devices.controllers;

describe('configureControllers', () => {
  it.each([
    ['the defaults: usb off, scsi for hotplug, virtio-serial', {}, [USB_NONE, SCSI, SERIAL]],
    ['a USB tablet turns USB on', { inputs: [{ name: 't', type: 'tablet', bus: 'usb' }] }, [USB_XHCI, SCSI, SERIAL]],
    ['a virtio tablet does not', { inputs: [{ name: 't', type: 'tablet', bus: 'virtio' }] }, [USB_NONE, SCSI, SERIAL]],
    ['a USB disk turns USB on', { disks: [{ name: 'u', disk: { bus: 'usb' } }] }, [USB_XHCI, SCSI, SERIAL]],
    ['hotplug off and no SCSI disk: no scsi controller', { disableHotplug: true }, [USB_NONE, SERIAL]],
    ['hotplug off but a SCSI disk: scsi stays', { disableHotplug: true, disks: [{ name: 's', disk: { bus: 'scsi' } }] }, [USB_NONE, SCSI, SERIAL]],
    ['no serial console: no virtio-serial', { autoattachSerialConsole: false }, [USB_NONE, SCSI]],
    ['transitional virtio models', { useVirtioTransitional: true }, [USB_NONE, { ...SCSI, model: 'virtio-transitional' }, { ...SERIAL, model: 'virtio-transitional' }]],
  ])('%s', (_what, devices, expected) => {
    expect(controllersOf(devices as Partial<Devices>)).toEqual(expected);
  });

  it.each(['true', 'TRUE'])('adds a pcie-root without a 64-bit hole for disablePCIHole64=%s', (value) => {
    expect(controllersOf({}, withAnnotation('kubevirt.io/disablePCIHole64', value))).toEqual([USB_NONE, SCSI, { type: 'pci', index: 0, model: 'pcie-root', pcihole64: { unit: 'KiB', value: 0 } }, SERIAL]);
  });
});
