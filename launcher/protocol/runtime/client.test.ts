// The launcher client against the launcher's real protocol server on a unix socket in a temp dir
// (and, for what a correct server never sends, a raw socket server): the replay ends with synced,
// commands get their replies, a command without an answer times out, malformed lines are reported
// and a malformed reply fails its command at once.
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createLineFramer, encodeLine, jsonObjectOf } from '../../../core/ndjson.js';
import { PROTOCOL_SOCKET, type HelloEvent } from '../index.js';
import { connectLauncherClient, LauncherConnectionError, type LauncherClient, type StateEvent } from './client.js';
import { startProtocolServer, type ProtocolServer } from './server.js';

const hello: HelloEvent = {
  type: 'hello', protocol: 2, vmi: { namespace: 'default', name: 'v', uid: 'u' }, domain: 'default_v', pid: process.pid,
  consoleSocket: '/x/console.sock', hypervisor: 'qemu',
};
const TIME = '2025-01-01T00:00:00.000Z';

let dir = '';
const closers: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c();
  await rm(dir, { recursive: true, force: true });
});

async function socketPath(): Promise<string> {
  dir = await mkdtemp(join(tmpdir(), 'kvt-client-'));
  return join(dir, PROTOCOL_SOCKET);
}

async function serve(handle: (command: string) => Promise<void>): Promise<{ path: string; server: ProtocolServer }> {
  const path = await socketPath();
  const server = await startProtocolServer(path, hello, handle);
  closers.push(() => server.close());
  return { path, server };
}

/** A server that is no launcher: it sends `greeting`, then answers each command line with `reply(command id)`. */
async function rawServer(greeting: string, reply: (id: string) => string | undefined): Promise<string> {
  const path = await socketPath();
  const raw: Server = createServer((s: Socket) => {
    s.on('error', () => undefined);
    s.write(greeting);
    const framer = createLineFramer(1000);
    s.setEncoding('utf8');
    s.on('data', (t: string) => {
      for (const line of framer.push(t).lines) {
        const answer = reply(String(jsonObjectOf(line)?.['id']));
        if (answer !== undefined) s.write(answer);
      }
    });
  });
  await new Promise<void>((d) => raw.listen(path, d));
  closers.push(() => new Promise<void>((d) => raw.close(() => d())));
  return path;
}

async function connected(path: string, options: { malformed?: string[]; replyTimeoutMs?: number } = {}): Promise<{ client: LauncherClient; events: StateEvent[] }> {
  const events: StateEvent[] = [];
  const client = await connectLauncherClient(path, {
    onEvent: (e) => events.push(e),
    ...(options.malformed === undefined ? {} : { onMalformed: (why: string) => options.malformed?.push(why) }),
    ...(options.replyTimeoutMs === undefined ? {} : { replyTimeoutMs: options.replyTimeoutMs }),
  });
  closers.push(() => client.close());
  return { client, events };
}

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 300 && !check(); i++) await new Promise((d) => setTimeout(d, 10));
  expect(check()).toBe(true);
}

describe('connectLauncherClient', () => {
  it('receives the replay, ending with synced, then the events as they come', async () => {
    const { path, server } = await serve(async () => undefined);
    server.publish({ type: 'phase', phase: 'Running', time: TIME });
    server.publish({ type: 'domain', state: 'Running', reason: 'Booted', time: TIME });
    const { events } = await connected(path);
    await until(() => events.length >= 4);
    expect(events).toEqual([hello, expect.objectContaining({ type: 'phase', phase: 'Running' }), expect.objectContaining({ type: 'domain', state: 'Running' }), { type: 'synced' }]);
    server.publish({ type: 'domain', state: 'Paused', reason: 'User', time: TIME });
    await until(() => events.length >= 5);
    expect(events[4]).toEqual({ type: 'domain', state: 'Paused', reason: 'User', time: TIME });
  });

  it('resolves each command with its own reply, failures included', async () => {
    const { path } = await serve(async (command) => {
      if (command === 'pause') throw new Error('cannot pause now');
      await new Promise((d) => setTimeout(d, command === 'shutdown' ? 50 : 0));
    });
    const { client } = await connected(path);
    const [slow, failed, fast] = await Promise.all([client.send('shutdown'), client.send('pause'), client.send('resume')]);
    expect(slow).toMatchObject({ type: 'reply', ok: true });
    expect(failed).toMatchObject({ type: 'reply', ok: false, error: 'cannot pause now' });
    expect(fast).toMatchObject({ type: 'reply', ok: true });
    expect(new Set([slow.id, failed.id, fast.id]).size).toBe(3);
  });

  it('times out a command the launcher never answers, naming the command and the socket', async () => {
    const { path } = await serve(() => new Promise(() => undefined));
    const { client } = await connected(path, { replyTimeoutMs: 100 });
    const error = await client.send('pause').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LauncherConnectionError);
    expect((error as Error).message).toBe(`no reply to pause from the launcher at ${path} within 0.1 s`);
  });

  it('reports malformed lines, keeps going, and fails a command whose reply is malformed at once', async () => {
    const greeting = [encodeLine(hello), 'not json\n', encodeLine({ type: 'domain', state: 'Bogus', reason: 'x', time: TIME }), encodeLine({ type: 'synced' })].join('');
    const path = await rawServer(greeting, (id) => encodeLine({ type: 'reply', id, ok: 'yes' }));
    const malformed: string[] = [];
    const { client, events } = await connected(path, { malformed, replyTimeoutMs: 5000 });
    await until(() => events.length >= 2);
    expect(events).toEqual([hello, { type: 'synced' }]);
    expect(malformed).toEqual([
      'launcher event: not a JSON object',
      'launcher event: "state" must be one of Running, Paused, Shutoff, Shutdown, Crashed, Pending, NoState, not "Bogus"',
    ]);
    const started = Date.now();
    await expect(client.send('pause')).rejects.toThrow(`the launcher at ${path} sent a malformed reply: launcher event: "ok" must be true or false, not "yes"`);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('fails pending commands when the launcher goes, and says how the connection ended', async () => {
    const { path, server } = await serve(() => new Promise(() => undefined));
    const { client } = await connected(path);
    const pending = client.send('shutdown').catch((e: unknown) => e);
    await new Promise((d) => setTimeout(d, 50));
    await server.close();
    expect(await pending).toMatchObject({ message: `the connection to the launcher at ${path} closed` });
    expect(await client.ended).toBeUndefined();
    await expect(client.send('pause')).rejects.toThrow(`not connected to the launcher at ${path}`);
  });

  it('rejects with the socket error code when nothing listens', async () => {
    const path = await socketPath();
    const error = await connectLauncherClient(path, { onEvent: () => undefined }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LauncherConnectionError);
    expect(error).toMatchObject({ code: 'ENOENT', message: `cannot connect to the launcher at ${path}: ENOENT` });
  });

  it('close() fails pending commands and ends the connection', async () => {
    const { path } = await serve(() => new Promise(() => undefined));
    const { client } = await connected(path);
    const pending = client.send('destroy');
    client.close();
    await expect(pending).rejects.toThrow(`the connection to the launcher at ${path} was closed`);
    expect(await client.ended).toBeUndefined();
  });
});
