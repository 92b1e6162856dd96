import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UsageError } from '../command.js';
import { formatImageTable, formatSize, imageCommand } from './image.js';
import { IN_CI, haveTools } from '../../test/fixtures/host.js';



async function image(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await imageCommand.run(args, { out: (t) => { out += t; }, err: (t) => { err += t; } });
  return { code, out, err };
}

describe('formatSize', () => {
  it.each([
    [0, '0 B'],
    [512, '512 B'],
    [1536, '1.5 KiB'],
    [64 * 1024 ** 2, '64 MiB'],
    [10 * 1024 ** 3 + 1, '10 GiB'],
  ])('%d → %s', (bytes, text) => {
    expect(formatSize(bytes)).toBe(text);
  });
});

describe('formatImageTable', () => {
  it('prints REF, DISK, SIZE, IMPORTED in aligned columns', () => {
    const table = formatImageTable([
      { ref: 'localhost/demo-guest:latest', dir: '/d', importedAt: '2026-01-02T03:04:05.123Z', digest: 'sha256:x', disk: { path: '/d/disk/disk.img', format: 'raw', virtualSize: 64 * 1024 ** 2 } },
      { ref: 'k:latest', dir: '/k', importedAt: '2026-01-02T03:04:06.000Z', digest: 'sha256:y' },
    ]);
    expect(table).toBe([
      'REF                           DISK   SIZE     IMPORTED',
      'localhost/demo-guest:latest   raw    64 MiB   2026-01-02T03:04:05Z',
      'k:latest                      -      -        2026-01-02T03:04:06Z',
      '',
    ].join('\n'));
  });
});

describe('kvt image: usage', () => {
  it.each([
    [[], /name a subcommand/],
    [['push'], /unknown subcommand "push"/],
    [['import', 'only-ref'], /expected 2 argument/],
    [['list', 'extra'], /unexpected argument "extra"/],
  ])('%j is a usage error', async (args, message) => {
    await expect(image(...args)).rejects.toThrow(UsageError);
    await expect(image(...args)).rejects.toThrow(message);
  });
});

describe.skipIf(!IN_CI && !haveTools(['qemu-img']))('kvt image import / list / remove', () => {
  let work: string;

  beforeEach(async () => {
    work = await mkdtemp(join(tmpdir(), 'kvt-image-cli-'));
  });

  afterEach(async () => {
    await rm(work, { recursive: true, force: true });
  });

  it('imports a disk file and a tree, lists them, removes one', async () => {
    await writeFile(join(work, 'disk.img'), Buffer.alloc(2 * 1024 * 1024));
    await mkdir(join(work, 'tree/boot'), { recursive: true });
    await writeFile(join(work, 'tree/boot/vmlinuz'), 'kernel');
    const dataDir = join(work, 'data');

    const imported = await image('import', 'localhost/disk', join(work, 'disk.img'), '--data-dir', dataDir);
    expect(imported).toMatchObject({ code: 0, err: '' });
    expect(imported.out).toMatch(/^Imported image localhost\/disk:latest \(raw disk of 2 MiB, sha256:[0-9a-f]{64}\)\n$/);
    expect((await image('import', '--data-dir', dataDir, 'kernel:v1', join(work, 'tree'))).out).toMatch(/kernel:v1 \(no disk,/);

    const listed = await image('list', '--data-dir', dataDir);
    expect(listed.code).toBe(0);
    const rows = listed.out.trim().split('\n').map((l) => l.split(/\s{3,}/));
    expect(rows.map((r) => r.slice(0, 3))).toEqual([['REF', 'DISK', 'SIZE'], ['kernel:v1', '-', '-'], ['localhost/disk:latest', 'raw', '2 MiB']]);

    expect(await image('remove', 'kernel:v1', '--data-dir', dataDir)).toMatchObject({ code: 0, out: 'Removed image kernel:v1\n' });
    expect((await image('list', '--data-dir', dataDir)).out).not.toContain('kernel:v1');
  });

  it('prints store errors and exits 1', async () => {
    const dataDir = join(work, 'data');
    expect(await image('list', '--data-dir', dataDir)).toEqual({ code: 0, out: '', err: `No images in ${join(dataDir, 'images')}\n` });
    const bad = await image('import', '../escape', join(work, 'nothing'), '--data-dir', dataDir);
    expect(bad).toMatchObject({ code: 1, out: '' });
    expect(bad.err).toBe('error: invalid image reference "../escape": it must not contain "." or ".." segments\n');
    const missing = await image('remove', 'localhost/demo-guest', '--data-dir', dataDir);
    expect(missing.code).toBe(1);
    expect(missing.err).toContain('run `npm run guest` to build it');
  });
});
