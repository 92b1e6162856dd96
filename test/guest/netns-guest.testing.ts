/**
 * The demo guest booted by plain QEMU (TCG) on a tap inside a network namespace the test creates,
 * with a busybox udhcpd there offering it one address: a guest on a network of its own, reachable
 * from commands run in that namespace (`ip netns exec`), never from the host's. Test support only.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { locateImageFile } from '../../launcher/runtime/image-locations.js';
import { ensureDemoGuest } from '../fixtures/demo-guest.js';

const run = promisify(execFile);

/** What such a test needs on the host (and root). */
export const NETNS_GUEST_TOOLS: readonly string[] = ['qemu-system-x86_64', 'ip', 'busybox', 'genisoimage'];

/** The namespace's side of the tap and the guest's address. */
export const GATEWAY = '10.99.0.1';
export const GUEST = '10.99.0.2';

/** A booted guest: its namespace, console so far, a work directory, and how to end it all. */
export interface NetnsGuest {
  readonly ns: string;
  readonly work: string;
  console(): string;
  /** Runs argv inside the namespace. */
  inNs(argv: readonly string[], timeoutMs?: number): Promise<{ stdout: string; stderr: string }>;
  stop(): Promise<void>;
}

function waitForText(read: () => string, pattern: RegExp, timeoutMs: number): Promise<void> {
  return new Promise((done, fail) => {
    const timer = setInterval(() => {
      if (pattern.test(read())) { clearInterval(timer); clearTimeout(limit); done(); }
    }, 100);
    const limit = setTimeout(() => { clearInterval(timer); fail(new Error(`no ${pattern} within ${timeoutMs} ms; console:\n${read()}`)); }, timeoutMs);
  });
}

/** Boots the demo guest with this NoCloud user-data and meta-data; resolves once it printed `ready`. */
export async function bootNetnsGuest(userData: string, metaData: string): Promise<NetnsGuest> {
  const image = await ensureDemoGuest();
  const ns = `kvtc-${randomBytes(4).toString('hex')}`;
  const work = await mkdtemp(join(tmpdir(), 'kvt-netns-guest-'));
  const children: ChildProcess[] = [];
  let text = '';
  const stop = async (): Promise<void> => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await Promise.all(children.map((c) => (c.exitCode === null && c.signalCode === null ? new Promise((r) => c.once('exit', r)) : undefined)));
    await run('ip', ['netns', 'del', ns]).catch(() => undefined);
    await rm(work, { recursive: true, force: true });
  };
  try {
    await writeFile(join(work, 'user-data'), userData);
    await writeFile(join(work, 'meta-data'), metaData);
    await run('genisoimage', ['-quiet', '-output', 'cidata.iso', '-volid', 'cidata', '-joliet', '-rock', 'user-data', 'meta-data'], { cwd: work });
    await writeFile(join(work, 'udhcpd.conf'), [
      `start ${GUEST}`, `end ${GUEST}`, 'interface kvtctap0', `lease_file ${join(work, 'leases')}`,
      `opt router ${GATEWAY}`, 'opt subnet 255.255.255.0', `opt dns ${GATEWAY}`, 'opt mtu 1400', 'opt domain kvt.test', '',
    ].join('\n'));
    await writeFile(join(work, 'leases'), '');
    await run('ip', ['netns', 'add', ns]);
    await run('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
    await run('ip', ['-n', ns, 'tuntap', 'add', 'kvtctap0', 'mode', 'tap']);
    await run('ip', ['-n', ns, 'addr', 'add', `${GATEWAY}/24`, 'dev', 'kvtctap0']);
    await run('ip', ['-n', ns, 'link', 'set', 'kvtctap0', 'up']);
    children.push(spawn('ip', ['netns', 'exec', ns, 'busybox', 'udhcpd', '-f', join(work, 'udhcpd.conf')], { stdio: 'ignore' }));
    const qemu = spawn('ip', ['netns', 'exec', ns, 'qemu-system-x86_64',
      '-nodefaults', '-accel', 'tcg', '-m', '128', '-nographic', '-no-reboot',
      '-kernel', await locateImageFile(image, '/boot/vmlinuz'), '-initrd', await locateImageFile(image, '/boot/initrd.img'),
      '-append', 'console=ttyS0 panic=-1',
      '-drive', `file=${join(work, 'cidata.iso')},format=raw,if=virtio,readonly=on`,
      '-netdev', 'tap,id=n0,ifname=kvtctap0,script=no,downscript=no', '-device', 'virtio-net-pci,netdev=n0',
      '-serial', 'stdio',
    ], { stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(qemu);
    qemu.stdout.on('data', (c: Buffer) => { text += c.toString('utf8').replace(/\r/g, ''); });
    qemu.stderr.on('data', (c: Buffer) => { text += c.toString('utf8'); });
    await waitForText(() => text, /^kvt-guest: ready$/m, 180_000);
  } catch (e) {
    await stop();
    throw e;
  }
  return {
    ns, work, stop,
    console: () => text,
    inNs: (argv, timeoutMs = 60_000) => run('ip', ['netns', 'exec', ns, ...argv], { timeout: timeoutMs }),
  };
}
