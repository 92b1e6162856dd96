// Issue 17's "Done when", end to end through the `kvt` command against `kvt daemon` (local mode,
// real guests, real network namespaces): a masquerade VM with ports [8080] whose cloud-init starts
// an HTTP server answers on <pod IP>:8080 from this host, through `kvt port-forward` and through a
// `kvt expose` Service's host port; `kvt get vmi` shows the IP; a bridge-bound VMI holds the pod IP
// itself; the two VMIs reach each other by IP; `kvt ssh` runs commands in the demo guest and in the
// Debian 12 guest, the key coming from a Secret through accessCredentials (noCloud). Afterwards —
// also after a SIGKILL of the daemon, a restart and a delete — none of the pods' namespaces, veths,
// the node bridge or its nftables table is left. The daemon uses its own bridge and CIDR, so it
// never meets another suite's (nor another run's of this one). Traffic goes only to addresses inside that pod CIDR and loopback.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sandboxHostVeth, sandboxNetns } from '../../local/pod-network/runtime/sandbox.js';
import { debianGuestSpec, ensureDebianGuest } from '../fixtures/debian-guest.js';
import { ensureDemoGuest } from '../fixtures/demo-guest.js';
import { IN_CI, IS_ROOT, LIBVIRT_TOOLS, haveTools } from '../fixtures/host.js';
import { untilOk } from '../builders/until.js';

const run = promisify(execFile);
const REPO = resolve(import.meta.dirname, '../..');
const KVT = join(REPO, 'bin/kvt.js');
const AVAILABLE = IS_ROOT && haveTools([...LIBVIRT_TOOLS, 'qemu-img', 'genisoimage', 'ip', 'nft', 'ssh', 'ssh-keygen']);
/** A bridge and CIDR of this run alone: two runs on one machine (two checkouts) never share them. */
const BRIDGE = `kvtn${randomBytes(3).toString('hex')}`;
const SUBNET = `10.231.${100 + (randomBytes(1)[0] ?? 0) % 100}`;
const CIDR = `${SUBNET}.0/24`;
const TOKEN = `kvt-net-${randomBytes(6).toString('hex')}`;

interface Ran { readonly code: number; readonly stdout: string; readonly stderr: string }
interface Vmi { metadata: { uid?: string }; status?: { phase?: string; interfaces?: { ipAddress?: string; ipAddresses?: string[]; mac?: string; name?: string }[] } }
interface Pod { metadata: { name?: string; uid?: string; labels?: Record<string, string> }; status?: { phase?: string; podIP?: string } }

/** The shared poller, every 2000 ms. */
const until = <T>(what: string, probe: () => Promise<T> | T, ok: (v: T) => boolean, timeoutMs: number): Promise<T> => untilOk(what, probe, ok, timeoutMs, 2000);

/** GET http://host:port/ with a timeout; the body, or the error's message. */
async function httpGet(host: string, port: number): Promise<string> {
  try {
    const r = await fetch(`http://${host}:${port}/`, { signal: AbortSignal.timeout(10_000) });
    return (await r.text()).trim();
  } catch (e: unknown) {
    return `error: ${e instanceof Error ? e.message : String(e)}`;
  }
}

/** The demo guest's cloud-config: an HTTP server on 8080 answering the token and its own name. */
function demoUserData(name: string): string {
  return ['#cloud-config', 'runcmd:', `  - mkdir -p /tmp/www && echo ${TOKEN}-${name} > /tmp/www/index.html`, '  - httpd -p 8080 -h /tmp/www', ''].join('\n');
}

const SSH_KEY_CREDENTIAL = [{ sshPublicKey: { source: { secret: { secretName: 'net-ssh-key' } }, propagationMethod: { noCloud: {} } } }];

function demoVm(name: string, binding: 'masquerade' | 'bridge'): object {
  const iface = binding === 'masquerade' ? { name: 'default', masquerade: {}, ports: [{ port: 8080 }, { port: 22 }] } : { name: 'default', bridge: {} };
  return {
    apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachine', metadata: { name },
    spec: {
      runStrategy: 'Always',
      template: {
        metadata: { labels: { app: name } },
        spec: {
          terminationGracePeriodSeconds: 30,
          accessCredentials: SSH_KEY_CREDENTIAL,
          domain: {
            firmware: { kernelBoot: { kernelArgs: 'console=ttyS0 panic=-1 quiet', container: { image: 'localhost/demo-guest:latest', kernelPath: '/boot/vmlinuz', initrdPath: '/boot/initrd.img' } } },
            devices: { disks: [{ name: 'cloudinitdisk', disk: { bus: 'virtio' } }], interfaces: [iface] },
            resources: { requests: { memory: '128Mi' } },
          },
          networks: [{ name: 'default', pod: {} }],
          volumes: [{ name: 'cloudinitdisk', cloudInitNoCloud: { userData: demoUserData(name) } }],
        },
      },
    },
  };
}

function debianVm(name: string): object {
  return {
    apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachine', metadata: { name },
    spec: {
      runStrategy: 'Always',
      template: { metadata: { labels: { app: name } }, spec: { terminationGracePeriodSeconds: 60, accessCredentials: SSH_KEY_CREDENTIAL, ...debianGuestSpec() } },
    },
  };
}

describe.skipIf(!IN_CI && !AVAILABLE)('pod networking end to end (issue 17)', () => {
  let dataDir = '';
  let key = '';
  let env: NodeJS.ProcessEnv = {};
  let daemon: ChildProcess | undefined;
  let daemonOutput = '';
  /** Every launcher pod uid seen, to check their sandboxes are gone at the end. */
  const podUids = new Set<string>();

  function kvt(...args: string[]): Promise<Ran> {
    return new Promise((done) => {
      execFile(process.execPath, [KVT, ...args], { cwd: dataDir, env, timeout: 180_000 }, (err, stdout, stderr) => {
        const code = err === null ? 0 : typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : -1;
        done({ code, stdout, stderr });
      });
    });
  }

  async function json<T>(...args: string[]): Promise<T | undefined> {
    const r = await kvt('get', ...args, '-o', 'json');
    return r.code === 0 ? (JSON.parse(r.stdout) as T) : undefined;
  }

  async function apply(file: string, ...objects: object[]): Promise<void> {
    const path = join(dataDir, file);
    await writeFile(path, objects.map((o) => JSON.stringify(o)).join('\n---\n'));
    expect(await kvt('apply', '-f', path)).toMatchObject({ code: 0 });
  }

  async function startDaemon(): Promise<void> {
    daemonOutput = '';
    const child = spawn(process.execPath, [KVT, 'daemon', '--log-level', 'warn', '--pod-bridge', BRIDGE, '--pod-cidr', CIDR], { cwd: dataDir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (b: Buffer) => { daemonOutput += b.toString(); });
    child.stderr.on('data', (b: Buffer) => { daemonOutput += b.toString(); });
    daemon = child;
    await until('the daemon serving', () => Promise.resolve(daemonOutput), (o) => o.includes('kvt daemon: serving') || child.exitCode !== null, 120_000);
    expect(daemonOutput).toContain('kvt daemon: serving');
  }

  async function stopDaemon(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const child = daemon;
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill(signal);
    await exited;
  }

  /**
   * The VMI once Running (with an IP in status.interfaces, unless `withIp` is false: KubeVirt reports
   * a bridge-bound guest's address only from its guest agent), and its launcher pod's IP.
   */
  async function running(name: string, timeoutMs = 300_000, withIp = true): Promise<{ vmi: Vmi; podIp: string }> {
    const vmi = await until(`${name} running${withIp ? ' with an IP' : ''}`, () => json<Vmi>('vmi', name), (v) => v?.status?.phase === 'Running' && (!withIp || (v.status.interfaces?.[0]?.ipAddress ?? '') !== ''), timeoutMs);
    const pods = await json<{ items: Pod[] }>('pods', '-l', `kubevirt.io/created-by=${vmi?.metadata.uid ?? ''}`);
    const pod = pods?.items.find((p) => p.status?.phase === 'Running' && (p.status.podIP ?? '') !== '');
    if (pod?.metadata.uid !== undefined) podUids.add(pod.metadata.uid);
    expect(pod?.status?.podIP?.startsWith(`${SUBNET}.`)).toBe(true);
    return { vmi: vmi as Vmi, podIp: pod?.status?.podIP ?? '' };
  }

  const sshArgs = (): string[] => ['-i', key, '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null', '-o', 'BatchMode=yes', '-o', 'ConnectTimeout=30', '-o', 'LogLevel=ERROR'];

  /** `kvt ssh` until the guest's SSH server answers (it starts with the guest), then its result. */
  async function sshWhenUp(destination: string, command: string, timeoutMs: number): Promise<Ran> {
    return until(`ssh ${destination}`, () => kvt('ssh', destination, ...sshArgs(), '--', command), (r) => r.code === 0, timeoutMs);
  }

  /** Our names on the host: the pods' namespaces and veths, the bridge, its nftables table. */
  async function leftovers(): Promise<string[]> {
    const [netns, links, tables] = await Promise.all([run('ip', ['netns', 'list']), run('ip', ['-o', 'link', 'show']), run('nft', ['list', 'tables'])]);
    const names = [...podUids].flatMap((uid) => [sandboxNetns(uid), sandboxHostVeth(uid)]);
    return [
      ...names.filter((n) => netns.stdout.split('\n').some((l) => l.split(' ')[0] === n) || links.stdout.includes(`: ${n}@`) || links.stdout.includes(`: ${n}:`)),
      ...(links.stdout.includes(`: ${BRIDGE}:`) ? [`link ${BRIDGE}`] : []),
      ...(tables.stdout.split('\n').includes(`table inet ${BRIDGE}`) ? [`table inet ${BRIDGE}`] : []),
    ];
  }

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'kvt-net-e2e-'));
    await chmod(dataDir, 0o755);
    env = { ...process.env, KVT_DATA_DIR: dataDir, NO_COLOR: '1' };
    key = join(dataDir, 'id_ed25519');
    await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'kvt-e2e', '-f', key]);
    const demo = await ensureDemoGuest();
    expect(await kvt('image', 'import', 'localhost/demo-guest:latest', demo.dir)).toMatchObject({ code: 0 });
    const debian = await ensureDebianGuest();
    expect(await kvt('image', 'import', 'localhost/debian-guest:12', debian.dir)).toMatchObject({ code: 0 });
    await startDaemon();
    const publicKey = await readFile(`${key}.pub`, 'utf8');
    await apply('secret.yaml', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'net-ssh-key' }, type: 'Opaque', data: { key: Buffer.from(publicKey).toString('base64') } });
    await apply('vms.yaml', demoVm('net-web', 'masquerade'), demoVm('net-bridge', 'bridge'), debianVm('net-debian'));
  }, 1_500_000);

  afterAll(async () => {
    if (daemon !== undefined && daemon.exitCode === null) {
      await kvt('delete', 'vms', '--all', '--wait=true', '--timeout=300s').catch(() => undefined);
      await stopDaemon();
    }
    if (process.env['KVT_KEEP_E2E'] === undefined) await rm(dataDir, { recursive: true, force: true });
  }, 600_000);

  it('masquerade: the port answers on the pod IP from the host, kvt get vmi shows the IP', async () => {
    const { vmi, podIp } = await running('net-web');
    expect(vmi.status?.interfaces?.[0]?.ipAddress).toBe(podIp);
    expect(await until('the guest\'s HTTP server on <pod IP>:8080', () => httpGet(podIp, 8080), (b) => b === `${TOKEN}-net-web`, 240_000)).toBe(`${TOKEN}-net-web`);
    const table = await kvt('get', 'vmi', 'net-web');
    expect(table.stdout).toMatch(new RegExp(`^net-web\\s+\\S+\\s+Running\\s+${podIp.replace(/\./g, '\\.')}\\s+local\\s+True`, 'm'));
  }, 600_000);

  it('kvt port-forward joins a local port to the VMI\'s 8080', async () => {
    const child = spawn(process.execPath, [KVT, 'port-forward', 'vmi/net-web', ':8080'], { cwd: dataDir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      let out = '';
      child.stdout.on('data', (b: Buffer) => { out += b.toString(); });
      child.stderr.on('data', (b: Buffer) => { out += b.toString(); });
      const line = await until('the Forwarding line', () => Promise.resolve(out), (o) => /Forwarding from 127\.0\.0\.1:\d+ -> 8080/.test(o) || child.exitCode !== null, 60_000);
      const port = Number(/127\.0\.0\.1:(\d+) -> 8080/.exec(line)?.[1]);
      expect(await httpGet('127.0.0.1', port)).toBe(`${TOKEN}-net-web`);
    } finally {
      child.kill('SIGINT');
    }
  }, 300_000);

  it('kvt expose: the Service\'s host port reaches the VMI', async () => {
    expect(await kvt('expose', 'vmi', 'net-web', '--port', '80', '--target-port', '8080', '--name', 'net-web-http')).toEqual({ code: 0, stdout: 'Service net-web-http successfully exposed for vmi net-web\n', stderr: '' });
    const service = await until('the host port annotation', () => json<{ metadata: { annotations?: Record<string, string> } }>('service', 'net-web-http'),
      (s) => /^80:\d+$/.test(s?.metadata.annotations?.['kvt.kubevirt.io/host-ports'] ?? ''), 60_000);
    const port = Number(/^80:(\d+)$/.exec(service?.metadata.annotations?.['kvt.kubevirt.io/host-ports'] ?? '')?.[1]);
    expect(await httpGet('127.0.0.1', port)).toBe(`${TOKEN}-net-web`);
    expect(await kvt('delete', 'service', 'net-web-http')).toMatchObject({ code: 0 });
  }, 300_000);

  it('kvt ssh runs a command in the demo guest with the key from the Secret', async () => {
    const r = await sshWhenUp('root@vmi/net-web', 'echo "$(id -u) $(hostname)"', 240_000);
    expect(r.stdout.trim()).toBe('0 net-web');
  }, 300_000);

  it('bridge: the guest holds the pod IP; the two VMIs reach each other by IP', async () => {
    const bridged = await running('net-bridge', 300_000, false);
    const web = await running('net-web');
    const addr = await sshWhenUp('root@vmi/net-bridge', 'ip -4 -o addr show eth0', 240_000);
    expect(addr.stdout).toContain(`inet ${bridged.podIp}/`);
    const fromBridge = await kvt('ssh', 'root@vmi/net-bridge', ...sshArgs(), '--', `wget -q -O - http://${web.podIp}:8080/`);
    expect(fromBridge.stdout.trim()).toBe(`${TOKEN}-net-web`);
    await until('net-bridge\'s HTTP server', () => httpGet(bridged.podIp, 8080), (b) => b === `${TOKEN}-net-bridge`, 120_000);
    const fromWeb = await kvt('ssh', 'root@vmi/net-web', ...sshArgs(), '--', `wget -q -O - http://${bridged.podIp}:8080/`);
    expect(fromWeb.stdout.trim()).toBe(`${TOKEN}-net-bridge`);
  }, 600_000);

  it('kvt ssh runs a command in the Debian guest as its cloud-init user', async () => {
    await running('net-debian', 600_000);
    const r = await sshWhenUp('debian@vmi/net-debian', 'grep ^VERSION_CODENAME= /etc/os-release; id -un', 900_000);
    expect(r.stdout.split('\n').filter((l) => l !== '')).toEqual(['VERSION_CODENAME=bookworm', 'debian']);
  }, 1_000_000);

  it('deleting everything leaves no namespace, veth, bridge or nftables table behind', async () => {
    expect(await kvt('delete', 'vms', '--all', '--wait=true', '--timeout=300s')).toMatchObject({ code: 0 });
    await until('the launcher pods gone', async () => (await json<{ items: Pod[] }>('pods'))?.items.length ?? 0, (n) => n === 0, 300_000);
    await until('the pods\' sandboxes gone', leftovers, (l) => l.every((n) => n === `link ${BRIDGE}` || n === `table inet ${BRIDGE}`), 120_000);
    await stopDaemon();
    expect(await leftovers()).toEqual([]);
  }, 700_000);

  it('after a SIGKILL of the daemon, a restart and a delete, nothing is left either', async () => {
    await startDaemon();
    await apply('again.yaml', demoVm('net-again', 'masquerade'));
    const { podIp } = await running('net-again');
    await until('net-again\'s HTTP server', () => httpGet(podIp, 8080), (b) => b === `${TOKEN}-net-again`, 240_000);
    await stopDaemon('SIGKILL');
    await startDaemon();
    expect(await httpGet(podIp, 8080)).toBe(`${TOKEN}-net-again`);
    expect(await kvt('delete', 'vm', 'net-again', '--wait=true', '--timeout=300s')).toMatchObject({ code: 0 });
    await until('the launcher pod gone', async () => (await json<{ items: Pod[] }>('pods'))?.items.length ?? 0, (n) => n === 0, 300_000);
    await until('its sandbox gone', leftovers, (l) => l.every((n) => n === `link ${BRIDGE}` || n === `table inet ${BRIDGE}`), 120_000);
    await stopDaemon();
    expect(await leftovers()).toEqual([]);
  }, 900_000);
});
