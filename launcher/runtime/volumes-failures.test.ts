// Volume preparation refusing, with the real tools: every error names the VMI field, and a failure
// part-way leaves nothing behind. Skips only outside CI when a tool is missing; under CI=true a
// missing tool fails.
import { mkdir, readdir, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConversionError } from '../../core/errors.js';
import type { VirtualMachineInstance } from '../../crd-gen/index.js';
import { staticObjectSource, type StaticObjects } from '../volumes/index.js';
import { ensureUnprivilegedUser } from './unprivileged-user.js';
import { TEST_IMAGE, checksum, haveTools, makeClaim, makeVolumeHost, testVmi, type VolumeHost } from './volumes.testing.js';
import { VolumePreparationError, prepareVolumes, type PrepareVolumesOptions } from './volumes.js';
import { IN_CI } from '../../test/fixtures/host.js';

const TOOLS = ['qemu-img', 'qemu-io', 'genisoimage', 'isoinfo'];

const OBJECTS: StaticObjects = {
  secrets: { 'ns1/no-userdata': { stringData: { something: 'else' } }, 'ns1/ud': { stringData: { userdata: 'x' } } },
  configMaps: { 'ns1/slash': { data: { 'a/b': 'x' } }, 'ns1/dots': { data: { '..': 'x' } }, 'ns1/ok': { data: { k: 'v' } } },
};

async function refusal(promise: Promise<unknown>): Promise<ConversionError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(ConversionError);
  return error as ConversionError;
}

describe.skipIf(!IN_CI && !haveTools(TOOLS))('prepareVolumes refusals', () => {
  let host: VolumeHost;
  let options: PrepareVolumesOptions;

  beforeEach(async () => {
    host = await makeVolumeHost();
    const user = process.getuid?.() === 0 ? await ensureUnprivilegedUser() : undefined;
    options = {
      vmiDir: host.vmiDir, volumeStore: host.volumeStore, hostDiskRoots: [host.hostDiskRoot],
      imageStore: host.imageStore, objects: staticObjectSource(OBJECTS), ...(user === undefined ? {} : { qemuUser: user }),
    };
  });

  afterEach(async () => {
    await rm(host.root, { recursive: true, force: true });
  });

  it.each<[string, () => VirtualMachineInstance, string, string]>([
    ['a missing claim', () => testVmi([{ name: 'd', persistentVolumeClaim: { claimName: 'nope' } }]), 'spec.volumes[0].persistentVolumeClaim.claimName', 'PersistentVolumeClaim "nope" has no volume in the local volume store'],
    ['a missing DataVolume', () => testVmi([{ name: 'd', dataVolume: { name: 'dv1' } }]), 'spec.volumes[0].dataVolume.name', 'DataVolume "dv1" has no volume'],
    ['a missing ephemeral base', () => testVmi([{ name: 'd', ephemeral: { persistentVolumeClaim: { claimName: 'gone' } } }]), 'spec.volumes[0].ephemeral.persistentVolumeClaim.claimName', 'PersistentVolumeClaim "gone" has no disk'],
    ['a missing image', () => testVmi([{ name: 'd', containerDisk: { image: 'localhost/absent' } }]), 'spec.volumes[0].containerDisk.image', 'is not in the local image store'],
    ['a containerDisk path missing from the image', () => testVmi([{ name: 'd', containerDisk: { image: TEST_IMAGE, path: '/disk/other.img' } }]), 'spec.volumes[0].containerDisk.path', 'no such file in the image'],
    ['a kernel missing from the image', () => testVmi([], { domain: { devices: {}, firmware: { kernelBoot: { container: { image: TEST_IMAGE, kernelPath: '/boot/nope' } } } } }), 'spec.domain.firmware.kernelBoot.container.kernelPath', 'no such file in the image'],
    ['a missing Secret for user data', () => testVmi([{ name: 'ci', cloudInitNoCloud: { secretRef: { name: 'absent' } } }]), 'spec.volumes[0].cloudInitNoCloud.secretRef', 'Secret "absent" does not exist in namespace ns1'],
    ['a Secret without userdata', () => testVmi([{ name: 'ci', cloudInitConfigDrive: { secretRef: { name: 'no-userdata' } } }]), 'spec.volumes[0].cloudInitConfigDrive.secretRef', 'has no "userdata" or "userData" key'],
    ['a missing network data Secret', () => testVmi([{ name: 'ci', cloudInitNoCloud: { secretRef: { name: 'ud' }, networkDataSecretRef: { name: 'nd' } } }]), 'spec.volumes[0].cloudInitNoCloud.networkDataSecretRef', 'Secret "nd" does not exist'],
    ['a missing ConfigMap', () => testVmi([{ name: 'cm', configMap: { name: 'absent' } }]), 'spec.volumes[0].configMap', 'ConfigMap "absent" does not exist in namespace ns1'],
    ['a missing Secret volume', () => testVmi([{ name: 's', secret: { secretName: 'absent' } }]), 'spec.volumes[0].secret', 'Secret "absent" does not exist'],
    ['a missing service account', () => testVmi([{ name: 'sa', serviceAccount: { serviceAccountName: 'robot' } }]), 'spec.volumes[0].serviceAccount', 'ServiceAccount "robot" has no token'],
    ['a ConfigMap key with "/"', () => testVmi([{ name: 'cm', configMap: { name: 'slash' } }]), 'spec.volumes[0].configMap', 'key "a/b", which cannot be a file name'],
    ['a ConfigMap key ".."', () => testVmi([{ name: 'cm', configMap: { name: 'dots' } }]), 'spec.volumes[0].configMap', 'key "..", which cannot be a file name'],
    ['a missing hostDisk of type Disk', () => testVmi([{ name: 'h', hostDisk: { path: '/tmp/none/x.img', type: 'Disk' } }]), 'spec.volumes[0].hostDisk.path', 'not under an allowed host-disk root'],
  ])('%s', async (_, makeVmi, field, message) => {
    const error = await refusal(prepareVolumes(makeVmi(), options));
    expect(error.field).toBe(field);
    expect(error.message).toContain(message);
    expect(await readdir(host.vmiDir)).toEqual([]);
  });

  it('refuses a missing Disk-type host disk under a root', async () => {
    const path = join(host.hostDiskRoot, 'absent.img');
    const error = await refusal(prepareVolumes(testVmi([{ name: 'h', hostDisk: { path, type: 'Disk' } }]), options));
    expect([error.field, error.message]).toEqual(['spec.volumes[0].hostDisk.path', expect.stringContaining('DiskOrCreate creates one')]);
  });

  it('refuses a host disk that a symlink under the root leads out of, and does not follow it to create', async () => {
    const outside = join(host.root, 'outside');
    await mkdir(outside);
    await writeFile(join(outside, 'secret.img'), 'not yours');
    await symlink(outside, join(host.hostDiskRoot, 'link'));
    for (const type of ['Disk', 'DiskOrCreate'] as const) {
      for (const name of ['secret.img', 'new.img']) {
        const vmi = testVmi([{ name: 'h', hostDisk: { path: join(host.hostDiskRoot, 'link', name), type, capacity: '1Mi' } }]);
        const error = await refusal(prepareVolumes(vmi, options));
        expect([error.field, error.message]).toEqual(['spec.volumes[0].hostDisk.path', expect.stringContaining('leads outside the allowed host-disk roots')]);
      }
    }
    await expect(stat(join(outside, 'new.img'))).rejects.toThrow();
    expect((await stat(join(outside, 'secret.img'))).size).toBe('not yours'.length);
  });

  it('refuses a claim file that is a symlink out of the volume store', async () => {
    await mkdir(join(host.volumeStore, 'ns1', 'evil'), { recursive: true });
    await writeFile(join(host.root, 'elsewhere.img'), 'x');
    await symlink(join(host.root, 'elsewhere.img'), join(host.volumeStore, 'ns1', 'evil', 'disk.img'));
    const error = await refusal(prepareVolumes(testVmi([{ name: 'd', persistentVolumeClaim: { claimName: 'evil' } }]), options));
    expect([error.field, error.message]).toEqual(['spec.volumes[0].persistentVolumeClaim.claimName', expect.stringContaining('leads outside the volume store')]);
  });

  it('removes what it made when a later volume fails, and leaves bases and claims alone', async () => {
    const claim = await makeClaim(host, 'ns1', 'data');
    const base = host.image.disk?.path ?? '';
    const before = await checksum(base);
    const vmi = testVmi([
      { name: 'rootdisk', containerDisk: { image: TEST_IMAGE } },
      { name: 'scratch', emptyDisk: { capacity: '1Mi' } },
      { name: 'ci', cloudInitNoCloud: { userData: 'x' } },
      { name: 'data', persistentVolumeClaim: { claimName: 'data' } },
      { name: 'cm', configMap: { name: 'ok' } },
      { name: 'h', hostDisk: { path: join(host.hostDiskRoot, 'made', 'new.img'), type: 'DiskOrCreate', capacity: '1Mi' } },
      { name: 'late', configMap: { name: 'absent' } },
    ]);
    const error = await refusal(prepareVolumes(vmi, options));
    expect(error.field).toBe('spec.volumes[6].configMap');
    expect(await readdir(host.vmiDir)).toEqual([]);
    expect(await readdir(host.hostDiskRoot)).toEqual([]);
    expect((await stat(claim)).isFile()).toBe(true);
    expect(await checksum(base)).toBe(before);
  });

  it('names the volume when a tool fails, and still removes what it made', async () => {
    const vmi = testVmi([{ name: 'scratch', emptyDisk: { capacity: '1Mi' } }, { name: 'ci', cloudInitNoCloud: { userData: 'x' } }]);
    const error = await prepareVolumes(vmi, { ...options, genisoimage: 'kvt-no-such-genisoimage' }).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(VolumePreparationError);
    expect((error as VolumePreparationError).field).toBe('spec.volumes[1].cloudInitNoCloud');
    expect((error as Error).message).toContain('install the genisoimage package');
    expect(await readdir(host.vmiDir)).toEqual([]);
  });
});
