// The node agent's image volumes against a real registry on loopback with htpasswd (Debian's
// docker-registry): the pod's imagePullSecrets (Secrets read through a real in-memory API) before
// the node's docker config, Always re-pulling a changed tag where IfNotPresent keeps what is stored,
// Never failing when the image is absent; every failure names the volume.
import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../core/log.js';
import type { ImageVolumePull } from '../images/pull-policy.js';
import { createMemoryStore, type MemoryStore } from '../../store/runtime/memory.js';
import { IN_CI, haveTools } from '../../test/fixtures/host.js';
import { pushImage, REGISTRY_TOOLS, startRegistry, type TestRegistry } from '../../test/fixtures/registry.js';
import type { ImageRecord } from './image-record.js';
import { openImageStore, type ImageStore } from './image-store.js';
import { ensureImageVolume, ImageVolumeError, imageVolumeServer, type ImageVolumeOptions } from './image-volume-pull.js';

const log = createLogger({ name: 'test', level: 'silent' });

describe.skipIf(!IN_CI && !haveTools([...REGISTRY_TOOLS, 'qemu-img']))('image volumes pulled as a kubelet pulls them', () => {
  let registry: TestRegistry;
  let work: string;
  let store: ImageStore;
  let kube: MemoryStore;
  let options: ImageVolumeOptions;

  const dockerConfig = (password: string): string => JSON.stringify({ auths: { [registry.host]: { auth: Buffer.from(`kvt:${password}`).toString('base64') } } });
  const pull = (policy: ImageVolumePull['policy'], pullSecrets: readonly string[] = ['pull']): ImageVolumePull => ({ volume: 'kvt-image-0', policy, namespace: 'ns', pullSecrets });

  beforeAll(async () => {
    registry = await startRegistry({ auth: { username: 'kvt', password: 'pw' } });
    work = await mkdtemp(join(tmpdir(), 'kvt-image-volume-'));
    store = openImageStore(join(work, 'images'));
    kube = createMemoryStore({ admission: false });
    await kube.create({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'pull', namespace: 'ns' }, type: 'kubernetes.io/dockerconfigjson', data: { '.dockerconfigjson': Buffer.from(dockerConfig('pw')).toString('base64') } });
    await kube.create({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'wrong', namespace: 'ns' }, type: 'kubernetes.io/dockerconfigjson', data: { '.dockerconfigjson': Buffer.from(dockerConfig('nope')).toString('base64') } });
    await kube.create({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'opaque', namespace: 'ns' }, data: { token: Buffer.from('x').toString('base64') } });
    // The node's own docker config: none unless a test writes one.
    options = { store, kube, log, mirrors: () => Promise.resolve(new Map()), env: { HOME: join(work, 'home'), DOCKER_CONFIG: join(work, 'node-docker') } };
  }, 120_000);

  afterAll(async () => {
    await registry?.stop();
    await kube?.close();
    await rm(work, { recursive: true, force: true });
  });

  it('pulls with the pod\'s pull Secret, skipping a missing one and one without a docker config; without it the registry refuses, naming the volume', async () => {
    const image = `${registry.host}/team/secret:1`;
    await pushImage(registry, 'team/secret:1', [{ layers: [{ files: { 'disk/disk.img': Buffer.alloc(4096, 1) } }] }]);
    await expect(ensureImageVolume(image, pull('IfNotPresent', []), options)).rejects.toThrow(/^image volume "kvt-image-0": cannot pull image .*401 Unauthorized/);
    await expect(ensureImageVolume(image, pull('IfNotPresent', ['wrong']), options)).rejects.toThrow(ImageVolumeError);
    const record = await ensureImageVolume(image, pull('IfNotPresent', ['missing', 'opaque', 'pull', 'wrong']), options);
    expect(record.ref).toBe(image);
    expect(record.source?.layers).toHaveLength(1);
  });

  it('without pod Secrets, uses the node\'s docker config', async () => {
    const image = `${registry.host}/team/node:1`;
    await pushImage(registry, 'team/node:1', [{ layers: [{ files: { 'disk/disk.img': Buffer.alloc(4096, 2) } }] }]);
    await mkdir(join(work, 'node-docker'), { recursive: true });
    await writeFile(join(work, 'node-docker', 'config.json'), dockerConfig('pw'));
    try {
      expect((await ensureImageVolume(image, pull('IfNotPresent', []), options)).ref).toBe(image);
    } finally {
      await rm(join(work, 'node-docker', 'config.json'));
    }
  });

  it('Always re-pulls a changed tag; IfNotPresent and Never keep what is stored', async () => {
    const image = `${registry.host}/team/moving:latest`;
    const first = await pushImage(registry, 'team/moving:latest', [{ layers: [{ files: { 'disk/disk.img': Buffer.alloc(4096, 3) } }] }]);
    expect((await ensureImageVolume(image, pull('Always'), options)).digest).toBe(first);
    const second = await pushImage(registry, 'team/moving:latest', [{ layers: [{ files: { 'disk/disk.img': Buffer.alloc(4096, 4) } }] }]);
    expect(second).not.toBe(first);
    expect((await ensureImageVolume(image, pull('IfNotPresent'), options)).digest).toBe(first);
    expect((await ensureImageVolume(image, pull('Never'), options)).digest).toBe(first);
    expect((await ensureImageVolume(image, pull('Always'), options)).digest).toBe(second);
    // No policy given: Kubernetes' default for :latest, Always (and the node's credentials alone, which it lacks).
    await expect(ensureImageVolume(image, undefined, options)).rejects.toThrow(/401 Unauthorized/);
  });

  it('Never fails when the image is absent, naming the volume; an imported image is used whatever the policy', async () => {
    await expect(ensureImageVolume(`${registry.host}/team/absent:1`, pull('Never'), options)).rejects.toThrow(`image volume "kvt-image-0": image ${registry.host}/team/absent:1 is not present with pull policy of Never`);
    await writeFile(join(work, 'd.img'), Buffer.alloc(4096));
    await store.import('localhost/imported:latest', join(work, 'd.img'));
    expect((await ensureImageVolume('localhost/imported:latest', pull('Always'), options)).source).toBeUndefined();
  });

  it('the server gives the image\'s store directory, shared first', async () => {
    const shared: ImageRecord[] = [];
    const serve = imageVolumeServer({ ...options, share: (record) => { shared.push(record); return Promise.resolve(); } });
    const dir = await serve('localhost/imported:latest', pull('IfNotPresent'));
    expect(shared.map((r) => r.ref)).toEqual(['localhost/imported:latest']);
    expect(dir).toBe(dirname(shared[0]?.dir ?? ''));
  });

  it('two volumes of one missing image at once get the same directory, which still exists', async () => {
    await pushImage(registry, 'team/together:1', [{ layers: [{ files: { 'disk/disk.img': Buffer.alloc(4096, 5) } }] }]);
    const serve = imageVolumeServer({ ...options, share: () => Promise.resolve() });
    const image = `${registry.host}/team/together:1`;
    const dirs = await Promise.all([serve(image, pull('IfNotPresent')), serve(image, pull('IfNotPresent')), serve(image, pull('Always'))]);
    expect(new Set(dirs).size).toBe(1);
    expect((await stat(dirs[0] ?? '')).isDirectory()).toBe(true);
  });
});
