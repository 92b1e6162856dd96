// The image puller against a real registry on loopback (Debian's docker-registry), with images the
// test builds and pushes (skopeo): by tag and by digest, re-pulls that reuse layers, two images
// sharing a layer stored once, whiteouts across layers, a multi-arch index and an arm64-only image,
// Basic auth, missing images and an unreachable registry; then prune.
import { readdir, readFile, stat } from 'node:fs/promises';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IN_CI, haveTools } from '../../test/fixtures/host.js';
import { pushImage, startRegistry, REGISTRY_TOOLS, type TestRegistry } from '../../test/fixtures/registry.js';
import { parseRegistryMirrors } from '../images/registry-ref.js';
import { openImageStore, type ImageStore } from './image-store.js';
import { pruneImageStore } from './image-prune.js';
import { ImagePullError, pullImage, type PullEvent } from './image-pull.js';

const RAW = Buffer.alloc(64 * 1024, 1);

/** A loopback port nothing listens on (bound, then closed). */
function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => { resolve(typeof address === 'object' && address !== null ? address.port : 0); });
    });
  });
}

describe.skipIf(!IN_CI && !haveTools([...REGISTRY_TOOLS, 'qemu-img']))('pulling images from a registry', () => {
  let registry: TestRegistry;
  let work: string;
  let store: ImageStore;

  beforeAll(async () => {
    registry = await startRegistry();
    work = await mkdtemp(join(tmpdir(), 'kvt-pull-'));
    store = openImageStore(join(work, 'images'));
  }, 120_000);

  afterAll(async () => {
    await registry.stop();
    await rm(work, { recursive: true, force: true });
  });

  it('pulls by tag, keeps the digest, finds the disk; by digest too; an unchanged tag fetches nothing', async () => {
    const digest = await pushImage(registry, 'kubevirt/disk:v1', [{ layers: [{ files: { 'disk/disk.img': RAW, 'etc/os-release': 'ID=test\n' } }] }]);
    const events: PullEvent[] = [];
    const record = await pullImage(store, `${registry.host}/kubevirt/disk:v1`, { onEvent: (e) => events.push(e) });
    expect(record.ref).toBe(`${registry.host}/kubevirt/disk:v1`);
    expect(record.digest).toBe(digest);
    expect(record.source).toMatchObject({ manifest: digest, platform: 'linux/amd64' });
    expect(record.disk).toMatchObject({ format: 'raw', virtualSize: RAW.length, path: join(record.dir, 'disk/disk.img') });
    expect(await readFile(join(record.dir, 'etc/os-release'), 'utf8')).toBe('ID=test\n');
    expect(events.filter((e) => e.kind === 'layer-done')).toEqual([expect.objectContaining({ cached: false })]);

    const byDigest = await pullImage(store, `${registry.host}/kubevirt/disk@${digest}`);
    expect(byDigest.ref).toBe(`${registry.host}/kubevirt/disk@${digest}`);
    expect(byDigest.digest).toBe(digest);

    const again: PullEvent[] = [];
    expect((await pullImage(store, `${registry.host}/kubevirt/disk:v1`, { onEvent: (e) => again.push(e) })).dir).toBe(record.dir);
    expect(again.map((e) => e.kind)).toEqual(['unchanged']);
  }, 120_000);

  it('a changed tag gets the new digest; two images sharing a layer store it once; later layers win, whiteouts hide', async () => {
    const base = { files: { 'disk/disk.img': RAW, 'boot/old': 'old' } };
    const d1 = await pushImage(registry, 'kubevirt/layered:a', [{ layers: [base] }]);
    const d2 = await pushImage(registry, 'kubevirt/layered:b', [{ layers: [base, { files: { 'boot/vmlinuz': 'k2' }, extra: [{ name: 'boot/.wh.old', type: 'file' }] }] }]);
    const before = (await readdir(join(store.root, '.layers'))).length;
    const a = await pullImage(store, `${registry.host}/kubevirt/layered:a`);
    const b = await pullImage(store, `${registry.host}/kubevirt/layered:b`);
    expect([a.digest, b.digest]).toEqual([d1, d2]);
    expect((await readdir(join(store.root, '.layers'))).length).toBe(before + 2);
    expect(await readdir(join(b.dir, 'boot'))).toEqual(['vmlinuz']);
    expect((await stat(join(a.dir, 'disk/disk.img'))).ino).toBe((await stat(join(b.dir, 'disk/disk.img'))).ino);

    const d3 = await pushImage(registry, 'kubevirt/layered:a', [{ layers: [{ files: { 'disk/disk.img': Buffer.alloc(128 * 1024, 2) } }] }]);
    const a2 = await pullImage(store, `${registry.host}/kubevirt/layered:a`);
    expect(a2.digest).toBe(d3);
    expect(a2.disk?.virtualSize).toBe(128 * 1024);
  }, 120_000);

  it('a multi-arch index gives this host its amd64 image; an arm64-only image is refused', async () => {
    const arm = { architecture: 'arm64', layers: [{ files: { 'disk/disk.img': Buffer.alloc(4096, 3) } }] };
    const amd = { architecture: 'amd64', layers: [{ files: { 'disk/disk.img': Buffer.alloc(8192, 4) } }] };
    const index = await pushImage(registry, 'kubevirt/multi:1', [arm, amd]);
    const record = await pullImage(store, `${registry.host}/kubevirt/multi:1`);
    expect(record.source?.index).toBe(index);
    expect(record.disk?.virtualSize).toBe(8192);
    await pushImage(registry, 'kubevirt/armonly:1', [arm, { ...arm, architecture: 's390x' }]);
    await expect(pullImage(store, `${registry.host}/kubevirt/armonly:1`)).rejects.toThrow(`cannot pull image ${registry.host}/kubevirt/armonly:1: it has no image for linux/amd64 (this host's platform); its index offers linux/arm64, linux/s390x`);
    await pushImage(registry, 'kubevirt/armsingle:1', [arm]);
    await expect(pullImage(store, `${registry.host}/kubevirt/armsingle:1`)).rejects.toThrow(/it is built for linux\/arm64; this host runs linux\/amd64/);
  }, 120_000);

  it('a missing image, a missing tag and an unreachable registry say so with the reference', async () => {
    await expect(pullImage(store, `${registry.host}/kubevirt/nope:1`)).rejects.toThrow(ImagePullError);
    await expect(pullImage(store, `${registry.host}/kubevirt/nope:1`)).rejects.toThrow(new RegExp(`cannot pull image ${registry.host}/kubevirt/nope:1: not found at http://${registry.host}: .*404.*(MANIFEST_UNKNOWN|NAME_UNKNOWN)`));
    const port = await closedPort();
    await expect(pullImage(store, 'quay.io/kubevirt/unreachable:1', { mirrors: parseRegistryMirrors([`quay.io=http://127.0.0.1:${port}`]) }))
      .rejects.toThrow(`cannot pull image quay.io/kubevirt/unreachable:1: cannot reach http://127.0.0.1:${port}/v2/kubevirt/unreachable/manifests/1: connect ECONNREFUSED 127.0.0.1:${port} (from http://127.0.0.1:${port} (mirror of quay.io))`);
  }, 60_000);

  it('a mirror serves another registry\'s name; the store keeps the name', async () => {
    const digest = await pushImage(registry, 'kubevirt/cirros-container-disk-demo:devel', [{ layers: [{ files: { 'disk/disk.img': RAW } }] }]);
    const record = await pullImage(store, 'registry:5000/kubevirt/cirros-container-disk-demo:devel', { mirrors: parseRegistryMirrors([`registry:5000=${registry.url}`]) });
    expect(record.ref).toBe('registry:5000/kubevirt/cirros-container-disk-demo:devel');
    expect(record.digest).toBe(digest);
  }, 60_000);

  it('prune removes layers no image uses and says what it freed', async () => {
    await pushImage(registry, 'kubevirt/prune:1', [{ layers: [{ files: { 'disk/disk.img': Buffer.alloc(32 * 1024, 9) } }] }]);
    const record = await pullImage(store, `${registry.host}/kubevirt/prune:1`);
    const layer = record.source?.layers[0] ?? '';
    await store.remove(record.ref);
    const result = await pruneImageStore(store, { graceMs: 0 });
    expect(result.layers).toContain(layer);
    expect(result.bytes).toBeGreaterThanOrEqual(32 * 1024);
    expect(await readdir(join(store.root, '.layers'))).not.toContain(layer.replace(':', '-'));
    expect((await pruneImageStore(store, { graceMs: 0 })).layers).toEqual([]);
    for (const r of await store.list()) expect((await stat(r.dir)).isDirectory()).toBe(true);
  }, 60_000);
});

describe.skipIf(!IN_CI && !haveTools([...REGISTRY_TOOLS, 'qemu-img']))('a registry that requires credentials', () => {
  let registry: TestRegistry;
  let work: string;

  beforeAll(async () => {
    registry = await startRegistry({ auth: { username: 'kvt', password: 's3cret' } });
    work = await mkdtemp(join(tmpdir(), 'kvt-pull-auth-'));
  }, 120_000);

  afterAll(async () => {
    await registry.stop();
    await rm(work, { recursive: true, force: true });
  });

  it('401 without credentials, refused with wrong ones, pulled with the right ones', async () => {
    const store = openImageStore(join(work, 'images'));
    const digest = await pushImage(registry, 'private/disk:1', [{ layers: [{ files: { 'disk/disk.img': RAW } }] }]);
    const ref = `${registry.host}/private/disk:1`;
    await expect(pullImage(store, ref)).rejects.toThrow(/401 Unauthorized.*no credentials were given/);
    await expect(pullImage(store, ref, { credentials: { username: 'kvt', password: 'wrong' } })).rejects.toThrow(/401 Unauthorized.*credentials of user "kvt" were refused/);
    expect((await pullImage(store, ref, { credentials: { username: 'kvt', password: 's3cret' } })).digest).toBe(digest);
  }, 120_000);
});
