// joinStreams over real TCP connections on loopback: what one side sent before it ended reaches the
// other whole even when the reader is slow (the relay ends, never drops, a side with bytes pending),
// and a failing side tears both down.
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { joinStreams } from './streams.js';

const servers: Server[] = [];
afterEach(() => { for (const s of servers.splice(0)) s.close(); });

/** A listener on loopback that hands each connection to `onConnection`; its port. */
async function listen(onConnection: (s: Socket) => void): Promise<number> {
  const server = createServer(onConnection);
  servers.push(server);
  return new Promise((done) => server.listen(0, '127.0.0.1', () => done((server.address() as { port: number }).port)));
}

/** A relay listener joining each connection to a fresh connection to `port`. */
function relayTo(port: number): Promise<number> {
  return listen((client) => void joinStreams(client, createConnection({ host: '127.0.0.1', port })));
}

describe('joinStreams', () => {
  it('delivers everything a side sent before it ended, to a slow reader', async () => {
    const payload = Buffer.alloc(8 * 1024 * 1024, 'k');
    const origin = await listen((s) => s.end(payload));
    const relay = await relayTo(origin);
    const received = await new Promise<number>((done, failed) => {
      const reader = createConnection({ host: '127.0.0.1', port: relay });
      let n = 0;
      reader.pause();
      // Read only after the origin has long ended: the relay holds the bytes it could not pass on yet.
      setTimeout(() => reader.resume(), 500);
      reader.on('data', (b: Buffer) => { n += b.length; });
      reader.on('end', () => done(n));
      reader.on('error', failed);
    });
    expect(received).toBe(payload.length);
  });

  it('tears both sides down when one fails', async () => {
    let upstream: Socket | undefined;
    const origin = await listen((s) => { upstream = s; });
    const relay = await relayTo(origin);
    const reader = createConnection({ host: '127.0.0.1', port: relay });
    await new Promise((done) => reader.once('connect', done));
    await expect.poll(() => upstream !== undefined).toBe(true);
    const readerClosed = new Promise((done) => reader.once('close', done));
    upstream?.resetAndDestroy();
    await readerClosed;
    expect(reader.destroyed).toBe(true);
  });

  it('ends the half-closed relay after the grace period', async () => {
    const a = createConnection({ host: '127.0.0.1', port: await listen(() => undefined) });
    const bPort = await listen((s) => s.end());
    const b = createConnection({ host: '127.0.0.1', port: bPort });
    const started = Date.now();
    await joinStreams(a, b, 200);
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});
