import { execFile } from 'node:child_process';
import { chmod, lstat, mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaultDataDir, imageStoreRoot } from './data-dir.js';
import { parseQemuImgInfo } from './image-disk.js';
import { imageDirName, locateImageFile, normalizeImageRef, resolveImagePath } from './image-locations.js';
import { digestSource, openImageStore, type ImageStore } from './image-store.js';
import { ImageImportError, ImageNotFoundError, ImagePathError, ImageRefError } from './image-store-errors.js';
import { IN_CI, haveTools } from '../../test/fixtures/host.js';

const run = promisify(execFile);


describe('normalizeImageRef', () => {
  it.each([
    ['demo-guest', 'demo-guest:latest'],
    ['localhost/demo-guest', 'localhost/demo-guest:latest'],
    ['localhost/demo-guest:latest', 'localhost/demo-guest:latest'],
    ['localhost:5000/team/disk:v1.2', 'localhost:5000/team/disk:v1.2'],
    ['quay.io/kubevirt/cirros-container-disk-demo:v1.4.0', 'quay.io/kubevirt/cirros-container-disk-demo:v1.4.0'],
    ['registry.Example.com/a__b/c--d:TAG_1', 'registry.Example.com/a__b/c--d:TAG_1'],
    [`x@sha256:${'a'.repeat(64)}`, `x@sha256:${'a'.repeat(64)}`],
    [`x:v1@sha256:${'b'.repeat(64)}`, `x:v1@sha256:${'b'.repeat(64)}`],
  ])('%s → %s', (ref, canonical) => {
    expect(normalizeImageRef(ref)).toBe(canonical);
  });

  it.each([
    ['', /empty/],
    ['/var/lib/disk.img', /must not start with "\/"/],
    ['../etc/passwd', /"\." or "\.\." segments/],
    ['localhost/../x', /"\." or "\.\." segments/],
    ['localhost/x:..', /"\." or "\.\." segments/],
    ['a/./b', /"\." or "\.\." segments/],
    ['..', /"\." or "\.\." segments/],
    ['Demo', /name component "Demo" must be lowercase/],
    ['a//b', /name component is empty/],
    ['a/', /name component is empty/],
    ['a b', /name component "a b"/],
    ['a:', /tag "" must be/],
    ['a:-x', /tag "-x" must be/],
    [`a:${'t'.repeat(129)}`, /tag/],
    ['a@sha256:12', /digest "sha256:12"/],
    ['bad_host.-x/a', /not a valid registry host/],
    [`${'a'.repeat(256)}`, /longer than 255/],
  ])('refuses %j', (ref, reason) => {
    expect(() => normalizeImageRef(ref)).toThrow(ImageRefError);
    expect(() => normalizeImageRef(ref)).toThrow(reason);
    expect(() => normalizeImageRef(ref)).toThrow(`invalid image reference ${JSON.stringify(ref)}`);
  });
});

describe('imageDirName', () => {
  it.each(['demo-guest', 'localhost/demo-guest:latest', 'localhost:5000/a/b:v1', `x@sha256:${'c'.repeat(64)}`])('%s: one safe, reversible name', (ref) => {
    const name = imageDirName(ref);
    expect(name).not.toMatch(/[/\\]/);
    expect(name.startsWith('.')).toBe(false);
    expect(decodeURIComponent(name)).toBe(normalizeImageRef(ref));
  });

  it('maps a ref and its canonical form to the same name', () => {
    expect(imageDirName('localhost/demo-guest')).toBe(imageDirName('localhost/demo-guest:latest'));
    expect(imageDirName('localhost/demo-guest:latest')).toBe('localhost%2Fdemo-guest%3Alatest');
  });

  it('hashes very long refs so the name fits a filename', () => {
    const name = imageDirName(`${'a'.repeat(120)}/${'b'.repeat(120)}:v1`);
    expect(name).toMatch(/^h-[0-9a-f]{64}$/);
  });

  it('refuses what normalizeImageRef refuses', () => {
    expect(() => imageDirName('../../etc')).toThrow(ImageRefError);
  });
});

describe('resolveImagePath', () => {
  const record = { ref: 'localhost/demo-guest:latest', dir: '/store/.blobs/x/rootfs' };

  it.each([
    ['/boot/vmlinuz', '/store/.blobs/x/rootfs/boot/vmlinuz'],
    ['/boot//initrd.img', '/store/.blobs/x/rootfs/boot/initrd.img'],
    ['/./boot/vmlinuz', '/store/.blobs/x/rootfs/boot/vmlinuz'],
  ])('%s → %s', (path, full) => {
    expect(resolveImagePath(record, path)).toBe(full);
  });

  it.each([
    ['', /empty/],
    ['boot/vmlinuz', /must be absolute/],
    ['/boot/../../../etc/shadow', /must not contain "\.\." segments/],
    ['/..', /must not contain "\.\." segments/],
    ['/', /image root/],
    ['/boot/\0x', /NUL/],
  ])('refuses %j', (path, reason) => {
    expect(() => resolveImagePath(record, path)).toThrow(ImagePathError);
    expect(() => resolveImagePath(record, path)).toThrow(reason);
    expect(() => resolveImagePath(record, path)).toThrow(`path ${JSON.stringify(path)} in image localhost/demo-guest:latest`);
  });
});

describe('parseQemuImgInfo', () => {
  it('reads format, virtual size and backing file', () => {
    expect(parseQemuImgInfo('{"format":"qcow2","virtual-size":1048576,"backing-filename":"/base.img"}'))
      .toEqual({ format: 'qcow2', virtualSize: 1048576, backingFile: '/base.img' });
    expect(parseQemuImgInfo('{"format":"raw","virtual-size":512}')).toEqual({ format: 'raw', virtualSize: 512 });
  });

  it('refuses output without a format', () => {
    expect(() => parseQemuImgInfo('{}')).toThrow(/no format/);
  });
});

describe('defaultDataDir', () => {
  it.each([
    [{ env: { KVT_DATA_DIR: '/srv/kvt' }, uid: 0, home: '/root' }, '/srv/kvt'],
    [{ env: {}, uid: 0, home: '/root' }, '/var/lib/kvt'],
    [{ env: { KVT_DATA_DIR: '' }, uid: 1000, home: '/home/u' }, '/home/u/.local/share/kvt'],
  ])('%j → %s', (facts, dir) => {
    expect(defaultDataDir(facts)).toBe(dir);
  });

  it('puts the image store in images/', () => {
    expect(imageStoreRoot('/var/lib/kvt')).toBe('/var/lib/kvt/images');
  });
});

describe.skipIf(!IN_CI && !haveTools(['qemu-img']))('the local image store', () => {
  let work: string;
  let store: ImageStore;
  let clock: number;

  beforeEach(async () => {
    work = await mkdtemp(join(tmpdir(), 'kvt-images-'));
    clock = Date.parse('2026-01-02T03:04:05.000Z');
    store = openImageStore(join(work, 'images'), { now: () => new Date((clock += 1000)) });
  });

  afterEach(async () => {
    await rm(work, { recursive: true, force: true });
  });

  async function rawFile(name: string, size: number, fill = 'x'): Promise<string> {
    const path = join(work, name);
    await writeFile(path, Buffer.alloc(size, fill));
    return path;
  }

  async function imageTree(name: string, files: Record<string, string>): Promise<string> {
    const dir = join(work, name);
    for (const [path, content] of Object.entries(files)) {
      await mkdir(join(dir, path, '..'), { recursive: true });
      await writeFile(join(dir, path), content);
    }
    return dir;
  }

  async function blobs(): Promise<string[]> {
    return readdir(join(store.root, '.blobs'));
  }

  it('imports a raw disk file as /disk/disk.img, owner and group only', async () => {
    const record = await store.import('localhost/raw', await rawFile('a.img', 1024 * 1024));
    expect(record.ref).toBe('localhost/raw:latest');
    expect(record.disk).toEqual({ path: join(record.dir, 'disk/disk.img'), format: 'raw', virtualSize: 1024 * 1024 });
    expect(record.importedAt).toBe('2026-01-02T03:04:07.000Z');
    expect(record.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect((await readFile(record.disk?.path ?? '')).equals(Buffer.alloc(1024 * 1024, 'x'))).toBe(true);
    expect((await stat(record.disk?.path ?? '')).mode & 0o777).toBe(0o640);
    expect((await stat(record.dir)).mode & 0o777).toBe(0o750);
    expect((await stat(store.root)).mode & 0o777).toBe(0o750);
    expect(await store.resolve('localhost/raw:latest')).toEqual(record);
  });

  it('imports a qcow2 disk file as /disk/disk.qcow2 with its virtual size', async () => {
    const source = join(work, 'a.qcow2');
    await run('qemu-img', ['create', '-q', '-f', 'qcow2', source, '2G']);
    const record = await store.import('qcow', source);
    expect(record.disk).toEqual({ path: join(record.dir, 'disk/disk.qcow2'), format: 'qcow2', virtualSize: 2 * 1024 ** 3 });
  });

  it('refuses a qcow2 overlay and formats it cannot run, leaving nothing behind', async () => {
    const base = await rawFile('base.img', 65536);
    const overlay = join(work, 'overlay.qcow2');
    await run('qemu-img', ['create', '-q', '-f', 'qcow2', '-F', 'raw', '-b', base, overlay]);
    await expect(store.import('overlay', overlay)).rejects.toThrow(ImageImportError);
    await expect(store.import('overlay', overlay)).rejects.toThrow(/qcow2 overlay of .*base\.img/);
    const vmdk = join(work, 'a.vmdk');
    await run('qemu-img', ['create', '-q', '-f', 'vmdk', vmdk, '1M']);
    await expect(store.import('vmdk', vmdk)).rejects.toThrow(/disk format is vmdk; import raw or qcow2/);
    expect(await readdir(join(store.root, '.tmp'))).toEqual([]);
    expect(await store.list()).toEqual([]);
  });

  it('refuses a source that does not exist', async () => {
    await expect(store.import('x', join(work, 'missing'))).rejects.toThrow(`cannot import ${join(work, 'missing')} as x:latest: it does not exist`);
  });

  it('imports an image tree as is; its disk is the first file under disk/', async () => {
    const dir = await imageTree('tree', { 'boot/vmlinuz': 'kernel', 'boot/initrd.img': 'initrd', 'disk/b.img': 'b'.repeat(512), 'disk/a.img': 'a'.repeat(1024) });
    await chmod(join(dir, 'boot/vmlinuz'), 0o755);
    await symlink('vmlinuz', join(dir, 'boot/vmlinuz-link'));
    const record = await store.import('localhost/tree:v1', dir);
    expect(record.disk).toEqual({ path: join(record.dir, 'disk/a.img'), format: 'raw', virtualSize: 1024 });
    expect(await readFile(join(record.dir, 'boot/initrd.img'), 'utf8')).toBe('initrd');
    expect((await stat(join(record.dir, 'boot/vmlinuz'))).mode & 0o777).toBe(0o750);
    expect((await stat(join(record.dir, 'boot/initrd.img'))).mode & 0o777).toBe(0o640);
    expect((await lstat(join(record.dir, 'boot/vmlinuz-link'))).isSymbolicLink()).toBe(true);
    expect(await locateImageFile(record, '/boot/vmlinuz')).toBe(join(record.dir, 'boot/vmlinuz'));
    expect(await locateImageFile(record, '/boot/vmlinuz-link')).toBe(join(record.dir, 'boot/vmlinuz'));
  });

  it('imports a tree without a disk (a kernelBoot-only image)', async () => {
    const record = await store.import('kernel-only', await imageTree('k', { 'boot/vmlinuz': 'k' }));
    expect(record.disk).toBeUndefined();
  });

  it('locateImageFile refuses missing files, directories and symlinks that leave the image', async () => {
    const dir = await imageTree('t', { 'boot/vmlinuz': 'k' });
    await writeFile(join(work, 'secret'), 'secret');
    await symlink(join(work, 'secret'), join(dir, 'boot/escape'));
    await symlink('../../../../../../../../../../etc/hostname', join(dir, 'boot/relative-escape'));
    const record = await store.import('t', dir);
    await expect(locateImageFile(record, '/boot/initrd.img')).rejects.toThrow(/no such file in the image/);
    await expect(locateImageFile(record, '/boot')).rejects.toThrow(/not a regular file/);
    await expect(locateImageFile(record, '/boot/escape')).rejects.toThrow(/leads outside/);
    await expect(locateImageFile(record, '/boot/relative-escape')).rejects.toThrow(ImagePathError);
    await expect(locateImageFile(record, '/boot/../../secret')).rejects.toThrow(/"\.\." segments/);
  });

  it('re-importing a ref replaces it and drops the old copy', async () => {
    const first = await store.import('localhost/demo', await imageTree('v1', { 'disk/disk.img': '1'.repeat(512) }));
    const second = await store.import('localhost/demo:latest', await imageTree('v2', { 'disk/disk.img': '2'.repeat(1024) }));
    expect(second.digest).not.toBe(first.digest);
    expect(second.dir).not.toBe(first.dir);
    expect((await store.resolve('localhost/demo')).disk?.virtualSize).toBe(1024);
    expect(await blobs()).toHaveLength(1);
    expect(await readdir(join(store.root, '.tmp'))).toEqual([]);
    await expect(stat(first.dir)).rejects.toThrow(/ENOENT/);
  });

  it('lists images sorted by ref and removes them', async () => {
    expect(await store.list()).toEqual([]);
    await store.import('zeta', await rawFile('z.img', 512));
    await store.import('localhost/alpha:1', await rawFile('a.img', 512));
    expect((await store.list()).map((r) => r.ref)).toEqual(['localhost/alpha:1', 'zeta:latest']);
    await store.remove('zeta');
    expect((await store.list()).map((r) => r.ref)).toEqual(['localhost/alpha:1']);
    expect(await blobs()).toHaveLength(1);
    await expect(store.remove('zeta')).rejects.toThrow(ImageNotFoundError);
  });

  it('says how to add an image it does not hold', async () => {
    await expect(store.resolve('localhost/nope')).rejects.toThrow(ImageNotFoundError);
    await expect(store.resolve('localhost/nope')).rejects.toThrow('run `kvt image import localhost/nope:latest FILE|DIR` to add it');
    await expect(store.resolve('localhost/demo-guest')).rejects.toThrow('run `npm run guest` to build it');
    await expect(store.resolve('../x')).rejects.toThrow(ImageRefError);
  });

  it('reports a damaged record instead of guessing', async () => {
    const record = await store.import('broken', await rawFile('b.img', 512));
    await writeFile(join(record.dir, '..', 'image.json'), '{"ref": 1}');
    await expect(store.resolve('broken')).rejects.toThrow(/image record .* is damaged/);
  });

  it('digests a source by content, so an unchanged re-import can be skipped', async () => {
    const a = await imageTree('a', { 'boot/vmlinuz': 'k', 'disk/disk.img': 'd' });
    const b = await imageTree('b', { 'boot/vmlinuz': 'k', 'disk/disk.img': 'd' });
    expect(await digestSource(a)).toBe(await digestSource(b));
    await writeFile(join(b, 'boot/vmlinuz'), 'k2');
    expect(await digestSource(a)).not.toBe(await digestSource(b));
    const record = await store.import('a', a);
    expect(record.digest).toBe(await digestSource(a));
  });
});
