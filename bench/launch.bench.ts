/**
 * Local mode, control-plane overhead to a started launcher: VM created → its launcher process answers
 * on its socket (the launcher pod Ready), through admission, the VM, VMI controllers, the local
 * kubelet and the node handler on the in-memory store, over 5 runs (p50/p99). Baseline: the same
 * launcher started directly (`kvt virt-launcher --await-vmi`) until its socket answers. Guests are
 * the demo guest (tear-down waits for each to be gone).
 */
import { rm } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { randomUUID } from 'node:crypto';
import { createLogger } from '../core/log.js';
import { Gvk, Labels, LabelValues, type VirtualMachineInstance } from '../crd-gen/index.js';
import { runDirFor, vmiIdentity } from '../launcher/identity.js';
import { PROTOCOL_SOCKET } from '../launcher/protocol/index.js';
import { defaultDataDir } from '../launcher/runtime/data-dir.js';
import { defaultRunRoot } from '../launcher/runtime/launcher-dirs.js';
import { localKubelet, socketAnswers } from '../local/kubelet/runtime/kubelet.js';
import { processStartTicks, recordedOwner } from '../local/kubelet/runtime/pid-file.js';
import { launcherLogFile, spawnLauncher } from '../local/kubelet/runtime/spawn.js';
import { startVirtHandler } from '../reconcilers/node-handler/runtime/start.js';
import { POD_TYPE, type Pod } from '../reconcilers/pod.js';
import { runController } from '../reconcilers/runtime/controller.js';
import { createInformer } from '../reconcilers/runtime/informer.js';
import { startVirtController } from '../reconcilers/runtime/virt-controller.js';
import { createMemoryStore } from '../store/runtime/memory.js';
import { ensureDemoGuest } from '../test/fixtures/demo-guest.js';
import { percentile, row, type Benchmark } from './harness.js';

const RUNS = 5;
const NODE = 'local';
const OWNER = `bench-launch:${process.pid}`;
const log = createLogger({ name: 'bench', level: 'silent' });
const runRoot = defaultRunRoot(process.getuid?.() ?? -1, process.env);
const sa = (name: string, extra?: Record<string, string[]>) => ({ username: `system:serviceaccount:kubevirt:${name}`, groups: ['system:serviceaccounts', 'system:authenticated'], ...(extra === undefined ? {} : { extra }) });
const VM_TYPE = Gvk.VirtualMachine;

const template = { spec: { domain: {
  firmware: { kernelBoot: { kernelArgs: 'console=ttyS0 panic=-1', container: { image: 'localhost/demo-guest:latest', kernelPath: '/boot/vmlinuz', initrdPath: '/boot/initrd.img' } } },
  devices: {}, resources: { requests: { memory: '96Mi' } },
} } };

async function waitFor(check: () => Promise<boolean> | boolean, what: string, timeoutMs = 120_000): Promise<void> {
  const end = performance.now() + timeoutMs;
  while (!(await check())) {
    if (performance.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

// The local kubelet sets the pod's Ready condition once the launcher answered on its socket.
const socketAnswered = (pod: Readonly<Pod>): boolean => pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true;

async function bareLauncher(i: number): Promise<number> {
  const identity = { namespace: 'default', name: `bare-${i}`, uid: randomUUID() };
  const runDir = runDirFor(runRoot, identity);
  const start = performance.now();
  const spawned = await spawnLauncher({
    argv: ['virt-launcher', '--await-vmi', '--namespace', identity.namespace, '--name', identity.name, '--uid', identity.uid, '--run-root', runRoot],
    dataDir: defaultDataDir(), runDir, podUid: identity.uid, logFile: launcherLogFile(defaultDataDir(), 'default', identity.name),
  });
  await waitFor(() => socketAnswers(`${runDir}/${PROTOCOL_SOCKET}`), 'the bare launcher socket');
  const ms = performance.now() - start;
  process.kill(-spawned.record.pid, 'SIGTERM');
  // The child is unref'd (it outlives its parent by design): poll for its end instead of awaiting it.
  await waitFor(async () => (await processStartTicks(spawned.record.pid)) === undefined, 'the bare launcher to exit');
  await rm(runDir, { recursive: true, force: true });
  return ms;
}

async function throughControlPlane(): Promise<number[]> {
  const store = createMemoryStore();
  const controller = await startVirtController({ kube: store.client(sa('kubevirt-controller')), log, launcherImage: 'kvt:local' });
  const handler = await startVirtHandler({
    kube: store.client(sa('kubevirt-handler', { 'authentication.kubernetes.io/node-name': [NODE] })), nodeName: NODE, runRoot, log,
    runDirOf: (v) => runDirFor(runRoot, vmiIdentity(v)),
    vmis: createInformer<VirtualMachineInstance>(store, { apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachineInstance' }, { fieldSelector: `status.nodeName=${NODE}` }),
    run: (d) => runController(d, { log }),
    ownsLauncher: async (runDir) => (await recordedOwner(runDir)) === OWNER,
  });
  const pods = createInformer<Pod>(store, POD_TYPE, { labelSelector: `${Labels.app}=${LabelValues.virtLauncher}` });
  await pods.start();
  const kubelet = runController(localKubelet({ kube: store, pods, nodeName: NODE, dataDir: defaultDataDir(), runRoot, log, pollMs: 20, owner: OWNER }), { log });
  const times: number[] = [];
  try {
    for (let i = 0; i < RUNS; i++) {
      const name = `launch-${i}`;
      const start = performance.now();
      await store.create({ ...Gvk.VirtualMachine, metadata: { name, namespace: 'default' }, spec: { runStrategy: 'Always', template } });
      await waitFor(() => pods.list('default').some((p) => p.metadata.name?.startsWith(`virt-launcher-${name}-`) === true && socketAnswered(p)), `the launcher of ${name}`);
      times.push(performance.now() - start);
      await store.delete(VM_TYPE, 'default', name);
      await waitFor(() => pods.list('default').length === 0, `the launcher of ${name} to go`);
    }
  } finally {
    await kubelet.stop();
    pods.stop();
    await handler.stop();
    await controller.stop();
    await store.close();
  }
  return times;
}

const bench: Benchmark = async () => {
  await ensureDemoGuest();
  const bare: number[] = [];
  for (let i = 0; i < RUNS; i++) bare.push(await bareLauncher(i));
  const plane = await throughControlPlane();
  return [
    row(`launch: VM create → launcher answering, p50 over ${RUNS} runs (vs the launcher started directly)`, percentile(plane, 50), 'ms', percentile(bare, 50)),
    row(`launch: VM create → launcher answering, p99 over ${RUNS} runs (vs the launcher started directly)`, percentile(plane, 99), 'ms', percentile(bare, 99)),
  ];
};

export default bench;
