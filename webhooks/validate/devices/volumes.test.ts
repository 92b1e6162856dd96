import { describe, expect, it } from 'vitest';
import type { Volume } from '../../../crd-gen/index.js';
import { CauseType } from '../../cause.js';
import { causesOf, specWith, type DeniedCase } from './cases.testing.js';
import { validateVolumes } from './volumes.js';

const V = 'spec.volumes';
const vols = (...volumes: Volume[]) => specWith({}, { volumes });
const empty = (name: string): Volume => ({ name, emptyDisk: { capacity: '1Gi' } });

const denied: readonly DeniedCase[] = [
  { id: 'B33', title: 'a repeated volume name', spec: vols(empty('a'), empty('b'), empty('a')), field: `${V}[2].name`, type: CauseType.Invalid, value: '"a"' },
  { id: 'B34', title: 'a DataVolume without a name (on the volume name)', spec: vols({ name: 'dv', dataVolume: { name: '' } }), field: `${V}[0].name`, type: CauseType.Required, value: '"dv"' },
  { id: 'B35', title: 'a volume with no source', spec: vols({ name: 'x' }), field: `${V}[0]`, type: CauseType.Invalid, value: 'none' },
  { id: 'B35', title: 'a volume with two sources', spec: vols({ name: 'x', emptyDisk: { capacity: '1Gi' }, containerDisk: { image: 'img' } }), field: `${V}[0]`, type: CauseType.Invalid, value: 'containerDisk, emptyDisk' },
  { id: 'B36', title: 'a containerDisk path of /', spec: vols({ name: 'c', containerDisk: { image: 'img', path: '/' } }), field: `${V}[0].containerDisk`, type: CauseType.Invalid, value: '"/"' },
  { id: 'B37', title: 'a relative containerDisk path', spec: vols({ name: 'c', containerDisk: { image: 'img', path: 'disk/img.qcow2' } }), field: `${V}[0].containerDisk`, type: CauseType.Invalid, value: '"disk/img.qcow2"' },
  { id: 'B37', title: 'a containerDisk path with ..', spec: vols({ name: 'c', containerDisk: { image: 'img', path: '/disk/../etc/shadow' } }), field: `${V}[0].containerDisk`, type: CauseType.Invalid, value: '"/disk/../etc/shadow"' },
  { id: 'B37', title: 'a containerDisk path with //', spec: vols({ name: 'c', containerDisk: { image: 'img', path: '/disk//a.img' } }), field: `${V}[0].containerDisk`, type: CauseType.Invalid, value: '"/disk//a.img"' },
  { id: 'B38', title: 'a downwardMetrics volume (gate rule; kubevirt-ts has no downward metrics)', spec: vols({ name: 'm', downwardMetrics: {} }), field: `${V}[0]`, type: CauseType.NotSupported, value: '"m"' },
  { id: 'B38', title: 'a downwardMetrics volume even with the DownwardMetrics gate on', cfg: { featureGates: ['DownwardMetrics'] }, spec: vols({ name: 'm', downwardMetrics: {} }), field: `${V}[0]`, type: CauseType.NotSupported, value: 'not supported by kubevirt-ts' },
  { id: 'B40', title: 'a hostDisk without a path', spec: vols({ name: 'h', hostDisk: { path: '', type: 'Disk' } }), field: `${V}[0].hostDisk.path`, type: CauseType.NotFound, value: 'hostDisk.path' },
  { id: 'B41', title: 'a hostDisk of type disk (wrong case)', spec: vols({ name: 'h', hostDisk: { path: '/data/h.img', type: 'disk' as 'Disk' } }), field: `${V}[0].hostDisk.type`, type: CauseType.Invalid, value: '"disk"' },
  { id: 'B42', title: 'a capacity on a hostDisk of type Disk', spec: vols({ name: 'h', hostDisk: { path: '/data/h.img', type: 'Disk', capacity: '1Gi' } }), field: `${V}[0].hostDisk.capacity`, type: CauseType.Invalid, value: '"1Gi"' },
  { id: 'B43', title: 'a configMap without a name', spec: vols({ name: 'cm', configMap: {} }), field: `${V}[0].configMap.name`, type: CauseType.Invalid, value: '"cm"' },
  { id: 'B43', title: 'a secret without a secretName', spec: vols({ name: 's', secret: { secretName: '' } }), field: `${V}[0].secret.secretName`, type: CauseType.Invalid, value: '"s"' },
  { id: 'B43', title: 'a serviceAccount without a serviceAccountName', spec: vols({ name: 'sa', serviceAccount: {} }), field: `${V}[0].serviceAccount.serviceAccountName`, type: CauseType.Invalid, value: '"sa"' },
  { id: 'B44', title: 'two serviceAccount volumes', spec: vols({ name: 'a', serviceAccount: { serviceAccountName: 'x' } }, { name: 'b', serviceAccount: { serviceAccountName: 'y' } }), field: V, type: CauseType.Invalid, value: '"a", "b"' },
  { id: 'B46', title: 'two memoryDump volumes', spec: vols({ name: 'a', memoryDump: { claimName: 'x' } }, { name: 'b', memoryDump: { claimName: 'y' } }), field: V, type: CauseType.Invalid, value: '"a", "b"' },
  { id: 'B47', title: 'utility volumes at creation', spec: specWith({}, { utilityVolumes: [] }), field: 'spec.utilityVolumes', type: CauseType.Invalid, value: '0 set' },
  { id: 'B33', title: 'a repeated name in a VM template', template: true, spec: vols(empty('a'), empty('a')), field: 'spec.template.spec.volumes[1].name', type: CauseType.Invalid, value: 'spec.template.spec.volumes[0]' },
];

describe('validateVolumes', () => {
  it.each(denied)('$id denies $title', (c) => {
    const causes = causesOf(validateVolumes, c);
    expect(causes).toEqual([expect.objectContaining({ field: c.field, type: c.type })]);
    expect(causes[0]?.message).toContain(c.value);
  });

  it('B33 names only the first earlier volume of the name', () => {
    const causes = causesOf(validateVolumes, { spec: vols(empty('a'), empty('a'), empty('a')) });
    expect(causes.map((c) => c.field)).toEqual([`${V}[1].name`, `${V}[2].name`]);
    expect(causes[1]?.message).toContain(`${V}[2] and ${V}[0]`);
  });

  it('B45 denies two downwardMetrics volumes once for the list (each also refused by B38)', () => {
    const causes = causesOf(validateVolumes, { spec: vols({ name: 'a', downwardMetrics: {} }, { name: 'b', downwardMetrics: {} }) });
    expect(causes.map((c) => [c.field, c.type])).toEqual([[`${V}[0]`, CauseType.NotSupported], [`${V}[1]`, CauseType.NotSupported], [V, CauseType.Invalid]]);
    expect(causes[2]?.message).toContain('downwardMetrics');
  });

  it.each([
    ['B33-B35', 'distinct volumes of one source each', vols(empty('a'), { name: 'b', persistentVolumeClaim: { claimName: 'c' } }, { name: 'dv', dataVolume: { name: 'dv' } })],
    ['B36/B37', 'an absolute clean containerDisk path, with one trailing slash dropped', vols({ name: 'c', containerDisk: { image: 'img', path: '/disk/a.img' } }, { name: 'd', containerDisk: { image: 'img', path: '/disk/' } })],
    ['B39', 'a hostDisk with the HostDisk gate off (kubevirt-ts implements host disks)', vols({ name: 'h', hostDisk: { path: '/data/h.img', type: 'DiskOrCreate', capacity: '1Gi' } })],
    ['B40-B42', 'a hostDisk of type Disk without capacity', vols({ name: 'h', hostDisk: { path: '/data/h.img', type: 'Disk' } })],
    ['B42', 'a hostDisk of type Disk with capacity 0', vols({ name: 'h', hostDisk: { path: '/data/h.img', type: 'Disk', capacity: '0' } })],
    ['B43', 'named configMap, secret and serviceAccount volumes', vols({ name: 'cm', configMap: { name: 'x' } }, { name: 's', secret: { secretName: 'y' } }, { name: 'sa', serviceAccount: { serviceAccountName: 'z' } })],
    ['B44-B46', 'one serviceAccount and one memoryDump volume', vols({ name: 'sa', serviceAccount: { serviceAccountName: 'z' } }, { name: 'dump', memoryDump: { claimName: 'c' } })],
    ['B47', 'no utility volumes', vols(empty('a'))],
  ])('%s admits %s', (_id, _title, spec) => {
    expect(causesOf(validateVolumes, { spec })).toEqual([]);
  });
});
