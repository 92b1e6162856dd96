/**
 * The node agent's Node: registered (created, or found after a restart) with its labels, its status
 * (Ready, addresses, capacity with the devices launcher pods request) posted through nodes/status,
 * and its Lease in kube-node-lease renewed every 10 s, as a kubelet keeps them; the controller
 * manager marks a node whose Lease lapses NotReady.
 * @see https://kubernetes.io/docs/concepts/architecture/nodes/#node-heartbeats
 */
import { statfs } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import { isAlreadyExists, isNotFound } from '../../../core/errors.js';
import type { KubeApi, KubeObject } from '../../../core/kube.js';
import type { Logger } from '../../../core/log.js';
import { formatKubeMicroTime, formatKubeTime } from '../../../core/time.js';
import { ExternalGvk } from '../../../crd-gen/index.js';
import { jsonEqual } from '../../../core/json-patch.js';
import { nodeObject, nodeSpec, nodeStatus, type NodeFacts } from '../plan.js';

const LEASE_NAMESPACE = 'kube-node-lease';
const LEASE_SECONDS = 40;

interface NodeObject extends KubeObject {
  spec?: Record<string, unknown>;
  status?: { conditions?: { type: string; status: string; lastTransitionTime?: string | null }[] };
}


async function ensureNode(kube: KubeApi, facts: NodeFacts): Promise<void> {
  try {
    await kube.create(nodeObject(facts) as unknown as KubeObject);
  } catch (e) {
    if (!isAlreadyExists(e)) throw e;
    // A local node kept in the journal takes the pod CIDR it is started with now.
    if (facts.podCIDR === undefined) return;
    const node = await kube.get<NodeObject>(ExternalGvk.Node, undefined, facts.name);
    const spec = { ...node.spec, ...nodeSpec(facts) };
    if (!jsonEqual(spec, node.spec ?? {})) await kube.update<NodeObject>({ ...node, spec });
  }
}

async function postStatus(kube: KubeApi, facts: NodeFacts, now: Date): Promise<void> {
  const node = await kube.get<NodeObject>(ExternalGvk.Node, undefined, facts.name);
  await kube.updateStatus<NodeObject>({ ...node, status: nodeStatus(facts, node.status?.conditions, now) as NodeObject['status'] });
}

async function renewLease(kube: KubeApi, name: string, now: Date): Promise<void> {
  const spec = { holderIdentity: name, leaseDurationSeconds: LEASE_SECONDS, renewTime: formatKubeMicroTime(now) };
  try {
    const lease = await kube.get<KubeObject & { spec?: object }>(ExternalGvk.Lease, LEASE_NAMESPACE, name);
    await kube.update({ ...lease, spec: { ...lease.spec, ...spec } });
  } catch (e) {
    if (!isNotFound(e)) throw e;
    await kube.create({ ...ExternalGvk.Lease, metadata: { name, namespace: LEASE_NAMESPACE }, spec });
  }
}

/** The kubelet version a kvt node reports (the Kubernetes release its tests run against). */
const KUBELET_VERSION = 'v1.35.4-kvt';

/** This machine's facts as node `name` at `address`: its CPUs, memory and the size of `dataDir`'s filesystem. */
export async function hostNodeFacts(name: string, address: string, dataDir: string): Promise<NodeFacts> {
  const disk = await statfs(dataDir);
  return { name, address, cpus: cpus().length, memoryBytes: totalmem(), storageBytes: disk.blocks * disk.bsize, maxPods: 110, kubeletVersion: KUBELET_VERSION };
}

/** A running heartbeat. */
export interface NodeHeartbeat {
  stop(): Promise<void>;
}

/** Registers the node and keeps its status and Lease fresh until stopped. */
export async function startNode(kube: KubeApi, facts: NodeFacts, log: Logger, intervalMs = 10_000): Promise<NodeHeartbeat> {
  await ensureNode(kube, facts);
  const beat = async (): Promise<void> => {
    const now = new Date();
    try {
      await renewLease(kube, facts.name, now);
      await postStatus(kube, facts, now);
    } catch (e) {
      log.warn({ name: facts.name, err: e, at: formatKubeTime(now) }, 'Could not post the status of Node');
    }
  };
  await beat();
  let running: Promise<void> = Promise.resolve();
  const timer = setInterval(() => { running = beat(); }, intervalMs);
  log.info({ name: facts.name }, 'Registered Node');
  return {
    stop: async () => {
      clearInterval(timer);
      await running;
    },
  };
}
