// Unpacking layers for real: hostile tar streams are refused before anything lands outside the
// store (and nothing of the refused layer is kept); a digest or size that does not match refuses it.
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import * as tarStream from 'tar-stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hasLayer, layerDir, materializeLayers, storeLayer } from './image-layers.js';

type Entry = { name: string; type?: 'file' | 'symlink' | 'link' | 'directory' | 'character-device'; content?: string; linkname?: string };

async function tarGz(entries: readonly Entry[]): Promise<Buffer> {
  const pack = tarStream.pack();
  const chunks: Buffer[] = [];
  const done = new Promise<void>((resolve) => { pack.on('data', (c: unknown) => { chunks.push(c as Buffer); }); pack.on('end', () => { resolve(); }); });
  for (const e of entries) {
    const type = e.type ?? 'file';
    if (type === 'file') pack.entry({ name: e.name, type, size: Buffer.byteLength(e.content ?? '') }, e.content ?? '');
    else pack.entry({ name: e.name, type, ...(e.linkname === undefined ? {} : { linkname: e.linkname }) });
  }
  pack.finalize();
  await done;
  return gzipSync(Buffer.concat(chunks));
}

function descriptor(blob: Buffer): { mediaType: string; digest: string; size: number } {
  return { mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: `sha256:${createHash('sha256').update(blob).digest('hex')}`, size: blob.length };
}

function body(blob: Buffer): ReadableStream<Uint8Array> {
  return new Blob([blob]).stream();
}

describe('storeLayer', () => {
  let work: string;
  let root: string;

  beforeEach(async () => {
    work = await mkdtemp(join(tmpdir(), 'kvt-layers-'));
    root = join(work, 'store', 'images');
  });

  afterEach(async () => {
    await rm(work, { recursive: true, force: true });
  });

  it.each<[string, Entry[], RegExp]>([
    ['a ../ path', [{ name: '../../../escaped', content: 'x' }], /leaves the image/],
    ['a write through a symlink', [{ name: 'disk', type: 'symlink', linkname: '/tmp' }, { name: 'disk/escaped', content: 'x' }], /below disk/],
    ['a hard link to a host file', [{ name: 'h', type: 'link', linkname: '../../../../etc/passwd' }], /hard link whose target leaves/],
    ['a device', [{ name: 'dev/kvm', type: 'character-device' }], /character-device entry/],
  ])('refuses %s, writing nothing outside and keeping nothing', async (_what, entries, reason) => {
    const blob = await tarGz(entries);
    await expect(storeLayer(root, descriptor(blob), body(blob))).rejects.toThrow(reason);
    expect(await readdir(join(root, '.tmp'))).toEqual([]);
    expect(await hasLayer(root, descriptor(blob).digest)).toBe(false);
    expect((await readdir(work)).sort()).toEqual(['store']);
    await expect(stat('/escaped')).rejects.toThrow(/ENOENT/);
  });

  it('refuses a blob whose digest or size is not the descriptor\'s', async () => {
    const blob = await tarGz([{ name: 'disk/disk.img', content: 'data' }]);
    const wrong = { ...descriptor(blob), digest: `sha256:${'0'.repeat(64)}` };
    await expect(storeLayer(root, wrong, body(blob))).rejects.toThrow(/its content's digest is sha256:[0-9a-f]{64}; refused/);
    await expect(storeLayer(root, { ...descriptor(blob), size: blob.length - 1 }, body(blob))).rejects.toThrow(/longer than/);
    await expect(storeLayer(root, { ...descriptor(blob), size: blob.length + 1 }, body(blob))).rejects.toThrow(/received \d+ bytes, the manifest says/);
    expect(await hasLayer(root, descriptor(blob).digest)).toBe(false);
  });

  it('stores a good layer once (hard links kept) and builds an image root of hard links from it', async () => {
    const blob = await tarGz([{ name: 'disk/', type: 'directory' }, { name: 'disk/disk.img', content: 'data' }, { name: 'disk/alias', type: 'link', linkname: 'disk/disk.img' }, { name: 'boot/k', type: 'symlink', linkname: '/disk/disk.img' }]);
    const d = descriptor(blob);
    await storeLayer(root, d, body(blob));
    await storeLayer(root, d, body(blob));
    expect(await hasLayer(root, d.digest)).toBe(true);
    const stored = join(layerDir(root, d.digest), 'fs');
    expect((await stat(join(stored, 'disk/alias'))).ino).toBe((await stat(join(stored, 'disk/disk.img'))).ino);
    const rootfs = join(work, 'store', 'rootfs');
    await materializeLayers(root, [d.digest], rootfs);
    expect(await readFile(join(rootfs, 'disk/disk.img'), 'utf8')).toBe('data');
    expect((await stat(join(rootfs, 'disk/disk.img'))).ino).toBe((await stat(join(stored, 'disk/disk.img'))).ino);
  });
});
