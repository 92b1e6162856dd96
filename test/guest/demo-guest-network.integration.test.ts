// The demo guest on a network: plain QEMU (TCG) in a network namespace this test creates, its NIC a
// tap there, a busybox udhcpd in the namespace offering one address (netns-guest.testing.ts). The
// guest takes the lease (address, route, DNS, MTU), authorizes root's keys from the NoCloud meta-data
// (KubeVirt's accessCredentials) and from the #cloud-config's ssh_authorized_keys, serves SSH
// (dropbear), and runs the runcmd that starts an HTTP server on port 8080. Traffic stays inside the
// namespace.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IN_CI, IS_ROOT, haveTools } from '../fixtures/host.js';
import { bootNetnsGuest, GATEWAY, GUEST, NETNS_GUEST_TOOLS, type NetnsGuest } from './netns-guest.testing.js';

const run = promisify(execFile);

describe.skipIf(!IN_CI && !(IS_ROOT && haveTools([...NETNS_GUEST_TOOLS, 'ssh', 'ssh-keygen'])))('the demo guest on a tap: DHCP, SSH, runcmd', () => {
  let guest: NetnsGuest | undefined;
  let keys = '';
  const sshArgs = (key: string): string[] => [
    'ssh', '-i', key, '-o', 'BatchMode=yes', '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null', '-o', 'LogLevel=ERROR', '-o', 'ConnectTimeout=20', `root@${GUEST}`,
  ];
  const inNs = (argv: string[]): Promise<{ stdout: string }> => {
    if (guest === undefined) throw new Error('no guest');
    return guest.inNs(argv);
  };

  beforeAll(async () => {
    keys = await mkdtemp(join(tmpdir(), 'kvt-guest-keys-'));
    for (const k of ['meta', 'user']) await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', `${k}@kvt`, '-f', join(keys, k)]);
    const metaKey = (await readFile(join(keys, 'meta.pub'), 'utf8')).trim();
    const userKey = (await readFile(join(keys, 'user.pub'), 'utf8')).trim();
    guest = await bootNetnsGuest(
      ['#cloud-config', 'ssh_authorized_keys:', `  - ${userKey}`, 'runcmd:', '  - mkdir -p /tmp/www && echo kvt-hello-8080 > /tmp/www/index.html', '  - httpd -p 8080 -h /tmp/www', ''].join('\n'),
      `instance-id: net-test\nlocal-hostname: net-test\npublic-keys:\n  "0": ${JSON.stringify(`${metaKey}\n`)}\n`,
    );
  }, 600_000);

  afterAll(async () => {
    const ns = guest?.ns;
    await guest?.stop();
    await rm(keys, { recursive: true, force: true });
    if (ns !== undefined) expect((await run('ip', ['netns', 'list'])).stdout).not.toContain(ns);
  });

  it('takes the DHCP lease: address, route, DNS, MTU', async () => {
    expect(guest?.console()).toMatch(new RegExp(`^kvt-guest: dhcp eth0 ${GUEST}/24 via ${GATEWAY} mtu 1400$`, 'm'));
    const { stdout } = await inNs([...sshArgs(join(keys, 'meta')), 'ip -4 addr show eth0; ip route; cat /etc/resolv.conf']);
    expect(stdout).toContain(`inet ${GUEST}/24`);
    expect(stdout).toContain('mtu 1400');
    expect(stdout).toMatch(new RegExp(`^default via ${GATEWAY} dev eth0`, 'm'));
    expect(stdout).toContain(`nameserver ${GATEWAY}`);
    expect(stdout).toContain('search kvt.test');
  }, 120_000);

  it.each(['meta', 'user'])('lets root in over SSH with the %s-data key', async (key) => {
    const { stdout } = await inNs([...sshArgs(join(keys, key)), 'echo "uid=$(id -u) host=$(hostname)"']);
    expect(stdout.trim()).toBe('uid=0 host=net-test');
  }, 120_000);

  it('refuses a key it was not given', async () => {
    await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(keys, 'stranger')]);
    await expect(inNs([...sshArgs(join(keys, 'stranger')), 'true'])).rejects.toThrow(/Permission denied/);
  }, 120_000);

  it('ran the runcmd: port 8080 answers', async () => {
    expect(guest?.console()).toMatch(/^kvt-guest: runcmd exited with status 0$/m);
    const { stdout } = await inNs(['busybox', 'wget', '-q', '-O', '-', `http://${GUEST}:8080/`]);
    expect(stdout.trim()).toBe('kvt-hello-8080');
  }, 120_000);
});
