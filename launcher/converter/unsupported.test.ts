import { describe, expect, it } from 'vitest';
import { newRawVmi, withDevices, withDisk, withDomain, withSpec, type VmiOption } from '../../test/builders/vmi.js';
import { testContext } from '../../test/builders/context.js';
import { emptyDomain } from './configurator.js';
import { refuseUnsupported } from './unsupported.js';

describe('refuseUnsupported', () => {
  it('lets a plain VMI (an emulated TPM among its devices) through unchanged', () => {
    const domain = emptyDomain();
    expect(refuseUnsupported(newRawVmi(withDevices({ tpm: { persistent: true } })), testContext(), domain)).toBe(domain);
  });

  it.each<[string, VmiOption]>([
    ['spec.domain.cpu.dedicatedCpuPlacement: dedicated CPU placement', withDomain({ cpu: { dedicatedCpuPlacement: true } })],
    ['spec.domain.launchSecurity: launch security', withDomain({ launchSecurity: { sev: {} } })],
    ['spec.domain.firmware.acpi: ACPI SLIC/MSDM tables', withDomain({ firmware: { acpi: { slicNameRef: 's' } } })],
    ['spec.domain.devices.gpus: GPU passthrough', withDevices({ gpus: [{ name: 'g', deviceName: 'nvidia' }] })],
    ['spec.domain.devices.hostDevices: host device passthrough', withDevices({ hostDevices: [{ name: 'h', deviceName: 'x' }] })],
    ['spec.domain.devices.filesystems: virtiofs', withDevices({ filesystems: [{ name: 'f', virtiofs: {} }] })],
    ['spec.domain.devices.sound: sound devices', withDevices({ sound: { name: 's' } })],
    ['spec.domain.devices.autoattachVSOCK: VSOCK', withDevices({ autoattachVSOCK: true })],
    ['spec.domain.devices.disks[0].changedBlockTracking', withDisk({ name: 'd', disk: { bus: 'virtio' }, changedBlockTracking: true })],
    ['spec.domain.devices.disks[0].lun.reservation', withDisk({ name: 'd', lun: { bus: 'scsi', reservation: true } })],
    ['spec.volumes[0].downwardMetrics', withSpec((s) => { s.volumes = [{ name: 'm', downwardMetrics: {} }]; })],
  ])('refuses %s', (message, option) => {
    expect(() => refuseUnsupported(newRawVmi(option), testContext(), emptyDomain())).toThrow(message);
  });
});
