// The demo guest on a network: plain QEMU (TCG) in a network namespace this test creates, its NIC a
// tap there, a busybox udhcpd in the namespace offering one address. The guest takes the lease
// (address, route, DNS, MTU), authorizes root's keys from the NoCloud meta-data (KubeVirt's
// accessCredentials) and from the #cloud-config's ssh_authorized_keys, serves SSH (dropbear), and
// runs the runcmd that starts an HTTP server on port 8080. Traffic stays inside the namespace.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { locateImageFile, type ImageRecord } from '../../launcher/runtime/image-store.js';
import { ensureDemoGuest } from '../fixtures/demo-guest.js';
import { IN_CI, IS_ROOT, haveTools } from '../fixtures/host.js';

const run = promisify(execFile);
const TOOLS = ['qemu-system-x86_64', 'ip', 'busybox', 'ssh', 'ssh-keygen', 'genisoimage'];
const GATEWAY = '10.99.0.1';
const GUEST = '10.99.0.2';

function waitForText(read: () => string, pattern: RegExp, timeoutMs: number, child: ChildProcess): Promise<void> {
  return new Promise((done, fail) => {
    const check = (): void => {
      if (pattern.test(read())) { clearInterval(timer); clearTimeout(limit); done(); }
    };
    const timer = setInterval(check, 100);
    const limit = setTimeout(() => { clearInterval(timer); fail(new Error(`no ${pattern} within ${timeoutMs} ms; console:\n${read()}`)); }, timeoutMs);
    child.once('exit', () => { check(); });
  });
}

describe.skipIf(!IN_CI && !(IS_ROOT && haveTools(TOOLS)))('the demo guest on a tap: DHCP, SSH, runcmd', () => {
  const ns = `kvtc-${randomBytes(4).toString('hex')}`;
  let image: ImageRecord;
  let work = '';
  let console = '';
  const children: ChildProcess[] = [];
  const inNs = (args: string[]): Promise<{ stdout: string }> => run('ip', ['netns', 'exec', ns, ...args], { timeout: 60_000 });
  const sshArgs = (key: string): string[] => [
    'ssh', '-i', key, '-o', 'BatchMode=yes', '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null', '-o', 'LogLevel=ERROR', '-o', 'ConnectTimeout=20', `root@${GUEST}`,
  ];

  beforeAll(async () => {
    image = await ensureDemoGuest();
    work = await mkdtemp(join(tmpdir(), 'kvt-guest-net-'));
    for (const k of ['meta', 'user']) await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', `${k}@kvt`, '-f', join(work, k)]);
    const metaKey = (await readFile(join(work, 'meta.pub'), 'utf8')).trim();
    const userKey = (await readFile(join(work, 'user.pub'), 'utf8')).trim();
    await writeFile(join(work, 'meta-data'), `instance-id: net-test\nlocal-hostname: net-test\npublic-keys:\n  "0": ${JSON.stringify(`${metaKey}\n`)}\n`);
    await writeFile(join(work, 'user-data'), [
      '#cloud-config', 'ssh_authorized_keys:', `  - ${userKey}`, 'runcmd:',
      '  - mkdir -p /tmp/www && echo kvt-hello-8080 > /tmp/www/index.html', '  - httpd -p 8080 -h /tmp/www', '',
    ].join('\n'));
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
    qemu.stdout.on('data', (c: Buffer) => { console += c.toString('utf8').replace(/\r/g, ''); });
    qemu.stderr.on('data', (c: Buffer) => { console += c.toString('utf8'); });
    await waitForText(() => console, /^kvt-guest: ready$/m, 180_000, qemu);
  }, 600_000);

  afterAll(async () => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await Promise.all(children.map((c) => (c.exitCode === null && c.signalCode === null ? new Promise((r) => c.once('exit', r)) : undefined)));
    await run('ip', ['netns', 'del', ns]).catch(() => undefined);
    if (work !== '') await rm(work, { recursive: true, force: true });
    const { stdout } = await run('ip', ['netns', 'list']);
    expect(stdout).not.toContain(ns);
  });

  it('takes the DHCP lease: address, route, DNS, MTU', async () => {
    expect(console).toMatch(new RegExp(`^kvt-guest: dhcp eth0 ${GUEST}/24 via ${GATEWAY} mtu 1400$`, 'm'));
    const { stdout } = await inNs([...sshArgs(join(work, 'meta')), 'ip -4 addr show eth0; ip route; cat /etc/resolv.conf']);
    expect(stdout).toContain(`inet ${GUEST}/24`);
    expect(stdout).toContain('mtu 1400');
    expect(stdout).toMatch(new RegExp(`^default via ${GATEWAY} dev eth0`, 'm'));
    expect(stdout).toContain(`nameserver ${GATEWAY}`);
    expect(stdout).toContain('search kvt.test');
  }, 120_000);

  it.each(['meta', 'user'])('lets root in over SSH with the %s-data key', async (key) => {
    const { stdout } = await inNs([...sshArgs(join(work, key)), 'echo "uid=$(id -u) host=$(hostname)"']);
    expect(stdout.trim()).toBe('uid=0 host=net-test');
  }, 120_000);

  it('refuses a key it was not given', async () => {
    await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(work, 'stranger')]);
    await expect(inNs([...sshArgs(join(work, 'stranger')), 'true'])).rejects.toThrow(/Permission denied/);
  }, 120_000);

  it('ran the runcmd: port 8080 answers', async () => {
    expect(console).toMatch(/^kvt-guest: runcmd exited with status 0$/m);
    const { stdout } = await inNs(['busybox', 'wget', '-q', '-O', '-', `http://${GUEST}:8080/`]);
    expect(stdout.trim()).toBe('kvt-hello-8080');
  }, 120_000);
});
