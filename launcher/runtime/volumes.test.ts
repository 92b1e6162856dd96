// Volume preparation with the real tools: qemu-img overlays and empty disks, genisoimage ISOs read
// back with isoinfo, the QEMU user's grants (we run as root, as CI does), the base image untouched,
// and cleanup leaving nothing. Skips only outside CI when a tool is missing; under CI=true a missing
// tool fails.
import { lstat, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { staticObjectSource, type StaticObjects } from '../volumes/index.js';
import { ensureUnprivilegedUser, type UnprivilegedUser } from './unprivileged-user.js';
import {
  TEST_IMAGE, checksum, diskInfo, haveTools, isoFile, isoListing, isoVolumeId, makeClaim, makeVolumeHost, runAs, testVmi, type VolumeHost,
} from './volumes.testing.js';
import { prepareVolumes, type PrepareVolumesOptions } from './volumes.js';
import { IN_CI } from '../../test/fixtures/host.js';

const TOOLS = ['qemu-img', 'qemu-io', 'genisoimage', 'isoinfo', 'setpriv'];
const AS_ROOT = process.getuid?.() === 0;
const HOSTILE = `#!/bin/sh\necho '"<>&' ]]> \n$(rm -rf /) \`touch /tmp/pwned\`\n`;

const OBJECTS: StaticObjects = {
  secrets: {
    'ns1/ud': { stringData: { userData: HOSTILE, other: 'x' } },
    'ns1/creds': { stringData: { username: 'admin', 'pass word': "p'\"<>&]]>" } },
  },
  configMaps: {
    'ns1/app': { data: { "'\"<>&": 'quotes', ']]>': 'cdata-end', 'new\nline': 'newline', '$(rm -rf ~)x': HOSTILE } },
  },
  serviceAccounts: { 'ns1/default': { token: 'tok.en', caCrt: '-----BEGIN CERTIFICATE-----\n' } },
};

function modeOf(info: { mode: number }): number {
  return info.mode & 0o7777;
}

describe.skipIf(!IN_CI && !haveTools(TOOLS))('prepareVolumes with qemu-img and genisoimage', () => {
  let host: VolumeHost;
  let user: UnprivilegedUser | undefined;
  let options: PrepareVolumesOptions;

  beforeEach(async () => {
    host = await makeVolumeHost();
    user = AS_ROOT ? await ensureUnprivilegedUser() : undefined;
    options = {
      vmiDir: host.vmiDir, volumeStore: host.volumeStore, hostDiskRoots: [host.hostDiskRoot],
      imageStore: host.imageStore, objects: staticObjectSource(OBJECTS), ...(user === undefined ? {} : { qemuUser: user }),
    };
  });

  afterEach(async () => {
    await rm(host.root, { recursive: true, force: true });
  });

  it('prepares every kind, grants only the QEMU user, never writes a base, and cleans up to nothing', async () => {
    const claim = await makeClaim(host, 'ns1', 'data');
    const golden = await makeClaim(host, 'ns1', 'golden');
    const hostDisk = join(host.hostDiskRoot, 'existing.img');
    await writeFile(hostDisk, Buffer.alloc(4096, 1));
    const base = host.image.disk?.path ?? '';
    const [baseSum, goldenSum, baseOwner] = [await checksum(base), await checksum(golden), await stat(base)];
    const vmi = testVmi([
      { name: 'rootdisk', containerDisk: { image: TEST_IMAGE } },
      { name: 'eph', ephemeral: { persistentVolumeClaim: { claimName: 'golden' } } },
      { name: 'scratch', emptyDisk: { capacity: '64Mi' } },
      { name: 'data', persistentVolumeClaim: { claimName: 'data' } },
      { name: 'host', hostDisk: { path: hostDisk, type: 'Disk' } },
      { name: 'cloudinit', cloudInitNoCloud: { secretRef: { name: 'ud' }, networkData: 'version: 2\n' } },
      { name: 'cm', configMap: { name: 'app', volumeLabel: 'APPCFG' } },
      { name: 'sec', secret: { secretName: 'creds' } },
      { name: 'sa', serviceAccount: { serviceAccountName: 'default' } },
      { name: 'dapi', downwardAPI: { fields: [{ path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } }] } },
    ], { domain: { devices: { disks: [
      { name: 'rootdisk', disk: {} }, { name: 'eph', disk: {} }, { name: 'scratch', disk: {} }, { name: 'data', disk: {} }, { name: 'host', disk: {} },
      { name: 'cloudinit', disk: {} }, { name: 'cm', cdrom: {} }, { name: 'sec', disk: { readonly: true } }, { name: 'sa', disk: {} }, { name: 'dapi', disk: {} },
    ] }, firmware: { uuid: '5d307ca9-b3ef-428c-8861-06e72d69f223', kernelBoot: { container: { image: TEST_IMAGE, kernelPath: '/boot/vmlinuz', initrdPath: '/boot/initrd.img' } } } } });

    const prepared = await prepareVolumes(vmi, options);
    const v = prepared.volumes;
    const D = host.vmiDir;
    expect(Object.fromEntries(Object.entries(v).map(([k, s]) => [k, s.path]))).toEqual({
      rootdisk: `${D}/disk-data/rootdisk/disk.qcow2`, eph: `${D}/disk-data/eph/disk.qcow2`, scratch: `${D}/empty-disks/scratch.qcow2`,
      data: claim, host: hostDisk, cloudinit: `${D}/cloud-init/noCloud.iso`, cm: `${D}/config-map-disks/cm.iso`,
      sec: `${D}/secret-disks/sec.iso`, sa: `${D}/service-account-disk/service-account.iso`, dapi: `${D}/downwardapi-disks/dapi.iso`,
    });
    expect(prepared.kernelBoot).toEqual({ kernel: join(host.image.dir, 'boot/vmlinuz'), initrd: join(host.image.dir, 'boot/initrd.img') });

    // Overlays name their base read-only; the empty disk has its capacity.
    expect(await diskInfo(v['rootdisk']?.path ?? '', user)).toMatchObject({ format: 'qcow2', 'backing-filename': base, 'backing-filename-format': 'raw' });
    expect(await diskInfo(v['eph']?.path ?? '', user)).toMatchObject({ format: 'qcow2', 'backing-filename': golden, 'backing-filename-format': 'raw' });
    expect(await diskInfo(v['scratch']?.path ?? '', user)).toMatchObject({ format: 'qcow2', 'virtual-size': 64 * 2 ** 20 });

    // ISOs: volume ids and contents, hostile bytes kept as data.
    const ci = v['cloudinit']?.path ?? '';
    expect(await isoVolumeId(ci)).toBe('cidata');
    expect(await isoListing(ci)).toEqual(['/meta-data', '/network-config', '/user-data']);
    expect((await isoFile(ci, '/user-data')).toString()).toBe(HOSTILE);
    expect((await isoFile(ci, '/meta-data')).toString()).toBe('instance-id: 5d307ca9-b3ef-428c-8861-06e72d69f223\nlocal-hostname: testvmi\n');
    expect((await isoFile(ci, '/network-config')).toString()).toBe('version: 2\n');
    const cm = v['cm']?.path ?? '';
    expect(await isoVolumeId(cm)).toBe('APPCFG');
    // The listing is one name per line, so "new\nline" shows as "/new" then "line".
    expect(await isoListing(cm)).toEqual(['/$(rm -rf ~)x', "/'\"<>&", '/]]>', '/new', 'line'].sort());
    expect((await isoFile(cm, "/'\"<>&")).toString()).toBe('quotes');
    expect((await isoFile(cm, '/]]>')).toString()).toBe('cdata-end');
    expect((await isoFile(cm, '/new\nline')).toString()).toBe('newline');
    expect((await isoFile(cm, '/$(rm -rf ~)x')).toString()).toBe(HOSTILE);
    await expect(stat('/tmp/pwned')).rejects.toThrow();
    const sec = v['sec']?.path ?? '';
    expect(await isoVolumeId(sec)).toBe('cfgdata');
    expect((await isoFile(sec, '/pass word')).toString()).toBe("p'\"<>&]]>");
    expect(await isoListing(v['sa']?.path ?? '')).toEqual(['/ca.crt', '/namespace', '/token']);
    expect((await isoFile(v['sa']?.path ?? '', '/namespace')).toString()).toBe('ns1');
    expect((await isoFile(v['dapi']?.path ?? '', '/labels')).toString()).toBe('app="web"');

    if (user !== undefined) {
      const qemu = user;
      // Prepared files are the QEMU user's alone: 0600 when QEMU writes them, 0400 for the cdrom and the read-only disk.
      for (const [name, mode] of [['rootdisk', 0o600], ['eph', 0o600], ['scratch', 0o600], ['cloudinit', 0o600], ['cm', 0o400], ['sec', 0o400], ['sa', 0o600], ['dapi', 0o600], ['data', 0o600], ['host', 0o600]] as const) {
        const info = await stat(v[name]?.path ?? '');
        expect([name, info.uid, modeOf(info)]).toEqual([name, qemu.uid, mode]);
      }
      // Directories we made are root's, group QEMU's, 0750: QEMU can enter, never replace an entry.
      for (const dir of ['disk-data', 'disk-data/rootdisk', 'empty-disks', 'cloud-init', 'config-map-disks']) {
        const info = await stat(join(D, dir));
        expect([dir, info.uid, info.gid, modeOf(info)]).toEqual([dir, 0, qemu.gid, 0o750]);
      }
      // The base keeps its owner; QEMU may read it (and the kernel) but not write it.
      const baseNow = await stat(base);
      expect([baseNow.uid, baseNow.gid, modeOf(baseNow) & 0o077]).toEqual([baseOwner.uid, qemu.gid, 0o040]);
      expect(await runAs(qemu, ['head', '-c', '1', base])).toBe(0);
      expect(await runAs(qemu, ['head', '-c', '1', prepared.kernelBoot?.kernel ?? ''])).toBe(0);
      expect(await runAs(qemu, ['sh', '-c', 'echo x >> "$1"', 'sh', base])).not.toBe(0);
      expect(await runAs(qemu, ['ls', join(host.imageStore.root, '.blobs')])).not.toBe(0);
      // QEMU, as its user, writes the overlays: the bases do not change.
      expect(await runAs(qemu, ['qemu-io', '-f', 'qcow2', '-c', 'write -P 0xab 0 128k', v['rootdisk']?.path ?? ''])).toBe(0);
      expect(await runAs(qemu, ['qemu-io', '-f', 'qcow2', '-c', 'write -P 0xcd 0 128k', v['eph']?.path ?? ''])).toBe(0);
    }
    expect(await checksum(base)).toBe(baseSum);
    expect(await checksum(golden)).toBe(goldenSum);
    expect(await readdir(join(D))).not.toContain('staging');

    await prepared.cleanup();
    expect(await readdir(D)).toEqual([]);
    await prepared.cleanup();
    expect((await lstat(claim)).isFile()).toBe(true);
    expect((await lstat(hostDisk)).isFile()).toBe(true);
    expect((await lstat(base)).isFile()).toBe(true);
    expect(await checksum(base)).toBe(baseSum);
  }, 60_000);

  it('makes a ConfigDrive ISO with the OpenStack layout', async () => {
    const prepared = await prepareVolumes(testVmi([{ name: 'cfg', cloudInitConfigDrive: { userData: HOSTILE, networkData: '{"links":[]}' } }]), options);
    const iso = prepared.volumes['cfg']?.path ?? '';
    expect(iso).toBe(`${host.vmiDir}/cloud-init/configdrive.iso`);
    expect(await isoVolumeId(iso)).toBe('config-2');
    expect(await isoListing(iso)).toEqual(['/openstack', '/openstack/latest', '/openstack/latest/meta_data.json', '/openstack/latest/network_data.json', '/openstack/latest/user_data']);
    expect((await isoFile(iso, '/openstack/latest/user_data')).toString()).toBe(HOSTILE);
    expect(JSON.parse((await isoFile(iso, '/openstack/latest/meta_data.json')).toString())).toEqual({
      instance_id: 'testvmi.ns1', uuid: '5d307ca9-b3ef-428c-8861-06e72d69f223', hostname: 'testvmi', name: 'testvmi',
    });
    await prepared.cleanup();
    expect(await readdir(host.vmiDir)).toEqual([]);
  });

  it('creates a DiskOrCreate host disk sparse and keeps it after cleanup; uses an existing one as it is', async () => {
    const path = join(host.hostDiskRoot, 'new', 'disk.img');
    const prepared = await prepareVolumes(testVmi([{ name: 'h', hostDisk: { path, type: 'DiskOrCreate', capacity: '1Gi' } }]), options);
    const info = await stat(path);
    expect(info.size).toBe(2 ** 30);
    expect(info.blocks * 512).toBeLessThan(1024 * 1024);
    if (user !== undefined) expect([info.uid, modeOf(info)]).toEqual([user.uid, 0o600]);
    await prepared.cleanup();
    expect((await stat(path)).size).toBe(2 ** 30);
    await writeFile(path, 'keep me');
    const again = await prepareVolumes(testVmi([{ name: 'h', hostDisk: { path, type: 'DiskOrCreate', capacity: '1Gi' } }]), options);
    expect((await stat(path)).size).toBe('keep me'.length);
    await again.cleanup();
  });

  it('gives an empty ISO for a missing optional ConfigMap', async () => {
    const prepared = await prepareVolumes(testVmi([{ name: 'cm', configMap: { name: 'absent', optional: true } }]), options);
    expect(await isoListing(prepared.volumes['cm']?.path ?? '')).toEqual([]);
    await prepared.cleanup();
  });

  it('keeps files private without a QEMU user (kvt and QEMU the same user)', async () => {
    const { qemuUser: _, ...own } = options;
    const prepared = await prepareVolumes(testVmi([{ name: 'scratch', emptyDisk: { capacity: '1Mi' } }, { name: 'ci', cloudInitNoCloud: { userData: 'x' } }]), own);
    expect(modeOf(await stat(prepared.volumes['scratch']?.path ?? ''))).toBe(0o600);
    expect(modeOf(await stat(join(host.vmiDir, 'empty-disks')))).toBe(0o700);
    expect(modeOf(await stat(join(host.vmiDir, 'cloud-init')))).toBe(0o700);
    await prepared.cleanup();
    expect(await readdir(host.vmiDir)).toEqual([]);
  });
});
