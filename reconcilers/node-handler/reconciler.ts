/**
 * The node handler (virt-handler's VMI loop, kubevirt/controllers.md §5): for each VMI whose
 * status.nodeName is this node, observe the VMI (cache) and its launcher (socket view) → plan →
 * act (hand over, shutdown/destroy) → write the handler-owned status. Launcher IO sits behind
 * {@link LauncherAccess} (runtime/launcher-access.ts); a launcher's changes requeue its VMI through
 * a signal source, so reconcile never runs from an event's payload.
 */
import type { Cache } from '../../core/cache.js';
import { isConflict, isNotFound } from '../../core/errors.js';
import { objectKey, type KubeObject } from '../../core/kube.js';
import type { VirtualMachineInstance } from '../../crd-gen/index.js';
import type { LauncherCommand, ReplyEvent } from '../../launcher/protocol/index.js';
import { DONE, type ControllerDefinition, type ControllerDeps, type ReconcileResult, type WatchSource } from '../runtime/types.js';
import { isFinalPhase, launcherAlive, type LauncherView } from './phase.js';
import { planVmi, type HandlerAction, type PlanInput, type ShutdownClock } from './plan.js';
import { handlerStatus } from './status.js';

/** One launcher connection, as the reconciler uses it. */
export interface LauncherHandle {
  view(): LauncherView;
  send(command: LauncherCommand['command']): Promise<ReplyEvent>;
  close(): void;
}

/** The handler's IO towards launchers on this node. */
export interface LauncherAccess {
  /** Connects to the launcher of this VMI (by its identity); `onChange` after every change. */
  connect(vmi: Readonly<VirtualMachineInstance>, onChange: () => void): LauncherHandle;
  /** Whether this VMI (this uid) was already written for its launcher. */
  handedOver(vmi: Readonly<VirtualMachineInstance>): Promise<boolean>;
  /** Writes the VMI where its launcher waits for it. */
  handOver(vmi: Readonly<VirtualMachineInstance>): Promise<void>;
}

/** What {@link nodeHandler} needs. `kube` should write as virt-handler's service account. */
export interface NodeHandlerDeps extends ControllerDeps {
  readonly nodeName: string;
  readonly vmis: Cache<VirtualMachineInstance>;
  readonly launchers: LauncherAccess;
}

/** What the handler answers a lifecycle call (its REST endpoint's status and message, as a value). */
export type LifecycleAnswer = { readonly ok: true } | { readonly ok: false; readonly status: 404 | 500; readonly message: string };

/** virt-api's pause/unpause, as the launcher protocol spells them. */
const LAUNCHER_COMMANDS = { pause: 'pause', unpause: 'resume' } as const;

/**
 * The node handler: a controller definition; `lifecycle()`, virt-handler's pause/unpause endpoint
 * (virt-api relays `virtctl pause|unpause` to it), which sends the command over the launcher
 * connection the handler already holds; and `stop()`, which closes launcher connections (guests
 * keep running).
 */
export type NodeHandler = ControllerDefinition & {
  lifecycle(vmi: Readonly<VirtualMachineInstance>, action: keyof typeof LAUNCHER_COMMANDS): Promise<LifecycleAnswer>;
  stop(): Promise<void>;
};

/** A key-only object: what the launcher signal source hands to `keysOf`. */
interface Signal extends KubeObject {
  readonly key: string;
}

/** A cache-shaped source of "this VMI's launcher changed" signals (nothing is stored). */
class LauncherSignals implements Cache<Signal> {
  private readonly handlers = new Set<(object: Readonly<Signal>, previous: Readonly<Signal> | undefined, deleted: boolean) => void>();

  notify(key: string): void {
    const signal: Signal = { apiVersion: 'kvt.local/v1', kind: 'LauncherSignal', metadata: {}, key };
    for (const h of this.handlers) h(signal, undefined, false);
  }

  get(): undefined {
    return undefined;
  }

  list(): readonly Signal[] {
    return [];
  }

  controlledBy(): readonly Signal[] {
    return [];
  }

  onChange(handler: (object: Readonly<Signal>, previous: Readonly<Signal> | undefined, deleted: boolean) => void): () => void {
    this.handlers.add(handler);
    return () => this.handlers.delete(handler);
  }

  hasSynced(): boolean {
    return true;
  }
}

interface Tracked {
  readonly uid: string;
  readonly handle: LauncherHandle;
  handedOver: boolean;
  shutdown?: ShutdownClock;
}

function planInput(vmi: Readonly<VirtualMachineInstance>, view: LauncherView, entry: Tracked, now: Date): PlanInput {
  return { vmi, view, handedOver: entry.handedOver, now, ...(entry.shutdown === undefined ? {} : { shutdown: entry.shutdown }) };
}

/** Why a lifecycle command failed, from the launcher's reply (or the error in its place); undefined when it did not. */
function lifecycleFailure(key: string, action: string, reply: ReplyEvent | Error): string | undefined {
  if (reply instanceof Error) return `the launcher of VMI ${key} did not answer: ${reply.message}`;
  return reply.ok ? undefined : `the launcher of VMI ${key} could not ${action}: ${reply.error ?? 'no reason given'}`;
}

/** Creates the node handler for `deps.nodeName`. */
export function nodeHandler(deps: NodeHandlerDeps): NodeHandler {
  const signals = new LauncherSignals();
  const tracked = new Map<string, Tracked>();

  const untrack = (key: string): void => {
    tracked.get(key)?.handle.close();
    tracked.delete(key);
  };

  const track = (key: string, vmi: Readonly<VirtualMachineInstance>): Tracked => {
    const uid = vmi.metadata.uid ?? '';
    const known = tracked.get(key);
    if (known?.uid === uid) return known;
    untrack(key);
    const entry: Tracked = { uid, handle: deps.launchers.connect(vmi, () => signals.notify(key)), handedOver: false };
    tracked.set(key, entry);
    return entry;
  };

  const act = async (vmi: Readonly<VirtualMachineInstance>, entry: Tracked, action: HandlerAction): Promise<void> => {
    if (action.kind === 'handOver') {
      await deps.launchers.handOver(vmi);
      entry.handedOver = true;
      deps.log.info({ vmi: objectKey(vmi), uid: entry.uid }, 'handed the VMI to its launcher');
      return;
    }
    const now = deps.now();
    entry.shutdown = action.command === 'destroy'
      ? { startedAt: entry.shutdown?.startedAt ?? now, lastSentAt: now, destroyed: true }
      : { startedAt: entry.shutdown?.startedAt ?? now, lastSentAt: now, destroyed: false };
    const reply = await entry.handle.send(action.command).catch((e: unknown) => ({ ok: false, error: e instanceof Error ? e.message : String(e) }));
    if (reply.ok) deps.log.info({ vmi: objectKey(vmi), command: action.command }, 'sent to the launcher');
    else deps.log.warn({ vmi: objectKey(vmi), command: action.command, error: reply.error }, 'launcher command failed');
  };

  const writeStatus = async (vmi: Readonly<VirtualMachineInstance>, view: LauncherView): Promise<void> => {
    const status = handlerStatus(vmi, view, deps.now());
    if (status === undefined) return;
    try {
      await deps.kube.updateStatus<VirtualMachineInstance>({ ...vmi, status });
      deps.log.debug({ vmi: objectKey(vmi), phase: status.phase }, 'status written');
    } catch (e) {
      if (isNotFound(e)) return;
      if (isConflict(e)) deps.log.debug({ vmi: objectKey(vmi) }, 'status conflict; retrying from the cache');
      throw e;
    }
  };

  const reconcile = async (key: string): Promise<ReconcileResult> => {
    const vmi = deps.vmis.get(key);
    if (vmi?.status?.nodeName !== deps.nodeName) {
      untrack(key);
      return DONE;
    }
    const entry = track(key, vmi);
    const view = entry.handle.view();
    entry.handedOver ||= await deps.launchers.handedOver(vmi);
    const plan = planVmi(planInput(vmi, view, entry, deps.now()));
    for (const action of plan.actions) await act(vmi, entry, action);
    await writeStatus(vmi, view);
    if (isFinalPhase(vmi.status?.phase) && !launcherAlive(view)) untrack(key);
    return plan.requeueAfterMs === undefined ? DONE : { requeueAfterMs: plan.requeueAfterMs };
  };

  /** The connection to the launcher of this VMI (this uid), or why the handler cannot serve it. */
  const launcherOf = (vmi: Readonly<VirtualMachineInstance>): LauncherHandle | LifecycleAnswer => {
    const key = objectKey(vmi);
    const known = deps.vmis.get(key);
    // As virt-handler finds the VMI in its own informer: another node's, or a newer one of the name, is not its own.
    if (known === undefined || known.metadata.uid !== vmi.metadata.uid || known.status?.nodeName !== deps.nodeName) {
      return { ok: false, status: 404, message: `virtualmachineinstance.kubevirt.io "${vmi.metadata.name ?? ''}" not found on node ${deps.nodeName}` };
    }
    const entry = tracked.get(key);
    return entry !== undefined && entry.uid === known.metadata.uid ? entry.handle : { ok: false, status: 500, message: `virt-handler holds no connection to the launcher of VMI ${key}` };
  };

  const lifecycle = async (vmi: Readonly<VirtualMachineInstance>, action: keyof typeof LAUNCHER_COMMANDS): Promise<LifecycleAnswer> => {
    const launcher = launcherOf(vmi);
    if ('ok' in launcher) return launcher;
    const key = objectKey(vmi);
    const command = LAUNCHER_COMMANDS[action];
    const failure = lifecycleFailure(key, action, await launcher.send(command).catch((e: unknown) => (e instanceof Error ? e : new Error(String(e)))));
    if (failure !== undefined) {
      deps.log.warn({ vmi: key, command, error: failure }, `Could not ${action} VirtualMachineInstance`);
      return { ok: false, status: 500, message: failure };
    }
    deps.log.info({ vmi: key, command }, `Sent ${command} to the launcher of VirtualMachineInstance`);
    return { ok: true };
  };

  const vmiSource: WatchSource<VirtualMachineInstance> = {
    cache: deps.vmis,
    keysOf: (vmi) => (vmi.status?.nodeName === deps.nodeName || tracked.has(objectKey(vmi)) ? [objectKey(vmi)] : []),
  };
  const signalSource: WatchSource<Signal> = { cache: signals, keysOf: (s) => [s.key] };
  return {
    reconciler: { name: 'node-handler', reconcile },
    sources: [vmiSource as unknown as WatchSource<never>, signalSource as unknown as WatchSource<never>],
    workers: 2,
    lifecycle,
    stop: async () => {
      for (const key of [...tracked.keys()]) untrack(key);
      await Promise.resolve();
    },
  };
}
