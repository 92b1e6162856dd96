/**
 * `kvt run`'s session on a started local control plane: applies the objects, reports each object's
 * progress (local/progress.ts), follows the console of every VMI (local/console-lines.ts), and ends
 * when a console line matches the awaited pattern, a VMI fails, the time is up or a stop is
 * requested. Then it deletes what it applied and waits until every guest has shut down (graceful:
 * deletion makes the handler send the ACPI shutdown) and every launcher pod is gone.
 */
import { join } from 'node:path';
import { isNotFound } from '../../core/errors.js';
import type { KubeObject } from '../../core/kube.js';
import { Gvk, type VirtualMachineInstance } from '../../crd-gen/index.js';
import { runDirFor, vmiIdentity } from '../../launcher/identity.js';
import { CONSOLE_SOCKET } from '../../launcher/protocol/index.js';
import { POD_TYPE } from '../../reconcilers/pod.js';
import { createInformer, type Informer } from '../../reconcilers/runtime/informer.js';
import { applyObject, type SourcedObject } from '../apply.js';
import { ConsoleLines } from '../console-lines.js';
import { ProgressTracker, type Observed } from '../progress.js';
import { followConsole, type ConsoleFollower } from './console-client.js';
import type { LocalControlPlane } from './control-plane.js';
import { gracePeriodSecondsOf } from '../../core/implicit-defaults.js';

const VM_TYPE = Gvk.VirtualMachine;
const VMI_TYPE = Gvk.VirtualMachineInstance;
const VMIRS_TYPE = Gvk.VirtualMachineInstanceReplicaSet;
const CONSOLE_RETRY_MS = 250;
const CONSOLE_ATTEMPTS = 120;
/** What a shut-down may take beyond the longest grace period before the session gives up on it. */
const SHUTDOWN_SLACK_MS = 60_000;

/** Options of {@link runSession}. */
export interface RunSessionOptions {
  readonly plane: LocalControlPlane;
  readonly runRoot: string;
  /** In apply order, namespaced. */
  readonly objects: readonly SourcedObject[];
  /** Print every guest console line (prefixed by the VMI's name). */
  readonly showConsole: boolean;
  /** Succeed once a console line matches. */
  readonly waitFor?: RegExp;
  /** End the run after this long (a failure while waiting for a console line). */
  readonly timeoutMs?: number;
  /** Resolves when the user asks to stop (Ctrl-C, SIGTERM). */
  readonly stopRequested: Promise<void>;
  /** A line for the user (progress, apply results, console). */
  readonly line: (text: string) => void;
  /** A line about a problem. */
  readonly problem: (text: string) => void;
  /** @default Date.now */
  readonly now?: () => number;
}

/** How the session ended. */
export interface RunOutcome {
  readonly code: number;
  /** Why, for the last line the user sees. */
  readonly reason: string;
  /** Whether every guest shut down and every launcher pod went away before the deadline. */
  readonly clean: boolean;
}

type Ending = Omit<RunOutcome, 'clean'>;

function failureOf(vmi: Readonly<VirtualMachineInstance>): string {
  const reason = vmi.status?.reason;
  const conditions = vmi.status?.conditions ?? [];
  const said = (c: { readonly status: string; readonly message?: string }): boolean => c.status === 'False' && c.message !== undefined && c.message !== '';
  const message = (conditions.find((c) => c.type === 'Synchronized' && said(c)) ?? conditions.find(said))?.message;
  return [reason, message].filter((x) => x !== undefined && x !== '').join(': ') || 'no reason given';
}

/** Follows the console of each VMI (by uid) and hands each line on. */
class Consoles {
  private readonly followers = new Map<string, ConsoleFollower | 'connecting'>();
  private stopped = false;

  constructor(private readonly runRoot: string, private readonly onLine: (vmi: string, text: string) => void) {}

  follow(vmi: Readonly<VirtualMachineInstance>, stillWanted: () => boolean): void {
    const uid = vmi.metadata.uid ?? '';
    if (this.stopped || this.followers.has(uid)) return;
    this.followers.set(uid, 'connecting');
    void this.connect(vmi, stillWanted, CONSOLE_ATTEMPTS);
  }

  private async connect(vmi: Readonly<VirtualMachineInstance>, stillWanted: () => boolean, attempts: number): Promise<void> {
    const name = vmi.metadata.name ?? '';
    const lines = new ConsoleLines('');
    const path = join(runDirFor(this.runRoot, vmiIdentity(vmi)), CONSOLE_SOCKET);
    for (let left = attempts; left > 0 && !this.stopped && stillWanted(); left--) {
      const follower = await followConsole(path, (chunk) => { for (const l of lines.push(chunk)) this.onLine(name, l); }).catch(() => undefined);
      if (follower !== undefined) {
        this.followers.set(vmi.metadata.uid ?? '', follower);
        await follower.closed;
        for (const l of lines.flush()) this.onLine(name, l);
        return;
      }
      await new Promise((r) => setTimeout(r, CONSOLE_RETRY_MS));
    }
  }

  stop(): void {
    this.stopped = true;
    for (const f of this.followers.values()) if (f !== 'connecting') f.stop();
  }
}

/** Runs the session; see the module comment. */
export async function runSession(o: RunSessionOptions): Promise<RunOutcome> {
  const now = o.now ?? Date.now;
  const tracker = new ProgressTracker(now());
  let end: (ending: Ending) => void = () => undefined;
  const ended = new Promise<Ending>((done) => { end = done; });
  const consoles = new Consoles(o.runRoot, (vmi, text) => {
    if (o.showConsole) o.line(`${vmi} | ${text}`);
    if (o.waitFor?.test(text) === true) end({ code: 0, reason: `VirtualMachineInstance/${vmi} printed ${JSON.stringify(text.trim())}` });
  });
  const informers = [VM_TYPE, VMI_TYPE, VMIRS_TYPE].map((type) => watchProgress(o, type, { tracker, now, consoles, end }));
  await Promise.all(informers.map((i) => i.start()));
  const timer = o.timeoutMs === undefined ? undefined : setTimeout(() => {
    end(o.waitFor === undefined
      ? { code: 0, reason: `ran for ${Math.round((o.timeoutMs ?? 0) / 1000)} s (--timeout)` }
      : { code: 1, reason: `timed out after ${Math.round((o.timeoutMs ?? 0) / 1000)} s waiting for a console line matching ${String(o.waitFor)}` });
  }, o.timeoutMs);
  void o.stopRequested.then(() => end(o.waitFor === undefined ? { code: 0, reason: 'stopped on request' } : { code: 130, reason: `interrupted before a console line matched ${String(o.waitFor)}` }));
  const applied = await applyAll(o, end);
  const ending = await ended;
  clearTimeout(timer);
  o.line(`Shutting down: deleting ${applied.length} object(s), guests get an ACPI shutdown`);
  const clean = await teardown(o, applied);
  consoles.stop();
  for (const i of informers) i.stop();
  return { ...ending, clean };
}

interface ProgressDeps {
  readonly tracker: ProgressTracker;
  readonly now: () => number;
  readonly consoles: Consoles;
  readonly end: (ending: Ending) => void;
}

function isLive(vmi: Readonly<VirtualMachineInstance> | undefined, uid: string | undefined): boolean {
  const phase = vmi?.status?.phase;
  return vmi !== undefined && vmi.metadata.uid === uid && phase !== 'Failed' && phase !== 'Succeeded';
}

/** A VMI changed: a failure ends the session; a scheduled or running one gets its console followed. */
function onVmi(o: RunSessionOptions, vmi: Readonly<VirtualMachineInstance>, deps: ProgressDeps & { readonly current: (key: string) => Readonly<VirtualMachineInstance> | undefined }): void {
  const phase = vmi.status?.phase;
  if (phase === 'Failed') deps.end({ code: 1, reason: `VirtualMachineInstance/${vmi.metadata.name ?? ''} failed: ${failureOf(vmi)}` });
  const wanted = o.showConsole || o.waitFor !== undefined;
  if (!wanted || (phase !== 'Scheduled' && phase !== 'Running')) return;
  const key = `${vmi.metadata.namespace ?? ''}/${vmi.metadata.name ?? ''}`;
  deps.consoles.follow(vmi, () => isLive(deps.current(key), vmi.metadata.uid));
}

function watchProgress(o: RunSessionOptions, type: { apiVersion: string; kind: string }, deps: ProgressDeps): Informer<KubeObject> {
  const informer = createInformer<KubeObject>(o.plane.store, type);
  const current = (key: string): Readonly<VirtualMachineInstance> | undefined => informer.get(key) as VirtualMachineInstance | undefined;
  informer.onChange((object, _previous, deleted) => {
    const observed = { ...object, kind: type.kind } as Observed;
    for (const l of deleted ? deps.tracker.deleted(observed, deps.now()) : deps.tracker.observe(observed, deps.now())) o.line(l);
    if (type.kind === 'VirtualMachineInstance' && !deleted) onVmi(o, object as VirtualMachineInstance, { ...deps, current });
  });
  return informer;
}

async function applyAll(o: RunSessionOptions, end: (ending: Ending) => void): Promise<KubeObject[]> {
  const applied: KubeObject[] = [];
  for (const { object, source } of o.objects) {
    // Strict field validation, as kubectl apply's default: a typo is refused with its path, never stored.
    const outcome = await applyObject(o.plane.kube, object, source, { fieldValidation: 'Strict' });
    if (!outcome.ok) {
      o.problem(outcome.line);
      end({ code: 1, reason: `could not apply ${source}` });
      break;
    }
    o.line(outcome.line);
    applied.push(outcome.object);
  }
  return applied;
}

function longestGraceMs(objects: readonly KubeObject[]): number {
  const graces = objects.map((object) => {
    const spec = (object as { spec?: { terminationGracePeriodSeconds?: number; template?: { spec?: { terminationGracePeriodSeconds?: number } } } }).spec;
    return gracePeriodSecondsOf(spec?.terminationGracePeriodSeconds === undefined ? spec?.template?.spec : spec);
  });
  return Math.max(0, ...graces) * 1000;
}

/** Deletes the applied objects (dependents first) and waits for no VMI and no launcher pod to be left. */
async function teardown(o: RunSessionOptions, applied: readonly KubeObject[]): Promise<boolean> {
  const { kube, store } = o.plane;
  for (const object of [...applied].reverse()) {
    await kube.delete(object, object.metadata.namespace, object.metadata.name ?? '').catch((e: unknown) => {
      if (!isNotFound(e)) o.problem(`error: deleting ${object.kind}/${object.metadata.name ?? ''}: ${e instanceof Error ? e.message : String(e)}`);
    });
  }
  const deadline = Date.now() + longestGraceMs(applied) + SHUTDOWN_SLACK_MS;
  for (;;) {
    const [vmis, pods] = await Promise.all([store.list(VMI_TYPE, {}), store.list(POD_TYPE, {})]);
    if (vmis.items.length === 0 && pods.items.length === 0) return true;
    if (Date.now() > deadline) {
      o.problem(`warning: ${vmis.items.length} VMI(s) and ${pods.items.length} launcher pod(s) still present after the shutdown deadline`);
      return false;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}
