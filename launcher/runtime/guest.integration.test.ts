// The demo guest really boots: plain QEMU under TCG (no libvirt, no KVM: see TEST-GUEST.md), direct
// kernel boot from the image's /boot, its ext4 disk behind a qcow2 overlay, a NoCloud ISO whose
// user-data script echoes a random token; then an ACPI power-button press through the monitor.
// Skips only outside CI when QEMU is absent; in CI (CI=true) a missing QEMU is a failure.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ensureDemoGuest } from '../../test/fixtures/demo-guest.js';
import { IN_CI, haveTools } from '../../test/fixtures/host.js';
import { locateImageFile } from './image-locations.js';
import type { ImageRecord } from './image-record.js';

const run = promisify(execFile);
const QEMU = 'qemu-system-x86_64';


/** Collects the serial console (QEMU's stdout) and resolves waiters when a pattern shows up. */
class SerialConsole {
  text = '';
  private waiters: { pattern: RegExp; done: () => void }[] = [];

  append(chunk: Buffer): void {
    this.text += chunk.toString('utf8').replace(/\r/g, '');
    this.waiters = this.waiters.filter((w) => (w.pattern.test(this.text) ? (w.done(), false) : true));
  }

  lines(): string[] {
    return this.text.split('\n');
  }

  waitFor(pattern: RegExp, timeoutMs: number): Promise<void> {
    if (pattern.test(this.text)) return Promise.resolve();
    return new Promise((done, fail) => {
      const timer = setTimeout(() => fail(new Error(`no ${pattern} on the console within ${timeoutMs} ms; console so far:\n${this.text}`)), timeoutMs);
      this.waiters.push({ pattern, done: () => { clearTimeout(timer); done(); } });
    });
  }
}

function exitOf(child: ChildProcess, timeoutMs: number): Promise<number | null> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((done, fail) => {
    const timer = setTimeout(() => fail(new Error(`QEMU did not exit within ${timeoutMs} ms`)), timeoutMs);
    child.once('exit', (code) => { clearTimeout(timer); done(code); });
  });
}

function monitorCommand(socket: string, command: string): Promise<void> {
  return new Promise((done, fail) => {
    const conn = connect(socket, () => conn.end(`${command}\n`));
    conn.on('error', fail);
    conn.on('close', () => done());
    conn.resume();
  });
}

describe.skipIf(!IN_CI && !haveTools([QEMU]))('the demo guest under QEMU (TCG)', () => {
  let image: ImageRecord;
  let work = '';
  let qemu: ChildProcess | undefined;

  beforeAll(async () => {
    image = await ensureDemoGuest();
  }, 600_000);

  afterEach(async () => {
    if (qemu !== undefined && qemu.exitCode === null && qemu.signalCode === null) qemu.kill('SIGKILL');
    qemu = undefined;
    if (work !== '') await rm(work, { recursive: true, force: true });
  });

  it('runs its NoCloud user-data, lists its disks and powers off on an ACPI shutdown', async () => {
    work = await mkdtemp(join(tmpdir(), 'kvt-guest-'));
    const token = `kvt-token-${randomBytes(8).toString('hex')}`;
    await writeFile(join(work, 'user-data'), `#!/bin/bash\necho '${token}'\necho 'printed from cloud-init userdata'\n`);
    await writeFile(join(work, 'meta-data'), 'instance-id: guest-test\nlocal-hostname: guest-test\n');
    await run('genisoimage', ['-quiet', '-output', 'cidata.iso', '-volid', 'cidata', '-joliet', '-rock', 'user-data', 'meta-data'], { cwd: work });
    const disk = image.disk;
    expect(disk?.format).toBe('raw');
    await run('qemu-img', ['create', '-q', '-f', 'qcow2', '-F', 'raw', '-b', disk?.path ?? '', join(work, 'root.qcow2')]);
    const monitor = join(work, 'monitor.sock');

    const started = performance.now();
    const child = spawn(QEMU, [
      '-nodefaults', '-accel', 'tcg', '-m', '256', '-nographic', '-no-reboot',
      '-kernel', await locateImageFile(image, '/boot/vmlinuz'),
      '-initrd', await locateImageFile(image, '/boot/initrd.img'),
      '-append', 'console=ttyS0 panic=-1',
      '-drive', `file=${join(work, 'root.qcow2')},format=qcow2,if=virtio`,
      '-drive', `file=${join(work, 'cidata.iso')},format=raw,if=virtio,readonly=on`,
      '-serial', 'stdio',
      '-monitor', `unix:${monitor},server=on,wait=off`,
    ], { stdio: ['ignore', 'pipe', 'pipe'] });
    qemu = child;
    const serial = new SerialConsole();
    child.stdout.on('data', (chunk: Buffer) => serial.append(chunk));
    child.stderr.on('data', (chunk: Buffer) => serial.append(chunk));

    await serial.waitFor(new RegExp(`^${token}$`, 'm'), 90_000);
    const tokenAfter = (performance.now() - started) / 1000;
    await serial.waitFor(/^kvt-guest: ready$/m, 30_000);
    process.stderr.write(`demo guest: token on the console ${tokenAfter.toFixed(1)} s after QEMU started (TCG)\n`);

    const lines = serial.lines();
    expect(lines).toContain('kvt-guest: cloud-init datasource nocloud on /dev/vdb');
    expect(lines).toContain('kvt-guest: instance-id: guest-test');
    expect(lines).toContain('printed from cloud-init userdata');
    expect(lines).toContain(`kvt-guest: disk vda ${disk?.virtualSize ?? 0} bytes`);
    expect(lines.some((l) => /^kvt-guest: disk vdb \d+ bytes ro$/.test(l))).toBe(true);

    await monitorCommand(monitor, 'system_powerdown');
    const code = await exitOf(child, 30_000);
    expect(serial.lines()).toContain('kvt-guest: powering off');
    expect(code).toBe(0);
  }, 180_000);
});
