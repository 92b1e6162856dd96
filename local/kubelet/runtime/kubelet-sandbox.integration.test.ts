// The local kubelet's pod sandboxes, for real, without a guest: the in-memory API server, a node
// network of this test's own (bridge kvttk<pid>, a free /24) and launcher pods whose launcher waits
// for a handover that never comes (`kvt virt-launcher --await-vmi`: it serves its socket and starts
// its private libvirtd meanwhile). No VMI controller deletes pods here, so what the kubelet does
// alone is seen: the pod's address, the launcher and its libvirtd in the sandbox, a killed launcher's
// sandbox removed before its pod turns Failed (its IP kept in the status), a restarted kubelet
// re-adopting a running pod and its sandbox, one restarted after its launcher died failing the pod
// instead of starting it again, a pod deleted at once (grace 0) cleaned up too, and nothing of the
// test left on the host.
import { execFileSync } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../../core/log.js';
import { Labels, LabelValues } from '../../../crd-gen/index.js';
import { runDirFor } from '../../../launcher/identity.js';
import { POD_TYPE, type Pod } from '../../../reconcilers/pod.js';
import { runController, type RunningController } from '../../../reconcilers/runtime/controller.js';
import { createInformer, type Informer } from '../../../reconcilers/runtime/informer.js';
import { createMemoryStore, type MemoryStore } from '../../../store/runtime/memory.js';
import { IN_CI, IS_ROOT, LIBVIRT_TOOLS, haveTools } from '../../../test/fixtures/host.js';
import { isPodAddress, parseIpv4, parsePodCidr } from '../../pod-network/cidr.js';
import { addedSince, freeTestCidr, hostNetworkSnapshot, testBridge, type HostNetworkSnapshot } from '../../pod-network/runtime/host-network.testing.js';
import { startNodeNetwork, type NodeNetwork } from '../../pod-network/runtime/node-network.js';
import { sandboxHostVeth, sandboxNetns } from '../../pod-network/runtime/sandbox.js';
import { processStartTicks } from './pid-file.js';
import { localKubelet } from './kubelet.js';
import { untilOk } from '../../../test/builders/until.js';

const AVAILABLE = IS_ROOT && haveTools([...LIBVIRT_TOOLS, 'ip', 'nft']);
const log = createLogger({ name: 'test', level: 'silent' });

/** The shared poller, every 200 ms. */
const until = <T>(what: string, probe: () => Promise<T> | T, ok: (v: T) => boolean, timeoutMs: number): Promise<T> => untilOk(what, probe, ok, timeoutMs, 200);

const inode = async (path: string): Promise<number> => (await stat(path)).ino;
const commsIn = (netns: string): Promise<string[]> => Promise.all(execFileSync('ip', ['netns', 'pids', netns], { encoding: 'utf8' }).trim().split('\n').filter((p) => p !== '')
  .map((p) => readFile(`/proc/${p}/comm`, 'utf8').then((c) => c.trim(), () => '')));

describe.skipIf(!IN_CI && !AVAILABLE)('the local kubelet\'s pod sandboxes (real namespaces, launchers without a guest)', () => {
  const bridge = testBridge('k');
  let dir = '';
  let before: HostNetworkSnapshot;
  let store: MemoryStore;
  let pods: Informer<Pod>;
  let network: NodeNetwork;
  let kubelet: RunningController | undefined;
  let cidr = '';
  const made = new Set<string>([bridge]);
  const uids: string[] = [];

  const startKubelet = (): void => {
    kubelet = runController(localKubelet({ kube: store, pods, nodeName: 'local', dataDir: join(dir, 'data'), runRoot: join(dir, 'run'), log, owner: 'sandbox-test', network }), { log });
  };
  const launcherPod = (name: string): Pod => ({
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name: `virt-launcher-${name}`, namespace: 'default', labels: { [Labels.app]: LabelValues.virtLauncher } },
    spec: { containers: [{ name: 'compute', image: 'kvt:local', command: ['kvt', 'virt-launcher'], args: ['--await-vmi', '--namespace', 'default', '--name', name, '--uid', `uid-${name}-${process.pid}`] }] },
  });
  const getPod = (name: string): Promise<Pod | undefined> => store.get<Pod>(POD_TYPE, 'default', `virt-launcher-${name}`).catch(() => undefined);
  const pidOf = async (name: string): Promise<number> =>
    (JSON.parse(await readFile(join(runDirFor(join(dir, 'run'), { namespace: 'default', name, uid: `uid-${name}-${process.pid}` }), 'kubelet.pid.json'), 'utf8')) as { pid: number }).pid;
  const left = (uid: string): string[] => {
    const now = hostNetworkSnapshot();
    return [sandboxNetns(uid), sandboxHostVeth(uid)].filter((n) => now.netns.includes(n) || now.links.includes(n));
  };

  beforeAll(async () => {
    before = hostNetworkSnapshot();
    dir = await mkdtemp(join(tmpdir(), 'kvt-ks-'));
    // As root the launcher's libvirtd runs as the unprivileged QEMU user, which must reach its run directory.
    await chmod(dir, 0o755);
    cidr = freeTestCidr();
    network = await startNodeNetwork({ bridge, cidr, egress: false, owner: 'sandbox-test', log, stateDir: join(dir, 'net') });
    store = createMemoryStore();
    pods = createInformer<Pod>(store, POD_TYPE, { labelSelector: `${Labels.app}=${LabelValues.virtLauncher}` });
    await pods.start();
    startKubelet();
  });

  afterAll(async () => {
    await kubelet?.stop();
    pods?.stop();
    await store?.close();
    // What a failed test left: its launchers (and their libvirtd), sandboxes, then the network.
    for (const uid of uids) {
      for (const pid of await network.sandboxProcesses(uid)) process.kill(pid, 'SIGKILL');
      await until('the sandbox empty', () => network.sandboxProcesses(uid), (p) => p.length === 0, 30_000);
      await network.deleteSandbox(uid);
    }
    await network?.release();
    await rm(dir, { recursive: true, force: true });
  });

  it('runs the launcher and its libvirtd in the sandbox; a killed launcher\'s pod turns Failed only once its sandbox is gone, keeping its podIP', async () => {
    const created = await store.create(launcherPod('killed'));
    const uid = created.metadata.uid ?? '';
    uids.push(uid);
    made.add(sandboxNetns(uid)).add(sandboxHostVeth(uid));
    const running = await until('the pod Running with an IP', () => getPod('killed'), (p) => p?.status?.phase === 'Running' && p.status.podIP !== undefined, 60_000);
    const podIP = running?.status?.podIP ?? '';
    const parsed = parsePodCidr(cidr, 'cidr');
    expect(parsed.ok && isPodAddress(parsed.cidr, parseIpv4(podIP) ?? 0)).toBe(true);
    expect(running?.status?.podIPs).toEqual([{ ip: podIP }]);

    const netns = sandboxNetns(uid);
    const pid = await pidOf('killed');
    expect(await inode(`/proc/${pid}/ns/net`)).toBe(await inode(`/run/netns/${netns}`));
    expect(await inode(`/proc/${pid}/ns/net`)).not.toBe(await inode('/proc/self/ns/net'));
    // The launcher makes its host ready while it waits: its private libvirtd starts in the sandbox too.
    await until('libvirtd in the sandbox', () => commsIn(netns), (c) => c.includes('libvirtd'), 120_000);

    // The kubelet waits for (or kills) what is left in the namespace and removes it before the pod
    // turns terminal: the moment from which the API server deletes the pod at once.
    process.kill(-pid, 'SIGKILL');
    const failed = await until('the pod Failed', () => getPod('killed'), (p) => p?.status?.phase === 'Failed', 90_000);
    expect(left(uid)).toEqual([]);
    expect(await network.findSandbox(uid)).toBeUndefined();
    expect(failed?.status).toMatchObject({ podIP, podIPs: [{ ip: podIP }] });
    await store.delete(POD_TYPE, 'default', 'virt-launcher-killed');
    expect(await getPod('killed')).toBeUndefined();
  }, 300_000);

  it('a restarted kubelet re-adopts a running pod with its sandbox; deleted at once (grace 0), its launcher is killed and its sandbox removed', async () => {
    const created = await store.create(launcherPod('forced'));
    const uid = created.metadata.uid ?? '';
    uids.push(uid);
    made.add(sandboxNetns(uid)).add(sandboxHostVeth(uid));
    const running = await until('the pod Running with an IP', () => getPod('forced'), (p) => p?.status?.phase === 'Running' && p.status.podIP !== undefined, 60_000);
    const pid = await pidOf('forced');

    await kubelet?.stop();
    startKubelet();
    await new Promise((r) => setTimeout(r, 1000));
    expect((await getPod('forced'))?.status).toMatchObject({ phase: 'Running', podIP: running?.status?.podIP });
    expect(await pidOf('forced')).toBe(pid);
    expect(await network.findSandbox(uid)).toEqual({ netns: sandboxNetns(uid), ip: running?.status?.podIP });

    await store.delete(POD_TYPE, 'default', 'virt-launcher-forced', { gracePeriodSeconds: 0 });
    await until('the launcher killed and the sandbox gone', async () => ({ launcher: await processStartTicks(pid), left: left(uid) }), (s) => s.launcher === undefined && s.left.length === 0, 90_000);
    expect(await network.findSandbox(uid)).toBeUndefined();
  }, 300_000);

  it('a kubelet restarted after its launcher died does not start it again: the pod fails (ContainerStatusUnknown) and loses its sandbox', async () => {
    const created = await store.create(launcherPod('unseen'));
    const uid = created.metadata.uid ?? '';
    uids.push(uid);
    made.add(sandboxNetns(uid)).add(sandboxHostVeth(uid));
    await until('the pod Running with an IP', () => getPod('unseen'), (p) => p?.status?.phase === 'Running' && p.status.podIP !== undefined, 60_000);
    const pid = await pidOf('unseen');
    await kubelet?.stop();
    process.kill(-pid, 'SIGKILL');
    await until('the launcher gone', () => processStartTicks(pid), (t) => t === undefined, 30_000);
    startKubelet();
    const failed = await until('the pod Failed', () => getPod('unseen'), (p) => p?.status?.phase === 'Failed', 90_000);
    expect(failed?.status?.containerStatuses?.[0]?.state?.terminated).toMatchObject({ exitCode: 137, reason: 'ContainerStatusUnknown' });
    expect(left(uid)).toEqual([]);
    // No second launcher: the pod's record (if its reaper has not removed it) is still the dead one's.
    expect(await pidOf('unseen').catch(() => pid)).toBe(pid);
    await store.delete(POD_TYPE, 'default', 'virt-launcher-unseen');
  }, 300_000);

  it('leaves nothing of this test on the host once the network is released', async () => {
    await kubelet?.stop();
    kubelet = undefined;
    await network.release();
    const added = addedSince(before, hostNetworkSnapshot());
    expect([...added.netns, ...added.links].filter((n) => made.has(n))).toEqual([]);
    expect(added.tables.filter((t) => t === `table inet ${bridge}`)).toEqual([]);
  }, 60_000);
});
