/**
 * The node agent's pod loop, a kubelet for `kvt` pods (in the spirit of virtual-kubelet): every pod
 * the scheduler binds to this node gets a network sandbox, its volumes and credentials, and its one
 * container as a detached `kvt pod-exec` process in the pod's namespaces; the pod status follows the
 * process and the readiness probe (plan.ts decides), exits restart as the restart policy says, and a
 * deleted pod's process gets SIGTERM, SIGKILL past its deadline, then its sandbox is removed and the
 * pod deleted with grace 0. A finished pod (its process over, not to restart) loses its sandbox before
 * it turns Succeeded/Failed, as a kubelet's does, since the API server deletes a terminal pod at once;
 * a pod deleted at once has its process killed and its sandbox and files removed after, and those of
 * pods gone while the agent was down are collected (collectGonePods). Stopping the loop leaves pod
 * processes running; a restarted agent adopts them from their pid files and never starts one twice.
 */
import { spawn } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { mkdir, open, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Cache } from '../../../core/cache.js';
import { isNotFound } from '../../../core/errors.js';
import { jsonEqual } from '../../../core/json-patch.js';
import type { KubeApi } from '../../../core/kube.js';
import type { Logger } from '../../../core/log.js';
import { formatKubeTime } from '../../../core/time.js';
import { DONE, type ControllerDefinition, type ReconcileResult, type Reconciler } from '../../../reconcilers/contract.js';
import { POD_TYPE, type Pod } from '../../../reconcilers/pod.js';
import { primary } from '../../../reconcilers/sources.js';
import { liveRecordedProcess, processStartTicks, writePidRecord } from '../../kubelet/runtime/pid-file.js';
import { KVT_ENTRY } from '../../kubelet/runtime/spawn.js';
import { adoptedProcess, agentAction, agentPodStatus, podFinished, type AgentAction, type ContainerProcess } from '../plan.js';
import { podRunSpec, type HttpProbe } from '../pod-run.js';
import { automountsToken, credentialsOlderThan, podDir, preparePodFiles, removePodFiles, writePodCredentials, type ApiEndpoint, type PodFilesContext } from './pod-files.js';
import { createSandbox, drainSandbox, findSandbox, readLeases, removeSandboxNow, type PodNetwork, type Sandbox } from '../../pod-network/runtime/sandbox.js';

/** What the pod loop needs. */
export interface AgentOptions {
  readonly kube: KubeApi;
  /** Pods bound to this node (field selector spec.nodeName). */
  readonly pods: Cache<Pod>;
  readonly nodeName: string;
  /** The node's address (status.hostIP). */
  readonly hostIP: string;
  readonly network: PodNetwork;
  readonly api: ApiEndpoint;
  /** Pod directories, address allocations and logs. */
  readonly stateDir: string;
  /** Given to pod processes as KVT_DATA_DIR (volume files, caches). */
  readonly dataDir: string;
  /** Serves image volumes: the directory of an image, by reference (pod-files.ts). */
  readonly images?: PodFilesContext['images'];
  readonly log: Logger;
  /** How often running pods are looked at (process, probe). @default 2000 */
  readonly pollMs?: number;
}

interface Tracked {
  proc: ContainerProcess;
  sandbox?: Sandbox;
  pid?: number;
  termSent?: boolean;
  probeAt?: number;
}

const TOKEN_REFRESH_MS = 30 * 60_000;

function probe(p: HttpProbe, ip: string): Promise<boolean> {
  return new Promise((done) => {
    const request = p.scheme === 'HTTPS' ? httpsRequest : httpRequest;
    const req = request({ host: ip, port: p.port, path: p.path, method: 'GET', timeout: 1000, rejectUnauthorized: false }, (res) => {
      res.resume();
      done((res.statusCode ?? 0) >= 200 && (res.statusCode ?? 0) < 400);
    });
    req.once('timeout', () => req.destroy());
    req.once('error', () => done(false));
    req.end();
  });
}

const ipamDirOf = (stateDir: string): string => join(stateDir, 'ipam');

/**
 * Removes what pods no longer bound to this node left (gone while the agent was down, or deleted at
 * once before it knew them): whatever runs in their sandboxes is killed, then the sandboxes, their
 * leases and the pods' files go. `keep`: the uids of the node's pods. Resolves with the uids collected.
 */
export async function collectGonePods(stateDir: string, keep: ReadonlySet<string>, log: Logger): Promise<string[]> {
  const gone = new Set<string>();
  for (const lease of (await readLeases(ipamDirOf(stateDir))).values()) if (lease !== undefined && !keep.has(lease.podUid)) gone.add(lease.podUid);
  for (const uid of await readdir(join(stateDir, 'pods')).catch(() => [] as string[])) if (!keep.has(uid)) gone.add(uid);
  for (const uid of gone) {
    await removeSandboxNow(ipamDirOf(stateDir), uid);
    await removePodFiles(stateDir, uid);
    log.info({ podUid: uid }, 'Removed the sandbox and files of a Pod that is gone');
  }
  return [...gone];
}

class NodeAgent implements Reconciler {
  readonly name = 'node-agent';
  private readonly tracked = new Map<string, Tracked>();
  /** The uid of each pod key seen, to clean up after a pod deleted at once (a terminal pod is). */
  private readonly uids = new Map<string, string>();

  constructor(private readonly o: AgentOptions) {}

  async reconcile(key: string, signal: AbortSignal): Promise<ReconcileResult> {
    const pod = this.o.pods.get(key);
    if (pod === undefined) return this.forget(key);
    if (pod.spec.nodeName !== this.o.nodeName) return DONE;
    const uid = pod.metadata.uid ?? '';
    this.uids.set(key, uid);
    const t = this.tracked.get(uid) ?? (await this.adopt(pod));
    this.tracked.set(uid, t);
    signal.throwIfAborted();
    return this.act(agentAction(pod, t.proc, new Date()), pod, t);
  }

  private async act(action: AgentAction, pod: Readonly<Pod>, t: Tracked): Promise<ReconcileResult> {
    if (action === 'ignore') return DONE;
    if (action === 'delete') return this.remove(pod, t);
    if (action === 'start' || action === 'restart') await this.start(pod, t);
    else if (action === 'terminate' || action === 'kill') this.signalProcess(t, action === 'kill' ? 'SIGKILL' : 'SIGTERM');
    const removed = await this.removeFinishedSandbox(pod, t);
    await this.report(pod, t);
    return { requeueAfterMs: removed ? (this.o.pollMs ?? 2000) : 500 };
  }

  /**
   * One step of removing a finished pod's sandbox (the process's finish time starts the wait): whether
   * nothing is left to remove (true for a pod that is not finished).
   */
  private async removeFinishedSandbox(pod: Readonly<Pod>, t: Tracked): Promise<boolean> {
    if (t.sandbox === undefined || !podFinished(pod, t.proc)) return true;
    const finishedAt = t.proc.kind === 'exited' ? t.proc.finishedAt : undefined;
    if (!(await drainSandbox(ipamDirOf(this.o.stateDir), pod.metadata.uid ?? '', finishedAt, new Date()))) return false;
    this.o.log.info({ namespace: pod.metadata.namespace, name: pod.metadata.name, podIP: t.sandbox.ip }, 'Removed the network sandbox of a finished Pod');
    delete t.sandbox;
    return true;
  }

  /**
   * A pod gone from the API (deleted at once: grace 0, or a terminal pod): its process is killed, then
   * its sandbox and files removed. One this agent never knew is left to collectGonePods.
   */
  private async forget(key: string): Promise<ReconcileResult> {
    const uid = this.uids.get(key);
    const t = uid === undefined ? undefined : this.tracked.get(uid);
    if (uid === undefined || t === undefined) {
      this.uids.delete(key);
      if (uid === undefined) await collectGonePods(this.o.stateDir, new Set(this.o.pods.list().map((p) => p.metadata.uid ?? '')), this.o.log);
      return DONE;
    }
    if (t.pid !== undefined && (await processStartTicks(t.pid)) !== undefined && t.proc.kind === 'running') {
      this.signalProcess(t, 'SIGKILL');
      return { requeueAfterMs: 500 };
    }
    if (!(await drainSandbox(ipamDirOf(this.o.stateDir), uid, undefined, new Date()))) return { requeueAfterMs: 500 };
    await removePodFiles(this.o.stateDir, uid);
    this.tracked.delete(uid);
    this.uids.delete(key);
    this.o.log.info({ key }, 'Cleaned up after a Pod deleted at once');
    return DONE;
  }

  /**
   * What a pod's process is after an agent restart: its recorded process if it still runs; else how it
   * ended while no agent watched (restarted as its policy says, never started twice), or none.
   */
  private async adopt(pod: Readonly<Pod>): Promise<Tracked> {
    const uid = pod.metadata.uid ?? '';
    const record = await liveRecordedProcess(podDir(this.o.stateDir, uid));
    const sandbox = await findSandbox(ipamDirOf(this.o.stateDir), uid);
    return { proc: adoptedProcess(pod, record, new Date()), ...(record === undefined ? {} : { pid: record.pid }), ...(sandbox === undefined ? {} : { sandbox }) };
  }

  private async start(pod: Readonly<Pod>, t: Tracked): Promise<void> {
    const uid = pod.metadata.uid ?? '';
    const restarts = t.proc.kind === 'exited' ? t.proc.restarts + 1 : t.proc.restarts;
    try {
      t.sandbox = await createSandbox(this.o.network, ipamDirOf(this.o.stateDir), uid);
      const run = podRunSpec(pod, { podIP: t.sandbox.ip, hostIP: this.o.hostIP });
      if (!run.ok) {
        t.proc = { kind: 'unstartable', message: run.error, restarts };
        return;
      }
      const spec = await preparePodFiles({ kube: this.o.kube, stateDir: this.o.stateDir, endpoint: this.o.api, ...(this.o.images === undefined ? {} : { images: this.o.images }) }, pod, run.value);
      const pid = await this.spawn(pod, t.sandbox, spec);
      t.pid = pid;
      t.termSent = false;
      t.proc = { kind: 'running', startedAt: formatKubeTime(new Date()), ready: run.value.readiness === undefined, restarts };
      this.o.log.info({ namespace: pod.metadata.namespace, name: pod.metadata.name, pid, podIP: t.sandbox.ip }, 'Started the container of Pod');
    } catch (e) {
      this.o.log.warn({ namespace: pod.metadata.namespace, name: pod.metadata.name, err: e }, 'Could not start the container of Pod');
      t.proc = { kind: 'unstartable', message: e instanceof Error ? e.message : String(e), restarts };
    }
  }

  private async spawn(pod: Readonly<Pod>, sandbox: Sandbox, specFile: string): Promise<number> {
    const dir = podDir(this.o.stateDir, pod.metadata.uid ?? '');
    const logs = join(this.o.stateDir, 'logs');
    await mkdir(logs, { recursive: true, mode: 0o700 });
    const out = await open(join(logs, `${pod.metadata.namespace ?? 'default'}_${pod.metadata.name ?? ''}.log`), 'a', 0o600);
    try {
      const argv = ['netns', 'exec', sandbox.netns, 'unshare', '--mount', '--propagation', 'private', '--', process.execPath, KVT_ENTRY, 'pod-exec', specFile];
      const child = spawn('ip', argv, { detached: true, stdio: ['ignore', out.fd, out.fd], env: { ...process.env, KVT_DATA_DIR: this.o.dataDir } });
      const pid = await new Promise<number>((done, fail) => {
        child.once('spawn', () => done(child.pid ?? 0));
        child.once('error', fail);
      });
      const uid = pod.metadata.uid ?? '';
      child.once('exit', (code, signal) => this.exited(uid, pid, code, signal));
      child.unref();
      await writePidRecord(dir, { pid, startTicks: (await processStartTicks(pid)) ?? '', podUid: uid, startedAt: formatKubeTime(new Date()) });
      return pid;
    } finally {
      await out.close();
    }
  }

  private exited(uid: string, pid: number, code: number | null, signal: NodeJS.Signals | null): void {
    const t = this.tracked.get(uid);
    if (t === undefined || t.pid !== pid || t.proc.kind !== 'running') return;
    const signalNumber = signal === null ? undefined : signal === 'SIGKILL' ? 9 : 15;
    t.proc = {
      kind: 'exited', exitCode: code ?? 128 + (signalNumber ?? 0), startedAt: t.proc.startedAt, finishedAt: formatKubeTime(new Date()), restarts: t.proc.restarts,
      ...(signalNumber === undefined ? {} : { signal: signalNumber }),
    };
  }

  private signalProcess(t: Tracked, signal: 'SIGTERM' | 'SIGKILL'): void {
    if (t.pid === undefined || (signal === 'SIGTERM' && t.termSent === true)) return;
    try {
      process.kill(-t.pid, signal);
    } catch {
      // Already gone: the exit is reported next.
    }
    if (signal === 'SIGTERM') t.termSent = true;
  }

  private async remove(pod: Readonly<Pod>, t: Tracked): Promise<ReconcileResult> {
    const uid = pod.metadata.uid ?? '';
    if (t.pid !== undefined && (await processStartTicks(t.pid)) !== undefined && t.proc.kind === 'running') return { requeueAfterMs: 500 };
    if (!(await drainSandbox(ipamDirOf(this.o.stateDir), uid, pod.metadata.deletionTimestamp, new Date()))) return { requeueAfterMs: 500 };
    await removePodFiles(this.o.stateDir, uid);
    await this.o.kube.delete(POD_TYPE, pod.metadata.namespace, pod.metadata.name ?? '', { uid, gracePeriodSeconds: 0 }).catch((e: unknown) => {
      if (!isNotFound(e)) throw e;
    });
    this.tracked.delete(uid);
    this.uids.delete(`${pod.metadata.namespace ?? ''}/${pod.metadata.name ?? ''}`);
    this.o.log.info({ namespace: pod.metadata.namespace, name: pod.metadata.name }, 'Deleted Pod');
    return DONE;
  }

  /** A running container's readiness: its probe's answer, or ready once running when it has none. */
  private async readiness(pod: Readonly<Pod>, t: Tracked): Promise<boolean> {
    if (t.sandbox === undefined) return false;
    const run = podRunSpec(pod, { podIP: t.sandbox.ip, hostIP: this.o.hostIP });
    if (!run.ok) return false;
    return run.value.readiness === undefined ? true : probe(run.value.readiness, t.sandbox.ip);
  }

  private async refreshRunning(pod: Readonly<Pod>, t: Tracked): Promise<void> {
    if (t.proc.kind !== 'running') return;
    if (t.pid !== undefined && (await processStartTicks(t.pid)) === undefined) {
      this.exited(pod.metadata.uid ?? '', t.pid, 255, null);
      return;
    }
    if (automountsToken(pod) && (await credentialsOlderThan(this.o.stateDir, pod, TOKEN_REFRESH_MS, new Date()))) await writePodCredentials(this.o.stateDir, pod, this.o.api);
    t.proc = { ...t.proc, ready: await this.readiness(pod, t) };
  }

  private async report(pod: Readonly<Pod>, t: Tracked): Promise<void> {
    await this.refreshRunning(pod, t);
    const status = agentPodStatus(pod, t.proc, { hostIP: this.o.hostIP, ...(t.sandbox === undefined ? {} : { podIP: t.sandbox.ip }) }, new Date());
    if (!jsonEqual(status, pod.status ?? {})) await this.o.kube.updateStatus<Pod>({ ...pod, status });
  }
}

/** The node agent's pod controller over `options.pods`. */
export function nodeAgentController(options: AgentOptions): ControllerDefinition {
  return { reconciler: new NodeAgent(options), primary: primary(options.pods), workers: 4 };
}
