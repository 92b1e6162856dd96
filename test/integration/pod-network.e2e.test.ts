// End to end, the local mode's pod sandbox with real guests: `kvt daemon` on a fresh data dir with a
// node bridge and pod CIDR of this test's own (kvtte<pid>, a free /24), then VMIs applied with `kvt`.
// Each launcher pod gets an address of the CIDR (status.podIP/podIPs); the launcher, its libvirtd and
// QEMU run in the pod's namespace; the host reaches the pod's address (a TCP listener started in the
// namespace); a crashed launcher's VMI deleted leaves nothing (that the sandbox outlives the launcher
// until its pod goes is local/kubelet/runtime/kubelet-sandbox.integration.test.ts's); a SIGKILLed daemon,
// restarted, re-adopts the launcher with its sandbox and deletes it all; a `kvt run` session leaves
// nothing of its network; stopping the daemon with no pod left removes the bridge and its nftables
// table. Every check compares the host's namespaces, links and tables with a snapshot taken first,
// filtered to what this test made.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, stat, chmod } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VirtualMachineInstance } from '../../crd-gen/index.js';
import { runDirFor, vmiIdentity } from '../../launcher/identity.js';
import { defaultRunRoot } from '../../launcher/runtime/launcher-dirs.js';
import { isPodAddress, parseIpv4, parsePodCidr } from '../../local/pod-network/cidr.js';
import { addedSince, freeTestCidr, hostNetworkSnapshot, listenInNetns, tcpAnswer, testBridge, type HostNetworkSnapshot } from '../../local/pod-network/runtime/host-network.testing.js';
import { NODE_NETWORK_ROOT } from '../../local/pod-network/runtime/node-network.js';
import { sandboxHostVeth, sandboxNetns } from '../../local/pod-network/runtime/sandbox.js';
import { ensureDemoGuest } from '../fixtures/demo-guest.js';
import { IN_CI, IS_ROOT, LIBVIRT_TOOLS, haveTools, qemuPids } from '../fixtures/host.js';
import { untilOk as until } from '../builders/until.js';

const REPO = resolve(import.meta.dirname, '../..');
const AVAILABLE = IS_ROOT && haveTools([...LIBVIRT_TOOLS, 'qemu-img', 'genisoimage', 'ip', 'nft']);
const PREFIX = `netpod${process.pid}`;

interface PodJson { metadata: { name: string; uid: string; ownerReferences?: { uid: string }[] }; status?: { phase?: string; podIP?: string; podIPs?: { ip: string }[] } }


const netnsInode = async (path: string): Promise<number> => (await stat(path)).ino;

describe.skipIf(!IN_CI && !AVAILABLE)('the local mode\'s pod sandbox (kvt daemon, real guests, real namespaces)', () => {
  let dataDir = '';
  let env: NodeJS.ProcessEnv = {};
  let before: HostNetworkSnapshot;
  const bridge = testBridge('e');
  let cidr = '';
  let daemon: { child: ChildProcess; exited: Promise<number | null>; output: () => string } | undefined;
  /** Everything this test made on the host: what must be gone at the end. */
  const made = { netns: new Set<string>(), links: new Set<string>([bridge]) };

  function kvt(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    return new Promise((done) => {
      execFile(process.execPath, [join(REPO, 'bin/kvt.js'), ...args], { cwd: REPO, env, timeout: 120_000 }, (err, stdout, stderr) => {
        const code = err === null ? 0 : typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : -1;
        done({ code, stdout, stderr });
      });
    });
  }

  async function startDaemon(): Promise<void> {
    const child = spawn(process.execPath, [join(REPO, 'bin/kvt.js'), 'daemon', '--log-level', 'warn', '--pod-bridge', bridge, '--pod-cidr', cidr], { cwd: REPO, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (b: Buffer) => { output += b.toString(); });
    child.stderr.on('data', (b: Buffer) => { output += b.toString(); });
    const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
    daemon = { child, exited, output: () => output };
    await until('the daemon serving', async () => output, (o) => o.includes('kvt daemon: serving') || child.exitCode !== null, 60_000);
    expect(output).toContain(`pods on ${bridge} ${cidr}, host-only`);
  }

  async function stopDaemon(signal: 'SIGTERM' | 'SIGKILL'): Promise<void> {
    if (daemon === undefined) return;
    daemon.child.kill(signal);
    await daemon.exited;
    daemon = undefined;
  }

  async function applyVmi(name: string): Promise<VirtualMachineInstance> {
    const { demoGuestVmiSpec } = await import('../fixtures/demo-guest.js');
    const manifest = join(dataDir, `${name}.json`);
    // Masquerade with a declared port: the launcher (launcher/runtime/pod-network) forwards only 8080 of
    // the pod IP to the guest, so the pod's own namespace answers on the other ports (the listener below).
    const spec = demoGuestVmiSpec();
    const vmiSpec = { ...spec, domain: { ...spec.domain, devices: { interfaces: [{ name: 'default', masquerade: {}, ports: [{ port: 8080 }] }] } }, networks: [{ name: 'default', pod: {} }] };
    await import('node:fs/promises').then((fs) => fs.writeFile(manifest, JSON.stringify({ apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachineInstance', metadata: { name }, spec: vmiSpec })));
    expect(await kvt('apply', '-f', manifest)).toMatchObject({ code: 0 });
    const vmi = await until(`VMI ${name} Running`, async () => {
      const r = await kvt('get', 'vmi', name, '-o', 'json');
      return r.code === 0 ? (JSON.parse(r.stdout) as VirtualMachineInstance) : undefined;
    }, (v) => v?.status?.phase === 'Running' || v?.status?.phase === 'Failed', 240_000);
    expect(vmi?.status?.phase).toBe('Running');
    return vmi as VirtualMachineInstance;
  }

  async function launcherPod(vmi: VirtualMachineInstance): Promise<PodJson | undefined> {
    const r = await kvt('get', 'pods', '-o', 'json');
    return r.code === 0 ? (JSON.parse(r.stdout) as { items: PodJson[] }).items.find((p) => p.metadata.ownerReferences?.[0]?.uid === vmi.metadata.uid) : undefined;
  }

  const launcherPid = async (vmi: VirtualMachineInstance): Promise<number> =>
    (JSON.parse(await readFile(join(runDirFor(defaultRunRoot(0, {}), vmiIdentity(vmi)), 'kubelet.pid.json'), 'utf8')) as { pid: number }).pid;

  async function deleteAndWait(name: string): Promise<void> {
    expect(await kvt('delete', 'vmi', name)).toMatchObject({ code: 0 });
    await until(`VMI ${name} and its pod gone`, async () => [(await kvt('get', 'vmi', name)).code, (await kvt('get', 'pods', '-o', 'name')).stdout], ([code, pods]) => code !== 0 && pods === '', 180_000);
  }

  /** What of this pod's sandbox is on the host: its namespace, its host veth, its lease. */
  async function sandboxLeft(podUid: string, podIP: string): Promise<string[]> {
    const now = hostNetworkSnapshot();
    const leases = await readdir(join(NODE_NETWORK_ROOT, bridge, 'leases')).catch(() => [] as string[]);
    return [
      ...(now.netns.includes(sandboxNetns(podUid)) ? [sandboxNetns(podUid)] : []),
      ...(now.links.includes(sandboxHostVeth(podUid)) ? [sandboxHostVeth(podUid)] : []),
      ...(leases.includes(podIP) ? [`lease ${podIP}`] : []),
    ];
  }

  beforeAll(async () => {
    before = hostNetworkSnapshot();
    cidr = freeTestCidr();
    dataDir = await mkdtemp(join(tmpdir(), 'kvt-net-e2e-'));
    // As root the launchers' QEMU runs as the unprivileged kvt-qemu user, which must reach the image store.
    await chmod(dataDir, 0o755);
    env = { ...process.env, KVT_DATA_DIR: dataDir };
    const guest = await ensureDemoGuest();
    expect(await kvt('image', 'import', guest.ref, guest.dir)).toMatchObject({ code: 0 });
    await startDaemon();
  }, 700_000);

  afterAll(async () => {
    for (const name of ['a', 'b', 'c']) await kvt('delete', 'vmi', `${PREFIX}${name}`, '--ignore-not-found').catch(() => undefined);
    await stopDaemon('SIGTERM');
    for (const pid of await qemuPids(PREFIX)) process.kill(pid, 'SIGKILL');
    await rm(dataDir, { recursive: true, force: true });
  }, 300_000);

  it('a launcher pod gets an address of the pod CIDR; the launcher, libvirtd and QEMU run in its namespace, and the host reaches it', async () => {
    const vmi = await applyVmi(`${PREFIX}a`);
    const pod = await until('the pod\'s IP', () => launcherPod(vmi), (p) => p?.status?.podIP !== undefined, 60_000);
    const podIP = pod?.status?.podIP ?? '';
    const parsed = parsePodCidr(cidr, 'cidr');
    expect(parsed.ok && isPodAddress(parsed.cidr, parseIpv4(podIP) ?? 0)).toBe(true);
    expect(pod?.status?.podIPs).toEqual([{ ip: podIP }]);
    const node = JSON.parse((await kvt('get', 'node', 'local', '-o', 'json')).stdout) as { spec?: { podCIDR?: string; podCIDRs?: string[] } };
    expect(node.spec).toMatchObject({ podCIDR: cidr, podCIDRs: [cidr] });

    const netns = sandboxNetns(pod?.metadata.uid ?? '');
    made.netns.add(netns);
    made.links.add(sandboxHostVeth(pod?.metadata.uid ?? ''));
    const sandboxInode = await netnsInode(`/run/netns/${netns}`);
    expect(sandboxInode).not.toBe(await netnsInode('/proc/self/ns/net'));
    const pid = await launcherPid(vmi);
    expect(await netnsInode(`/proc/${pid}/ns/net`)).toBe(sandboxInode);
    const [qemu] = await qemuPids(`${PREFIX}a`);
    expect(await netnsInode(`/proc/${qemu}/ns/net`)).toBe(sandboxInode);
    const inSandbox = await Promise.all((await import('node:child_process')).execFileSync('ip', ['netns', 'pids', netns], { encoding: 'utf8' }).trim().split('\n')
      .map((p) => readFile(`/proc/${p}/comm`, 'utf8').then((c) => c.trim(), () => '')));
    expect(inSandbox).toContain('libvirtd');

    const listener = await listenInNetns(netns, podIP, 18080);
    try {
      expect(await tcpAnswer(podIP, 18080)).toBe('pong');
    } finally {
      listener.kill('SIGKILL');
    }

    await deleteAndWait(`${PREFIX}a`);
    expect(await sandboxLeft(pod?.metadata.uid ?? '', podIP)).toEqual([]);
  }, 600_000);

  it('a crashed launcher fails its VMI; deleting it leaves nothing of the sandbox', async () => {
    const vmi = await applyVmi(`${PREFIX}b`);
    const pod = await until('the pod\'s IP', () => launcherPod(vmi), (p) => p?.status?.podIP !== undefined, 60_000);
    const uid = pod?.metadata.uid ?? '';
    const podIP = pod?.status?.podIP ?? '';
    made.netns.add(sandboxNetns(uid));
    made.links.add(sandboxHostVeth(uid));
    process.kill(-(await launcherPid(vmi)), 'SIGKILL');
    await until('the VMI Failed', async () => JSON.parse((await kvt('get', 'vmi', `${PREFIX}b`, '-o', 'json')).stdout || '{}') as VirtualMachineInstance, (v) => v.status?.phase === 'Failed', 120_000);
    await deleteAndWait(`${PREFIX}b`);
    expect(await sandboxLeft(uid, podIP)).toEqual([]);
  }, 600_000);

  it('a SIGKILLed daemon, restarted, re-adopts the launcher with its sandbox; deleting leaves nothing', async () => {
    const vmi = await applyVmi(`${PREFIX}c`);
    const pod = await until('the pod\'s IP', () => launcherPod(vmi), (p) => p?.status?.podIP !== undefined, 60_000);
    const uid = pod?.metadata.uid ?? '';
    const podIP = pod?.status?.podIP ?? '';
    made.netns.add(sandboxNetns(uid));
    made.links.add(sandboxHostVeth(uid));
    const pid = await launcherPid(vmi);

    await stopDaemon('SIGKILL');
    expect(await sandboxLeft(uid, podIP)).toEqual([sandboxNetns(uid), sandboxHostVeth(uid), `lease ${podIP}`]);
    await startDaemon();
    const adopted = await until('the pod Running again', () => launcherPod(vmi), (p) => p?.status?.phase === 'Running', 60_000);
    expect(adopted?.status?.podIP).toBe(podIP);
    expect(await launcherPid(vmi)).toBe(pid);
    expect(await netnsInode(`/proc/${pid}/ns/net`)).toBe(await netnsInode(`/run/netns/${sandboxNetns(uid)}`));

    await deleteAndWait(`${PREFIX}c`);
    expect(await sandboxLeft(uid, podIP)).toEqual([]);
  }, 600_000);

  it('a kvt run session gives its guest a pod IP and leaves nothing of its network when it ends', async () => {
    const runBridge = testBridge('r');
    const runCidr = freeTestCidr().replace(/^10\.239\./, '10.238.');
    const { demoGuestVmiSpec } = await import('../fixtures/demo-guest.js');
    const manifest = join(dataDir, 'run.json');
    const token = `run-${process.pid}`;
    const spec = demoGuestVmiSpec();
    await import('node:fs/promises').then((fs) => fs.writeFile(manifest, JSON.stringify({
      apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachineInstance', metadata: { name: `${PREFIX}r` },
      spec: { ...spec, domain: { ...spec.domain, devices: { disks: [{ name: 'cloudinitdisk', disk: { bus: 'virtio' } }] } }, volumes: [{ name: 'cloudinitdisk', cloudInitNoCloud: { userData: `#!/bin/sh\necho "${token} done"\n` } }] },
    })));
    const result = await new Promise<{ code: number; stdout: string; stderr: string }>((done) => {
      execFile(process.execPath, [join(REPO, 'bin/kvt.js'), 'run', '-f', manifest, '--pod-bridge', runBridge, '--pod-cidr', runCidr, '--wait-for-console', `^${token} done`, '--timeout', '400', '--log-level', 'info'],
        { cwd: REPO, env, timeout: 500_000, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => done({ code: err === null ? 0 : Number((err as { code?: unknown }).code ?? -1), stdout, stderr }));
    });
    expect(result.code, result.stderr.slice(-2000)).toBe(0);
    const started = result.stderr.split('\n').filter((l) => l.includes('Started the launcher of Pod')).map((l) => JSON.parse(l) as { podIP?: string });
    const parsed = parsePodCidr(runCidr, 'cidr');
    expect(started.length).toBe(1);
    expect(parsed.ok && isPodAddress(parsed.cidr, parseIpv4(started[0]?.podIP ?? '') ?? 0)).toBe(true);
    const now = hostNetworkSnapshot();
    expect(now.links).not.toContain(runBridge);
    expect(now.tables).not.toContain(`table inet ${runBridge}`);
    expect(await readdir(join(NODE_NETWORK_ROOT, runBridge)).catch((e: NodeJS.ErrnoException) => e.code)).toBe('ENOENT');
  }, 600_000);

  it('stopping the daemon with no pod left removes the bridge and its table: nothing of this test is left', async () => {
    await stopDaemon('SIGTERM');
    const added = addedSince(before, hostNetworkSnapshot());
    expect({
      netns: added.netns.filter((n) => made.netns.has(n)),
      links: added.links.filter((l) => made.links.has(l)),
      tables: added.tables.filter((t) => t === `table inet ${bridge}`),
    }).toEqual({ netns: [], links: [], tables: [] });
    expect(await readdir(join(NODE_NETWORK_ROOT, bridge, 'leases')).catch(() => [])).toEqual([]);
  }, 120_000);
});
