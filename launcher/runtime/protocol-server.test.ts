// The protocol socket for real: a unix socket in a temp dir, clients that connect early and late,
// commands that succeed, fail and are malformed.
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { HelloEvent, LauncherEvent } from '../protocol/index.js';
import { parseCommand, startProtocolServer, type ProtocolServer } from './protocol-server.js';

const hello: HelloEvent = {
  type: 'hello', protocol: 2, vmi: { namespace: 'default', name: 'v', uid: 'u' }, domain: 'default_v', pid: 1,
  consoleSocket: '/x/console.sock', hypervisor: 'qemu',
};

const SYNCED = { type: 'synced' };

class Client {
  readonly events: LauncherEvent[] = [];
  private buffered = '';
  constructor(readonly socket: Socket) {
    socket.setEncoding('utf8');
    socket.on('data', (t: string) => {
      this.buffered += t;
      let nl: number;
      while ((nl = this.buffered.indexOf('\n')) >= 0) {
        this.events.push(JSON.parse(this.buffered.slice(0, nl)) as LauncherEvent);
        this.buffered = this.buffered.slice(nl + 1);
      }
    });
  }
  async waitFor(n: number): Promise<LauncherEvent[]> {
    for (let i = 0; i < 200 && this.events.length < n; i++) await new Promise((d) => setTimeout(d, 10));
    return this.events;
  }
}

async function client(path: string): Promise<Client> {
  const socket = await new Promise<Socket>((done, fail) => {
    const s = connect(path, () => done(s));
    s.once('error', fail);
  });
  return new Client(socket);
}

let dir = '';
let server: ProtocolServer | undefined;
afterEach(async () => {
  await server?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('launcher protocol server', () => {
  it('greets, replays the latest state to late clients, broadcasts, and answers commands', async () => {
    dir = await mkdtemp(join(tmpdir(), 'kvt-proto-'));
    const path = join(dir, 'launcher.sock');
    const done: string[] = [];
    server = await startProtocolServer(path, hello, async (command) => {
      if (command === 'pause') throw new Error('cannot pause now');
      done.push(command);
    });
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    const early = await client(path);
    server.publish({ type: 'phase', phase: 'Running', time: 't1' });
    server.publish({ type: 'domain', state: 'Running', reason: 'Unknown', time: 't1' });
    server.publish({ type: 'domain', state: 'Paused', reason: 'User', time: 't2' });
    expect(await early.waitFor(5)).toEqual([hello, SYNCED, expect.objectContaining({ phase: 'Running' }), expect.objectContaining({ state: 'Running' }), expect.objectContaining({ state: 'Paused' })]);

    const late = await client(path);
    // The replay ends with `synced`: the events before it are the current state.
    expect(await late.waitFor(4)).toEqual([hello, expect.objectContaining({ phase: 'Running' }), expect.objectContaining({ state: 'Paused', reason: 'User' }), SYNCED]);

    late.socket.write('{"id":"1","command":"shutdown"}\n{"id":"2","command":"pause"}\nnot json\n{"id":"3","command":"reboot"}\n');
    const replies = (await late.waitFor(8)).filter((e) => e.type === 'reply');
    expect(replies).toEqual(expect.arrayContaining([
      { type: 'reply', id: '1', ok: true },
      { type: 'reply', id: '2', ok: false, error: 'cannot pause now' },
      { type: 'reply', id: '', ok: false, error: 'not a JSON object' },
      { type: 'reply', id: '3', ok: false, error: expect.stringMatching(/unknown command "reboot"/) },
    ]));
    expect(done).toEqual(['shutdown']);
    early.socket.destroy();
    late.socket.destroy();
  });

  it.each([
    ['{"command":"shutdown"}', /missing "id"/],
    ['[]', /not a JSON object/],
    ['42', /not a JSON object/],
    ['{"id":"x","command":"destroy"}', undefined],
  ])('parses %s', (line, refusal) => {
    const parsed = parseCommand(line);
    if (refusal === undefined) expect(parsed).toEqual({ id: 'x', command: 'destroy' });
    else expect(parsed).toMatch(refusal);
  });
});
