// The handler's reconnecting launcher connection against the launcher's real protocol server on a
// unix socket: the view follows hello/domain/phase events (seen only once the replay's synced came),
// commands get their replies, a dropped connection is re-established, and a launcher whose socket
// vanished, or whose process died, is reported gone. Event parsing is launcher/protocol's (tested there).
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { PROTOCOL_SOCKET, type HelloEvent } from '../../../launcher/protocol/index.js';
import { startProtocolServer, type ProtocolServer } from '../../../launcher/protocol/runtime/server.js';
import { connectLauncher, processAlive, type LauncherConnection } from './launcher-connection.js';

const hello = (pid: number): HelloEvent => ({
  type: 'hello', protocol: 2, vmi: { namespace: 'default', name: 'v', uid: 'u' }, domain: 'default_v', pid,
  consoleSocket: '/x/console.sock', hypervisor: 'qemu',
});

/** What a launcher sends first: its hello, then the end of the replay. */
const replay = (h: HelloEvent): string => `${JSON.stringify(h)}\n${JSON.stringify({ type: 'synced' })}\n`;

async function until(what: string, check: () => boolean, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((d) => setTimeout(d, 10));
  }
}

let dir = '';
let server: ProtocolServer | undefined;
let conn: LauncherConnection | undefined;
afterEach(async () => {
  conn?.close();
  await server?.close();
  await rm(dir, { recursive: true, force: true });
  conn = undefined;
  server = undefined;
});

async function socketPath(): Promise<string> {
  dir = await mkdtemp(join(tmpdir(), 'kvt-conn-'));
  return join(dir, PROTOCOL_SOCKET);
}

describe('connectLauncher', () => {
  it('keeps the latest state, counts changes, and sends commands with replies', async () => {
    const path = await socketPath();
    const ran: string[] = [];
    server = await startProtocolServer(path, hello(process.pid), async (command) => {
      if (command === 'pause') throw new Error('cannot pause now');
      ran.push(command);
    });
    server.publish({ type: 'phase', phase: 'Running', time: new Date().toISOString() });
    let changes = 0;
    conn = connectLauncher(path, { onChange: () => { changes++; } });
    await until('hello and phase', () => conn?.view().phase?.phase === 'Running');
    expect(conn.view()).toMatchObject({ seen: true, gone: false, hypervisor: 'qemu' });
    server.publish({ type: 'domain', state: 'Running', reason: 'Unknown', time: new Date().toISOString() });
    await until('the domain', () => conn?.view().domain?.state === 'Running');
    server.publish({ type: 'domain', state: 'NoState', reason: 'NonExistent', time: new Date().toISOString() });
    await until('the domain gone', () => conn?.view().domain?.state === 'NoState');
    expect(conn.view().lastDomain).toEqual({ state: 'Running', reason: 'Unknown' });
    expect(changes).toBeGreaterThanOrEqual(4);
    expect(await conn.send('shutdown')).toMatchObject({ type: 'reply', ok: true });
    expect(await conn.send('pause')).toMatchObject({ ok: false, error: 'cannot pause now' });
    expect(ran).toEqual(['shutdown']);
  });

  it('is not seen until the replay ends: a hello alone says nothing of the domain', async () => {
    // Under load the replay (hello, phase, domain, synced) can arrive in several reads; a handler
    // that judged a Running VMI after the hello alone would report its domain gone (DomainNotFound).
    const path = await socketPath();
    const accepted: Socket[] = [];
    const raw: Server = createServer((s) => { s.on('error', () => {}); accepted.push(s); s.write(`${JSON.stringify(hello(process.pid))}\n`); });
    await new Promise<void>((d) => raw.listen(path, d));
    const views: boolean[] = [];
    conn = connectLauncher(path, { onChange: () => { views.push(conn?.view().seen === true); } });
    await until('the hello', () => conn?.hello() !== undefined);
    expect(conn.view()).toMatchObject({ seen: false, gone: false });
    const time = new Date().toISOString();
    for (const s of accepted) s.write(`${JSON.stringify({ type: 'phase', phase: 'Running', time })}\n`);
    await until('the phase', () => conn?.view().phase !== undefined);
    expect(conn.view().seen).toBe(false);
    for (const s of accepted) s.write(`${JSON.stringify({ type: 'domain', state: 'Running', reason: 'Booted', time })}\n${JSON.stringify({ type: 'synced' })}\n`);
    await until('synced', () => conn?.view().seen === true);
    expect(conn.view()).toMatchObject({ seen: true, domain: { state: 'Running', reason: 'Booted' }, phase: { phase: 'Running' } });
    expect(views.at(-1)).toBe(true);
    conn.close();
    await new Promise<void>((d) => raw.close(() => d()));
  });

  it('reports a launcher whose socket vanished as gone, and refuses commands then', async () => {
    const path = await socketPath();
    server = await startProtocolServer(path, hello(process.pid), async () => {});
    conn = connectLauncher(path, { onChange: () => {}, backoffMs: { min: 20, max: 50 } });
    await until('hello', () => conn?.view().seen === true);
    await server.close();
    await until('gone', () => conn?.view().gone === true);
    await expect(conn.send('shutdown')).rejects.toThrow(/not connected/);
  });

  it('reports a launcher whose process died as gone (even if its socket file stayed)', async () => {
    const path = await socketPath();
    const dead = spawnSync(process.execPath, ['-e', '0']).pid;
    expect(processAlive(dead)).toBe(false);
    const accepted: Socket[] = [];
    const raw: Server = createServer((s) => { s.on('error', () => {}); accepted.push(s); s.write(replay(hello(dead))); });
    await new Promise<void>((d) => raw.listen(path, d));
    conn = connectLauncher(path, { onChange: () => {}, backoffMs: { min: 20, max: 50 } });
    await until('hello', () => conn?.view().seen === true);
    for (const s of accepted) s.destroy();
    await until('gone', () => conn?.view().gone === true);
    await new Promise<void>((d) => raw.close(() => d()));
  });

  it('reconnects after a dropped connection while the launcher lives', async () => {
    const path = await socketPath();
    let connections = 0;
    const raw: Server = createServer((s) => {
      s.on('error', () => {});
      connections++;
      s.write(replay(hello(process.pid)));
      if (connections === 1) s.destroy();
    });
    await new Promise<void>((d) => raw.listen(path, d));
    conn = connectLauncher(path, { onChange: () => {}, backoffMs: { min: 20, max: 50 } });
    await until('a second connection', () => connections >= 2);
    expect(conn.view().gone).toBe(false);
    conn.close();
    await new Promise<void>((d) => raw.close(() => d()));
  });

  it('a launcher never reached is gone only after neverSeenGoneMs', async () => {
    const path = await socketPath();
    conn = connectLauncher(path, { onChange: () => {}, backoffMs: { min: 20, max: 20 }, neverSeenGoneMs: 300 });
    await new Promise((d) => setTimeout(d, 100));
    expect(conn.view().gone).toBe(false);
    await until('gone', () => conn?.view().gone === true);
  });

  it('connects as soon as the socket of a starting launcher appears, not at the next backoff', async () => {
    const path = await socketPath();
    // A backoff far longer than the test's patience: only the directory watch can connect in time.
    conn = connectLauncher(path, { onChange: () => {}, backoffMs: { min: 60_000, max: 60_000 } });
    await new Promise((d) => setTimeout(d, 100));
    expect(conn.view().seen).toBe(false);
    server = await startProtocolServer(path, hello(process.pid), async () => undefined);
    await until('seen', () => conn?.view().seen === true, 2000);
  });
});
