import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { UsageError } from '../command.js';
import { formatImageTable, formatSize, imageCommand } from './image.js';
import { IN_CI, haveTools } from '../../test/fixtures/host.js';
import { pushImage, REGISTRY_TOOLS, startRegistry, type TestRegistry } from '../../test/fixtures/registry.js';
import type { PullEvent } from '../../launcher/runtime/image-pull.js';
import { pullEventText } from '../image-pull-output.js';



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
  it('prints REF, DIGEST, DISK, SIZE, SOURCE, CREATED in aligned columns', () => {
    const pulled = `sha256:${'ab'.repeat(32)}`;
    const table = formatImageTable([
      { ref: 'localhost/demo-guest:latest', dir: '/d', importedAt: '2026-01-02T03:04:05.123Z', digest: `sha256:${'0'.repeat(64)}`, disk: { path: '/d/disk/disk.img', format: 'raw', virtualSize: 64 * 1024 ** 2 } },
      { ref: 'k:latest', dir: '/k', importedAt: '2026-01-02T03:04:06.000Z', digest: `sha256:${'1'.repeat(64)}` },
      { ref: 'quay.io/kubevirt/cirros-container-disk-demo:v1', dir: '/q', importedAt: '2026-01-02T03:04:07.000Z', digest: pulled, disk: { path: '/q/disk/disk.qcow2', format: 'qcow2', virtualSize: 1024 ** 3 }, source: { manifest: pulled, config: pulled, layers: [pulled], size: 15 * 1024 ** 2, platform: 'linux/amd64' } },
    ]);
    expect(table).toBe([
      'REF                                              DIGEST                DISK    SIZE     SOURCE           CREATED',
      'localhost/demo-guest:latest                      sha256:000000000000   raw     64 MiB   imported         2026-01-02T03:04:05Z',
      'k:latest                                         sha256:111111111111   -       -        imported         2026-01-02T03:04:06Z',
      'quay.io/kubevirt/cirros-container-disk-demo:v1   sha256:abababababab   qcow2   1 GiB    pulled, 15 MiB   2026-01-02T03:04:07Z',
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
    expect(rows.map((r) => [r[0], r[2], r[3], r[4]])).toEqual([['REF', 'DISK', 'SIZE', 'SOURCE'], ['kernel:v1', '-', '-', 'imported'], ['localhost/disk:latest', 'raw', '2 MiB', 'imported']]);

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

describe.skipIf(!IN_CI && !haveTools(['qemu-img', ...REGISTRY_TOOLS]))('kvt image pull / list / prune against a registry on loopback', () => {
  let registry: TestRegistry;
  let work: string;

  beforeAll(async () => {
    registry = await startRegistry();
    work = await mkdtemp(join(tmpdir(), 'kvt-image-pull-cli-'));
  }, 120_000);

  afterAll(async () => {
    await registry.stop();
    await rm(work, { recursive: true, force: true });
  });

  it('pulls through a mirror with plain progress lines, lists the digest, removes and prunes', async () => {
    const digest = await pushImage(registry, 'kubevirt/cirros-container-disk-demo:v1', [{ layers: [{ files: { 'disk/disk.img': Buffer.alloc(1024 * 1024, 7) } }] }]);
    const dataDir = join(work, 'data');
    const pulled = await image('pull', 'quay.io/kubevirt/cirros-container-disk-demo:v1', '--registry-mirror', `quay.io=${registry.url}`, '--data-dir', dataDir);
    expect(pulled).toMatchObject({ code: 0, err: '' });
    const short = digest.slice(0, 19);
    expect(pulled.out).toMatch(new RegExp(`^Pulling quay.io/kubevirt/cirros-container-disk-demo:v1 from ${registry.url} \\(mirror of quay.io\\): ${digest}, 1 layer\\(s\\)\\nsha256:[0-9a-f]{12}  pulling [\\d.]+ KiB\\nsha256:[0-9a-f]{12}  [\\d.]+ KiB pulled\\nPulled image quay.io/kubevirt/cirros-container-disk-demo:v1 \\(raw disk of 1 MiB, ${digest}\\)\\n$`));
    const listed = (await image('list', '--data-dir', dataDir)).out.trim().split('\n').map((l) => l.split(/\s{3,}/));
    expect(listed[1]?.slice(0, 4)).toEqual(['quay.io/kubevirt/cirros-container-disk-demo:v1', short, 'raw', '1 MiB']);
    expect(listed[1]?.[4]).toMatch(/^pulled, [\d.]+ KiB$/);
    expect(await image('rm', 'quay.io/kubevirt/cirros-container-disk-demo:v1', '--data-dir', dataDir)).toMatchObject({ code: 0 });
    const pruned = await image('prune', '--data-dir', dataDir, '--min-age', '0');
    expect(pruned.out).toMatch(/^Removed layer sha256:[0-9a-f]{64}\n(Removed \.[^\n]+\n)*Freed [\d.]+ (KiB|MiB)\n$/);
  }, 120_000);

  it('a missing image and a bad mirror flag', async () => {
    const dataDir = join(work, 'data2');
    const missing = await image('pull', `${registry.host}/kubevirt/nope:1`, '--data-dir', dataDir);
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(new RegExp(`^error: cannot pull image ${registry.host}/kubevirt/nope:1: not found at ${registry.url}: `));
    await expect(image('pull', 'x', '--registry-mirror', 'quay.io=http://10.1.2.3')).rejects.toThrow(/--registry-mirror: .*plain http is allowed only to localhost/);
  }, 60_000);
});

describe('pullEventText', () => {
  const d = `sha256:${'c'.repeat(64)}`;
  it.each<[PullEvent, boolean, string | undefined]>([
    [{ kind: 'layer-start', digest: d, size: 2048, cached: false }, false, 'sha256:cccccccccccc  pulling 2 KiB\n'],
    [{ kind: 'layer-start', digest: d, size: 2048, cached: true }, false, undefined],
    [{ kind: 'layer-start', digest: d, size: 2048, cached: false }, true, undefined],
    [{ kind: 'layer-bytes', digest: d, received: 1024, size: 2048 }, true, '\r\x1b[Ksha256:cccccccccccc  1 KiB / 2 KiB'],
    [{ kind: 'layer-bytes', digest: d, received: 1024, size: 2048 }, false, undefined],
    [{ kind: 'layer-done', digest: d, size: 2048, cached: false }, true, '\r\x1b[Ksha256:cccccccccccc  2 KiB pulled\n'],
    [{ kind: 'layer-done', digest: d, size: 2048, cached: true }, false, 'sha256:cccccccccccc  already present\n'],
    [{ kind: 'unchanged', ref: 'a:1', digest: d }, false, `a:1 is up to date (${d})\n`],
  ])('%j on a tty %s', (event, tty, text) => {
    expect(pullEventText(event, tty)).toBe(text);
  });
});
