// Real sockets on loopback: a forwarder joins each connection to the destination it resolves then.
import { createConnection, createServer, type Server } from 'node:net';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { forwardStdio, listenForward } from './tcp-forward.js';

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

/** An echo server on loopback that prefixes its answers, and its port. */
async function echo(prefix: string): Promise<number> {
  const server = createServer((s) => s.on('data', (d: Buffer) => s.write(`${prefix}${d.toString()}`)));
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const a = server.address();
  return typeof a === 'object' && a !== null ? a.port : 0;
}

function ask(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const c = createConnection({ host: '127.0.0.1', port }, () => c.write(text));
    c.once('data', (d: Buffer) => { resolve(d.toString()); c.destroy(); });
    c.once('error', reject);
    c.once('close', () => resolve(''));
  });
}

describe('listenForward', () => {
  it('joins every connection to the destination resolved for it', async () => {
    const [a, b] = [await echo('a:'), await echo('b:')];
    let target = a;
    const fwd = await listenForward('127.0.0.1', 0, () => Promise.resolve({ host: '127.0.0.1', port: target }));
    try {
      expect(fwd.port).toBeGreaterThan(0);
      expect(await ask(fwd.port, 'hello')).toBe('a:hello');
      target = b;
      expect(await ask(fwd.port, 'again')).toBe('b:again');
    } finally {
      await fwd.close();
    }
  });

  it('closes a connection whose destination cannot be resolved, and says why', async () => {
    const errors: string[] = [];
    const fwd = await listenForward('127.0.0.1', 0, () => Promise.reject(new Error('no pod IP')), (e) => errors.push(e.message));
    try {
      expect(await ask(fwd.port, 'x')).toBe('');
      expect(errors).toEqual(['no pod IP']);
    } finally {
      await fwd.close();
    }
  });
});

describe('forwardStdio', () => {
  it('joins a stdin/stdout pair to the destination', async () => {
    const port = await echo('s:');
    const input = new PassThrough();
    const output = new PassThrough();
    const done = forwardStdio('127.0.0.1', port, input, output);
    const answer = new Promise<string>((r) => output.once('data', (d: Buffer) => r(d.toString())));
    input.write('ping');
    expect(await answer).toBe('s:ping');
    input.end();
    await done;
  });

  it('fails when nothing listens', async () => {
    const port = await echo('x');
    await new Promise((r) => servers.pop()?.close(r));
    await expect(forwardStdio('127.0.0.1', port, new PassThrough(), new PassThrough())).rejects.toThrow(/ECONNREFUSED/);
  });
});
