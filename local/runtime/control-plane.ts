/**
 * The local control plane (`kvt run`, `kvt daemon`): one process hosting the in-memory API server
 * with the admission chain, virt-api's subresources (VM start/stop/restart, VMI pause/unpause
 * relayed to virt-handler), virt-controller (VM, VMI, ReplicaSet controllers), the local kubelet
 * (scheduler and kubelet for launcher pods on the one node) and virt-handler for that node. Each
 * component talks to the store as its own user, as it would to a cluster's API server. Launchers
 * run as detached processes, so stopping the control plane never stops a guest: a restarted one
 * re-adopts them. With a node network, each launcher pod runs in its own network sandbox on the node
 * bridge (local/pod-network); the Node publishes the pod CIDR.
 */
import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { NODE_STATUS } from '../node-agent/plan.js';
import { hostNodeFacts, startNode } from '../node-agent/runtime/node.js';
import { delimiter, join } from 'node:path';
import { findProgram, SBIN_DIRS } from '../../core/program-path.js';
import type { KubeApi } from '../../core/kube.js';
import {
  KUBEVIRT_NAMESPACE, kubevirtServiceAccount, NODE_NAME_EXTRA, subresourceApi, VIRT_API_STATUS, type KubevirtComponent, type RequestUser, type SubresourceApi,
} from '../../webhooks/index.js';
import type { Logger } from '../../core/log.js';
import { Gvk, Labels, LabelValues, type VirtualMachine, type VirtualMachineInstance } from '../../crd-gen/index.js';
import { runDirFor, vmiIdentity } from '../../launcher/identity.js';
import { DataDirError, ensureDataDir } from '../../launcher/runtime/data-dir.js';
import { startVirtHandler, type VirtHandler } from '../../reconcilers/node-handler/runtime/start.js';
import { POD_TYPE, type Pod } from '../../reconcilers/pod.js';
import { runController, type RunningController } from '../../reconcilers/runtime/controller.js';
import { createInformer, type Informer } from '../../reconcilers/runtime/informer.js';
import { startVirtController, VIRT_CONTROLLER_STATUS } from '../../reconcilers/runtime/virt-controller.js';
import { NODE_HANDLER_STATUS } from '../../reconcilers/node-handler/status.js';
import type { StatusOwners } from '../../core/status-ownership.js';
import { createMemoryStore, type MemoryStore } from '../../store/runtime/memory.js';
import { KUBELET_STATUS } from '../kubelet/plan.js';
import { localKubelet } from '../kubelet/runtime/kubelet.js';
import { recordedOwner } from '../kubelet/runtime/pid-file.js';
import { KubevirtError } from '../../core/errors.js';
import { startVmStateCleaner } from './vm-state-cleaner.js';
import { startServicePorts } from './service-ports.js';
import { podPullSource } from './pod-pull-source.js';
import { pullPodImages } from '../../launcher/runtime/image-pod-pull.js';
import { NodeNetworkError, startNodeNetwork, type NodeNetwork } from '../pod-network/runtime/node-network.js';

/** The one node of the local control plane. */
export const LOCAL_NODE = 'local';

const VMI_TYPE = Gvk.VirtualMachineInstance;

/** A component's service account user, as its token authenticates it (the names admission trusts). */
function serviceAccount(component: KubevirtComponent, extra?: Record<string, string[]>): RequestUser {
  return {
    username: kubevirtServiceAccount(component),
    groups: ['system:serviceaccounts', `system:serviceaccounts:${KUBEVIRT_NAMESPACE}`, 'system:authenticated'],
    ...(extra === undefined ? {} : { extra }),
  };
}

/** virt-controller's service account. */
const CONTROLLER_USER = serviceAccount('controller');
/** virt-handler's service account on the local node (its node name in the token's extra, as a bound token has). */
const HANDLER_USER = serviceAccount('handler', { [NODE_NAME_EXTRA]: [LOCAL_NODE] });
/** virt-api's service account (its subresources write VMs). */
const API_USER = serviceAccount('apiServer');
/** The local kubelet's node identity (a kubelet's client certificate user). */
const KUBELET_USER: RequestUser = { username: `system:node:${LOCAL_NODE}`, groups: ['system:nodes', 'system:authenticated'] };

/** Which status fields each component may write: the declarations of the code that writes them. */
export const LOCAL_STATUS_OWNERS: StatusOwners = new Map([
  [CONTROLLER_USER.username, VIRT_CONTROLLER_STATUS],
  [HANDLER_USER.username, [NODE_HANDLER_STATUS]],
  [KUBELET_USER.username, [KUBELET_STATUS, NODE_STATUS]],
  [API_USER.username, [VIRT_API_STATUS]],
]);

/** The user `kvt` commands write as (kubectl's cluster-admin). */
export const LOCAL_USER: RequestUser = { username: 'kvt', groups: ['system:masters', 'system:authenticated'] };

/** Options of {@link startLocalControlPlane}. */
export interface LocalControlPlaneOptions {
  /** Images, volumes, launcher logs and (when `persist`) the store's journal. */
  readonly dataDir: string;
  /** The launchers' run root. */
  readonly runRoot: string;
  readonly log: Logger;
  /** Keep the objects in `<dataDir>/store.journal` across restarts (kvt daemon) or only in memory (kvt run). */
  readonly persist: boolean;
  /**
   * Who this control plane is (`kvt daemon` of a data dir, one `kvt run`): recorded with every
   * launcher its kubelet starts. Control planes share the machine's run root, and each one's handler
   * cleans up only its own orphans after a restart, never another's running guests.
   */
  readonly owner: string;
  /** Skip {@link checkHost} (tests without libvirt). @default false */
  readonly skipHostCheck?: boolean;
  /**
   * The node network (`kvt daemon|run --pod-cidr/--pod-bridge/--egress`): each launcher pod in its
   * own network namespace on this bridge. None: launchers share the host's namespace (tests of the
   * chain that leave the network out).
   */
  readonly network?: LocalNetworkOptions;
}

/** The local mode's node network, as the command line gives it. */
export interface LocalNetworkOptions {
  readonly bridge: string;
  readonly podCidr: string;
  readonly egress: boolean;
  /** Where its leases and users are kept. @default /run/kvt/net/<bridge> */
  readonly stateDir?: string;
}

/** A running local control plane. */
export interface LocalControlPlane {
  readonly store: MemoryStore;
  /** The API as the local user (cluster-admin). */
  readonly kube: KubeApi;
  /** virt-api's subresource calls (writing as virt-api's service account; pause/unpause go to virt-handler). */
  readonly subresource: SubresourceApi;
  /**
   * Stops the controllers, the kubelet and the handler, then closes the store. Guests keep running
   * (delete their objects first to stop them).
   */
  stop(): Promise<void>;
}

/** The store's journal inside a data directory. */
export function storeJournal(dataDir: string): string {
  return join(dataDir, 'store.journal');
}

/** A problem of this host that stops the control plane from starting, with what to do about it. */
export class HostSetupError extends KubevirtError {}

async function onPath(program: string, path: string): Promise<boolean> {
  return await findProgram(program, path.split(delimiter), (file) => access(file, constants.X_OK).then(() => true, () => false)) !== undefined;
}

/** The Debian packages that provide each program the launchers run. */
const HOST_PROGRAMS: readonly (readonly [string, string])[] = [
  ['libvirtd', 'libvirt-daemon libvirt-daemon-driver-qemu'],
  ['qemu-system-x86_64', 'qemu-system-x86'],
  ['qemu-img', 'qemu-utils'],
  ['virsh', 'libvirt-clients'],
];

/** The programs the node network runs (only needed with one). */
const NETWORK_PROGRAMS: readonly (readonly [string, string])[] = [
  ['ip', 'iproute2'],
  ['nft', 'nftables'],
];

/** What to tell the user when the control plane did not start (a host problem says what to do). */
export function startFailure(e: unknown): string {
  if (e instanceof HostSetupError) return `error: ${e.message}`;
  return `error: could not start the local control plane: ${e instanceof Error ? e.message : String(e)}`;
}

/**
 * Checks that the launchers' programs are installed and the data directory is usable; with a node
 * network (`networkUid`: the user kvt runs as), that the network tools are there and kvt runs as
 * root, which making network namespaces, veths and the bridge needs.
 * @param path where programs are looked for @default $PATH and the sbin directories (libvirtd is in /usr/sbin)
 */
export async function checkHost(dataDir: string, path = [process.env['PATH'] ?? '', ...SBIN_DIRS].join(delimiter), networkUid?: number): Promise<void> {
  const missing: string[] = [];
  const programs = networkUid === undefined ? HOST_PROGRAMS : [...HOST_PROGRAMS, ...NETWORK_PROGRAMS];
  for (const [program, packages] of programs) if (!(await onPath(program, path))) missing.push(`${program} (Debian: ${packages})`);
  if (missing.length > 0) {
    const packages = programs.filter(([p]) => missing.some((m) => m.startsWith(`${p} `))).map(([, pkgs]) => pkgs).join(' ');
    throw new HostSetupError(`missing ${missing.join(', ')}: install them with \`apt-get install ${packages}\` (or run \`bash scripts/demo.sh\`, which does)`);
  }
  await ensureDataDir(dataDir).catch((e: unknown) => {
    throw e instanceof DataDirError ? new HostSetupError(e.message) : e;
  });
  if (networkUid !== undefined && networkUid !== 0) {
    throw new HostSetupError('the local mode runs each launcher pod in its own network namespace on the node bridge, which needs root: run kvt daemon or kvt run as root (e.g. with sudo)');
  }
}

async function joinNodeNetwork(options: LocalControlPlaneOptions, log: Logger): Promise<NodeNetwork | undefined> {
  const n = options.network;
  if (n === undefined) return undefined;
  try {
    return await startNodeNetwork({ bridge: n.bridge, cidr: n.podCidr, egress: n.egress, owner: options.owner, log, ...(n.stateDir === undefined ? {} : { stateDir: n.stateDir }) });
  } catch (e) {
    throw e instanceof NodeNetworkError ? new HostSetupError(e.message, { cause: e }) : e;
  }
}

/** Starts every component of the local control plane; see the module comment. */
export async function startLocalControlPlane(options: LocalControlPlaneOptions): Promise<LocalControlPlane> {
  const { dataDir, runRoot, log } = options;
  if (options.skipHostCheck !== true) await checkHost(dataDir, undefined, options.network === undefined ? undefined : process.getuid?.() ?? 0);
  const store = createMemoryStore({ log: log.child({ component: 'store' }), statusOwners: LOCAL_STATUS_OWNERS, ...(options.persist ? { dataFile: storeJournal(dataDir) } : {}) });
  const stops: (() => Promise<void> | void)[] = [];
  const stopAll = async (): Promise<void> => {
    for (const stop of stops.splice(0).reverse()) await stop();
    await store.close();
  };
  let subresource: SubresourceApi | undefined;
  try {
    const controller = await startVirtController({ kube: store.client(CONTROLLER_USER), log: log.child({ component: 'virt-controller' }), launcherImage: 'kvt:local' });
    stops.push(() => controller.stop());
    const handlerLog = log.child({ component: 'virt-handler' });
    const handler: VirtHandler = await startVirtHandler({
      kube: store.client(HANDLER_USER),
      nodeName: LOCAL_NODE, runRoot, log: handlerLog,
      runDirOf: (v) => runDirFor(runRoot, vmiIdentity(v)),
      vmis: createInformer<VirtualMachineInstance>(store, VMI_TYPE, { fieldSelector: `status.nodeName=${LOCAL_NODE}` }),
      run: (definition) => runController(definition, { log: handlerLog }),
      ownsLauncher: async (runDir) => (await recordedOwner(runDir)) === options.owner,
    });
    stops.push(() => handler.stop());
    subresource = subresourceApi({
      kube: store.client(API_USER), log: log.child({ component: 'virt-api' }),
      handlerOf: (node) => (node === LOCAL_NODE ? handler : undefined),
    });
    const pods: Informer<Pod> = createInformer<Pod>(store, POD_TYPE, { labelSelector: `${Labels.app}=${LabelValues.virtLauncher}` });
    await pods.start();
    stops.push(() => pods.stop());
    const kubeletLog = log.child({ component: 'local-kubelet' });
    const network = await joinNodeNetwork(options, kubeletLog);
    if (network !== undefined) {
      stops.push(() => network.release());
      // Sandboxes of this control plane's pods that are gone (deleted while it was down, or never deleted).
      await network.collectGarbage(new Set(pods.list().map((p) => p.metadata.uid ?? '')));
    }
    const kubeletKube = store.client(KUBELET_USER);
    const kubelet: RunningController = runController(localKubelet({
      kube: kubeletKube, pods, nodeName: LOCAL_NODE, dataDir, runRoot, log: kubeletLog, owner: options.owner, ...(network === undefined ? {} : { network }),
      pullImages: (pod, podRoot) => pullPodImages(pod, podRoot, podPullSource(kubeletKube, dataDir, kubeletLog)),
    }), { log: kubeletLog });
    stops.push(() => kubelet.stop());
    // Services on 127.0.0.1 (no kube-proxy here): each port forwards to a selected pod's IP.
    const servicePorts = await startServicePorts({ kube: store.client(LOCAL_USER), pods, log: log.child({ component: 'service-ports' }) });
    stops.push(() => servicePorts.stop());
    // A deleted VM's persistent state (a persistent TPM's) goes with it, as its backend-storage PVC would.
    const vmStateLog = log.child({ component: 'vm-state-cleaner' });
    const stateVms = createInformer<VirtualMachine>(store.client(KUBELET_USER), Gvk.VirtualMachine, { log: vmStateLog });
    const stateVmis = createInformer<VirtualMachineInstance>(store.client(KUBELET_USER), VMI_TYPE, { log: vmStateLog });
    await Promise.all([stateVms.start(), stateVmis.start()]);
    const cleaner = startVmStateCleaner({ vms: stateVms, vmis: stateVmis, dataDir, log: vmStateLog });
    stops.push(async () => { cleaner.stop(); stateVms.stop(); stateVmis.stop(); await cleaner.idle(); });
    // The local kubelet's Node: Ready, addresses, capacity and its Lease, as a kubelet posts them.
    const facts = await hostNodeFacts(LOCAL_NODE, '127.0.0.1', dataDir);
    const node = await startNode(store.client(KUBELET_USER), network === undefined ? facts : { ...facts, podCIDR: network.cidr }, kubeletLog);
    stops.push(() => node.stop());
  } catch (e) {
    await stopAll();
    throw e;
  }
  let stopping: Promise<void> | undefined;
  return { store, kube: store.client(LOCAL_USER), subresource, stop: () => (stopping ??= stopAll()) };
}
