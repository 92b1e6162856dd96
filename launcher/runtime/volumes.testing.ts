/**
 * A small host for the volume-preparation tests that run the real tools (qemu-img, genisoimage,
 * isoinfo): an image store with a test image, a volume store, host-disk roots and a VMI directory,
 * all in one temporary directory; plus readers for what the tests check (ISO contents, qcow2
 * headers, checksums, reads and writes as the QEMU user). Test support only.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmod, mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { VirtualMachineInstance, Volume } from '../../crd-gen/index.js';
import type { ImageRecord } from './image-record.js';
import { openImageStore, type ImageStore } from './image-store.js';
import type { FileOwner } from './unprivileged-user.js';

const run = promisify(execFile);

export { haveTools } from '../../test/fixtures/host.js';

/** The test host's directories and its image. */
export interface VolumeHost {
  readonly root: string;
  readonly vmiDir: string;
  readonly volumeStore: string;
  readonly hostDiskRoot: string;
  readonly imageStore: ImageStore;
  readonly image: ImageRecord;
}

/** The test image's reference. */
export const TEST_IMAGE = 'localhost/volume-test:latest';

/** Makes a fresh host; every directory QEMU must pass is 0711. */
export async function makeVolumeHost(): Promise<VolumeHost> {
  const root = await mkdtemp(join(tmpdir(), 'kvt-volumes-'));
  await chmod(root, 0o711);
  const tree = join(root, 'tree');
  await mkdir(join(tree, 'boot'), { recursive: true });
  await mkdir(join(tree, 'disk'), { recursive: true });
  await writeFile(join(tree, 'boot', 'vmlinuz'), 'kernel bytes');
  await writeFile(join(tree, 'boot', 'initrd.img'), 'initrd bytes');
  await run('qemu-img', ['create', '-q', '-f', 'raw', join(tree, 'disk', 'disk.img'), '1M']);
  await run('qemu-io', ['-f', 'raw', '-c', 'write -P 0x5a 0 64k', join(tree, 'disk', 'disk.img')]);
  const imageStore = openImageStore(join(root, 'images'));
  const image = await imageStore.import(TEST_IMAGE, tree);
  const volumeStore = join(root, 'volumes');
  const hostDiskRoot = join(root, 'host-disks');
  const vmiDir = join(root, 'vmi');
  for (const dir of [volumeStore, hostDiskRoot]) await mkdir(dir, { mode: 0o711 });
  await mkdir(vmiDir, { mode: 0o711 });
  await chmod(vmiDir, 0o711);
  return { root, vmiDir, volumeStore, hostDiskRoot, imageStore, image };
}

/** Makes a claim's raw file in the volume store. */
export async function makeClaim(host: VolumeHost, namespace: string, claim: string): Promise<string> {
  const dir = join(host.volumeStore, namespace, claim);
  await mkdir(dir, { recursive: true, mode: 0o711 });
  await chmod(join(host.volumeStore, namespace), 0o711);
  const file = join(dir, 'disk.img');
  await run('qemu-img', ['create', '-q', '-f', 'raw', file, '1M']);
  return file;
}

/** A defaulted-looking VMI with the volumes, each attached as a virtio disk unless `disks` says otherwise. */
export function testVmi(volumes: Volume[], more: Partial<VirtualMachineInstance['spec']> = {}): VirtualMachineInstance {
  return {
    apiVersion: 'kubevirt.io/v1',
    kind: 'VirtualMachineInstance',
    metadata: { name: 'testvmi', namespace: 'ns1', uid: 'uid-1', labels: { app: 'web' } },
    spec: {
      domain: { devices: { disks: volumes.map((v) => ({ name: v.name, disk: { bus: 'virtio' as const } })) }, firmware: { uuid: '5d307ca9-b3ef-428c-8861-06e72d69f223' } },
      volumes,
      ...more,
    },
  } as VirtualMachineInstance;
}

/** sha256 of a file. */
export async function checksum(path: string): Promise<string> {
  return createHash('sha256').update(await readFile(path)).digest('hex');
}

/** The ISO's volume id (isoinfo -d). */
export async function isoVolumeId(iso: string): Promise<string> {
  const { stdout } = await run('isoinfo', ['-d', '-i', iso]);
  return /^Volume id: (.*)$/m.exec(stdout)?.[1] ?? '';
}

/** A file's bytes from the ISO's Rock Ridge tree. */
export async function isoFile(iso: string, path: string): Promise<Buffer> {
  const { stdout } = await run('isoinfo', ['-R', '-i', iso, '-x', path], { encoding: 'buffer' });
  return stdout;
}

/** The Rock Ridge listing (`isoinfo -R -f`), as its lines sorted. */
export async function isoListing(iso: string): Promise<string[]> {
  const { stdout } = await run('isoinfo', ['-R', '-f', '-i', iso]);
  return stdout.split('\n').filter((l) => l !== '').sort();
}

/** `qemu-img info` of a disk, as the given user when there is one. */
export async function diskInfo(path: string, user?: FileOwner): Promise<Record<string, unknown>> {
  const args = ['info', '-U', '--output=json', path];
  const { stdout } = user === undefined ? await run('qemu-img', args) : await run('setpriv', [...asUser(user), 'qemu-img', ...args]);
  return JSON.parse(stdout) as Record<string, unknown>;
}

function asUser(user: FileOwner): string[] {
  return [`--reuid=${user.uid}`, `--regid=${user.gid}`, '--clear-groups', '--'];
}

/** Runs a command as the user; resolves to its exit status (0 on success). */
export async function runAs(user: FileOwner, command: readonly string[]): Promise<number> {
  try {
    await run('setpriv', [...asUser(user), ...command]);
    return 0;
  } catch (e: unknown) {
    const code = typeof e === 'object' && e !== null && 'code' in e ? (e as { code?: unknown }).code : undefined;
    return typeof code === 'number' ? code : -1;
  }
}
