// kvt port-forward, ssh and scp for real, without the rest of the control plane: the daemon socket
// serves an in-memory API holding a Running VMI whose launcher pod's IP is a demo guest's address
// on a tap in a network namespace of this test (test/guest/netns-guest.testing.ts); kvt runs as a
// process inside that namespace (the pod network is reachable from there only), exactly as a user
// types it. The guest authorizes the key from its meta-data, as accessCredentials put it there.
import { execFile, spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../core/kube.js';
import { ExternalGvk, Gvk } from '../../crd-gen/index.js';
import { IN_CI, IS_ROOT, haveTools } from '../../test/fixtures/host.js';
import { bootNetnsGuest, GUEST, NETNS_GUEST_TOOLS, type NetnsGuest } from '../../test/guest/netns-guest.testing.js';
import { startSocketDaemon, type SocketDaemon } from '../socket-daemon.testing.js';

const run = promisify(execFile);
const KVT = resolve(import.meta.dirname, '../../bin/kvt.js');

describe.skipIf(!IN_CI && !(IS_ROOT && haveTools([...NETNS_GUEST_TOOLS, 'ssh', 'scp', 'ssh-keygen'])))('kvt port-forward, ssh and scp reach a guest at its pod IP', () => {
  let daemon: SocketDaemon;
  let guest: NetnsGuest;
  let key = '';

  /** kvt as a process inside the guest's namespace, against the test's socket. */
  function kvtInNs(command: string, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    return new Promise((done) => {
      execFile('ip', ['netns', 'exec', guest.ns, process.execPath, KVT, command, '--socket', daemon.server.path, ...args], { timeout: 120_000 }, (err, stdout, stderr) => {
        done({ code: err === null ? 0 : typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : -1, stdout, stderr });
      });
    });
  }
  const sshOpts = (): string[] => ['-i', key, '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null', '-o', 'BatchMode=yes', '-o', 'LogLevel=ERROR'];

  beforeAll(async () => {
    daemon = await startSocketDaemon('ssh');
    key = join(daemon.dir, 'id');
    await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'kvt-ssh-test', '-f', key]);
    const publicKey = (await readFile(`${key}.pub`, 'utf8')).trim();
    guest = await bootNetnsGuest(
      '#cloud-config\nruncmd:\n  - mkdir -p /tmp/www && echo kvt-pf-8080 > /tmp/www/index.html\n  - httpd -p 8080 -h /tmp/www\n',
      `instance-id: web\nlocal-hostname: web\npublic-keys:\n  "0": ${JSON.stringify(publicKey)}\n`,
    );
    const kube = daemon.store.client();
    const vmi = await kube.create<KubeObject & { metadata: { uid?: string } }>({ ...Gvk.VirtualMachineInstance, metadata: { name: 'web', namespace: 'default' }, spec: { domain: { devices: {}, resources: { requests: { memory: '64Mi' } } } } } as KubeObject);
    await kube.patch(Gvk.VirtualMachineInstance, { namespace: 'default', name: 'web', subresource: 'status' }, { type: 'merge', body: { status: { phase: 'Running' } } });
    await kube.create({ ...ExternalGvk.Pod, metadata: { name: 'virt-launcher-web-x1', namespace: 'default', labels: { 'kubevirt.io/created-by': vmi.metadata.uid ?? '' } }, spec: { containers: [{ name: 'compute' }] } } as KubeObject);
    await kube.patch(ExternalGvk.Pod, { namespace: 'default', name: 'virt-launcher-web-x1', subresource: 'status' }, { type: 'merge', body: { status: { phase: 'Running', podIP: GUEST } } });
    await kube.create({ ...Gvk.VirtualMachineInstance, metadata: { name: 'nonet', namespace: 'default' }, spec: { domain: { devices: {}, resources: { requests: { memory: '64Mi' } } } } } as KubeObject);
    await kube.patch(Gvk.VirtualMachineInstance, { namespace: 'default', name: 'nonet', subresource: 'status' }, { type: 'merge', body: { status: { phase: 'Running' } } });
  }, 600_000);

  afterAll(async () => {
    await guest.stop();
    await daemon.close();
  });

  it('kvt ssh runs a command in the guest (vmi/NAME and vm/NAME.NAMESPACE)', async () => {
    expect(await kvtInNs('ssh', 'root@vmi/web', ...sshOpts(), '--', 'echo "$(id -u) $(hostname)"')).toEqual({ code: 0, stdout: '0 web\n', stderr: '' });
    expect(await kvtInNs('ssh', 'vm/web.default', '-l', 'root', ...sshOpts(), '-c', 'exit 3')).toMatchObject({ code: 3 });
  }, 180_000);

  it('kvt scp copies a file in and out', async () => {
    const file = join(daemon.dir, 'in.txt');
    await writeFile(file, 'copied by kvt scp\n');
    expect(await kvtInNs('scp', ...sshOpts(), file, 'root@vmi/web:/tmp/in.txt')).toMatchObject({ code: 0, stderr: '' });
    expect(await kvtInNs('scp', ...sshOpts(), 'root@vmi/web:/tmp/in.txt', join(daemon.dir, 'out.txt'))).toMatchObject({ code: 0 });
    expect(await readFile(join(daemon.dir, 'out.txt'), 'utf8')).toBe('copied by kvt scp\n');
  }, 180_000);

  it('kvt port-forward listens and joins each connection to the guest\'s port', async () => {
    const child = spawn('ip', ['netns', 'exec', guest.ns, process.execPath, KVT, 'port-forward', 'vmi/web', ':8080', '--socket', daemon.server.path], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      let out = '';
      child.stdout.on('data', (b: Buffer) => { out += b.toString(); });
      child.stderr.on('data', (b: Buffer) => { out += b.toString(); });
      await new Promise<void>((done, fail) => {
        const timer = setInterval(() => { if (/-> 8080\n/.test(out)) { clearInterval(timer); done(); } else if (child.exitCode !== null) { clearInterval(timer); fail(new Error(out)); } }, 100);
      });
      const port = /^Forwarding from 127\.0\.0\.1:(\d+) -> 8080$/m.exec(out)?.[1] ?? '';
      for (let i = 0; i < 2; i += 1) {
        const { stdout } = await guest.inNs(['busybox', 'wget', '-q', '-O', '-', `http://127.0.0.1:${port}/`]);
        expect(stdout.trim()).toBe('kvt-pf-8080');
      }
    } finally {
      child.kill('SIGINT');
    }
  }, 180_000);

  it.each<[string[], string]>([
    [['port-forward', 'vmi/nonet', '22'], 'error: VMI nonet has no pod IP: its launcher pod is not on a pod network (yet)\n'],
    [['port-forward', 'vmi/nope', '22'], 'error: virtualmachineinstance.kubevirt.io "nope" not found\n'],
    [['port-forward', 'vm/nope', '22'], 'error: VirtualMachine nope has no running instance in namespace default\n'],
  ])('kvt %j says why it cannot', async (args, stderr) => {
    expect(await daemon.kvt(...args)).toEqual({ code: 1, out: '', err: stderr });
  });
});
