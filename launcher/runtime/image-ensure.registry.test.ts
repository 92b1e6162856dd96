// A VMI's pull policies and pull secrets against a real registry on loopback: what the local kubelet
// pulls (pullVmiImages, never throwing: its report) and what the launcher makes of the report
// (ensureVmiImages), each failure on its VMI field; an imported image is used without a registry.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConversionError } from '../../core/errors.js';
import { createLogger } from '../../core/log.js';
import type { VirtualMachineInstance } from '../../crd-gen/index.js';
import { IN_CI, haveTools } from '../../test/fixtures/host.js';
import { pushImage, REGISTRY_TOOLS, startRegistry, type TestRegistry } from '../../test/fixtures/registry.js';
import { staticObjectSource, type SecretLike } from '../volumes/index.js';
import { ensureVmiImages, pullVmiImages } from './image-ensure.js';
import { openImageStore, type ImageStore } from './image-store.js';

const log = createLogger({ name: 'test', level: 'silent' });

function vmi(volumes: readonly object[]): VirtualMachineInstance {
  return { apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachineInstance', metadata: { name: 'v', namespace: 'ns' }, spec: { domain: { devices: {} }, volumes } } as unknown as VirtualMachineInstance;
}

describe.skipIf(!IN_CI && !haveTools([...REGISTRY_TOOLS, 'qemu-img']))('pull policies and pull secrets of a VMI', () => {
  let registry: TestRegistry;
  let work: string;
  let store: ImageStore;

  beforeAll(async () => {
    registry = await startRegistry({ auth: { username: 'kvt', password: 'pw' } });
    work = await mkdtemp(join(tmpdir(), 'kvt-ensure-'));
    store = openImageStore(join(work, 'images'));
    await pushImage(registry, 'team/disk:1', [{ layers: [{ files: { 'disk/disk.img': Buffer.alloc(4096, 1) } }] }]);
  }, 120_000);

  afterAll(async () => {
    await registry.stop();
    await rm(work, { recursive: true, force: true });
  });

  const secret = (password: string): SecretLike => ({ data: { '.dockerconfigjson': Buffer.from(JSON.stringify({ auths: { [registry.host]: { username: 'kvt', password } } })).toString('base64') } });

  it('reports each failure with its field; the launcher throws it from the report without pulling', async () => {
    const image = `${registry.host}/team/disk:1`;
    const subject = vmi([
      { name: 'a', containerDisk: { image, imagePullSecret: 'missing' } },
      { name: 'b', containerDisk: { image: `${registry.host}/team/none:1`, imagePullPolicy: 'Never' } },
    ]);
    const report = await pullVmiImages(subject, store, { objects: staticObjectSource({}), mirrors: new Map(), log });
    expect(report).toEqual({
      [image]: { field: 'spec.volumes[0].containerDisk.imagePullSecret', reason: 'Secret "missing" is not in namespace ns' },
      [`${registry.host}/team/none:1`]: { field: 'spec.volumes[1].containerDisk.image', reason: expect.stringMatching(/is not in the local image store and its imagePullPolicy is Never/) as unknown as string },
    });
    const fromReport = ensureVmiImages(subject, store, { objects: staticObjectSource({}), mirrors: new Map(), log, report });
    await expect(fromReport).rejects.toThrow(ConversionError);
    await expect(ensureVmiImages(subject, store, { objects: staticObjectSource({}), mirrors: new Map(), log, report })).rejects.toThrow('spec.volumes[0].containerDisk.imagePullSecret: Secret "missing" is not in namespace ns');
  });

  it('pulls with the dockerconfigjson Secret; wrong credentials fail on the image field', async () => {
    const image = `${registry.host}/team/disk:1`;
    const subject = vmi([{ name: 'a', containerDisk: { image, imagePullSecret: 'pull' } }]);
    const wrong = staticObjectSource({ secrets: { 'ns/pull': secret('nope') } });
    await expect(ensureVmiImages(subject, store, { objects: wrong, mirrors: new Map(), log })).rejects.toThrow(/^spec\.volumes\[0\]\.containerDisk\.image: image .* is not in the local image store .*pulling it failed: .*401 Unauthorized.*credentials of user "kvt" were refused/);
    const right = staticObjectSource({ secrets: { 'ns/pull': secret('pw') } });
    expect(await pullVmiImages(subject, store, { objects: right, mirrors: new Map(), log })).toEqual({ [image]: { ok: true } });
    expect((await store.resolve(image)).source?.layers).toHaveLength(1);
  });

  it('an imported image is used as it is, whatever its policy (it has no registry)', async () => {
    await writeFile(join(work, 'd.img'), Buffer.alloc(4096));
    await store.import('localhost/imported:latest', join(work, 'd.img'));
    const subject = vmi([{ name: 'a', containerDisk: { image: 'localhost/imported:latest', imagePullPolicy: 'Always' } }]);
    expect(await pullVmiImages(subject, store, { objects: staticObjectSource({}), mirrors: new Map(), log })).toEqual({ 'localhost/imported:latest': { ok: true } });
  });
});
