// The distribution token protocol (Bearer), which Debian's registry cannot play without a token
// service: a loopback HTTP server stands in for both sides, as the spec describes them: a 401 with
// the challenge, the realm that swaps Basic credentials for a token, the retried request with it.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
