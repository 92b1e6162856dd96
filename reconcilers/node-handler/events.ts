/**
 * The Events virt-handler records about a VMI of its node, with KubeVirt's reasons and messages
 * (pkg/virt-handler/vm.go): `Created` when the domain is first defined, `Started` / `Stopped` when
 * the handler moves the phase to Running / Succeeded / Failed, `ShuttingDown` on the first ACPI
 * shutdown, `Deleted` when the domain is destroyed, and `SyncFailed` (Warning) with the error of a
 * failed sync: a launcher command that failed, or the launcher's own message when it failed the VMI.
 * KubeVirt has no separate reason for a failed shutdown: it is a `SyncFailed` too. Pure: the
 * reconciler records what these functions return.
 */
import type { EventType } from '../../core/events.js';
import type { HandlerAction } from './plan.js';
import type { PhaseDecision } from './phase.js';

/** KubeVirt's VMI event reasons (v1.EventType) the node handler uses. */
export const HandlerEventReason = {
  created: 'Created',
  started: 'Started',
  stopped: 'Stopped',
  shuttingDown: 'ShuttingDown',
  deleted: 'Deleted',
  syncFailed: 'SyncFailed',
} as const;

/** One Event to record about the VMI. */
export interface HandlerEvent {
  readonly type: EventType;
  readonly reason: string;
  readonly message: string;
}

/** KubeVirt's messages (VMIDefined, VMIStarted, VMIShutdown, VMICrashed, VMIGracefulShutdown, VMIStopping). */
export const HandlerEventMessage = {
  defined: 'VirtualMachineInstance defined.',
  started: 'VirtualMachineInstance started.',
  shutDown: 'The VirtualMachineInstance was shut down.',
  crashed: 'The VirtualMachineInstance crashed.',
  gracefulShutdown: 'Signaled Graceful Shutdown',
  stopping: 'VirtualMachineInstance stopping',
} as const;

/**
 * The Events of a phase the handler writes (`recordPhaseChangeEvent`): none when the phase stays.
 * A Failed phase with the launcher's message also records that message as `SyncFailed`, so
 * `kvt describe` shows why.
 */
export function phaseEvents(previousPhase: string | undefined, decision: PhaseDecision | undefined): HandlerEvent[] {
  if (decision === undefined || decision.phase === (previousPhase ?? '')) return [];
  switch (decision.phase) {
    case 'Running':
      return [{ type: 'Normal', reason: HandlerEventReason.started, message: HandlerEventMessage.started }];
    case 'Succeeded':
      return [{ type: 'Normal', reason: HandlerEventReason.stopped, message: HandlerEventMessage.shutDown }];
    case 'Failed': {
      const crashed: HandlerEvent = { type: 'Warning', reason: HandlerEventReason.stopped, message: HandlerEventMessage.crashed };
      return decision.message === undefined ? [crashed] : [{ type: 'Warning', reason: HandlerEventReason.syncFailed, message: decision.message }, crashed];
    }
    default:
      return [];
  }
}

/** The `Created` Event when the domain exists now and was not seen before (for this VMI uid). */
export function domainEvents(definedBefore: boolean, definedNow: boolean): HandlerEvent[] {
  return !definedBefore && definedNow ? [{ type: 'Normal', reason: HandlerEventReason.created, message: HandlerEventMessage.defined }] : [];
}

/**
 * The Events of a command sent to the launcher: a failure is `SyncFailed` with its error; a
 * destroy is `Deleted`; a shutdown is `ShuttingDown` on its first attempt only (KubeVirt records
 * it once, so re-sends do not use up the spam filter's budget for the VMI).
 */
export function commandEvents(action: HandlerAction, firstShutdown: boolean, failure: string | undefined): HandlerEvent[] {
  if (action.kind !== 'send') return [];
  if (failure !== undefined) return [{ type: 'Warning', reason: HandlerEventReason.syncFailed, message: failure }];
  if (action.command === 'destroy') return [{ type: 'Normal', reason: HandlerEventReason.deleted, message: HandlerEventMessage.stopping }];
  return firstShutdown ? [{ type: 'Normal', reason: HandlerEventReason.shuttingDown, message: HandlerEventMessage.gracefulShutdown }] : [];
}
