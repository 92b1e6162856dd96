// The launcher's pod network with real parts, in namespaces this test creates (never the host's):
// a "node" namespace with a bridge of ours, two "pod" namespaces each with an eth0 veth to it (as
// the pod sandboxes of the local kubelet and node agent are), the launcher's set-up run inside each
// pod namespace as a process of its own, and the demo guest booted by plain QEMU (TCG) on the tap
// it made. Masquerade: the guest takes 10.0.2.2 from our DHCP server, the declared port answers on
// the pod IP and on 127.0.0.1 in the pod, an undeclared one does not, the guest's traffic leaves as
// the pod IP. Bridge: the guest takes the pod IP. Everything is gone afterwards.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Interface } from '../../crd-gen/index.js';
import { demoGuestVmiSpec, ensureDemoGuest } from '../../test/fixtures/demo-guest.js';
import { IN_CI, IS_ROOT, haveTools } from '../../test/fixtures/host.js';
import { newVmi, withInterface, withName } from '../../test/builders/vmi.js';
import { locateImageFile } from './image-locations.js';
import type { ImageRecord } from './image-record.js';
import { ensureUnprivilegedUser } from './unprivileged-user.js';

const run = promisify(execFile);
const REPO = resolve(import.meta.dirname, '../..');
const TOOLS = ['ip', 'nft', 'busybox', 'qemu-system-x86_64', 'genisoimage'];
const ID = randomBytes(3).toString('hex');
const NODE = `kvtt-${ID}-node`;
const NODE_IP = '10.98.0.1';
const MTU = 1450;

interface Pod {
  readonly ns: string;
  readonly ip: string;
  readonly entry: ChildProcess;
  readonly prepared: { context: { networkMode: string; podNics?: Record<string, { tap: string; mac: string; mtu: number }> }; interfaces: { ipAddress?: string; mac?: string }[] };
  readonly podMac: string;
  guest?: ChildProcess;
  console: string;
}

const inNs = (ns: string, args: readonly string[], timeout = 60_000): Promise<{ stdout: string }> => run('ip', ['netns', 'exec', ns, ...args], { timeout, encoding: 'utf8' });
// (busybox-static's wget crashes with -T: the exec's own timeout bounds it instead.)
const wget = (ns: string, url: string): Promise<{ stdout: string }> => inNs(ns, ['busybox', 'wget', '-q', '-O', '-', url], 30_000);

function waitFor(read: () => string, pattern: RegExp, timeoutMs: number, child?: ChildProcess): Promise<RegExpMatchArray> {
  return new Promise((done, fail) => {
    const timer = setInterval(() => {
      const m = read().match(pattern);
      if (m !== null) { clearInterval(timer); clearTimeout(limit); done(m); }
      else if (child !== undefined && (child.exitCode !== null || child.signalCode !== null)) {
        clearInterval(timer); clearTimeout(limit); fail(new Error(`the process ended before ${pattern}:\n${read()}`));
      }
    }, 100);
    const limit = setTimeout(() => { clearInterval(timer); fail(new Error(`no ${pattern} within ${timeoutMs} ms:\n${read()}`)); }, timeoutMs);
  });
}

describe.skipIf(!IN_CI && !(IS_ROOT && haveTools(TOOLS)))('the pod network in namespaces of our own, with the demo guest on the tap', () => {
  let work = '';
  let image: ImageRecord;
  const pods: Pod[] = [];
  const children: ChildProcess[] = [];
  const extraNamespaces: string[] = [];
  let hostTables = '';

  async function sandbox(name: string, ip: string, iface: Interface, setUp = true): Promise<Pod> {
    const ns = `kvtt-${ID}-${name}`;
    await run('ip', ['netns', 'add', ns]);
    await run('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
    await run('ip', ['-n', NODE, 'link', 'add', `kvtt${name}`, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns]);
    await run('ip', ['-n', NODE, 'link', 'set', `kvtt${name}`, 'master', 'kvttbr0', 'up']);
    await run('ip', ['-n', ns, 'link', 'set', 'eth0', 'mtu', String(MTU), 'up']);
    await run('ip', ['-n', ns, 'address', 'add', `${ip}/24`, 'dev', 'eth0']);
    await run('ip', ['-n', ns, 'route', 'add', 'default', 'via', NODE_IP]);
    const podMac = JSON.parse((await run('ip', ['-n', ns, '-j', 'link', 'show', 'eth0'], { encoding: 'utf8' })).stdout)[0].address as string;
    if (!setUp) {
      const pod: Pod = { ns, ip, entry: spawn('true'), prepared: { context: { networkMode: 'none' }, interfaces: [] }, podMac, console: '' };
      pods.push(pod);
      return pod;
    }
    const vmiFile = join(work, `${name}.json`);
    await writeFile(vmiFile, JSON.stringify(newVmi(withName(name, 'default'), withInterface(iface, { pod: {} }))));
    const entry = spawn('ip', ['netns', 'exec', ns, join(REPO, 'node_modules/.bin/tsx'), join(REPO, 'launcher/runtime/pod-network-entry.testing.ts'), vmiFile, join(work, 'resolv.conf')],
      { stdio: ['pipe', 'pipe', 'ignore'] });
    children.push(entry);
    const lines = createInterface({ input: entry.stdout as NodeJS.ReadableStream });
    const first = await new Promise<string>((done) => lines.once('line', done));
    const prepared = JSON.parse(first) as Pod['prepared'] & { error?: string };
    if (prepared.error !== undefined) throw new Error(prepared.error);
    const pod: Pod = { ns, ip, entry, prepared, podMac, console: '' };
    pods.push(pod);
    return pod;
  }

  async function boot(pod: Pod): Promise<void> {
    const nic = pod.prepared.context.podNics?.['default'];
    const guest = spawn('ip', ['netns', 'exec', pod.ns, 'qemu-system-x86_64',
      '-nodefaults', '-accel', 'tcg', '-m', '128', '-nographic', '-no-reboot',
      '-kernel', await locateImageFile(image, '/boot/vmlinuz'), '-initrd', await locateImageFile(image, '/boot/initrd.img'),
      '-append', 'console=ttyS0 panic=-1',
      '-drive', `file=${join(work, 'cidata.iso')},format=raw,if=virtio,readonly=on`,
      '-netdev', `tap,id=n0,ifname=${nic?.tap ?? 'tap0'},script=no,downscript=no`, '-device', `virtio-net-pci,netdev=n0,mac=${nic?.mac ?? ''}`,
      '-serial', 'stdio',
    ], { stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(guest);
    pod.guest = guest;
    guest.stdout.on('data', (c: Buffer) => { pod.console += c.toString('utf8').replace(/\r/g, ''); });
    guest.stderr.on('data', (c: Buffer) => { pod.console += c.toString('utf8'); });
  }

  beforeAll(async () => {
    hostTables = (await run('nft', ['list', 'tables'], { encoding: 'utf8' })).stdout;
    image = await ensureDemoGuest();
    work = await mkdtemp(join(tmpdir(), 'kvt-pod-net-'));
    await writeFile(join(work, 'resolv.conf'), 'search default.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.98.0.53\n');
    await writeFile(join(work, 'meta-data'), 'instance-id: pod-net\nlocal-hostname: pod-net\n');
    await writeFile(join(work, 'user-data'), [
      '#cloud-config', 'runcmd:',
      '  - mkdir -p /tmp/www && echo kvt-hello > /tmp/www/index.html',
      '  - httpd -p 8080 -h /tmp/www',
      '  - httpd -p 9090 -h /tmp/www',
      // The guest's static busybox has no NSS: nc with a numeric address and port, not wget.
      `  - for i in 1 2 3 4 5 6 7 8 9 10 11 12; do r=$(printf 'GET /cgi-bin/ip HTTP/1.0\\r\\n\\r\\n' | nc ${NODE_IP} 8000 | tail -n 1) && [ -n "$r" ] && break; sleep 1; done; echo "snat-from $r" > /dev/console`,
      '',
    ].join('\n'));
    await run('genisoimage', ['-quiet', '-output', 'cidata.iso', '-volid', 'cidata', '-joliet', '-rock', 'user-data', 'meta-data'], { cwd: work });
    // The "node": a bridge of ours, and an HTTP server that answers with the caller's address.
    await run('ip', ['netns', 'add', NODE]);
    await run('ip', ['-n', NODE, 'link', 'set', 'lo', 'up']);
    await run('ip', ['-n', NODE, 'link', 'add', 'kvttbr0', 'type', 'bridge']);
    await run('ip', ['-n', NODE, 'address', 'add', `${NODE_IP}/24`, 'dev', 'kvttbr0']);
    await run('ip', ['-n', NODE, 'link', 'set', 'kvttbr0', 'up']);
    await mkdir(join(work, 'www/cgi-bin'), { recursive: true });
    await writeFile(join(work, 'www/cgi-bin/ip'), '#!/bin/sh\nprintf "Content-Type: text/plain\\r\\n\\r\\n%s\\n" "$REMOTE_ADDR"\n');
    await chmod(join(work, 'www/cgi-bin/ip'), 0o755);
    await chmod(work, 0o755);
    children.push(spawn('ip', ['netns', 'exec', NODE, 'busybox', 'httpd', '-f', '-p', `${NODE_IP}:8000`, '-h', join(work, 'www')], { stdio: 'ignore' }));
  }, 900_000);

  afterAll(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await Promise.all(children.map((c) => (c.exitCode === null && c.signalCode === null ? new Promise((r) => c.once('exit', r)) : undefined)));
    for (const ns of [...pods.map((p) => p.ns), ...extraNamespaces, NODE]) await run('ip', ['netns', 'del', ns]).catch(() => undefined);
    if (work !== '') await rm(work, { recursive: true, force: true });
    expect((await run('ip', ['netns', 'list'], { encoding: 'utf8' })).stdout).not.toContain(`kvtt-${ID}`);
    // Our links live in our namespaces only (other suites' kvt… links may come and go on the host meanwhile).
    expect((await run('ip', ['link', 'show'], { encoding: 'utf8' })).stdout).not.toMatch(/kvtt(masq|brg|lnch|br0)\b|k6t-|tap0/);
    // Our table lives in pod namespaces only (other tests may add their own tables to the host's meanwhile).
    expect((await run('nft', ['list', 'tables'], { encoding: 'utf8' })).stdout).not.toContain('kvt_nat');
    expect(hostTables).not.toContain('kvt_nat');
  }, 120_000);

  describe('masquerade with ports [8080]', () => {
    let pod: Pod;
    beforeAll(async () => {
      pod = await sandbox('masq', '10.98.0.7', { name: 'default', masquerade: {}, ports: [{ port: 8080 }] });
      await boot(pod);
      await waitFor(() => pod.console, /^snat-from .*$/m, 300_000, pod.guest);
    }, 400_000);

    it('hands the converter the tap (owned by the QEMU user) and reports the pod IP', async () => {
      const nic = pod.prepared.context.podNics?.['default'];
      expect(pod.prepared.context.networkMode).toBe('tap');
      expect(nic).toMatchObject({ tap: 'tap0', mtu: MTU });
      expect(nic?.mac).toMatch(/^02(:[0-9a-f]{2}){5}$/);
      expect(pod.prepared.interfaces).toEqual([expect.objectContaining({ name: 'default', ipAddress: '10.98.0.7', ipAddresses: ['10.98.0.7'], mac: nic?.mac, infoSource: 'domain' })]);
      const qemu = await ensureUnprivilegedUser();
      expect((await inNs(pod.ns, ['cat', '/sys/class/net/tap0/owner'])).stdout.trim()).toBe(String(qemu.uid));
      expect((await inNs(pod.ns, ['nft', 'list', 'tables'])).stdout).toContain('table ip kvt_nat');
    });

    it('gives the guest 10.0.2.2 by DHCP, with the gateway and the pod MTU', () => {
      expect(pod.console).toMatch(new RegExp(`^kvt-guest: dhcp eth0 10\\.0\\.2\\.2/24 via 10\\.0\\.2\\.1 mtu ${MTU} hostname masq$`, 'm'));
    });

    it('sends the guest\'s traffic out as the pod IP', () => {
      expect(pod.console).toMatch(/^snat-from 10\.98\.0\.7$/m);
    });

    it('forwards the declared port from the pod IP and from 127.0.0.1 in the pod, not an undeclared one', async () => {
      expect((await wget(NODE, 'http://10.98.0.7:8080/')).stdout.trim()).toBe('kvt-hello');
      expect((await wget(pod.ns, 'http://127.0.0.1:8080/')).stdout.trim()).toBe('kvt-hello');
      // The guest serves 9090 too, but it is not declared: nothing forwards it.
      await expect(wget(NODE, 'http://10.98.0.7:9090/')).rejects.toThrow();
    }, 120_000);

    it('takes everything down again on cleanup', async () => {
      pod.guest?.kill('SIGKILL');
      pod.entry.stdin?.end();
      await new Promise((done) => (pod.entry.exitCode === null ? pod.entry.once('exit', done) : done(undefined)));
      expect(pod.entry.exitCode).toBe(0);
      const links = (await inNs(pod.ns, ['ip', 'link', 'show'])).stdout;
      expect(links).not.toMatch(/tap0|k6t-eth0/);
      expect((await inNs(pod.ns, ['nft', 'list', 'tables'])).stdout).not.toContain('kvt_nat');
    }, 60_000);
  });

  describe('bridge', () => {
    let pod: Pod;
    beforeAll(async () => {
      pod = await sandbox('brg', '10.98.0.8', { name: 'default', bridge: {} });
      await boot(pod);
      await waitFor(() => pod.console, /^snat-from .*$/m, 300_000, pod.guest);
    }, 400_000);

    it('gives the guest the pod IP, the pod MAC and the pod gateway; the guest answers on the pod IP itself', async () => {
      expect(pod.prepared.context.podNics?.['default']?.mac).toBe(pod.podMac);
      expect(pod.prepared.interfaces[0]).toMatchObject({ ipAddress: '10.98.0.8', mac: pod.podMac });
      expect(pod.console).toMatch(new RegExp(`^kvt-guest: dhcp eth0 10\\.98\\.0\\.8/24 via ${NODE_IP.replaceAll('.', '\\.')} mtu ${MTU} hostname brg$`, 'm'));
      expect(pod.console).toMatch(/^snat-from 10\.98\.0\.8$/m);
      expect((await wget(NODE, 'http://10.98.0.8:9090/')).stdout.trim()).toBe('kvt-hello');
    }, 120_000);
  });

  describe('a raw-socket client on a bridge port added after the set-up (busybox udhcpc)', () => {
    const guestNs = `kvtt-${ID}-udhg`;
    let pod: Pod;
    beforeAll(async () => {
      pod = await sandbox('udh', '10.98.0.10', { name: 'default', masquerade: {} });
      extraNamespaces.push(guestNs);
      await run('ip', ['netns', 'add', guestNs]);
      await run('ip', ['-n', guestNs, 'link', 'add', 'eth0', 'type', 'veth', 'peer', 'name', 'kvttudh', 'netns', pod.ns]);
      await run('ip', ['-n', pod.ns, 'link', 'set', 'kvttudh', 'master', 'k6t-eth0', 'up']);
      await run('ip', ['-n', guestNs, 'link', 'set', 'eth0', 'address', pod.prepared.context.podNics?.['default']?.mac ?? '', 'up']);
    }, 120_000);

    it.each([['unicast replies', []], ['the BROADCAST flag (-B)', ['-B']]])('gets its lease with %s', async (_what, flags) => {
      // -n: exit 1 without a lease; udhcpc reports on stderr.
      const { stderr } = await run('ip', ['netns', 'exec', guestNs, 'busybox', 'udhcpc', ...flags, '-i', 'eth0', '-n', '-q', '-f', '-t', '5', '-T', '2', '-s', '/bin/true'], { encoding: 'utf8', timeout: 60_000 });
      expect(stderr).toContain('lease of 10.0.2.2 obtained from 10.0.2.1');
    }, 60_000);
  });

  describe('the real launcher (kvt virt-launcher) in a pod namespace', () => {
    let ns = '';
    let launcher: ChildProcess;
    let out = '';
    beforeAll(async () => {
      const vmi = {
        apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachineInstance', metadata: { name: `kvtt-${ID}`, namespace: 'default' },
        spec: {
          ...demoGuestVmiSpec(), terminationGracePeriodSeconds: 5, networks: [{ name: 'default', pod: {} }],
          volumes: [{ name: 'cloudinit', cloudInitNoCloud: { userData: '#cloud-config\nruncmd:\n  - mkdir -p /tmp/www && echo from-launcher > /tmp/www/index.html\n  - httpd -p 8080 -h /tmp/www\n' } }],
        },
      };
      vmi.spec.domain.devices = { interfaces: [{ name: 'default', masquerade: {}, ports: [{ port: 8080 }] }], disks: [{ name: 'cloudinit', disk: { bus: 'virtio' } }] };
      await writeFile(join(work, 'launcher-vmi.json'), JSON.stringify(vmi));
      const pod = await sandbox('lnch', '10.98.0.9', { name: 'default', masquerade: {} }, false);
      ns = pod.ns;
      launcher = spawn('ip', ['netns', 'exec', ns, process.execPath, join(REPO, 'bin/kvt.js'), 'virt-launcher', '--console', join(work, 'launcher-vmi.json')], { stdio: ['ignore', 'pipe', 'pipe'] });
      children.push(launcher);
      launcher.stdout?.on('data', (c: Buffer) => { out += c.toString('utf8'); });
      launcher.stderr?.on('data', (c: Buffer) => { out += c.toString('utf8'); });
      await waitFor(() => out, /^kvt-guest: ready$/m, 400_000, launcher);
    }, 500_000);

    it('boots the guest on its tap through the session libvirtd: DHCP lease, the declared port on the pod IP', async () => {
      expect(out).toMatch(/"msg":"Bound the VMI interface to the pod network"/);
      expect(out).toMatch(new RegExp(`^kvt-guest: dhcp eth0 10\\.0\\.2\\.2/24 via 10\\.0\\.2\\.1 mtu ${MTU} hostname kvtt-${ID}$`, 'm'));
      expect((await wget(NODE, 'http://10.98.0.9:8080/')).stdout.trim()).toBe('from-launcher');
    }, 120_000);

    it('takes the binding down when the launcher stops', async () => {
      launcher.kill('SIGTERM');
      await new Promise((done) => (launcher.exitCode === null ? launcher.once('exit', done) : done(undefined)));
      expect(launcher.exitCode).toBe(0);
      expect((await inNs(ns, ['ip', 'link', 'show'])).stdout).not.toMatch(/tap0|k6t-eth0/);
      expect((await inNs(ns, ['nft', 'list', 'tables'])).stdout).not.toContain('kvt_nat');
      expect((await inNs(ns, ['ip', '-4', 'address', 'show', 'dev', 'eth0'])).stdout).toContain('10.98.0.9/24');
    }, 120_000);
  });
});
