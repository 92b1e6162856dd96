import { describe, expect, it } from 'vitest';
import type { Disk } from '../../crd-gen/index.js';
import { assignTargets, formatDeviceName } from './disk-targets.js';

describe('formatDeviceName', () => {
  it.each([[0, 'sda'], [25, 'sdz'], [26, 'sdaa'], [27, 'sdab'], [51, 'sdaz'], [52, 'sdba'], [701, 'sdzz'], [702, 'sdaaa']])('index %d → %s', (index, name) => {
    expect(formatDeviceName('sd', index)).toBe(name);
  });
});

const d = (name: string, bus: string, kind: 'disk' | 'cdrom' | 'lun' = 'disk'): Disk => ({ name, [kind]: { bus } }) as Disk;

describe('assignTargets', () => {
  it.each([
    ['virtio and sd spaces apart; sata, scsi and usb share sd', [d('a', 'virtio'), d('b', 'sata'), d('c', 'virtio'), d('e', 'scsi'), d('f', 'usb', 'cdrom'), d('g', 'scsi', 'lun')], [], ['vda', 'sda', 'vdb', 'sdb', 'sdc', 'sdd']],
    ['a target from status is kept and skipped by the others', [d('a', 'virtio'), d('b', 'virtio')], [{ name: 'b', target: 'vda' }], ['vdb', 'vda']],
    ['status targets of cdroms are not reserved (as in KubeVirt)', [d('a', 'sata'), d('b', 'sata', 'cdrom')], [{ name: 'b', target: 'sda' }], ['sda', 'sdb']],
    ['a kept target between free ones is stepped over', [d('a', 'sata'), d('b', 'sata'), d('c', 'sata'), d('e', 'sata')], [{ name: 'c', target: 'sdb' }], ['sda', 'sdc', 'sdb', 'sdd']],
  ])('%s', (_what, disks, statuses, names) => {
    expect(assignTargets(disks, statuses).map((t) => t.dev)).toEqual(names);
  });

  it.each([
    ['sdab', 27],
    ['sdz', 25],
    ['sdzz', 701],
    ['sdA', 0],
    ['sd', 0],
  ])('a kept target %s keeps its index %d (the SCSI unit); a name outside the sd space counts as 0', (target, index) => {
    expect(assignTargets([d('x', 'scsi')], [{ name: 'x', target }])).toEqual([{ dev: target, index }]);
  });

  it('goes past z to aa for the 27th sd disk, with index 26 (the SCSI unit)', () => {
    const targets = assignTargets(Array.from({ length: 28 }, (_, i) => d(`d${i}`, 'scsi')), []);
    expect(targets.slice(25)).toEqual([{ dev: 'sdz', index: 25 }, { dev: 'sdaa', index: 26 }, { dev: 'sdab', index: 27 }]);
  });
});
