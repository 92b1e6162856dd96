// The protocol socket for real: a unix socket in a temp dir, raw clients that connect early and
// late, commands that succeed, fail, are malformed or too long.
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createLineFramer } from '../../../core/ndjson.js';
import { MAX_LINE_LENGTH, PROTOCOL_SOCKET, parseLauncherEvent, type HelloEvent, type LauncherEvent } from '../index.js';
import { startProtocolServer, type ProtocolServer } from './server.js';

const hello: HelloEvent = {
  type: 'hello', protocol: 2, vmi: { namespace: 'default', name: 'v', uid: 'u' }, domain: 'default_v', pid: 1,
  consoleSocket: '/x/console.sock', hypervisor: 'qemu',
};
const SYNCED = { type: 'synced' };
const T1 = '2025-01-01T00:00:01.000Z';
const T2 = '2025-01-01T00:00:02.000Z';

/** A raw client: what it writes goes out untouched; what it reads must be valid events. */
class RawClient {
  readonly events: LauncherEvent[] = [];
  closed = false;
  constructor(readonly socket: Socket) {
    const framer = createLineFramer(MAX_LINE_LENGTH);
    socket.setEncoding('utf8');
    socket.on('data', (t: string) => {
      for (const line of framer.push(t).lines) {
        const parsed = parseLauncherEvent(line);
        if (!parsed.ok) throw new Error(parsed.error);
        this.events.push(parsed.message);
      }
    });
    socket.on('close', () => { this.closed = true; });
  }
  async waitFor(check: () => boolean): Promise<LauncherEvent[]> {
    for (let i = 0; i < 300 && !check(); i++) await new Promise((d) => setTimeout(d, 10));
    return this.events;
  }
}

async function rawClient(path: string): Promise<RawClient> {
  const socket = await new Promise<Socket>((done, fail) => {
    const s = connect(path, () => done(s));
    s.once('error', fail);
  });
  return new RawClient(socket);
}

let dir = '';
let server: ProtocolServer | undefined;
afterEach(async () => {
  await server?.close();
  await rm(dir, { recursive: true, force: true });
});

async function serve(handle: (command: string) => Promise<void>): Promise<string> {
  dir = await mkdtemp(join(tmpdir(), 'kvt-proto-'));
  const path = join(dir, PROTOCOL_SOCKET);
  server = await startProtocolServer(path, hello, handle);
  return path;
}

describe('launcher protocol server', () => {
  it('greets, replays the latest state to late clients, broadcasts, and answers commands', async () => {
    const done: string[] = [];
    const path = await serve(async (command) => {
      if (command === 'pause') throw new Error('cannot pause now');
      done.push(command);
    });
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    const early = await rawClient(path);
    server?.publish({ type: 'phase', phase: 'Running', time: T1 });
    server?.publish({ type: 'domain', state: 'Running', reason: 'Unknown', time: T1 });
    server?.publish({ type: 'domain', state: 'Paused', reason: 'User', time: T2 });
    expect(await early.waitFor(() => early.events.length >= 5)).toEqual([hello, SYNCED, expect.objectContaining({ phase: 'Running' }), expect.objectContaining({ state: 'Running' }), expect.objectContaining({ state: 'Paused' })]);

    const late = await rawClient(path);
    // The replay ends with `synced`: the events before it are the current state.
    expect(await late.waitFor(() => late.events.length >= 4)).toEqual([hello, expect.objectContaining({ phase: 'Running' }), expect.objectContaining({ state: 'Paused', reason: 'User' }), SYNCED]);

    // Split across writes, CRLF, a blank line: framing is the framer's.
    late.socket.write('{"id":"1","comm');
    late.socket.write('and":"shutdown"}\r\n\n{"id":"2","command":"pause"}\nnot json\n{"id":"3","command":"reboot"}\n');
    const replies = (await late.waitFor(() => late.events.length >= 8)).filter((e) => e.type === 'reply');
    expect(replies).toEqual(expect.arrayContaining([
      { type: 'reply', id: '1', ok: true },
      { type: 'reply', id: '2', ok: false, error: 'cannot pause now' },
      { type: 'reply', id: '', ok: false, error: 'launcher command: not a JSON object' },
      { type: 'reply', id: '3', ok: false, error: 'launcher command: "command" must be one of shutdown, destroy, pause, resume, not "reboot"' },
    ]));
    expect(replies).toHaveLength(4);
    expect(done).toEqual(['shutdown']);
    early.socket.destroy();
    late.socket.destroy();
  });

  it('replays the latest network event to a late client, after the domain and before synced', async () => {
    const path = await serve(() => Promise.resolve());
    const network = { type: 'network', interfaces: [{ name: 'default', ipAddress: '10.231.0.2', ipAddresses: ['10.231.0.2'], mac: '02:00:00:00:00:01', infoSource: 'domain' }], time: T1 } as const;
    server?.publish({ type: 'domain', state: 'Running', reason: 'Unknown', time: T1 });
    server?.publish({ type: 'network', interfaces: [], time: T1 });
    server?.publish(network);
    const late = await rawClient(path);
    const events = await late.waitFor(() => late.events.length >= 4);
    expect(events).toEqual([hello, { type: 'domain', state: 'Running', reason: 'Unknown', time: T1 }, network, SYNCED]);
    late.socket.destroy();
  });

  it('replays the latest agent event to a late client, after the network and before synced', async () => {
    const path = await serve(() => Promise.resolve());
    const network = { type: 'network', interfaces: [], time: T1 } as const;
    const agent = { type: 'agent', connected: true, interfaces: [{ interfaceName: 'enp1s0', mac: '02:00:00:00:00:01', ipAddresses: ['10.0.2.2'] }], osInfo: { id: 'debian' }, time: T1 } as const;
    server?.publish(network);
    server?.publish({ type: 'agent', connected: false, interfaces: [], time: T1 });
    server?.publish(agent);
    const late = await rawClient(path);
    const events = await late.waitFor(() => late.events.length >= 4);
    expect(events).toEqual([hello, network, agent, SYNCED]);
    late.socket.destroy();
  });

  it('answers a line over the limit with an error reply and closes that connection only', async () => {
    const path = await serve(async () => undefined);
    const greedy = await rawClient(path);
    const other = await rawClient(path);
    greedy.socket.write('x'.repeat(MAX_LINE_LENGTH + 1));
    await greedy.waitFor(() => greedy.closed);
    expect(greedy.events.at(-1)).toEqual({ type: 'reply', id: '', ok: false, error: `launcher command: a line longer than ${MAX_LINE_LENGTH} characters; closing the connection` });
    expect(greedy.closed).toBe(true);
    other.socket.write('{"id":"a","command":"destroy"}\n');
    expect(await other.waitFor(() => other.events.some((e) => e.type === 'reply'))).toContainEqual({ type: 'reply', id: 'a', ok: true });
    other.socket.destroy();
  });

  it('sends a takeover\'s hello to connected clients and uses its handler', async () => {
    const path = await serve(() => Promise.reject(new Error('still waiting')));
    const client = await rawClient(path);
    await client.waitFor(() => client.events.length >= 2);
    const next: HelloEvent = { ...hello, pid: 2, hypervisor: 'kvm' };
    server?.takeOver(next, async () => undefined);
    client.socket.write('{"id":"p","command":"pause"}\n');
    expect(await client.waitFor(() => client.events.length >= 4)).toEqual([hello, SYNCED, next, { type: 'reply', id: 'p', ok: true }]);
    client.socket.destroy();
  });
});
