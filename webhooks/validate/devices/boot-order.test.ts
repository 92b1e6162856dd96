import { describe, expect, it } from 'vitest';
import { CauseType } from '../../cause.js';
import { validateDiskVolumesAndBootOrder } from './boot-order.js';
import { causesOf, specWith, type DeniedCase } from './cases.testing.js';

const D = 'spec.domain.devices.disks';
const I = 'spec.domain.devices.interfaces';
const pvc = (name: string) => ({ name, persistentVolumeClaim: { claimName: `${name}-claim` } });
const metrics = (name: string) => ({ name, downwardMetrics: {} });

const denied: readonly DeniedCase[] = [
  { id: 'B22', title: 'a disk without a volume', spec: specWith({ disks: [{ name: 'root', disk: {} }] }), field: `${D}[0].name`, type: CauseType.Invalid, value: `${D}[0].name 'root' not found.` },
  { id: 'B22', title: 'a disk without a volume in a VM template', template: true, spec: specWith({ disks: [{ name: 'root', disk: {} }] }), field: 'spec.template.spec.domain.devices.disks[0].name', type: CauseType.Invalid, value: "'root'" },
  { id: 'B24', title: 'a lun on a containerDisk', spec: specWith({ disks: [{ name: 'root', lun: {} }] }, { volumes: [{ name: 'root', containerDisk: { image: 'img' } }] }), field: `${D}[0].lun`, type: CauseType.Invalid, value: '"root"' },
  { id: 'B25', title: 'a downwardMetrics volume on a cdrom', spec: specWith({ disks: [{ name: 'm', cdrom: {} }] }, { volumes: [metrics('m')] }), field: `${D}[0].disk`, type: CauseType.Required, value: '"m"' },
  { id: 'B26', title: 'a downwardMetrics volume on a sata disk', spec: specWith({ disks: [{ name: 'm', disk: { bus: 'sata' } }] }, { volumes: [metrics('m')] }), field: `${D}[0].disk.bus`, type: CauseType.Invalid, value: '"sata"' },
  {
    id: 'B27', title: 'two disks with boot order 1',
    spec: specWith({ disks: [{ name: 'a', disk: {}, bootOrder: 1 }, { name: 'b', disk: {}, bootOrder: 1 }] }, { volumes: [pvc('a'), pvc('b')] }),
    field: `${D}[1].bootOrder`, type: CauseType.Invalid, value: '1 is already used',
  },
  {
    id: 'B27', title: 'an interface with a disk\'s boot order',
    spec: specWith({ disks: [{ name: 'a', disk: {}, bootOrder: 2 }], interfaces: [{ name: 'default', bootOrder: 2 }] }, { volumes: [pvc('a')] }),
    field: `${I}[0].bootOrder`, type: CauseType.Invalid, value: '2 is already used',
  },
  { id: 'B28', title: 'an interface with boot order 0 (reported on its real field)', spec: specWith({ interfaces: [{ name: 'default', bootOrder: 0 }] }), field: `${I}[0].bootOrder`, type: CauseType.Invalid, value: 'not 0' },
];

describe('validateDiskVolumesAndBootOrder', () => {
  it.each(denied)('$id denies $title', (c) => {
    const causes = causesOf(validateDiskVolumesAndBootOrder, c);
    expect(causes).toEqual([expect.objectContaining({ field: c.field, type: c.type })]);
    expect(causes[0]?.message).toContain(c.value);
  });

  it.each([
    ['B22', 'disks with volumes', specWith({ disks: [{ name: 'a', disk: {} }] }, { volumes: [pvc('a')] })],
    ['B23', 'an empty CD-ROM with the DeclarativeHotplugVolumes gate off (kubevirt-ts implements empty drives)', specWith({ disks: [{ name: 'cd', cdrom: { bus: 'sata' } }] })],
    ['B24', 'a lun on a PVC and on a DataVolume', specWith({ disks: [{ name: 'a', lun: {} }, { name: 'b', lun: {} }] }, { volumes: [pvc('a'), { name: 'b', dataVolume: { name: 'dv' } }] })],
    ['B25/B26', 'a downwardMetrics volume on a virtio disk and on a bus-less disk', specWith({ disks: [{ name: 'm', disk: { bus: 'virtio' } }, { name: 'n', disk: {} }] }, { volumes: [metrics('m'), metrics('n')] })],
    ['B27', 'distinct boot orders across disks and interfaces', specWith({ disks: [{ name: 'a', disk: {}, bootOrder: 1 }], interfaces: [{ name: 'default', bootOrder: 2 }] }, { volumes: [pvc('a')] })],
    ['B28', 'an interface with boot order 1', specWith({ interfaces: [{ name: 'default', bootOrder: 1 }] })],
  ])('%s admits %s', (_id, _title, spec) => {
    expect(causesOf(validateDiskVolumesAndBootOrder, { spec })).toEqual([]);
    expect(causesOf(validateDiskVolumesAndBootOrder, { spec, cfg: { featureGates: ['DeclarativeHotplugVolumes'] } })).toEqual([]);
  });

  it('B28 does not record a bad interface boot order, so a later 0 is not also a duplicate', () => {
    const causes = causesOf(validateDiskVolumesAndBootOrder, { spec: specWith({ interfaces: [{ name: 'a', bootOrder: 0 }, { name: 'b', bootOrder: 0 }] }) });
    expect(causes.map((c) => c.field)).toEqual([`${I}[0].bootOrder`, `${I}[1].bootOrder`]);
    expect(causes.every((c) => c.message.includes('greater than 0'))).toBe(true);
  });

  it('B27 reports every later holder of a used boot order', () => {
    const spec = specWith({ disks: [{ name: 'a', disk: {}, bootOrder: 1 }, { name: 'b', disk: {}, bootOrder: 1 }], interfaces: [{ name: 'n', bootOrder: 1 }] }, { volumes: [pvc('a'), pvc('b')] });
    expect(causesOf(validateDiskVolumesAndBootOrder, { spec }).map((c) => c.field)).toEqual([`${D}[1].bootOrder`, `${I}[0].bootOrder`]);
  });
});
