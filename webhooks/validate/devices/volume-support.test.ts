import { describe, expect, it } from 'vitest';
import type { Volume } from '../../../crd-gen/index.js';
import { CauseType } from '../../cause.js';
import { imageRefProblem } from './image-ref.js';
import { causesOf, specWith, type DeniedCase } from './cases.testing.js';
import { validateVolumeSupport } from './volume-support.js';

const V = 'spec.volumes[0]';
const NS = CauseType.NotSupported;
const vols = (...volumes: Volume[]) => specWith({}, { volumes });
const one = (volume: Omit<Volume, 'name'>) => vols({ name: 'v', ...volume });
const dapi = (...fields: NonNullable<Volume['downwardAPI']>['fields'] & object) => one({ downwardAPI: { fields } });

const denied: readonly DeniedCase[] = [
  { id: 'kvt-volume', title: 'a volume name that is not a DNS label', spec: vols({ name: 'Data_1', emptyDisk: { capacity: '1Gi' } }), field: `${V}.name`, type: NS, value: '"Data_1"' },
  { id: 'kvt-volume', title: 'a sysprep volume naming no object', spec: one({ sysprep: {} }), field: `${V}.sysprep`, type: NS, value: 'neither configMap nor secret' },
  { id: 'kvt-volume', title: 'a sysprep volume naming two objects', spec: one({ sysprep: { configMap: { name: 'a' }, secret: { name: 'b' } } }), field: `${V}.sysprep`, type: NS, value: 'both configMap and secret' },
  { id: 'kvt-volume', title: 'a sysprep secret without a name', spec: one({ sysprep: { secret: {} } }), field: `${V}.sysprep.secret.name`, type: NS, value: 'without a name' },
  { id: 'kvt-volume', title: 'a containerPath volume', spec: one({ containerPath: { path: '/srv' } }), field: `${V}.containerPath`, type: NS, value: 'containerPath' },
  { id: 'kvt-volume', title: 'a memoryDump volume', spec: one({ memoryDump: { claimName: 'dump' } }), field: `${V}.memoryDump`, type: NS, value: 'memoryDump' },
  { id: 'kvt-volume', title: 'an upper-case image reference', spec: one({ containerDisk: { image: 'quay.io/KubeVirt/cirros' } }), field: `${V}.containerDisk.image`, type: NS, value: '"KubeVirt"' },
  { id: 'kvt-volume', title: 'an empty image reference', spec: one({ containerDisk: { image: '' } }), field: `${V}.containerDisk.image`, type: NS, value: 'is empty' },
  { id: 'kvt-volume', title: 'a containerDisk path ending in /', spec: one({ containerDisk: { image: 'img:1', path: '/disk/' } }), field: `${V}.containerDisk.path`, type: NS, value: '"/disk/"' },
  { id: 'kvt-volume', title: 'a containerDisk path with a control character', spec: one({ containerDisk: { image: 'img:1', path: '/disk/a\tb' } }), field: `${V}.containerDisk.path`, type: NS, value: 'control character' },
  { id: 'kvt-volume', title: 'a claim name with a slash', spec: one({ persistentVolumeClaim: { claimName: 'a/b' } }), field: `${V}.persistentVolumeClaim.claimName`, type: NS, value: '"a/b"' },
  { id: 'kvt-volume', title: 'a DataVolume name with upper case', spec: one({ dataVolume: { name: 'Golden' } }), field: `${V}.dataVolume.name`, type: NS, value: '"Golden"' },
  { id: 'kvt-volume', title: 'an ephemeral volume without a claim', spec: one({ ephemeral: {} }), field: `${V}.ephemeral.persistentVolumeClaim`, type: NS, value: 'ephemeral' },
  { id: 'kvt-volume', title: 'an ephemeral volume over an empty claim name', spec: one({ ephemeral: { persistentVolumeClaim: { claimName: '' } } }), field: `${V}.ephemeral.persistentVolumeClaim.claimName`, type: NS, value: 'is empty' },
  { id: 'kvt-volume', title: 'an emptyDisk of capacity 0', spec: one({ emptyDisk: { capacity: '0' } }), field: `${V}.emptyDisk.capacity`, type: NS, value: '"0"' },
  { id: 'kvt-volume', title: 'an emptyDisk of a malformed capacity', spec: one({ emptyDisk: { capacity: 'lots' } }), field: `${V}.emptyDisk.capacity`, type: NS, value: '"lots"' },
  { id: 'kvt-volume', title: 'a DiskOrCreate hostDisk without capacity', spec: one({ hostDisk: { path: '/data/d.img', type: 'DiskOrCreate' } }), field: `${V}.hostDisk.capacity`, type: NS, value: 'null' },
  { id: 'kvt-volume', title: 'a relative hostDisk path', spec: one({ hostDisk: { path: 'data/d.img', type: 'Disk' } }), field: `${V}.hostDisk.path`, type: NS, value: '"data/d.img"' },
  { id: 'kvt-volume', title: 'a hostDisk path with ..', spec: one({ hostDisk: { path: '/data/../etc/shadow', type: 'Disk' } }), field: `${V}.hostDisk.path`, type: NS, value: '".."' },
  { id: 'kvt-volume', title: 'a 33-character config map volume label', spec: one({ configMap: { name: 'cm', volumeLabel: 'L'.repeat(33) } }), field: `${V}.configMap.volumeLabel`, type: NS, value: `"${'L'.repeat(33)}"` },
  { id: 'kvt-volume', title: 'a downwardAPI resourceFieldRef', spec: dapi({ path: 'cpu', resourceFieldRef: { resource: 'limits.cpu' } }), field: `${V}.downwardAPI.fields[0].resourceFieldRef`, type: NS, value: '"limits.cpu"' },
  { id: 'kvt-volume', title: 'a downwardAPI file without fieldRef', spec: dapi({ path: 'x' }), field: `${V}.downwardAPI.fields[0].fieldRef`, type: NS, value: 'without fieldRef' },
  { id: 'kvt-volume', title: 'a downwardAPI field the launcher cannot fill', spec: dapi({ path: 'node', fieldRef: { fieldPath: 'spec.nodeName' } }), field: `${V}.downwardAPI.fields[0].fieldRef.fieldPath`, type: NS, value: '"spec.nodeName"' },
  { id: 'kvt-volume', title: 'an absolute downwardAPI path', spec: dapi({ path: '/etc/labels', fieldRef: { fieldPath: 'metadata.labels' } }), field: `${V}.downwardAPI.fields[0].path`, type: NS, value: '"/etc/labels"' },
  { id: 'kvt-volume', title: 'a downwardAPI file mode above 0777', spec: dapi({ path: 'n', mode: 0o1777, fieldRef: { fieldPath: 'metadata.name' } }), field: `${V}.downwardAPI.fields[0].mode`, type: NS, value: '1023' },
  {
    id: 'kvt-volume', title: 'a downwardAPI path that is another file\'s directory',
    spec: dapi({ path: 'meta', fieldRef: { fieldPath: 'metadata.name' } }, { path: 'meta/labels', fieldRef: { fieldPath: 'metadata.labels' } }),
    field: `${V}.downwardAPI.fields[1].path`, type: NS, value: `${V}.downwardAPI.fields[0].path`,
  },
  { id: 'kvt-volume', title: 'a cloud-init secretRef without a name', spec: one({ cloudInitNoCloud: { userData: 'u', secretRef: {} } }), field: `${V}.cloudInitNoCloud.secretRef.name`, type: NS, value: '{}' },
  { id: 'kvt-volume', title: 'a cloud-init networkDataSecretRef with an empty name', spec: one({ cloudInitConfigDrive: { userData: 'u', networkDataSecretRef: { name: '' } } }), field: `${V}.cloudInitConfigDrive.networkDataSecretRef.name`, type: NS, value: '{"name":""}' },
];

describe('validateVolumeSupport', () => {
  it.each(denied)('$id denies $title', (c) => {
    const causes = causesOf(validateVolumeSupport, c);
    expect(causes).toEqual([expect.objectContaining({ field: c.field, type: c.type })]);
    expect(causes[0]?.message).toContain(c.value);
    expect(causes[0]?.message).toContain('is not supported by kubevirt-ts');
  });

  it.each([
    ['container disks with host, port, tag and digest', vols(
      { name: 'a', containerDisk: { image: 'quay.io/kubevirt/cirros-container-disk-demo:latest' } },
      { name: 'b', containerDisk: { image: 'registry:5000/kubevirt/fedora-cloud-container-disk-demo:devel', path: '/disk/fedora.qcow2' } },
      { name: 'c', containerDisk: { image: `localhost/demo@sha256:${'a'.repeat(64)}` } },
    )],
    ['claims, DataVolumes and ephemeral overlays with DNS names', vols(
      { name: 'a', persistentVolumeClaim: { claimName: 'disk.alpine' } }, { name: 'b', dataVolume: { name: 'dv-1' } },
      { name: 'c', ephemeral: { persistentVolumeClaim: { claimName: 'golden' } } },
    )],
    ['an emptyDisk and a DiskOrCreate hostDisk with sizes', vols({ name: 'a', emptyDisk: { capacity: '2Gi' } }, { name: 'b', hostDisk: { path: '/data/b.img', type: 'DiskOrCreate', capacity: '1Gi' } })],
    ['config disks with labels', vols({ name: 'a', configMap: { name: 'cm', volumeLabel: 'CONFIG' } }, { name: 'b', secret: { secretName: 's', volumeLabel: 'cfgdata' } })],
    ['downwardAPI files the launcher fills', dapi(
      { path: 'name', fieldRef: { fieldPath: 'metadata.name' } }, { path: 'labels/app', fieldRef: { fieldPath: "metadata.labels['app']" }, mode: 0o600 },
      { path: 'labels/all', fieldRef: { fieldPath: 'metadata.labels' } },
    )],
    ['one NoCloud and one ConfigDrive volume', vols({ name: 'a', cloudInitNoCloud: { userData: 'u' } }, { name: 'b', cloudInitConfigDrive: { secretRef: { name: 's' } } })],
    ['two NoCloud volumes (KubeVirt admits them; the first one\'s data is on both)', vols({ name: 'a', cloudInitNoCloud: { userData: 'u' } }, { name: 'b', cloudInitNoCloud: { userData: 'v' } })],
    ['sysprep volumes from a ConfigMap and from a Secret', vols({ name: 'a', sysprep: { configMap: { name: 'unattend' } } }, { name: 'b', sysprep: { secret: { name: 'unattend' } } })],
  ])('kvt-volume admits %s', (_title, spec) => {
    expect(causesOf(validateVolumeSupport, { spec })).toEqual([]);
  });

  it('kvt-volume leaves containerDisk paths KubeVirt already refuses (B36, B37) to that rule', () => {
    expect(causesOf(validateVolumeSupport, { spec: one({ containerDisk: { image: 'img:1', path: '/a/../b' } }) })).toEqual([]);
  });

  it.each([
    ['a', undefined], ['ns/a:1.0', undefined], ['host.io:5000/a/b_c__d-e:tag', undefined],
    ['/abs', 'starts with "/" (an image reference is not a path)'], ['a//b', 'has an empty name component'], ['a:..', 'has a "." or ".." segment'],
    ['a:-x', 'has the tag "-x", where a tag is letters, digits, "_", "." or "-" (at most 128, not starting with "." or "-")'],
    ['a@md5:12', 'has the digest "md5:12", where a digest looks like sha256:<hex digits>'], ['bad_host:x/a', 'names "bad_host:x", which is not a valid registry host'],
    ['Demo', 'has the name component "Demo", where components must be lowercase letters and digits, separated by ".", "_", "__" or "-"'],
  ])('imageRefProblem(%j) is %j', (ref, problem) => {
    expect(imageRefProblem(ref)).toBe(problem);
  });
});
