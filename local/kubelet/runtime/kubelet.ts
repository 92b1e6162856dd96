/**
 * The local kubelet's loop (local mode has no scheduler or kubelet): for every launcher pod it binds
 * the pod to this node, writes its Secret and ConfigMap volumes (pod-volumes.ts; a missing object
 * leaves the pod unstartable, naming it), runs the compute container as a detached `kvt virt-launcher` process,
 * reports the pod status from that process (plan.ts decides), and on deletion terminates the process
 * (SIGTERM: the launcher shuts the guest down gracefully), kills it past the deadline, then deletes
 * the pod with grace 0. Stopping the loop leaves launchers running; a restarted kubelet re-adopts
 * them from their pid files and never starts one twice.
 * With a node network, each pod gets its sandbox (its own network namespace on the node bridge, an
 * address of the pod CIDR: status.podIP) before its launcher starts, inside it. The sandbox goes
 * once the launcher has ended and its last process in it too (the reaper ending QEMU; killed past a
 * deadline), as a kubelet stops a finished pod's sandbox: before the pod turns Succeeded/Failed (a
 * terminal pod is deleted at once), or before a deleted pod is removed. Its podIP stays in the
 * status. A pod deleted at once (grace 0) has its launcher killed and its sandbox removed after.
 */
import { connect } from 'node:net';
import type { Cache } from '../../../core/cache.js';
import { isNotFound } from '../../../core/errors.js';
import type { KubeApi } from '../../../core/kube.js';
import type { Logger } from '../../../core/log.js';
import { jsonEqual } from '../../../core/json-patch.js';
import { runDirFor, type VmiIdentity } from '../../../launcher/identity.js';
import { PROTOCOL_SOCKET } from '../../../launcher/protocol/index.js';
import { LAUNCHER_CONTAINER, POD_TYPE, type Container, type Pod } from '../../../reconcilers/pod.js';
import { DONE, type ControllerDefinition, type ReconcileResult, type Reconciler } from '../../../reconcilers/contract.js';
import { primary } from '../../../reconcilers/sources.js';
import { launcherArgv } from '../command.js';
import { podAction, podStatusFor, processEnded, unfoundProcessState, type ProcessState } from '../plan.js';
import type { NodeNetwork } from '../../pod-network/runtime/node-network.js';
import type { Sandbox } from '../../pod-network/runtime/sandbox.js';
import { POD_ROOT_FLAG, podRootOf } from '../pod-volumes.js';
import { liveRecordedProcess, processStartTicks, removeDeadRunDir } from './pid-file.js';
import { PodVolumeError, removePodVolumes, writePodVolumes } from './pod-volumes.js';
import { launcherLogFile, spawnLauncher } from './spawn.js';
import { formatKubeTime } from '../../../core/time.js';

/** What the local kubelet needs. */
export interface LocalKubeletOptions {
  readonly kube: KubeApi;
  /** Launcher pods (label kubevirt.io=virt-launcher). */
  readonly pods: Cache<Pod>;
  readonly nodeName: string;
  readonly dataDir: string;
  readonly runRoot: string;
  readonly log: Logger;
  readonly now?: () => Date;
  /** Recorded in each launcher's pid file: which control plane started it. */
  readonly owner?: string;
  /** How often a running launcher is checked. @default 500 */
  readonly pollMs?: number;
  /** The node network pods get their sandboxes on; none: launchers share the host's namespace. */
  readonly network?: NodeNetwork;
  /** Pulls the pod's images (in this, the host's, network namespace) before its launcher starts; reports into the pod root. */
  readonly pullImages?: (pod: Readonly<Pod>, podRoot: string) => Promise<void>;
}

interface Tracked {
  state: ProcessState;
  pid?: number;
  termSent?: boolean;
  sandbox?: Sandbox;
  /** The launcher's run directory (its pod volumes), for a pod deleted at once. */
  runDir?: string;
}

function flag(argv: readonly string[], name: string): string | undefined {
  const at = argv.indexOf(name);
  return at === -1 ? undefined : argv[at + 1];
}

/** The VMI identity a launcher command line names (`--namespace`, `--name`, `--uid`). */
export function identityOfArgv(argv: readonly string[]): VmiIdentity | undefined {
  const [namespace, name, uid] = [flag(argv, '--namespace'), flag(argv, '--name'), flag(argv, '--uid')];
  return namespace === undefined || name === undefined || uid === undefined ? undefined : { namespace, name, uid };
}

/** Whether something accepts connections on the unix socket `socketPath` (a launcher that is up). */
export function socketAnswers(socketPath: string): Promise<boolean> {
  return new Promise((done) => {
    const socket = connect(socketPath, () => {
      socket.destroy();
      done(true);
    });
    socket.once('error', () => done(false));
  });
}

// podAction's names → the steps that carry them out.
const STEPS = { bind: 'bind', start: 'startAndReport', terminate: 'terminate', kill: 'kill', delete: 'delete', report: 'reportAndPoll' } as const;

class LocalKubelet implements Reconciler {
  readonly name = 'local-kubelet';
  private readonly tracked = new Map<string, Tracked>();
  /** The uid of each pod key seen, to clean up after a pod deleted at once. */
  private readonly uids = new Map<string, string>();

  constructor(private readonly o: LocalKubeletOptions) {}

  private now(): Date {
    return (this.o.now ?? ((): Date => new Date()))();
  }

  private launch(pod: Readonly<Pod>): { argv: string[]; identity: VmiIdentity; runDir: string; container: Container } | string {
    const container = pod.spec.containers.find((c) => c.name === LAUNCHER_CONTAINER);
    if (container === undefined) return `spec.containers: no ${LAUNCHER_CONTAINER} container`;
    const parsed = launcherArgv(container);
    if ('error' in parsed) return parsed.error;
    const identity = identityOfArgv(parsed.argv);
    if (identity === undefined) return `spec.containers[${LAUNCHER_CONTAINER}].args must name --namespace, --name and --uid`;
    const runDir = runDirFor(this.o.runRoot, identity);
    // The pod's Secret and ConfigMap volumes are laid out under its pod root (../pod-volumes.ts).
    return { argv: [...parsed.argv, '--run-root', this.o.runRoot, POD_ROOT_FLAG, podRootOf(runDir)], identity, runDir, container };
  }

  /** What is known of the pod's process, re-adopting a live one from its pid file. */
  private async observe(pod: Readonly<Pod>): Promise<Tracked> {
    const uid = pod.metadata.uid ?? '';
    let t = this.tracked.get(uid);
    const launch = this.launch(pod);
    if (t === undefined) {
      const record = typeof launch === 'string' ? undefined : await liveRecordedProcess(launch.runDir);
      t = record !== undefined && record.podUid === uid ? { state: { kind: 'starting', startedAt: record.startedAt }, pid: record.pid } : { state: unfoundProcessState(pod, this.now()) };
      const sandbox = await this.o.network?.findSandbox(uid);
      if (sandbox !== undefined) t.sandbox = sandbox;
      if (typeof launch !== 'string') t.runDir = launch.runDir;
      this.tracked.set(uid, t);
    }
    await this.refresh(t, launch);
    return t;
  }

  private async refresh(t: Tracked, launch: ReturnType<LocalKubelet['launch']>): Promise<void> {
    if ((t.state.kind !== 'starting' && t.state.kind !== 'ready') || t.pid === undefined) return;
    if ((await processStartTicks(t.pid)) === undefined) {
      // Gone, and not our child (re-adopted after a restart): its exit status is unknown.
      t.state = { kind: 'exited', exitCode: 1, startedAt: t.state.startedAt, finishedAt: formatKubeTime(this.now()) };
      return;
    }
    if (t.state.kind === 'starting' && typeof launch !== 'string' && (await socketAnswers(`${launch.runDir}/${PROTOCOL_SOCKET}`))) {
      t.state = { kind: 'ready', startedAt: t.state.startedAt };
    }
  }

  private async start(pod: Readonly<Pod>, t: Tracked): Promise<void> {
    const launch = this.launch(pod);
    if (typeof launch === 'string') {
      t.state = { kind: 'unstartable', message: launch };
      return;
    }
    try {
      await writePodVolumes(this.o.kube, pod, launch.container, launch.runDir);
    } catch (e: unknown) {
      if (!(e instanceof PodVolumeError)) throw e;
      this.o.log.warn({ namespace: pod.metadata.namespace, name: pod.metadata.name, err: e }, 'Could not write the volumes of Pod');
      t.state = { kind: 'unstartable', message: e.message };
      return;
    }
    t.runDir = launch.runDir;
    await this.o.pullImages?.(pod, podRootOf(launch.runDir)).catch((e: unknown) => {
      this.o.log.warn({ namespace: pod.metadata.namespace, name: pod.metadata.name, err: e }, 'Could not pull the images of Pod');
    });
    if (await this.ensureSandbox(pod, t)) await this.spawn(pod, t, launch);
  }

  private async spawn(pod: Readonly<Pod>, t: Tracked, launch: Exclude<ReturnType<LocalKubelet['launch']>, string>): Promise<void> {
    try {
      const spawned = await spawnLauncher({
        argv: launch.argv, dataDir: this.o.dataDir, runDir: launch.runDir, podUid: pod.metadata.uid ?? '', ...(this.o.owner === undefined ? {} : { owner: this.o.owner }),
        ...(t.sandbox === undefined ? {} : { netns: t.sandbox.netns }),
        logFile: launcherLogFile(this.o.dataDir, pod.metadata.namespace ?? 'default', pod.metadata.name ?? ''),
      });
      t.pid = spawned.record.pid;
      t.state = { kind: 'starting', startedAt: spawned.record.startedAt };
      void spawned.exited.then(({ exitCode, signal }) => {
        t.state = { kind: 'exited', exitCode, ...(signal === undefined ? {} : { signal }), startedAt: spawned.record.startedAt, finishedAt: formatKubeTime(this.now()) };
      });
      this.o.log.info({ namespace: pod.metadata.namespace, name: pod.metadata.name, pid: t.pid, podIP: t.sandbox?.ip }, 'Started the launcher of Pod');
    } catch (e) {
      t.state = { kind: 'unstartable', message: `could not start kvt virt-launcher: ${e instanceof Error ? e.message : String(e)}` };
    }
  }

  /** The pod's sandbox, made before its launcher starts; false (the pod unstartable, saying why) when it cannot be. */
  private async ensureSandbox(pod: Readonly<Pod>, t: Tracked): Promise<boolean> {
    if (this.o.network === undefined || t.sandbox !== undefined) return true;
    try {
      t.sandbox = await this.o.network.createSandbox(pod.metadata.uid ?? '');
      return true;
    } catch (e: unknown) {
      this.o.log.warn({ namespace: pod.metadata.namespace, name: pod.metadata.name, err: e }, 'Could not create the network sandbox of Pod');
      t.state = { kind: 'unstartable', message: `could not create the pod's network sandbox: ${e instanceof Error ? e.message : String(e)}` };
      return false;
    }
  }

  private signal(t: Tracked, signal: 'SIGTERM' | 'SIGKILL'): void {
    if (t.pid === undefined) return;
    try {
      process.kill(-t.pid, signal);
    } catch {
      // Already gone: the next check sees it.
    }
  }

  async reconcile(key: string, signal: AbortSignal): Promise<ReconcileResult> {
    const pod = this.o.pods.get(key);
    if (pod === undefined) return this.forget(key);
    this.uids.set(key, pod.metadata.uid ?? '');
    const t = await this.observe(pod);
    // Stopped while observing: start or signal no launcher now; the next kubelet re-adopts them.
    signal.throwIfAborted();
    const action = podAction(pod, this.o.nodeName, t.state, this.now());
    return action === 'ignore' ? DONE : this[STEPS[action]](pod, t);
  }

  private readonly again = (): ReconcileResult => ({ requeueAfterMs: this.o.pollMs ?? 500 });

  async bind(pod: Readonly<Pod>): Promise<ReconcileResult> {
    await this.o.kube.patch(POD_TYPE, { namespace: pod.metadata.namespace, name: pod.metadata.name ?? '' }, { type: 'merge', body: { spec: { nodeName: this.o.nodeName } } });
    return DONE;
  }

  async startAndReport(pod: Readonly<Pod>, t: Tracked): Promise<ReconcileResult> {
    await this.start(pod, t);
    await this.report(pod, t);
    return this.again();
  }

  terminate(_pod: Readonly<Pod>, t: Tracked): Promise<ReconcileResult> {
    if (t.termSent !== true) this.signal(t, 'SIGTERM');
    t.termSent = true;
    return Promise.resolve(this.again());
  }

  kill(_pod: Readonly<Pod>, t: Tracked): Promise<ReconcileResult> {
    this.signal(t, 'SIGKILL');
    return Promise.resolve(this.again());
  }

  /** The sandbox of a pod whose launcher is gone, one step (../../pod-network/teardown.ts): whether it is gone. */
  private async drainSandbox(uid: string, deadline: string | undefined): Promise<boolean> {
    return this.o.network === undefined ? true : this.o.network.drainSandbox(uid, deadline, this.now());
  }

  /**
   * A pod gone from the API (deleted at once: grace 0, or a terminal pod): its launcher is killed, its
   * sandbox and volumes removed. One this kubelet never saw (gone while it restarted) is found by the
   * network's garbage collection: this owner's sandboxes whose pods are not in the cache.
   */
  private async forget(key: string): Promise<ReconcileResult> {
    const uid = this.uids.get(key);
    const t = uid === undefined ? undefined : this.tracked.get(uid);
    if (uid === undefined && this.o.network !== undefined) await this.o.network.collectGarbage(new Set(this.o.pods.list().map((p) => p.metadata.uid ?? '')));
    if (uid === undefined || t === undefined) {
      this.uids.delete(key);
      return DONE;
    }
    if (t.pid !== undefined && (await processStartTicks(t.pid)) !== undefined) {
      this.signal(t, 'SIGKILL');
      return this.again();
    }
    if (!(await this.drainSandbox(uid, undefined))) return this.again();
    if (t.runDir !== undefined) await removePodVolumes(t.runDir);
    this.tracked.delete(uid);
    this.uids.delete(key);
    return DONE;
  }

  async delete(pod: Readonly<Pod>): Promise<ReconcileResult> {
    if (!(await this.drainSandbox(pod.metadata.uid ?? '', pod.metadata.deletionTimestamp))) return this.again();
    const launch = this.launch(pod);
    if (typeof launch !== 'string') {
      await removePodVolumes(launch.runDir);
      // Its launcher is gone (delete follows only then): one that died without cleaning up leaves its run directory.
      if (await removeDeadRunDir(launch.runDir, pod.metadata.uid ?? '')) this.o.log.info({ namespace: pod.metadata.namespace, name: pod.metadata.name, runDir: launch.runDir }, 'Removed the run directory a dead launcher left');
    }
    await this.o.kube.delete(POD_TYPE, pod.metadata.namespace, pod.metadata.name ?? '', { uid: pod.metadata.uid ?? '', gracePeriodSeconds: 0 }).catch((e: unknown) => {
      if (!isNotFound(e)) throw e;
    });
    this.tracked.delete(pod.metadata.uid ?? '');
    return DONE;
  }

  async reportAndPoll(pod: Readonly<Pod>, t: Tracked): Promise<ReconcileResult> {
    const ended = processEnded(t.state);
    if (ended && t.sandbox !== undefined && (await this.drainSandbox(pod.metadata.uid ?? '', t.state.kind === 'exited' ? t.state.finishedAt : undefined))) {
      this.o.log.info({ namespace: pod.metadata.namespace, name: pod.metadata.name, podIP: t.sandbox.ip }, 'Removed the network sandbox of a finished Pod');
      delete t.sandbox;
    }
    await this.report(pod, t);
    return ended && t.sandbox === undefined ? DONE : this.again();
  }

  private async report(pod: Readonly<Pod>, t: Tracked): Promise<void> {
    const status = podStatusFor(pod, t.state, this.now(), t.sandbox?.ip);
    if (!jsonEqual(status, pod.status ?? {})) await this.o.kube.updateStatus<Pod>({ ...pod, status } as Pod);
  }
}

/** The local kubelet as a controller of launcher pods (run it with the runtime's runController). */
export function localKubelet(options: LocalKubeletOptions): ControllerDefinition {
  return { reconciler: new LocalKubelet(options), primary: primary(options.pods), workers: 4 };
}
