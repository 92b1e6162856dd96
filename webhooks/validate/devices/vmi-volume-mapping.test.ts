import { describe, expect, it } from 'vitest';
import { CauseType } from '../../cause.js';
import { causesOf, specWith, type DeniedCase } from './cases.testing.js';
import { validateVmiVolumeMapping } from './vmi-volume-mapping.js';

const V = 'spec.volumes';
const cp = (path: string) => ({ name: 'shared', containerPath: { path } });

const denied: readonly DeniedCase[] = [
  { id: 'B29', title: 'a volume no disk uses (reported on spec.volumes, not spec.domain.volumes)', spec: specWith({}, { volumes: [{ name: 'data', emptyDisk: { capacity: '1Gi' } }] }), field: `${V}[0].name`, type: CauseType.Invalid, value: `${V}[0].name 'data' not found.` },
  { id: 'B30', title: 'a containerPath volume used by a disk', spec: specWith({ disks: [{ name: 'shared', disk: {} }], filesystems: [{ name: 'shared', virtiofs: {} }] }, { volumes: [cp('/data')] }), field: `${V}[0]`, type: CauseType.Invalid, value: '"shared"' },
  { id: 'B32', title: 'a containerPath under /var/run/kubevirt', spec: specWith({ filesystems: [{ name: 'shared', virtiofs: {} }] }, { volumes: [cp('/var/run/kubevirt-private/x')] }), field: `${V}[0].containerPath.path`, type: CauseType.Invalid, value: '"/var/run/kubevirt-private/x"' },
  { id: 'B32', title: 'a containerPath under /var/run/libvirt', spec: specWith({ filesystems: [{ name: 'shared', virtiofs: {} }] }, { volumes: [cp('/var/run/libvirt')] }), field: `${V}[0].containerPath.path`, type: CauseType.Invalid, value: '/var/run/libvirt' },
];

describe('validateVmiVolumeMapping', () => {
  it.each(denied)('$id denies $title', (c) => {
    const causes = causesOf(validateVmiVolumeMapping, c);
    expect(causes).toEqual([expect.objectContaining({ field: c.field, type: c.type })]);
    expect(causes[0]?.message).toContain(c.value);
  });

  it('B31 denies a containerPath volume without a filesystem (and B29 then finds no user either)', () => {
    const causes = causesOf(validateVmiVolumeMapping, { spec: specWith({}, { volumes: [{ ...cp('/data'), name: 'x' }] }) });
    expect(causes.map((c) => [c.field, c.type])).toEqual([[`${V}[0].name`, CauseType.Invalid], [`${V}[0]`, CauseType.Invalid]]);
    expect(causes[1]?.message).toContain('"x" needs a filesystem');
  });

  it.each([
    ['B29', 'volumes used by a disk or a filesystem, and a memoryDump volume', specWith({ disks: [{ name: 'a' }], filesystems: [{ name: 'b', virtiofs: {} }] }, { volumes: [{ name: 'a', emptyDisk: { capacity: '1Gi' } }, { name: 'b', containerPath: { path: '/srv' } }, { name: 'dump', memoryDump: { claimName: 'c' } }] })],
    ['B30-B32', 'a containerPath volume on a filesystem outside the reserved directories', specWith({ filesystems: [{ name: 'shared', virtiofs: {} }] }, { volumes: [cp('/var/run/other')] })],
  ])('%s admits %s', (_id, _title, spec) => {
    expect(causesOf(validateVmiVolumeMapping, { spec })).toEqual([]);
  });

  it.each(denied)('$id is not checked on a VM template ($title)', (c) => {
    expect(causesOf(validateVmiVolumeMapping, { ...c, template: true })).toEqual([]);
  });
});
