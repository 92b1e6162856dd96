/**
 * `kvt node-agent`: this machine as a node of a real cluster (in the spirit of virtual-kubelet). It
 * registers and heartbeats its Node, and runs the pods the scheduler binds to it whose container runs
 * `kvt …` (launcher pods, and the install's own virt-api, virt-controller and virt-handler) as
 * processes in per-pod network namespaces on the cluster's pod network.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { KubeConfig } from '@kubernetes/client-node';
import type { KubeApi } from '../../core/kube.js';
import { createLogger, type Logger } from '../../core/log.js';
import { defaultDataDir, ensureDataDir, imageStoreRoot } from '../../launcher/runtime/data-dir.js';
import type { PodFilesContext } from '../../local/node-agent/runtime/pod-files.js';
import type { Pod } from '../../reconcilers/pod.js';
import { POD_TYPE } from '../../reconcilers/pod.js';
import { runController } from '../../reconcilers/runtime/controller.js';
import { createInformer } from '../../reconcilers/runtime/informer.js';
import { checkLogLevel, UsageError, type Command } from '../command.js';
import { stopSignal } from '../signals.js';

const USAGE = [
  'kvt node-agent --kubeconfig PATH --node-name N --node-ip IP --api-server URL [options]',
  '',
  'Registers Node N (Ready, its address, capacity incl. devices.kubevirt.io/kvm, tun, vhost-net) and',
  'renews its Lease; runs every pod bound to N whose one container runs `kvt …`, as a process in the',
  'pod\'s own network namespace (an address of --pod-cidr on --pod-bridge) with its volumes (hostPath,',
  'emptyDir, secret, configMap) bind-mounted and its service account\'s kubeconfig; reports pod status,',
  'probes readiness (httpGet), restarts per restartPolicy, and on deletion sends SIGTERM, SIGKILL past',
  'the grace period, then deletes the pod. Pods keep running when the agent stops; a restarted agent',
  'adopts them. Root is required (network and mount namespaces).',
  '',
  'Options:',
  '  --kubeconfig PATH       the node\'s credentials (user system:node:N)   (required)',
  '  --node-name N           the Node   (required)',
  '  --node-ip IP            the Node\'s InternalIP   (required)',
  '  --api-server URL        the API server as pods reach it   (required)',
  '  --pod-cidr CIDR         the pods\' addresses, a /24   [10.244.0.0/24]',
  '  --pod-bridge NAME       the bridge pods join   [kvt-pods]',
  '  --pod-bridge-netns NS   the network namespace holding the bridge   [kvt-cluster]',
  '  --state-dir DIR         pod files, address allocations, logs   [<data dir>/node-agent]',
  '  --data-dir DIR          the data dir given to pods (image store)   [$KVT_DATA_DIR or the default]',
  '  --log-level L           fatal, error, warn, info, debug, trace or silent   [info]',
].join('\n');

function parse(args: readonly string[]): Record<string, string> {
  const { values, positionals } = parseArgs({
    args: [...args],
    options: {
      kubeconfig: { type: 'string' }, 'node-name': { type: 'string' }, 'node-ip': { type: 'string' }, 'api-server': { type: 'string' },
      'pod-cidr': { type: 'string', default: '10.244.0.0/24' }, 'pod-bridge': { type: 'string', default: 'kvt-pods' },
      'pod-bridge-netns': { type: 'string', default: 'kvt-cluster' }, 'state-dir': { type: 'string' }, 'data-dir': { type: 'string' },
      'log-level': { type: 'string', default: 'info' },
    },
    allowPositionals: true,
    strict: true,
  });
  if (positionals.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(positionals[0])}`);
  for (const flag of ['kubeconfig', 'node-name', 'node-ip', 'api-server'] as const) if (values[flag] === undefined || values[flag] === '') throw new UsageError(`--${flag} is required`);
  checkLogLevel(values['log-level']);
  return values as Record<string, string>;
}

async function caPemOf(config: KubeConfig): Promise<string> {
  const cluster = config.getCurrentCluster();
  if (cluster?.caData !== undefined) return Buffer.from(cluster.caData, 'base64').toString('utf8');
  return readFile(cluster?.caFile ?? '', 'utf8');
}

/**
 * Image volumes from this node's image store (launcher/runtime/image-volume-pull.ts): pulled as
 * each volume's pullPolicy says with the pod's imagePullSecrets, then the node's docker config, and
 * the node's mirrors; every file of the image made readable by the launchers' QEMU user, since the
 * pod gets it read-only.
 */
async function imageServer(dataDir: string, kube: KubeApi, log: Logger): Promise<NonNullable<PodFilesContext['images']>> {
  const { openImageStore } = await import('../../launcher/runtime/image-store.js');
  const { ensureUnprivilegedUser } = await import('../../launcher/runtime/unprivileged-user.js');
  const { shareImageFiles } = await import('../../launcher/runtime/volumes-access.js');
  const { loadRegistryMirrors } = await import('../../launcher/runtime/registry-config.js');
  const { imageVolumeServer } = await import('../../launcher/runtime/image-volume-pull.js');
  const store = openImageStore(imageStoreRoot(dataDir));
  const qemuUser = await ensureUnprivilegedUser();
  return imageVolumeServer({
    store, kube, log,
    mirrors: () => loadRegistryMirrors(dataDir),
    share: (record) => shareImageFiles(store.root, record.dir, qemuUser),
  });
}

async function runAgent(v: Readonly<Record<string, string>>): Promise<number> {
  const at = (flag: string): string => v[flag] ?? '';
  const log = createLogger({ name: 'kvt-node-agent', level: at('log-level') });
  // client-node is imported on use: it takes about a second, which every other kvt command would pay.
  const { createKubeClient, loadKubeConfig } = await import('../../store/runtime/kube-client.js');
  const { tokenRequester } = await import('../../local/node-agent/runtime/token.js');
  const { hostNodeFacts, startNode } = await import('../../local/node-agent/runtime/node.js');
  const { collectGonePods, nodeAgentController } = await import('../../local/node-agent/runtime/agent.js');
  const config = loadKubeConfig({ kubeconfig: at('kubeconfig') });
  const kube = createKubeClient(config);
  const nodeName = at('node-name');
  const dataDir = resolve(v['data-dir'] ?? defaultDataDir());
  await ensureDataDir(dataDir);
  const facts = await hostNodeFacts(nodeName, at('node-ip'), dataDir);
  const node = await startNode(kube, facts, log);
  const pods = createInformer<Pod>(kube, POD_TYPE, { fieldSelector: `spec.nodeName=${nodeName}` });
  await pods.start();
  const stateDir = resolve(v['state-dir'] ?? `${dataDir}/node-agent`);
  // Pods deleted while no agent ran leave their sandboxes and files: collected before the loop starts.
  await collectGonePods(stateDir, new Set(pods.list().map((p) => p.metadata.uid ?? '')), log);
  const controller = runController(nodeAgentController({
    kube, pods, nodeName, hostIP: at('node-ip'), dataDir, log,
    network: { bridge: at('pod-bridge'), bridgeNetns: at('pod-bridge-netns'), cidr: at('pod-cidr') },
    api: { server: at('api-server'), caPem: await caPemOf(config), token: tokenRequester(config) },
    stateDir,
    images: await imageServer(dataDir, kube, log),
  }), { log });
  log.info({ name: nodeName }, 'Started kvt node-agent');
  await stopSignal();
  log.info({ name: nodeName }, 'Stopping kvt node-agent; pods keep running');
  await controller.stop();
  pods.stop();
  await node.stop();
  return 0;
}

/** `kvt node-agent`. */
export const nodeAgentCommand: Command = {
  name: 'node-agent',
  summary: 'Run this machine as a node of a cluster: its Node, and the kvt pods bound to it',
  usage: USAGE,
  run: (args) => runAgent(parse(args)),
};
