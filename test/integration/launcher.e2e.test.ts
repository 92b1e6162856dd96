// End to end, as a user runs it: `kvt virt-launcher --console` on a VMI with kernel boot from the
// demo guest image, a cloud-init script printing a random token and an emptyDisk. The real private
// libvirtd (as the unprivileged QEMU user when root) and QEMU (TCG here) boot the real guest; the
// token and the disk appear on the console, the protocol socket reports Running, the console socket
// replays the history; SIGTERM gives a clean ACPI shutdown inside the grace period, and afterwards
// no QEMU, no libvirtd and no file of the launcher is left. The same holds when the launcher is
// SIGKILLed mid-boot (its reaper cleans up) and when libvirtd dies (the launcher reports Failed with
// LibvirtdDied). Runs in CI; skips only outside CI when libvirtd or QEMU is missing.
import { execFileSync, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LauncherEvent } from '../../launcher/protocol/index.js';
import { defaultDataDir } from '../../launcher/runtime/data-dir.js';
import { defaultRunRoot, launcherDirs } from '../../launcher/runtime/launcher-dirs.js';
import { findSessionProcesses } from '../../launcher/runtime/session-processes.js';
import { ensureDemoGuest } from '../fixtures/demo-guest.js';
import { IN_CI, LIBVIRT_TOOLS, haveTools } from '../fixtures/host.js';

const REPO = resolve(import.meta.dirname, '../..');
const GRACE_SECONDS = 30;

const AVAILABLE = haveTools([...LIBVIRT_TOOLS, 'qemu-img', 'genisoimage']);

function manifest(name: string, token: string): string {
  return `apiVersion: kubevirt.io/v1
kind: VirtualMachineInstance
metadata:
  name: ${name}
spec:
  terminationGracePeriodSeconds: ${GRACE_SECONDS}
  domain:
    firmware:
      kernelBoot:
        kernelArgs: console=ttyS0 panic=-1
        container:
          image: localhost/demo-guest:latest
          kernelPath: /boot/vmlinuz
          initrdPath: /boot/initrd.img
    devices:
      disks:
        - name: cloudinitdisk
          disk: {bus: virtio}
        - name: scratch
          disk: {bus: virtio}
          serial: scratch01
    resources:
      requests:
        memory: 128Mi
  volumes:
    - name: cloudinitdisk
      cloudInitNoCloud:
        userData: |
          #!/bin/sh
          echo "${token}"
    - name: scratch
      emptyDisk:
        capacity: 96Mi
`;
}

/** Collects a stream and resolves waiters when a pattern shows up. */
class Collected {
  text = '';
  private waiters: { pattern: RegExp; done: () => void }[] = [];
  add(chunk: Buffer | string): void {
    this.text += chunk.toString().replace(/\r/g, '');
    this.waiters = this.waiters.filter((w) => (w.pattern.test(this.text) ? (w.done(), false) : true));
  }
  waitFor(pattern: RegExp, timeoutMs: number, what: string): Promise<void> {
    if (pattern.test(this.text)) return Promise.resolve();
    return new Promise((done, fail) => {
      const timer = setTimeout(() => fail(new Error(`no ${pattern} on ${what} within ${timeoutMs} ms; so far:\n${this.text.slice(-4000)}`)), timeoutMs);
      this.waiters.push({ pattern, done: () => { clearTimeout(timer); done(); } });
    });
  }
}

const exists = (p: string): Promise<boolean> => stat(p).then(() => true, () => false);

function readSocket(path: string, until: RegExp, timeoutMs: number): Promise<string> {
  const seen = new Collected();
  return new Promise((done, fail) => {
    const s = connect(path);
    s.on('data', (b: Buffer) => seen.add(b));
    s.on('error', fail);
    seen.waitFor(until, timeoutMs, path).then(() => { s.destroy(); done(seen.text); }, (e: unknown) => { s.destroy(); fail(e); });
  });
}

describe.skipIf(!IN_CI && !AVAILABLE)('kvt virt-launcher, end to end (real libvirtd, QEMU and guest)', () => {
  let work = '';
  let launcher: ChildProcessWithoutNullStreams | undefined;

  beforeAll(async () => {
    await ensureDemoGuest();
    work = await mkdtemp(join(tmpdir(), 'kvt-e2e-'));
  }, 600_000);

  afterAll(async () => {
    if (launcher !== undefined && launcher.exitCode === null) launcher.kill('SIGKILL');
    await rm(work, { recursive: true, force: true });
  });

  interface Launched {
    child: ChildProcessWithoutNullStreams;
    name: string;
    dirs: ReturnType<typeof launcherDirs>;
    console: Collected;
    logs: Collected;
    exited: Promise<number | null>;
  }

  /** Starts `kvt virt-launcher --console` on a fresh VMI whose user-data prints `token`. */
  async function launch(token: string): Promise<Launched> {
    const name = `e2e-${randomBytes(3).toString('hex')}`;
    const file = join(work, `${name}.yaml`);
    await writeFile(file, manifest(name, token));
    const dirs = launcherDirs({ namespace: 'default', name, uid: '' }, { runRoot: defaultRunRoot(process.getuid?.() ?? -1, process.env), dataDir: defaultDataDir() });
    const child = spawn(process.execPath, [join(REPO, 'bin/kvt.js'), 'virt-launcher', '--console', file], { cwd: REPO, stdio: ['pipe', 'pipe', 'pipe'] });
    launcher = child;
    const console = new Collected();
    const logs = new Collected();
    child.stdout.on('data', (b: Buffer) => console.add(b));
    child.stderr.on('data', (b: Buffer) => logs.add(b));
    const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
    return { child, name, dirs, console, logs, exited };
  }

  /** A launcher whose guest is booting (QEMU and libvirtd are up). */
  async function startGuest(): Promise<Launched> {
    const launched = await launch('kvt-e2e-token');
    await launched.console.waitFor(/kvt-guest: booting/, 120_000, 'the console');
    return launched;
  }

  it('boots the guest, shows the token and disk, shuts down cleanly on SIGTERM, and leaves nothing behind', async () => {
    const token = `kvt-e2e-${randomBytes(8).toString('hex')}`;
    const started = performance.now();
    const { child, name, dirs, console, logs, exited } = await launch(token);

    await console.waitFor(new RegExp(`^${token}$`, 'm'), 120_000, 'the console');
    const tokenSeconds = (performance.now() - started) / 1000;
    await console.waitFor(/^kvt-guest: ready$/m, 60_000, 'the console');
    expect(console.text).toMatch(/^kvt-guest: disk vdb 100663296 bytes serial=scratch01$/m);
    expect(console.text).toMatch(/^kvt-guest: cloud-init datasource nocloud on \/dev\/vda$/m);
    expect(console.text).toMatch(new RegExp(`^kvt-guest: local-hostname: ${name}$`, 'm'));

    // The handler's view: hello first, then the launcher's phase and the domain's state.
    const protocol = await readSocket(dirs.protocolSocket, /"type":"domain".*"state":"Running"/, 10_000);
    const events = protocol.trim().split('\n').map((l) => JSON.parse(l) as LauncherEvent);
    expect(events[0]).toMatchObject({ type: 'hello', domain: `default_${name}`, consoleSocket: dirs.consoleSocket });
    expect(events).toContainEqual(expect.objectContaining({ type: 'phase', phase: 'Running' }));
    // A `kvt console` client gets the history, token included.
    expect(await readSocket(dirs.consoleSocket, new RegExp(token), 10_000)).toContain('kvt-guest: ready');
    expect(await exists(join(dirs.stateDir, 'empty-disks', 'scratch.qcow2'))).toBe(true);

    const stopAt = performance.now();
    child.kill('SIGTERM');
    const code = await exited;
    const stopSeconds = (performance.now() - stopAt) / 1000;
    process.stderr.write(`launcher e2e: token after ${tokenSeconds.toFixed(1)} s, stopped ${stopSeconds.toFixed(1)} s after SIGTERM\n`);

    expect(code).toBe(0);
    expect(console.text).toMatch(/^kvt-guest: powering off$/m);
    expect(stopSeconds).toBeLessThan(GRACE_SECONDS);
    expect(logs.text).toMatch(/"state":"Shutoff","reason":"Shutdown"/);
    expect(logs.text).toMatch(/virt-launcher: Stopped \(DomainShutoff\)/);
    expect(logs.text).not.toMatch(/Grace period over/);

    expect(await findSessionProcesses([dirs.daemonDir])).toEqual([]);
    expect(await exists(dirs.runDir)).toBe(false);
    expect(await exists(dirs.stateDir)).toBe(false);
    const vmis = join(defaultDataDir(), 'vmis');
    expect((await exists(vmis)) ? await readdir(vmis) : []).not.toContain(dirs.id);
  }, 300_000);

  async function nothingLeft(dirs: ReturnType<typeof launcherDirs>): Promise<boolean> {
    return (await findSessionProcesses([dirs.daemonDir])).length === 0 && !(await exists(dirs.runDir)) && !(await exists(dirs.stateDir));
  }

  async function eventually(check: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (await check()) return true;
      await new Promise((d) => setTimeout(d, 100));
    }
    return check();
  }

  it('leaves no QEMU, libvirtd or file behind when the launcher is SIGKILLed mid-boot', async () => {
    const { child, dirs, exited } = await startGuest();
    expect((await findSessionProcesses([dirs.daemonDir])).length).toBeGreaterThanOrEqual(2);
    child.kill('SIGKILL');
    await exited;
    expect(await eventually(() => nothingLeft(dirs), 15_000)).toBe(true);
  }, 300_000);

  it('reports Failed (LibvirtdDied) when libvirtd is killed, and ends the orphaned QEMU', async () => {
    const { dirs, logs, exited } = await startGuest();
    const daemonPids = execFileSync('pgrep', ['-x', 'libvirtd'], { encoding: 'utf8' }).trim().split('\n').map(Number);
    const ours = (await findSessionProcesses([dirs.daemonDir])).filter((pid) => daemonPids.includes(pid));
    expect(ours).toHaveLength(1);
    process.kill(ours[0] as number, 'SIGKILL');
    expect(await exited).toBe(1);
    expect(logs.text).toMatch(/"phase":"Failed","reason":"LibvirtdDied"/);
    expect(logs.text).toMatch(/virt-launcher: Failed \(LibvirtdDied\): libvirtd ended unexpectedly \(signal SIGKILL\)/);
    expect(await nothingLeft(dirs)).toBe(true);
  }, 300_000);
});
