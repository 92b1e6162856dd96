// The --await-vmi start: real files, a real unix socket, and `kvt virt-launcher --await-vmi` as a
// real process (no guest needed: these cases end before the domain would be prepared).
import { spawn } from 'node:child_process';
import { mkdtemp, rename, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runDirFor } from '../identity.js';
import { PROTOCOL_SOCKET, VMI_FILE, type LauncherCommand, type LauncherEvent, type ReplyEvent } from '../protocol/index.js';
import { connectLauncherClient } from '../protocol/runtime/client.js';
import { awaitVmiFile, servePending } from './await-vmi.js';

const REPO = resolve(import.meta.dirname, '../..');
const ID = { namespace: 'ns1', name: 'vm1', uid: 'aaaa-bbbb' };

let root = '';
beforeEach(async () => { root = await mkdtemp(join(tmpdir(), 'kvt-await-')); });
afterEach(async () => { await rm(root, { recursive: true, force: true }); });

async function handOver(runDir: string, vmi: unknown): Promise<void> {
  const temp = join(runDir, '.vmi.json.tmp');
  await writeFile(temp, JSON.stringify(vmi), { mode: 0o600 });
  await rename(temp, join(runDir, VMI_FILE));
}

/** Connects to a launcher socket with the launcher client (retrying until it exists) and collects its events. */
async function listen(path: string): Promise<{ events: LauncherEvent[]; until(p: (e: LauncherEvent) => boolean): Promise<LauncherEvent>; send(command: LauncherCommand['command']): Promise<ReplyEvent>; end(): void }> {
  const deadline = Date.now() + 20_000;
  const events: LauncherEvent[] = [];
  const waiters: (() => void)[] = [];
  const onEvent = (event: LauncherEvent): void => {
    events.push(event);
    for (const w of waiters.splice(0)) w();
  };
  for (;;) {
    try {
      const client = await connectLauncherClient(path, { onEvent });
      const until = async (p: (e: LauncherEvent) => boolean): Promise<LauncherEvent> => {
        for (;;) {
          const hit = events.find(p);
          if (hit !== undefined) return hit;
          await new Promise<void>((done) => waiters.push(done));
        }
      };
      return { events, until, send: (command) => client.send(command), end: () => client.close() };
    } catch (e: unknown) {
      if (Date.now() > deadline) throw e;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

function launcher(args: readonly string[]): { exited: Promise<number | null>; stderr: () => string; kill(sig: NodeJS.Signals): void } {
  const child = spawn(process.execPath, [join(REPO, 'bin/kvt.js'), 'virt-launcher', '--await-vmi', ...args], {
    env: { ...process.env, KVT_DATA_DIR: join(root, 'data') }, stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  child.stderr.on('data', (c: Buffer) => { err += c.toString(); });
  return { exited: new Promise((done) => child.once('exit', (code) => done(code))), stderr: () => err, kill: (sig) => child.kill(sig) };
}

const ARGS = ['--namespace', ID.namespace, '--name', ID.name, '--uid', ID.uid, '--grace-period-seconds', '45'];

describe('awaitVmiFile', () => {
  it('resolves with the file once it is renamed into place', async () => {
    const waiting = awaitVmiFile(root, { stopRequested: new Promise(() => undefined), pollMs: 10_000 });
    await new Promise((r) => setTimeout(r, 50));
    await handOver(root, { kind: 'VirtualMachineInstance', metadata: ID });
    const got = await waiting;
    expect(got.kind).toBe('arrived');
    expect(got.kind === 'arrived' && JSON.parse(got.text)).toEqual({ kind: 'VirtualMachineInstance', metadata: ID });
  });

  it('finds a file that was already there', async () => {
    await handOver(root, { metadata: ID });
    expect((await awaitVmiFile(root, { stopRequested: new Promise(() => undefined) })).kind).toBe('arrived');
  });

  it('ends on a stop request', async () => {
    expect(await awaitVmiFile(root, { stopRequested: Promise.resolve() })).toEqual({ kind: 'stopped' });
  });
});

describe('servePending', () => {
  it('says hello with the identity and phase Pending; shutdown ends the wait; other commands are refused', async () => {
    const runDir = runDirFor(root, ID);
    const pending = await servePending(runDir, ID);
    const client = await listen(join(runDir, PROTOCOL_SOCKET));
    expect(await client.until((e) => e.type === 'hello')).toMatchObject({ vmi: ID });
    expect(await client.until((e) => e.type === 'phase')).toMatchObject({ phase: 'Pending', reason: 'AwaitingVmi' });
    expect(await client.send('pause')).toMatchObject({ ok: false, error: expect.stringMatching(/waiting for its VMI/) as unknown });
    let stopped = false;
    void pending.stopCommanded.then(() => { stopped = true; });
    expect(await client.send('shutdown')).toMatchObject({ ok: true });
    await pending.stopCommanded;
    expect(stopped).toBe(true);
    client.end();
    await pending.server.close();
  });
});

describe('kvt virt-launcher --await-vmi', () => {
  it('serves its socket at once and exits 0 on SIGTERM while waiting, leaving no socket', async () => {
    const proc = launcher([...ARGS, '--run-root', root]);
    const sock = join(runDirFor(root, ID), PROTOCOL_SOCKET);
    const client = await listen(sock);
    expect(await client.until((e) => e.type === 'phase')).toMatchObject({ phase: 'Pending' });
    proc.kill('SIGTERM');
    expect(await client.until((e) => e.type === 'phase' && e.phase === 'Stopped')).toMatchObject({ reason: 'StopRequested' });
    expect(await proc.exited).toBe(0);
    await expect(stat(sock)).rejects.toThrow(/ENOENT/);
  }, 30_000);

  it('refuses a vmi.json of another VMI with a Failed VmiMismatch phase and exit 1', async () => {
    const proc = launcher([...ARGS, '--run-root', root]);
    const runDir = runDirFor(root, ID);
    const client = await listen(join(runDir, PROTOCOL_SOCKET));
    await client.until((e) => e.type === 'phase');
    await handOver(runDir, {
      apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachineInstance', metadata: { ...ID, uid: 'other-uid' },
      spec: { domain: { devices: {}, resources: { requests: { memory: '64Mi' } } } },
    });
    const failed = await client.until((e) => e.type === 'phase' && e.phase === 'Failed');
    expect(failed).toMatchObject({ reason: 'VmiMismatch', message: expect.stringMatching(/uid other-uid, not VMI ns1\/vm1 uid aaaa-bbbb/) as unknown });
    expect(await proc.exited).toBe(1);
    expect(proc.stderr()).toMatch(/VmiMismatch/);
  }, 30_000);

  it('is a usage error without --uid, or with a FILE', async () => {
    expect(await launcher(['--namespace', 'a', '--name', 'b', '--run-root', root]).exited).toBe(1);
    expect(await launcher([...ARGS, '--run-root', root, 'vmi.yaml']).exited).toBe(1);
  }, 30_000);
});
