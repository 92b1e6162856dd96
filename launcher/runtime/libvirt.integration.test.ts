// A real private libvirtd in session mode (as the unprivileged user when we are root, as CI is), a
// real TCG domain through its lifecycle, and the promise that nothing outlives stop(): not the
// daemon, not its QEMU (also when libvirtd was SIGKILLed), not its directories.
// Skips only outside CI when libvirtd or virsh is absent; in CI (CI=true) that is a failure.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DomainNotFoundError, HypervisorError, NON_EXISTENT, watchDomain, type DomainStatus, type Hypervisor } from './hypervisor.js';
import { connectLibvirt } from './libvirt.js';
import { LibvirtdError, startSessionLibvirtd, type SessionDaemon } from './libvirtd.js';
import { findSessionProcesses, isProcessAlive } from './session-processes.js';
import {
  PathNotReachableError,
  assertReachable,
  ensureUnprivilegedUser,
  grantRead,
  grantWrite,
  type UnprivilegedUser,
} from './unprivileged-user.js';
import { IN_CI, IS_ROOT, LIBVIRT_TOOLS, haveTools } from '../../test/fixtures/host.js';



const AVAILABLE = haveTools(LIBVIRT_TOOLS);

const XDG_DIRS = ['run', 'cfg', 'cache', 'data'];

function domainXml(name: string, serialPath: string): string {
  // No disks and no OS: SeaBIOS finds nothing to boot and idles, which is all the lifecycle needs.
  return `<domain type='qemu'>
  <name>${name}</name>
  <memory unit='MiB'>64</memory>
  <vcpu>1</vcpu>
  <os><type arch='x86_64' machine='q35'>hvm</type></os>
  <features><acpi/></features>
  <on_poweroff>destroy</on_poweroff>
  <devices>
    <serial type='file'><source path='${serialPath}'/><target port='0'/></serial>
  </devices>
</domain>`;
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((done) => setTimeout(done, 20));
  }
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(() => true, () => false);
}

/** The QEMU processes of a daemon: its session processes other than the daemon itself. */
async function qemuPids(baseDir: string, daemonPid: number): Promise<number[]> {
  const pids = (await findSessionProcesses([baseDir])).filter((pid) => pid !== daemonPid);
  const names = await Promise.all(pids.map(async (pid) => ({ pid, comm: (await readFile(`/proc/${pid}/comm`, 'utf8').catch(() => '')).trim() })));
  return names.filter(({ comm }) => comm.startsWith('qemu-system')).map(({ pid }) => pid);
}

async function assertNothingLeft(baseDir: string, pids: readonly number[]): Promise<void> {
  for (const pid of pids) expect(await isProcessAlive(pid), `process ${pid} is still alive`).toBe(false);
  expect(await findSessionProcesses([baseDir])).toEqual([]);
  for (const dir of XDG_DIRS) expect(await exists(join(baseDir, dir)), `${dir} is still there`).toBe(false);
  expect(await exists(join(baseDir, 'libvirtd.log'))).toBe(false);
}

const ms = (since: number): number => Math.round(performance.now() - since);

describe.skipIf(!AVAILABLE && !IN_CI)('private session libvirtd (real libvirt, TCG)', () => {
  let user: UnprivilegedUser | undefined;
  let capsDir = '';
  const cleanups: (() => Promise<void>)[] = [];

  beforeAll(async () => {
    if (!AVAILABLE) throw new Error('libvirtd, virsh and qemu-system-x86_64 are required in CI: install scripts/launcher-deps.sh packages');
    user = IS_ROOT ? await ensureUnprivilegedUser() : undefined;
    capsDir = await mkdtemp('/tmp/kvt-caps-');
  });

  afterEach(async () => {
    while (cleanups.length > 0) await cleanups.pop()?.();
  });

  afterAll(async () => {
    if (capsDir !== '') await rm(capsDir, { recursive: true, force: true });
  });

  /** A fresh base directory (short: QEMU's socket paths must fit 107 bytes) and a daemon in it. */
  async function startDaemon(): Promise<{ daemon: SessionDaemon; baseDir: string; startMs: number }> {
    const baseDir = await mkdtemp('/tmp/kvt-lv-');
    cleanups.push(() => rm(baseDir, { recursive: true, force: true }));
    const started = performance.now();
    const daemon = await startSessionLibvirtd({ baseDir, ...(user === undefined ? {} : { user }), capabilitiesCacheDir: capsDir });
    const startMs = ms(started);
    cleanups.push(() => daemon.stop());
    return { daemon, baseDir, startMs };
  }

  async function guestDir(baseDir: string): Promise<string> {
    const dir = join(baseDir, 'guest');
    await mkdir(dir);
    if (user !== undefined) await grantWrite(dir, user);
    return dir;
  }

  async function connect(daemon: SessionDaemon): Promise<Hypervisor> {
    const h = await connectLibvirt(daemon.uri);
    // Closing fails harmlessly when the test killed the daemon: only the connection handle is left.
    cleanups.push(() => h.close().catch(() => undefined));
    return h;
  }

  it('runs a domain through define, start, pause, resume, shutdown, destroy and undefine', async () => {
    const { daemon, baseDir, startMs } = await startDaemon();
    const h = await connect(daemon);
    const serial = join(await guestDir(baseDir), 'serial.log');
    const name = `kvt-life-${randomBytes(3).toString('hex')}`;

    const seen: DomainStatus[] = [];
    const watchErrors: unknown[] = [];
    const stopWatch = watchDomain(h, name, (s) => seen.push(s), { intervalMs: 50, onError: (e) => watchErrors.push(e) });
    cleanups.push(async () => stopWatch());

    let t = performance.now();
    expect(await h.define(domainXml(name, serial))).toBe(name);
    const defineMs = ms(t);
    t = performance.now();
    await h.start(name);
    const startDomainMs = ms(t);
    expect(await h.status(name)).toEqual({ state: 'Running', reason: 'Unknown' });
    expect(await h.domainXml(name)).toContain(`<name>${name}</name>`);
    const qemu = await qemuPids(baseDir, daemon.pid);
    expect(qemu).toHaveLength(1);
    if (user !== undefined) {
      const status = await readFile(`/proc/${qemu[0]}/status`, 'utf8');
      expect(status).toMatch(new RegExp(`^Uid:\\s+${user.uid}\\s`, 'm'));
      expect((await stat(serial)).uid).toBe(user.uid);
    }

    await h.pause(name);
    expect(await h.status(name)).toEqual({ state: 'Paused', reason: 'User' });
    // (The watcher may also have caught Paused/StartingUp: libvirt starts QEMU paused.)
    await waitFor('the watcher to see Paused/User', async () => (seen.some((s) => s.state === 'Paused' && s.reason === 'User') ? true : undefined));
    await h.resume(name);
    expect((await h.status(name)).state).toBe('Running');

    // Without a guest OS nobody answers the ACPI power button: the domain keeps running.
    await h.shutdown(name);
    await new Promise((done) => setTimeout(done, 300));
    expect((await h.status(name)).state).toBe('Running');
    await h.destroy(name);
    expect(await h.status(name)).toEqual({ state: 'Shutoff', reason: 'Destroyed' });
    await h.destroy(name); // already off: a no-op, so cleanup paths stay idempotent
    // The watcher polls: let it see the destroyed state before the domain goes (CI once undefined it between two polls).
    await waitFor('the watcher to see Shutoff/Destroyed', async () => (seen.some((s) => s.state === 'Shutoff' && s.reason === 'Destroyed') ? true : undefined));
    await h.undefine(name);
    await expect(h.status(name)).rejects.toBeInstanceOf(DomainNotFoundError);
    await expect(h.start(name)).rejects.toThrow(`Could not start domain "${name}": Domain not found`);
    await waitFor('the watcher to see the domain gone', async () => (seen.at(-1) === NON_EXISTENT ? true : undefined));
    stopWatch();
    expect(seen.map((s) => `${s.state}/${s.reason}`)).toEqual(expect.arrayContaining(['Running/Unknown', 'Paused/User', 'Shutoff/Destroyed', 'NoState/NonExistent']));
    expect(watchErrors).toEqual([]);

    await h.close();
    t = performance.now();
    await daemon.stop();
    const stopMs = ms(t);
    await assertNothingLeft(baseDir, [daemon.pid, ...qemu]);
    expect(await exists(serial)).toBe(true); // the caller's files stay
    console.info(`libvirtd start ${startMs} ms, define ${defineMs} ms + start ${startDomainMs} ms, stop ${stopMs} ms`);
  }, 60_000);

  it('asks the guest agent through virsh: a guest without one fails at once with libvirt\'s reason', async () => {
    const { daemon, baseDir } = await startDaemon();
    const h = await connect(daemon);
    const name = `kvt-ga-${randomBytes(3).toString('hex')}`;
    // The launcher's channel (converter/channels.ts), with nobody answering behind it.
    const channel = "<channel type='unix'><target type='virtio' name='org.qemu.guest_agent.0'/></channel>";
    await h.define(domainXml(name, join(await guestDir(baseDir), 'serial.log')).replace('</devices>', `${channel}</devices>`));
    await h.start(name);
    cleanups.push(() => h.destroy(name).then(() => h.undefine(name)).catch(() => undefined));
    const asked = performance.now();
    await expect(h.agentCommand?.(name, JSON.stringify({ execute: 'guest-info' }), 2)).rejects.toThrow(/Could not ask the guest agent of domain "kvt-ga-[0-9a-f]+": .*guest agent/i);
    expect(ms(asked)).toBeLessThan(30_000);
    await expect(h.agentCommand?.('no-such-domain', JSON.stringify({ execute: 'guest-info' }), 2)).rejects.toBeInstanceOf(DomainNotFoundError);
  }, 60_000);

  it('turns a SIGKILLed libvirtd into HypervisorErrors and still ends its orphaned QEMU on stop()', async () => {
    const { daemon, baseDir } = await startDaemon();
    const h = await connect(daemon);
    const name = `kvt-kill-${randomBytes(3).toString('hex')}`;
    const t0 = performance.now();
    await h.define(domainXml(name, join(await guestDir(baseDir), 'serial.log')));
    const defineMs = ms(t0);
    await h.start(name);
    console.info(`define with the shared capabilities cache warm: ${defineMs} ms`);
    const qemu = await qemuPids(baseDir, daemon.pid);
    expect(qemu).toHaveLength(1);

    process.kill(daemon.pid, 'SIGKILL');
    expect(await daemon.exited).toEqual({ code: null, signal: 'SIGKILL' });
    const failure = await h.status(name).then(() => undefined, (e: unknown) => e);
    expect(failure).toBeInstanceOf(HypervisorError);
    expect(failure).not.toBeInstanceOf(DomainNotFoundError);
    expect((failure as Error).message).toContain(`domain "${name}"`);
    await expect(h.destroy(name)).rejects.toBeInstanceOf(HypervisorError);
    await expect(connectLibvirt(daemon.uri)).rejects.toBeInstanceOf(HypervisorError);
    // QEMU daemonized, so it outlived libvirtd:
    expect(await isProcessAlive(qemu[0] ?? -1)).toBe(true);

    const t = performance.now();
    await daemon.stop();
    const stopMs = ms(t);
    await assertNothingLeft(baseDir, [daemon.pid, ...qemu]);
    console.info(`stop after SIGKILL of libvirtd (orphaned QEMU): ${stopMs} ms`);
  }, 60_000);

  it('reports the daemon log and leaves nothing when libvirtd dies at start-up', async () => {
    const baseDir = await mkdtemp('/tmp/kvt-lv-');
    cleanups.push(() => rm(baseDir, { recursive: true, force: true }));
    const failing = startSessionLibvirtd({ baseDir, ...(user === undefined ? {} : { user }), libvirtd: 'false' });
    await expect(failing).rejects.toThrow(/libvirtd exited during start-up; libvirtd log:/);
    await expect(failing).rejects.toBeInstanceOf(LibvirtdError);
    await assertNothingLeft(baseDir, []);
  });

  it('names a libvirtd binary that cannot be started, and removes what it prepared', async () => {
    const baseDir = await mkdtemp('/tmp/kvt-lv-');
    cleanups.push(() => rm(baseDir, { recursive: true, force: true }));
    const failing = startSessionLibvirtd({ baseDir, ...(user === undefined ? {} : { user }), libvirtd: '/nonexistent/libvirtd' });
    await expect(failing).rejects.toThrow(/Could not start \/nonexistent\/libvirtd: spawn \/nonexistent\/libvirtd ENOENT/);
    await assertNothingLeft(baseDir, []);
  });

  it.skipIf(!IS_ROOT)('refuses to run libvirtd as root', async () => {
    await expect(startSessionLibvirtd({ baseDir: '/tmp/kvt-never' })).rejects.toThrow(/Refusing to run libvirtd as root/);
    await expect(startSessionLibvirtd({ baseDir: '/tmp/kvt-never', user: { uid: 0, gid: 0 } })).rejects.toBeInstanceOf(LibvirtdError);
    expect(await exists('/tmp/kvt-never')).toBe(false);
  });

  it('refuses a base directory too long for QEMU sockets', async () => {
    const baseDir = `/tmp/${'x'.repeat(60)}`;
    await expect(startSessionLibvirtd({ baseDir, ...(user === undefined ? {} : { user }) })).rejects.toThrow(/at most \d+ bytes/);
  });

  it.skipIf(!IS_ROOT)('ensures the unprivileged user idempotently and hands files to it alone', async () => {
    const again = await ensureUnprivilegedUser();
    expect(again).toEqual(user);
    expect(again.uid).not.toBe(0);
    const dir = await mkdtemp('/tmp/kvt-grant-');
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const file = join(dir, 'user-data');
    await writeFile(file, 'secret', { mode: 0o644 });
    await grantRead(file, again);
    let info = await stat(file);
    expect([info.uid, info.gid, info.mode & 0o777]).toEqual([again.uid, again.gid, 0o400]);
    await grantWrite(file, again);
    info = await stat(file);
    expect(info.mode & 0o777).toBe(0o600);
    // mkdtemp's directory is root's, mode 0700: the user cannot get to the file yet.
    await expect(assertReachable(file, again)).rejects.toBeInstanceOf(PathNotReachableError);
    await grantRead(dir, again);
    await assertReachable(file, again);
    expect(() => execFileSync('setpriv', ['--reuid', String(again.uid), '--regid', String(again.gid), '--clear-groups', 'cat', file])).not.toThrow();
  });
});
