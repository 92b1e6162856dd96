import { describe, expect, it } from 'vitest';
import type { Disk } from '../../../crd-gen/index.js';
import { newVmi, withDisk } from '../../../test/builders/vmi.js';
import { CauseType } from '../../cause.js';
import { validateDisks } from './disks.js';
import { causesOf, specWith, type DeniedCase } from './cases.testing.js';

const D = 'spec.domain.devices.disks';
const disks = (...list: Disk[]) => specWith({ disks: list });
const one = (disk: Omit<Disk, 'name'>) => disks({ name: 'root', ...disk });

const denied: readonly DeniedCase[] = [
  { id: 'B01', title: 'a repeated disk name', spec: disks({ name: 'a', disk: {} }, { name: 'a', cdrom: {} }), field: `${D}[1].name`, type: CauseType.Invalid, value: '"a"' },
  { id: 'B02', title: 'two target types on one disk', spec: one({ disk: {}, cdrom: {} }), field: `${D}[0]`, type: CauseType.Invalid, value: 'disk, cdrom' },
  { id: 'B03', title: 'a PCI address on the sata bus', spec: one({ disk: { bus: 'sata', pciAddress: '0000:00:05.0' } }), field: `${D}[0].disk.pciAddress`, type: CauseType.Invalid, value: '"0000:00:05.0"' },
  { id: 'B03', title: 'a PCI address with no bus', spec: one({ disk: { pciAddress: '0000:00:05.0' } }), field: `${D}[0].disk.pciAddress`, type: CauseType.Invalid, value: '""' },
  { id: 'B04', title: 'a malformed PCI address', spec: one({ disk: { bus: 'virtio', pciAddress: '0000:00:05.8' } }), field: `${D}[0].disk.pciAddress`, type: CauseType.Invalid, value: '"0000:00:05.8"' },
  { id: 'B05', title: 'boot order 0', spec: one({ disk: {}, bootOrder: 0 }), field: `${D}[0].bootOrder`, type: CauseType.Invalid, value: 'not 0' },
  { id: 'B06', title: 'the ide bus', spec: one({ cdrom: { bus: 'ide' } }), field: `${D}[0].cdrom.bus`, type: CauseType.Invalid, value: '"ide"' },
  { id: 'B07', title: 'a virtio cdrom', spec: one({ cdrom: { bus: 'virtio' } }), field: `${D}[0].cdrom.bus`, type: CauseType.Invalid, value: '"virtio"' },
  { id: 'B08', title: 'a read-only sata hard disk', spec: one({ disk: { bus: 'sata', readonly: true } }), field: `${D}[0].disk.bus`, type: CauseType.Invalid, value: '"sata"' },
  { id: 'B09', title: 'an unknown bus', spec: one({ lun: { bus: 'floppy' as 'usb' } }), field: `${D}[0].lun.bus`, type: CauseType.Invalid, value: '"floppy"' },
  { id: 'B10', title: 'a dedicated IOThread on sata', spec: one({ disk: { bus: 'sata' }, dedicatedIOThread: true }), field: `${D}[0]`, type: CauseType.NotSupported, value: '"sata"' },
  { id: 'B10', title: 'a dedicated IOThread with no bus', spec: one({ disk: {}, dedicatedIOThread: true }), field: `${D}[0]`, type: CauseType.NotSupported, value: '""' },
  { id: 'B11', title: 'a serial with a space', spec: one({ disk: {}, serial: 'my disk' }), field: `${D}[0].serial`, type: CauseType.Invalid, value: '"my disk"' },
  { id: 'B12', title: 'a serial of 257 characters', spec: one({ disk: {}, serial: 'x'.repeat(257) }), field: `${D}[0].serial`, type: CauseType.Invalid, value: '257' },
  { id: 'B13', title: 'cache directsync', spec: one({ disk: {}, cache: 'directsync' as 'none' }), field: `${D}[0].cache`, type: CauseType.Invalid, value: '"directsync"' },
  { id: 'B14', title: 'io mode default', spec: one({ disk: {}, io: 'default' as 'native' }), field: `${D}[0].io`, type: CauseType.NotSupported, value: '"default"' },
  { id: 'B15', title: 'error policy halt', spec: one({ disk: {}, errorPolicy: 'halt' as 'stop' }), field: `${D}[0].errorPolicy`, type: CauseType.Invalid, value: '"halt"' },
  { id: 'B15', title: 'an empty error policy', spec: one({ disk: {}, errorPolicy: '' as 'stop' }), field: `${D}[0].errorPolicy`, type: CauseType.Invalid, value: '""' },
  { id: 'B16', title: 'an upper-case disk name', spec: disks({ name: 'Root', disk: {} }), field: `${D}[0].name`, type: CauseType.Invalid, value: '"Root"' },
  { id: 'B16', title: 'a 64-character disk name', spec: disks({ name: 'a'.repeat(64), disk: {} }), field: `${D}[0].name`, type: CauseType.Invalid, value: '63' },
  { id: 'B17', title: 'custom sizes with matchVolume unset-enabled', spec: one({ disk: {}, blockSize: { custom: { logical: 512, physical: 512 }, matchVolume: {} } }), field: `${D}[0].blockSize`, type: CauseType.Invalid, value: 'matchVolume.enabled is unset' },
  { id: 'B18', title: 'logical above physical', spec: one({ disk: {}, blockSize: { custom: { logical: 4096, physical: 512 } } }), field: `${D}[0].blockSize.custom.logical`, type: CauseType.Invalid, value: '4096' },
  { id: 'B19', title: 'sata with logical 4096', spec: one({ disk: { bus: 'sata' }, blockSize: { custom: { logical: 4096, physical: 4096 } } }), field: `${D}[0].blockSize.custom.logical`, type: CauseType.Invalid, value: '4096' },
  { id: 'B20', title: 'a discard granularity that is no multiple', spec: one({ disk: {}, blockSize: { custom: { logical: 4096, physical: 4096, discardGranularity: 6000 } } }), field: `${D}[0].blockSize.custom.discardGranularity`, type: CauseType.Invalid, value: '6000' },
  { id: 'B21', title: 'a logical size below 512', spec: one({ disk: {}, blockSize: { custom: { logical: 256, physical: 512 } } }), field: `${D}[0].blockSize.custom.logical`, type: CauseType.Invalid, value: '256' },
  { id: 'B21', title: 'a physical size above 2 MiB', spec: one({ disk: {}, blockSize: { custom: { logical: 512, physical: 4194304 } } }), field: `${D}[0].blockSize.custom.physical`, type: CauseType.Invalid, value: '4194304' },
  { id: 'B21', title: 'a physical size that is no power of 2', spec: one({ disk: {}, blockSize: { custom: { logical: 512, physical: 1536 } } }), field: `${D}[0].blockSize.custom.physical`, type: CauseType.Invalid, value: '1536' },
  { id: 'B16', title: 'a bad name in a VM template', spec: disks({ name: 'disk_1', disk: {} }), template: true, field: 'spec.template.spec.domain.devices.disks[0].name', type: CauseType.Invalid, value: '"disk_1"' },
];

const admitted: readonly (readonly [string, string, ReturnType<typeof specWith>])[] = [
  ['B01', 'distinct names', disks({ name: 'a', disk: {} }, { name: 'b', disk: {} })],
  ['B02', 'no target type (defaults to disk)', one({})],
  ['B03/B04', 'a PCI address on virtio', one({ disk: { bus: 'virtio', pciAddress: '0000:00:0a.7' } })],
  ['B05', 'boot order 1', one({ disk: {}, bootOrder: 1 })],
  ['B06-B09', 'every known bus', disks({ name: 'a', disk: { bus: 'virtio' } }, { name: 'b', lun: { bus: 'scsi' } }, { name: 'c', cdrom: { bus: 'sata' } }, { name: 'd', disk: { bus: 'usb' } })],
  ['B08', 'a read-only virtio disk and a sata cdrom', disks({ name: 'a', disk: { bus: 'virtio', readonly: true } }, { name: 'b', cdrom: { bus: 'sata', readonly: true } })],
  ['B10', 'a dedicated IOThread on virtio', one({ disk: { bus: 'virtio' }, dedicatedIOThread: true })],
  ['B11/B12', 'a 256-character serial of allowed characters', one({ disk: {}, serial: 'A-z_0.9+'.repeat(32) })],
  ['B13-B15', 'known cache, io and error policy', one({ disk: {}, cache: 'writeback', io: 'threads', errorPolicy: 'enospace' })],
  ['B16', 'a 63-character DNS label', disks({ name: `a${'-'.repeat(61)}z`, disk: {} })],
  ['B17', 'custom sizes with matchVolume disabled', one({ disk: {}, blockSize: { custom: { logical: 512, physical: 4096 }, matchVolume: { enabled: false } } })],
  ['B18-B21', 'custom 4096/4096 with granularity 8192', one({ disk: { bus: 'virtio' }, blockSize: { custom: { logical: 4096, physical: 4096, discardGranularity: 8192 } } })],
  ['B19', 'sata with logical 512', one({ disk: { bus: 'sata' }, blockSize: { custom: { logical: 512, physical: 4096 } } })],
];

describe('validateDisks', () => {
  it.each(denied)('$id denies $title', (c) => {
    const causes = causesOf(validateDisks, c);
    expect(causes).toEqual([expect.objectContaining({ field: c.field, type: c.type })]);
    expect(causes[0]?.message).toContain(c.value);
  });

  it.each(admitted)('%s admits %s', (_id, _title, spec) => {
    expect(causesOf(validateDisks, { spec })).toEqual([]);
  });

  it('B01 reports a third disk once for each earlier disk of its name', () => {
    const causes = causesOf(validateDisks, { spec: disks({ name: 'a', disk: {} }, { name: 'a', disk: {} }, { name: 'a', disk: {} }) });
    expect(causes.map((c) => [c.field, c.message.includes(`${D}[0]`) || c.message.includes(`${D}[1]`)])).toEqual([
      [`${D}[1].name`, true], [`${D}[2].name`, true], [`${D}[2].name`, true],
    ]);
  });

  it('B01 names at most three earlier disks of a name and counts the rest: linear in the list', () => {
    const same = Array.from({ length: 6 }, () => ({ name: 'a', disk: {} }));
    const causes = causesOf(validateDisks, { spec: disks(...same) });
    expect(causes.filter((c) => c.field === `${D}[5].name`).map((c) => c.message)).toEqual([
      expect.stringContaining(`${D}[5] and ${D}[0] must not share`),
      expect.stringContaining(`${D}[5] and ${D}[1] must not share`),
      expect.stringContaining(`${D}[5] and ${D}[2] (and 2 more earlier disks) must not share`),
    ]);
    expect(causes).toHaveLength(1 + 2 + 3 + 3 + 3);
  });

  it('B03 and B04 both report a malformed address off the virtio bus', () => {
    const causes = causesOf(validateDisks, { spec: one({ disk: { bus: 'scsi', pciAddress: 'slot-5' } }) });
    expect(causes.map((c) => c.field)).toEqual([`${D}[0].disk.pciAddress`, `${D}[0].disk.pciAddress`]);
  });

  it('B21 checks logical and physical, one cause each', () => {
    const causes = causesOf(validateDisks, { spec: one({ disk: {}, blockSize: { custom: { logical: 3000, physical: 3000 } } }) });
    expect(causes.map((c) => c.field)).toEqual([`${D}[0].blockSize.custom.logical`, `${D}[0].blockSize.custom.physical`]);
  });

  it('B10 refuses a dedicated IOThread on a defaulted (sata) disk', () => {
    const spec = newVmi(withDisk({ name: 'root', dedicatedIOThread: true }, { emptyDisk: { capacity: '1Gi' } })).spec;
    expect(causesOf(validateDisks, { spec }).map((c) => c.message)).toEqual([expect.stringContaining('"sata"')]);
  });

  it('does not change its input', () => {
    const spec = one({ disk: { bus: 'ide' as 'sata' }, bootOrder: 0 });
    const before = structuredClone(spec);
    causesOf(validateDisks, { spec });
    expect(spec).toEqual(before);
  });
});
