import { describe, expect, it } from 'vitest';
import { ConversionError } from './errors.js';
import {
  checkDnsLabel,
  checkDnsSubdomain,
  checkHostPath,
  checkImagePath,
  checkVolumePath,
  dnsLabelProblem,
  dnsSubdomainProblem,
  hostPathProblem,
  imagePathProblem,
  isUnderRoot,
  joinInside,
  normalizeHostPath,
  volumePathProblem,
} from './paths.js';

describe('dnsLabelProblem', () => {
  it.each([
    ['rootdisk', undefined],
    ['a', undefined],
    ['disk-0', undefined],
    ['0disk', undefined],
    ['a'.repeat(63), undefined],
    ['', 'is empty'],
    ['a'.repeat(64), 'is longer than 63 characters'],
    ['Disk', 'DNS-1123 label'],
    ['-disk', 'DNS-1123 label'],
    ['disk-', 'DNS-1123 label'],
    ['my.disk', 'DNS-1123 label'],
    ['..', 'DNS-1123 label'],
    ['a/b', 'DNS-1123 label'],
    ['disk_0', 'DNS-1123 label'],
    ['disk\n', 'DNS-1123 label'],
  ])('%j → %s', (value, problem) => {
    const found = dnsLabelProblem(value);
    if (problem === undefined) expect(found).toBeUndefined();
    else expect(found).toContain(problem);
  });
});

describe('dnsSubdomainProblem', () => {
  it.each([
    ['my-claim', undefined],
    ['my.claim.v2', undefined],
    ['', 'is empty'],
    ['a'.repeat(254), 'longer than 253'],
    ['..', 'DNS-1123 subdomain'],
    ['.hidden', 'DNS-1123 subdomain'],
    ['a..b', 'DNS-1123 subdomain'],
    ['claim/../x', 'DNS-1123 subdomain'],
    ['Claim', 'DNS-1123 subdomain'],
  ])('%j → %s', (value, problem) => {
    const found = dnsSubdomainProblem(value);
    if (problem === undefined) expect(found).toBeUndefined();
    else expect(found).toContain(problem);
  });
});

describe('imagePathProblem and checkImagePath', () => {
  it.each([
    ['/boot/vmlinuz', 'boot/vmlinuz'],
    ['/boot//vmlinuz', 'boot/vmlinuz'],
    ['/boot/./vmlinuz', 'boot/vmlinuz'],
    ['//disk/disk.img', 'disk/disk.img'],
    ['/a/b.c/..d/e', 'a/b.c/..d/e'],
    ["/it's \"<&>\"", 'it\'s "<&>"'],
  ])('accepts %j as %j', (path, normalised) => {
    expect(imagePathProblem(path)).toBeUndefined();
    expect(checkImagePath('spec.volumes[0].containerDisk.path', path)).toBe(normalised);
  });

  it.each([
    ['', 'is empty'],
    ['boot/vmlinuz', 'must be absolute inside the image'],
    ['./boot/vmlinuz', 'must be absolute inside the image'],
    ['/boot/../etc/shadow', '".." segments'],
    ['/..', '".." segments'],
    ['/boot/..', '".." segments'],
    ['/', 'ends with "/"'],
    ['/./', 'ends with "/"'],
    ['/.', 'names the image root'],
    ['/boot/', 'ends with "/"'],
    ['/boot/vmlinuz\0', 'NUL'],
    ['/boot/vm\nlinuz', 'control character'],
    [`/${'a'.repeat(256)}`, 'segment longer than 255'],
    [`/${'a/'.repeat(2048)}b`, 'longer than 4095 bytes'],
  ])('refuses %j (%s)', (path, problem) => {
    expect(imagePathProblem(path)).toContain(problem);
    const field = 'spec.domain.firmware.kernelBoot.container.kernelPath';
    expect(() => checkImagePath(field, path)).toThrow(ConversionError);
    try {
      checkImagePath(field, path);
    } catch (e: unknown) {
      expect(e).toBeInstanceOf(ConversionError);
      expect((e as ConversionError).field).toBe(field);
      expect((e as ConversionError).message).toContain(problem);
    }
  });
});

describe('volumePathProblem and checkVolumePath', () => {
  it.each([
    ['labels', 'labels'],
    ['meta/labels', 'meta/labels'],
    ['./meta//labels', 'meta/labels'],
  ])('accepts %j as %j', (path, normalised) => {
    expect(volumePathProblem(path)).toBeUndefined();
    expect(checkVolumePath('spec.volumes[1].downwardAPI.fields[0].path', path)).toBe(normalised);
  });

  it.each([
    ['', 'is empty'],
    ['/labels', 'must be relative'],
    ['../labels', '".." segments'],
    ['a/../../b', '".." segments'],
    ['.', 'names the volume root'],
    ['./', 'ends with "/"'],
    ['meta/', 'ends with "/"'],
    ['a\0b', 'NUL'],
  ])('refuses %j (%s)', (path, problem) => {
    expect(volumePathProblem(path)).toContain(problem);
    expect(() => checkVolumePath('spec.volumes[1].downwardAPI.fields[0].path', path)).toThrow(/spec\.volumes\[1\]\.downwardAPI\.fields\[0\]\.path/);
  });
});

describe('isUnderRoot', () => {
  it.each([
    ['/data/disk.img', '/data', true],
    ['/data/vm/disk.img', '/data', true],
    ['/data/disk.img', '/data/', true],
    ['/data//disk.img', '/data', true],
    ['/data/./disk.img', '/data', true],
    ['/any/thing', '/', true],
    ['/data', '/data', false],
    ['/data/', '/data', false],
    ['/data2/disk.img', '/data', false],
    ['/dat/disk.img', '/data', false],
    ['/data-other/disk.img', '/data', false],
    ['/data/../etc/passwd', '/data', false],
    ['/data/x/../../etc', '/data', false],
    ['data/disk.img', '/data', false],
    ['/data/disk.img', 'data', false],
    ['/data/disk.img', '/data/..', false],
    ['/data/disk.img', '', false],
  ])('%j under %j is %s', (path, root, expected) => {
    expect(isUnderRoot(path, root)).toBe(expected);
  });
});

describe('hostPathProblem and checkHostPath', () => {
  const roots = ['/var/lib/kvt/host-disks', '/srv/vm/'];
  const field = 'spec.volumes[2].hostDisk.path';

  it.each([
    ['/var/lib/kvt/host-disks/a.img', '/var/lib/kvt/host-disks/a.img'],
    ['/var/lib/kvt/host-disks/dir/a.img', '/var/lib/kvt/host-disks/dir/a.img'],
    ['/srv/vm/a.img', '/srv/vm/a.img'],
    ['/srv//vm/./a.img', '/srv/vm/a.img'],
  ])('accepts %j as %j', (path, normalised) => {
    expect(hostPathProblem(path, roots)).toBeUndefined();
    expect(checkHostPath(field, path, roots)).toBe(normalised);
  });

  it.each([
    ['', 'is empty'],
    ['relative/a.img', 'must be an absolute path'],
    ['./srv/vm/a.img', 'must be an absolute path'],
    ['/srv/vm/../../etc/shadow', '".." segments'],
    ['/srv/vm/..', '".." segments'],
    ['/srv/vm/a/../b.img', '".." segments'],
    ['/srv/vm', 'is not under an allowed host-disk root'],
    ['/srv/vm/', 'ends with "/"'],
    ['/srv/vm2/a.img', 'is not under an allowed host-disk root'],
    ['/srv/v/a.img', 'is not under an allowed host-disk root'],
    ['/var/lib/kvt/host-disks-evil/a.img', 'is not under an allowed host-disk root'],
    ['/etc/shadow', 'is not under an allowed host-disk root (/var/lib/kvt/host-disks, /srv/vm)'],
    ['/srv/vm/a.img\0', 'NUL'],
    ['/srv/vm/a\n.img', 'control character'],
  ])('refuses %j (%s)', (path, problem) => {
    expect(hostPathProblem(path, roots)).toContain(problem);
    expect(() => checkHostPath(field, path, roots)).toThrow(ConversionError);
    expect(() => checkHostPath(field, path, roots)).toThrow(`${field}: `);
  });

  it('allows nothing without roots, and ignores roots that are not absolute or hold ".."', () => {
    expect(hostPathProblem('/srv/vm/a.img', [])).toContain('no allowed roots');
    expect(hostPathProblem('/srv/vm/a.img', ['srv', '/srv/x/../vm', ''])).toContain('no allowed roots');
    expect(hostPathProblem('/anything/a.img', ['/'])).toBeUndefined();
  });
});

describe('normalizeHostPath and joinInside', () => {
  it.each([
    ['/', '/'],
    ['//', '/'],
    ['/a/./b//', '/a/b'],
  ])('normalises %j to %j', (path, expected) => {
    expect(normalizeHostPath(path)).toBe(expected);
  });

  it('joins checked inside paths and refuses unchecked ones', () => {
    expect(joinInside('/store/img/rootfs', 'boot/vmlinuz')).toBe('/store/img/rootfs/boot/vmlinuz');
    expect(() => joinInside('/store/img/rootfs', '../x')).toThrow(/not a checked path/);
    expect(() => joinInside('/store/img/rootfs', '')).toThrow(/not a checked path/);
    expect(() => joinInside('/store/img/rootfs', 'a//b')).toThrow(/not a checked path/);
  });
});

describe('checkDnsLabel and checkDnsSubdomain', () => {
  it('returns good names and names the field for bad ones', () => {
    expect(checkDnsLabel('spec.volumes[0].name', 'rootdisk')).toBe('rootdisk');
    expect(checkDnsSubdomain('spec.volumes[0].persistentVolumeClaim.claimName', 'a.b')).toBe('a.b');
    expect(() => checkDnsLabel('spec.volumes[3].name', '../evil')).toThrow('spec.volumes[3].name: "../evil" must consist of');
    expect(() => checkDnsSubdomain('spec.volumes[0].dataVolume.name', 'a/b')).toThrow(/^spec\.volumes\[0\]\.dataVolume\.name: /);
  });
});
