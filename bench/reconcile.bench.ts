/**
 * Reconcile throughput on the in-memory store with admission on (bench/README.md): a
 * VirtualMachineInstanceReplicaSet of 1,000 replicas → 1,000 Scheduled VMIs through
 * startVirtController (informers, work queues, the ReplicaSet and VMI controllers).
 * Baseline: 1,000 plain creates of the same VMIs on a fresh store with the same admission, made as
 * the same user as the controller's creates (the store + admission floor).
 * The kubelet is played by a BENCH-ONLY pod runner (binds each launcher pod and marks it Running and
 * Ready without starting any process), run as a controller on the same runtime.
 * Subject and baseline run interleaved (after one warm-up of each, so neither pays for compiling
 * the admission schemas); the row is the median pair ratio with its range and the load average.
 * Target (bench/README.md): ≤ 2×, and ≤ 300 MiB peak RSS.
 */
import { performance } from 'node:perf_hooks';
import type { KubeApi } from '../core/kube.js';
import { createLogger } from '../core/log.js';
import type { VirtualMachineInstance } from '../crd-gen/index.js';
import { LAUNCHER_CONTAINER, type Pod } from '../reconcilers/pod.js';
import { DONE, type ControllerDefinition } from '../reconcilers/contract.js';
import { primary } from '../reconcilers/sources.js';
import { startVirtController } from '../reconcilers/runtime/virt-controller.js';
import type { Cache } from '../core/cache.js';
import { createMemoryStore } from '../store/runtime/memory.js';
import { interleave, pairedRow, targetRow, type Benchmark } from './harness.js';

const N = 1000;
const PAIRS = 3;
const NODE = 'bench-node';
const CONTROLLER = { username: 'system:serviceaccount:kubevirt:kubevirt-controller', groups: ['system:serviceaccounts', 'system:authenticated'] };

const vmi = (i: number): VirtualMachineInstance => ({
  apiVersion: 'kubevirt.io/v1',
  kind: 'VirtualMachineInstance',
  metadata: { name: `bench-${i}`, namespace: 'default', ownerReferences: [] },
  spec: { domain: { devices: {}, resources: { requests: { memory: '64Mi' } } } },
});

/** BENCH-ONLY kubelet stand-in: bind, then Running + Ready with compute running; no process. */
function podRunner(kube: KubeApi, pods: Cache<Pod>): ControllerDefinition {
  const reconcile = async (key: string): Promise<typeof DONE> => {
    const pod = pods.get(key);
    if (pod === undefined || pod.metadata.deletionTimestamp !== undefined) return DONE;
    if (pod.spec?.nodeName === undefined) {
      await kube.update<Pod>({ ...pod, spec: { ...pod.spec, nodeName: NODE } } as Pod);
      return DONE;
    }
    if (pod.status?.phase === 'Running') return DONE;
    const now = new Date().toISOString();
    const cond = (type: string): Record<string, string> => ({ type, status: 'True', lastTransitionTime: now });
    await kube.updateStatus<Pod>({
      ...pod,
      status: {
        phase: 'Running',
        conditions: [cond('PodScheduled'), cond('Ready'), cond('ContainersReady')],
        containerStatuses: [{ name: LAUNCHER_CONTAINER, ready: true, restartCount: 0, image: 'kvt:bench', imageID: '', state: { running: { startedAt: now } } }],
      },
    } as unknown as Pod);
    return DONE;
  };
  return { reconciler: { name: 'bench-pod-runner', reconcile }, primary: primary(pods), workers: 4 };
}

async function plainCreates(): Promise<number> {
  const store = createMemoryStore({});
  const kube = store.client(CONTROLLER);
  const start = performance.now();
  await Promise.all(Array.from({ length: N }, (_, i) => kube.create(vmi(i))));
  const ms = performance.now() - start;
  await store.close();
  return ms;
}

const replicaSet = {
  apiVersion: 'kubevirt.io/v1',
  kind: 'VirtualMachineInstanceReplicaSet',
  metadata: { name: 'bench', namespace: 'default' },
  spec: {
    replicas: N,
    selector: { matchLabels: { app: 'bench' } },
    template: { metadata: { labels: { app: 'bench' } }, spec: { domain: { devices: {}, resources: { requests: { memory: '64Mi' } } } } },
  },
};

async function reconcileToScheduled(): Promise<number> {
  const store = createMemoryStore({});
  const log = createLogger({ name: 'bench', level: 'silent' });
  const running = await startVirtController({ kube: store.client(CONTROLLER), log, launcherImage: 'kvt:bench', extraControllers: ({ pods }) => [podRunner(store, pods)] });
  const start = performance.now();
  await store.create(replicaSet);
  const scheduled = (): number => running.caches.vmis.list().filter((v) => v.status?.phase === 'Scheduled').length;
  while (scheduled() < N) {
    if (performance.now() - start > 120_000) throw new Error(`only ${scheduled()} of ${N} VMIs Scheduled after 120 s`);
    await new Promise((r) => setTimeout(r, 10));
  }
  const ms = performance.now() - start;
  await running.stop();
  await store.close();
  return ms;
}

const bench: Benchmark = async () => {
  const rssBefore = process.memoryUsage().rss;
  // The peak RSS of one run, taken before the pairs: later rounds run on a heap still holding the
  // garbage of earlier ones (V8 collects it lazily), which would measure the benchmark, not the run.
  await reconcileToScheduled();
  const peak = process.resourceUsage().maxRSS * 1024;
  const m = await interleave(PAIRS, reconcileToScheduled, plainCreates);
  return [
    pairedRow(`reconcile: VMIRS of ${N} replicas → ${N} Scheduled VMIs ÷ ${N} plain admitted VMI creates`, m, 'ms', '<= 2x'),
    targetRow(`reconcile: peak RSS of the process through its first VMIRS run (RSS before: ${Math.round(rssBefore / 2 ** 20)} MiB)`, peak / 2 ** 20, 'MiB', null, '<= 300 MiB'),
  ];
};

export default bench;
