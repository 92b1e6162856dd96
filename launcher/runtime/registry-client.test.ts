// The distribution token protocol (Bearer), which Debian's registry cannot play without a token
// service: a loopback HTTP server stands in for both sides, as the spec describes them: a 401 with
// the challenge, the realm that swaps Basic credentials for a token, the retried request with it.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storeLayer } from './image-layers.js';
import { RegistryClient, RegistryError } from './registry-client.js';

const MANIFEST = JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config: {}, layers: [] });

describe('RegistryClient: Bearer tokens', () => {
  let server: Server;
  let base = '';
  const asked: string[] = [];

  beforeAll(async () => {
    server = createServer((req: IncomingMessage, res: ServerResponse) => {
      const url = new URL(req.url ?? '/', base);
      asked.push(`${url.pathname}${url.search} ${req.headers.authorization ?? '-'}`);
      if (url.pathname === '/token') {
        const ok = req.headers.authorization === `Basic ${Buffer.from('kvt:pw').toString('base64')}`;
        res.writeHead(ok ? 200 : 401, { 'content-type': 'application/json' }).end(ok ? JSON.stringify({ token: 'tok-1' }) : '{}');
        return;
      }
      if (req.headers.authorization !== 'Bearer tok-1') {
        res.writeHead(401, { 'www-authenticate': `Bearer realm="${base}/token",service="kvt-test",scope="repository:team/disk:pull"`, 'content-type': 'application/json' })
          .end(JSON.stringify({ errors: [{ code: 'UNAUTHORIZED', message: 'authentication required' }] }));
        return;
      }
      res.writeHead(200, { 'content-type': 'application/vnd.oci.image.manifest.v1+json' }).end(MANIFEST);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => { resolve(); }));
    const address = server.address();
    base = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`;
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => { resolve(); }));
  });

  it('answers the challenge with a token from the realm, asked with Basic credentials, and keeps it', async () => {
    asked.length = 0;
    const client = new RegistryClient({ endpoint: { baseUrl: base }, repository: 'team/disk', credentials: { username: 'kvt', password: 'pw' } });
    expect((await client.manifest('1')).text).toBe(MANIFEST);
    await client.manifest('2');
    expect(asked).toEqual([
      '/v2/team/disk/manifests/1 -',
      `/token?service=kvt-test&scope=repository%3Ateam%2Fdisk%3Apull Basic ${Buffer.from('kvt:pw').toString('base64')}`,
      '/v2/team/disk/manifests/1 Bearer tok-1',
      '/v2/team/disk/manifests/2 Bearer tok-1',
    ]);
  });

  it('a realm that refuses the credentials is an auth failure naming it', async () => {
    const client = new RegistryClient({ endpoint: { baseUrl: base }, repository: 'team/disk', credentials: { username: 'kvt', password: 'wrong' } });
    const failure = client.manifest('1');
    await expect(failure).rejects.toThrow(RegistryError);
    await expect(client.manifest('1')).rejects.toThrow(`the token service ${base}/token answered 401 Unauthorized`);
  });
});

describe('a registry that stops answering', () => {
  let server: Server;
  let base = '';
  const open: ServerResponse[] = [];

  beforeAll(async () => {
    server = createServer((req: IncomingMessage, res: ServerResponse) => {
      open.push(res);
      // Headers, then silence: a manifest that never ends, a blob that stalls after its first bytes.
      if ((req.url ?? '').includes('/manifests/')) res.writeHead(200, { 'content-type': 'application/vnd.oci.image.manifest.v1+json' }).write('{"schemaVersion":');
      else if ((req.url ?? '').includes('/blobs/')) res.writeHead(200, { 'content-length': '1000' }).write(gzipSync(Buffer.alloc(100_000)).subarray(0, 20));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => { resolve(); }));
    const address = server.address();
    base = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`;
  });

  afterAll(async () => {
    for (const res of open) res.destroy();
    await new Promise<void>((resolve) => server.close(() => { resolve(); }));
  });

  it('a manifest that does not arrive in time fails the request, naming it', async () => {
    const client = new RegistryClient({ endpoint: { baseUrl: base }, repository: 'team/disk', timeoutMs: 300 });
    await expect(client.manifest('1')).rejects.toThrow(`${base}/v2/team/disk/manifests/1: the manifest's body did not arrive: no answer within 0.3 s`);
  });

  it('a layer that stalls fails its unpack instead of hanging, leaving nothing', async () => {
    const root = await mkdtemp(join(tmpdir(), 'kvt-stall-'));
    try {
      const client = new RegistryClient({ endpoint: { baseUrl: base }, repository: 'team/disk', timeoutMs: 300 });
      const digest = `sha256:${'e'.repeat(64)}`;
      const res = await client.blob(digest);
      await expect(storeLayer(root, { mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest, size: 1000 }, res.body as ReadableStream<Uint8Array>, { idleMs: 300 }))
        .rejects.toThrow(`layer ${digest}: no data for 300 ms`);
      expect(await readdir(join(root, '.tmp'))).toEqual([]);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
