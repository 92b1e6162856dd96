/**
 * The node handler (virt-handler's VMI loop, kubevirt/controllers.md §5): for each VMI whose
 * status.nodeName is this node, observe the VMI (cache) and its launcher (socket view) → plan →
 * act (hand over, shutdown/destroy) → write the handler-owned status. Launcher IO sits behind
 * {@link LauncherAccess} (runtime/launcher-access.ts); a launcher's changes requeue its VMI through
 * a channel source, so reconcile never runs from an event's payload.
 */
import type { Cache } from '../../core/cache.js';
import { abortable } from '../../core/abort.js';
import { isConflict, isNotFound } from '../../core/errors.js';
import { objectKey } from '../../core/kube.js';
import type { VirtualMachineInstance } from '../../crd-gen/index.js';
import type { LauncherCommand, ReplyEvent } from '../../launcher/protocol/index.js';
import { DONE, type ControllerDefinition, type ControllerDeps, type ReconcileResult, type Reconciler } from '../contract.js';
import { channel, primary } from '../sources.js';
import { commandEvents, domainEvents, phaseEvents, type HandlerEvent } from './events.js';
import { isDomainPresent, isFinalPhase, launcherAlive, vmiPhase, type LauncherView } from './phase.js';
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

/** What {@link nodeHandlerController} needs. `kube` should write as virt-handler's service account. */
export interface NodeHandlerDeps extends ControllerDeps {
  readonly nodeName: string;
  readonly vmis: Cache<VirtualMachineInstance>;
  readonly launchers: LauncherAccess;
}

/** What the handler answers a lifecycle call (its REST endpoint's status and message, as a value). */
export type LifecycleAnswer = { readonly ok: true } | { readonly ok: false; readonly status: 404 | 500; readonly message: string };

/** virt-api's pause/unpause, as the launcher protocol spells them. */
const LAUNCHER_COMMANDS = { pause: 'pause', unpause: 'resume' } as const;

/** A lifecycle call virt-api relays to the handler. */
export type LifecycleAction = keyof typeof LAUNCHER_COMMANDS;

/**
 * The node handler: its controller definition, and `lifecycle()`, virt-handler's pause/unpause
 * endpoint (virt-api relays `virtctl pause|unpause` to it), which sends the command over the
 * launcher connection the handler already holds.
 */
export type NodeHandler = ControllerDefinition & {
  lifecycle(vmi: Readonly<VirtualMachineInstance>, action: LifecycleAction): Promise<LifecycleAnswer>;
};

/** Why a lifecycle command failed, from the launcher's reply (or the error in its place); undefined when it did not. */
function lifecycleFailure(key: string, action: string, reply: ReplyEvent | Error): string | undefined {
  if (reply instanceof Error) return `the launcher of VMI ${key} did not answer: ${reply.message}`;
  return reply.ok ? undefined : `the launcher of VMI ${key} could not ${action}: ${reply.error ?? 'no reason given'}`;
}

interface Tracked {
  readonly uid: string;
  readonly handle: LauncherHandle;
  handedOver: boolean;
  /** The domain was seen defined (its `Created` Event is recorded once per VMI uid). */
  domainDefined: boolean;
  shutdown?: ShutdownClock;
}

type Vmi = Readonly<VirtualMachineInstance>;

function planInput(vmi: Vmi, view: LauncherView, entry: Tracked, now: Date): PlanInput {
  return { vmi, view, handedOver: entry.handedOver, now, ...(entry.shutdown === undefined ? {} : { shutdown: entry.shutdown }) };
}

const logFields = (vmi: Vmi): { namespace: string | undefined; name: string | undefined; uid: string | undefined } =>
  ({ namespace: vmi.metadata.namespace, name: vmi.metadata.name, uid: vmi.metadata.uid });

class NodeHandlerReconciler implements Reconciler {
  readonly name = 'node-handler';
  /** Each tracked launcher's changes requeue its VMI through this source. */
  readonly launcherChanges = channel();
  private readonly tracked = new Map<string, Tracked>();

  constructor(private readonly deps: NodeHandlerDeps) {}

  /** Whether this handler follows the launcher of `key` (a VMI that left the node is still seen out). */
  tracks(key: string): boolean {
    return this.tracked.has(key);
  }

  async reconcile(key: string, signal: AbortSignal): Promise<ReconcileResult> {
    const vmi = this.deps.vmis.get(key);
    if (vmi?.status?.nodeName !== this.deps.nodeName) {
      this.untrack(key);
      return DONE;
    }
    const entry = this.track(key, vmi);
    const view = entry.handle.view();
    entry.handedOver ||= await this.deps.launchers.handedOver(vmi);
    this.noteDomain(vmi, entry, view);
    const plan = planVmi(planInput(vmi, view, entry, this.deps.now()));
    for (const action of plan.actions) {
      signal.throwIfAborted();
      await this.act(vmi, entry, action, signal);
    }
    signal.throwIfAborted();
    await this.writeStatus(vmi, view);
    if (isFinalPhase(vmi.status?.phase) && !launcherAlive(view)) this.untrack(key);
    return plan.requeueAfterMs === undefined ? DONE : { requeueAfterMs: plan.requeueAfterMs };
  }

  /** virt-handler's pause/unpause endpoint: the command goes over the launcher connection this handler holds. */
  async lifecycle(vmi: Vmi, action: LifecycleAction): Promise<LifecycleAnswer> {
    const launcher = this.launcherOf(vmi);
    if ('ok' in launcher) return launcher;
    const key = objectKey(vmi);
    const command = LAUNCHER_COMMANDS[action];
    const failure = lifecycleFailure(key, action, await launcher.send(command).catch((e: unknown) => (e instanceof Error ? e : new Error(String(e)))));
    if (failure !== undefined) {
      this.deps.log.warn({ ...logFields(vmi), command, err: failure }, `Could not ${action} VirtualMachineInstance`);
      return { ok: false, status: 500, message: failure };
    }
    this.deps.log.info({ ...logFields(vmi), command }, 'Sent command to the launcher of VirtualMachineInstance');
    return { ok: true };
  }

  /** The connection to the launcher of this VMI (this uid), or why the handler cannot serve it. */
  private launcherOf(vmi: Vmi): LauncherHandle | LifecycleAnswer {
    const key = objectKey(vmi);
    const known = this.deps.vmis.get(key);
    // As virt-handler finds the VMI in its own informer: another node's, or a newer one of the name, is not its own.
    if (known === undefined || known.metadata.uid !== vmi.metadata.uid || known.status?.nodeName !== this.deps.nodeName) {
      return { ok: false, status: 404, message: `virtualmachineinstance.kubevirt.io "${vmi.metadata.name ?? ''}" not found on node ${this.deps.nodeName}` };
    }
    const entry = this.tracked.get(key);
    return entry !== undefined && entry.uid === known.metadata.uid ? entry.handle : { ok: false, status: 500, message: `virt-handler holds no connection to the launcher of VMI ${key}` };
  }

  /** Closes every launcher connection (the guests keep running). */
  close(): Promise<void> {
    for (const key of [...this.tracked.keys()]) this.untrack(key);
    return Promise.resolve();
  }

  private untrack(key: string): void {
    this.tracked.get(key)?.handle.close();
    this.tracked.delete(key);
  }

  private track(key: string, vmi: Vmi): Tracked {
    const uid = vmi.metadata.uid ?? '';
    const known = this.tracked.get(key);
    if (known?.uid === uid) return known;
    this.untrack(key);
    const entry: Tracked = { uid, handle: this.deps.launchers.connect(vmi, () => this.launcherChanges.notify(key)), handedOver: false, domainDefined: false };
    this.tracked.set(key, entry);
    return entry;
  }

  private async act(vmi: Vmi, entry: Tracked, action: HandlerAction, signal: AbortSignal): Promise<void> {
    const { log } = this.deps;
    if (action.kind === 'handOver') {
      await this.deps.launchers.handOver(vmi);
      entry.handedOver = true;
      log.info(logFields(vmi), 'Handed VirtualMachineInstance over to its launcher');
      return;
    }
    const now = this.deps.now();
    const firstShutdown = entry.shutdown === undefined;
    entry.shutdown = { startedAt: entry.shutdown?.startedAt ?? now, lastSentAt: now, destroyed: action.command === 'destroy' };
    // A reply may take the connection's timeout: a stopping handler does not wait for it.
    const reply = await abortable(entry.handle.send(action.command).catch((e: unknown) => ({ ok: false, error: e instanceof Error ? e.message : String(e) })), signal);
    if (reply.ok) log.info({ ...logFields(vmi), command: action.command }, 'Sent command to the launcher of VirtualMachineInstance');
    else log.warn({ ...logFields(vmi), command: action.command, err: reply.error }, 'Launcher of VirtualMachineInstance refused a command');
    const failure = reply.ok ? undefined : `could not ${action.command} the domain: ${reply.error ?? 'the launcher gave no reason'}`;
    this.record(vmi, commandEvents(action, firstShutdown, failure));
  }

  /** The `Created` Event of a domain defined while the VMI is Scheduled (a restarted handler beside a running guest does not record it again). */
  private noteDomain(vmi: Vmi, entry: Tracked, view: LauncherView): void {
    const definedNow = isDomainPresent(view.domain);
    this.record(vmi, domainEvents(entry.domainDefined, definedNow && vmi.status?.phase === 'Scheduled'));
    entry.domainDefined ||= definedNow;
  }

  /** Records Events about the VMI (never throws, never waits: the recorder queues them). */
  private record(vmi: Vmi, events: readonly HandlerEvent[]): void {
    for (const e of events) this.deps.events.event(vmi, e.type, e.reason, e.message);
  }

  private async writeStatus(vmi: Vmi, view: LauncherView): Promise<void> {
    const status = handlerStatus(vmi, view, this.deps.now());
    if (status === undefined) return;
    try {
      await this.deps.kube.updateStatus<VirtualMachineInstance>({ ...vmi, status });
      this.deps.log.debug({ ...logFields(vmi), phase: status.phase }, 'Updated VirtualMachineInstance status');
      // The phase Events once the phase is written (a write that failed is retried, and records them then).
      this.record(vmi, phaseEvents(vmi.status?.phase, vmiPhase(vmi, view)));
    } catch (e) {
      if (isNotFound(e)) return;
      if (isConflict(e)) this.deps.log.debug(logFields(vmi), 'VirtualMachineInstance status conflicted, retrying from the cache');
      throw e;
    }
  }
}

/**
 * The node handler for `deps.nodeName`: VMIs of this node (and those whose launcher it still follows)
 * enqueue themselves, launcher changes enqueue their VMI. Stopping its controller closes the launcher
 * connections, never a guest.
 */
export function nodeHandlerController(deps: NodeHandlerDeps): NodeHandler {
  const reconciler = new NodeHandlerReconciler(deps);
  const onNode = (vmi: Vmi): boolean => vmi.status?.nodeName === deps.nodeName || reconciler.tracks(objectKey(vmi));
  return {
    reconciler, primary: primary(deps.vmis, { when: onNode }), secondary: [reconciler.launcherChanges], workers: 2,
    lifecycle: (vmi, action) => reconciler.lifecycle(vmi, action),
  };
}
