/**
 * What the node handler does for one VMI on its node (kubevirt/controllers.md §5): hand the VMI to
 * its launcher (the launcher in `--await-vmi` mode waits for it), and on deletion shut the guest
 * down over ACPI, re-sent at most every 5 s, destroyed once the grace period has passed (grace 0:
 * destroyed at once). Pure: the caller keeps the shutdown clock and passes the time.
 * @see https://github.com/kubevirt/kubevirt/blob/main/pkg/virt-handler/vm.go (processVmShutdown)
 */
import type { VirtualMachineInstance } from '../../crd-gen/index.js';
import { HANDLED_PHASES, isDomainLive, isFinalPhase, launcherAlive, type LauncherView } from './phase.js';
import { gracePeriodSecondsOf } from '../../core/implicit-defaults.js';

/** How often an unanswered ACPI shutdown is re-sent (KubeVirt: every ≤ 5 s). */
export const SHUTDOWN_RESEND_MS = 5_000;
/** How soon to look again at a VMI whose launcher has not answered or whose guest is not up yet. */
export const WAIT_MS = 1_000;

/** One thing to do for a VMI. */
export type HandlerAction =
  /** Write the VMI where its launcher waits for it (once per VMI uid). */
  | { readonly kind: 'handOver' }
  /** Send a command over the launcher socket. */
  | { readonly kind: 'send'; readonly command: 'shutdown' | 'destroy' };

/** The handler's memory of a shutdown in progress (KubeVirt keeps it in the domain's metadata). */
export interface ShutdownClock {
  /** When the first ACPI shutdown was sent. */
  readonly startedAt: Date;
  /** When the last one was sent. */
  readonly lastSentAt: Date;
  /** A destroy was sent. */
  readonly destroyed: boolean;
}

/** What {@link planVmi} looks at. */
export interface PlanInput {
  readonly vmi: Readonly<VirtualMachineInstance>;
  readonly view: LauncherView;
  /** The VMI has been written for its launcher (this uid). */
  readonly handedOver: boolean;
  readonly shutdown?: ShutdownClock;
  readonly now: Date;
}

/** The actions, and when to look again without a change. */
export interface HandlerPlan {
  readonly actions: readonly HandlerAction[];
  readonly requeueAfterMs?: number;
}

const NOTHING: HandlerPlan = { actions: [] };

/**
 * The grace period of a shutdown: the VMI's `terminationGracePeriodSeconds`, else 30 s. (The API
 * server sets `deletionGracePeriodSeconds` to 0 on any deleted object with finalizers, so it says
 * nothing about the guest.)
 */
export function graceSeconds(vmi: Readonly<VirtualMachineInstance>): number {
  return gracePeriodSecondsOf(vmi.spec);
}

/** The shutdown steps of a deleted VMI whose guest is live. */
export function planShutdown(vmi: Readonly<VirtualMachineInstance>, clock: ShutdownClock | undefined, now: Date): HandlerPlan {
  const graceMs = graceSeconds(vmi) * 1000;
  if (clock?.destroyed === true) return { actions: [], requeueAfterMs: WAIT_MS };
  if (graceMs <= 0) return { actions: [{ kind: 'send', command: 'destroy' }], requeueAfterMs: WAIT_MS };
  if (clock === undefined) return { actions: [{ kind: 'send', command: 'shutdown' }], requeueAfterMs: Math.min(SHUTDOWN_RESEND_MS, graceMs) };
  const left = graceMs - (now.getTime() - clock.startedAt.getTime());
  if (left <= 0) return { actions: [{ kind: 'send', command: 'destroy' }], requeueAfterMs: WAIT_MS };
  const sinceSent = now.getTime() - clock.lastSentAt.getTime();
  if (sinceSent >= SHUTDOWN_RESEND_MS) return { actions: [{ kind: 'send', command: 'shutdown' }], requeueAfterMs: Math.min(SHUTDOWN_RESEND_MS, left) };
  return { actions: [], requeueAfterMs: Math.min(SHUTDOWN_RESEND_MS - sinceSent, left) };
}

/**
 * The plan for a VMI on this node. Final VMIs and phases the VMI controller owns: nothing. Deleted:
 * the shutdown steps while the guest is live (else wait for the launcher to end). Otherwise the
 * handover once the launcher answered (a short wait until it does).
 */
export function planVmi(input: PlanInput): HandlerPlan {
  const { vmi, view } = input;
  const phase = vmi.status?.phase ?? '';
  if (isFinalPhase(phase) || !HANDLED_PHASES.has(phase)) return NOTHING;
  if (vmi.metadata.deletionTimestamp !== undefined) return planDeleted(input);
  // The launcher makes its run dir and serves its socket before it waits: hand over once it answered.
  if (!view.seen) return view.gone ? NOTHING : { actions: [], requeueAfterMs: WAIT_MS };
  return { actions: input.handedOver || !launcherAlive(view) ? [] : [{ kind: 'handOver' }] };
}

function planDeleted({ vmi, view, shutdown, now }: PlanInput): HandlerPlan {
  if (!launcherAlive(view)) return NOTHING;
  if (view.seen && isDomainLive(view.domain)) return planShutdown(vmi, shutdown, now);
  return { actions: [], requeueAfterMs: WAIT_MS };
}
