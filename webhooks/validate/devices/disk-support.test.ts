import { describe, expect, it } from 'vitest';
import type { Disk } from '../../../crd-gen/index.js';
import { newVmi, withDisk } from '../../../test/builders/vmi.js';
import { CauseType } from '../../cause.js';
import { validateDiskSupport } from './disk-support.js';
import { causesOf, specWith, type DeniedCase } from './cases.testing.js';

const D = 'spec.domain.devices.disks';
const one = (disk: Omit<Disk, 'name'>) => specWith({ disks: [{ name: 'root', ...disk }] });
const NS = CauseType.NotSupported;

const denied: readonly DeniedCase[] = [
  { id: 'kvt-disk', title: 'changed block tracking', spec: one({ disk: {}, changedBlockTracking: true }), field: `${D}[0].changedBlockTracking`, type: NS, value: 'changed block tracking' },
  { id: 'kvt-disk', title: 'a lun disk', spec: one({ lun: { bus: 'scsi' } }), field: `${D}[0].lun`, type: NS, value: '"root"' },
  { id: 'kvt-disk', title: 'matchVolume with enabled unset', spec: one({ disk: {}, blockSize: { matchVolume: {} } }), field: `${D}[0].blockSize.matchVolume`, type: NS, value: 'block size' },
  { id: 'kvt-disk', title: 'a cdrom tray "ajar"', spec: one({ cdrom: { tray: 'ajar' } }), field: `${D}[0].cdrom.tray`, type: NS, value: '"ajar"' },
  { id: 'kvt-disk', title: 'a shareable disk with cache writeback', spec: one({ disk: {}, shareable: true, cache: 'writeback' }), field: `${D}[0].cache`, type: NS, value: '"writeback"' },
];

describe('validateDiskSupport', () => {
  it.each(denied)('$id denies $title', (c) => {
    const causes = causesOf(validateDiskSupport, c);
    expect(causes).toEqual([expect.objectContaining({ field: c.field, type: c.type })]);
    expect(causes[0]?.message).toContain(c.value);
    expect(causes[0]?.message).toContain('is not supported by kubevirt-ts');
  });

  it('kvt-disk refuses a lun and its SCSI reservation, one cause each', () => {
    const causes = causesOf(validateDiskSupport, { spec: one({ lun: { bus: 'scsi', reservation: true } }) });
    expect(causes.map((c) => [c.field, c.type])).toEqual([[`${D}[0].lun`, NS], [`${D}[0].lun.reservation`, NS]]);
  });

  it.each([
    ['a defaulted cdrom (tray closed) and disk', newVmi(withDisk({ name: 'cd', cdrom: {} }, { emptyDisk: { capacity: '1Gi' } }), withDisk({ name: 'd' }, { emptyDisk: { capacity: '1Gi' } })).spec],
    ['an open tray', one({ cdrom: { bus: 'sata', tray: 'open' } })],
    ['a shareable disk with cache none', one({ disk: {}, shareable: true, cache: 'none' })],
    ['a shareable disk without cache', one({ disk: {}, shareable: true })],
    ['matchVolume turned off', one({ disk: {}, blockSize: { matchVolume: { enabled: false } } })],
    ['changed block tracking off', one({ disk: {}, changedBlockTracking: false })],
  ])('kvt-disk admits %s', (_title, spec) => {
    expect(causesOf(validateDiskSupport, { spec })).toEqual([]);
  });
});
