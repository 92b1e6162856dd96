/**
 * The VMI phase the node handler derives from what its launcher reported, as virt-handler's
 * `calculateVmPhaseForStatusReason` does (kubevirt/controllers.md §5). Pure: the launcher's state
 * comes in as a {@link LauncherView}, kept by the handler's connection to the launcher socket.
 * @see https://github.com/kubevirt/kubevirt/blob/main/pkg/virt-handler/vm.go
 */
import type { VirtualMachineInstance } from '../../crd-gen/index.js';
import type { AgentFacts, DomainStatus, LauncherInterface, LauncherPhase } from '../../launcher/protocol/index.js';
import { isFinalPhase } from '../../core/phases.js';

/** What the handler knows of one launcher (from its socket). */
export interface LauncherView {
  /**
   * The launcher's replay (`hello` … `synced`) arrived at least once: domain and phase below are its
   * current state, not a partial one.
   */
  readonly seen: boolean;
  /** The socket vanished or the launcher process is dead. */
  readonly gone: boolean;
  /** The latest domain status (`NoState` once the domain is undefined). */
  readonly domain?: DomainStatus;
  /** The last domain status of a domain that existed (not `Pending` / `NoState`). */
  readonly lastDomain?: DomainStatus;
  /** The launcher's own phase, with its reason. */
  readonly phase?: { readonly phase: LauncherPhase; readonly reason?: string; readonly message?: string };
  /** The emulation in use (`hello`). */
  readonly hypervisor?: 'kvm' | 'qemu';
  /** The guest's NICs as the launcher bound them (its `network` event), for `status.interfaces`. */
  readonly interfaces?: readonly LauncherInterface[];
  /** What the guest agent answered lately (its `agent` event), for interfaces, guestOSInfo, AgentConnected. */
  readonly agent?: AgentFacts;
}

/** A phase with the reason and message the handler reports with it. */
export interface PhaseDecision {
  readonly phase: string;
  /** CamelCase reason; set for Failed. */
  readonly reason?: string;
  readonly message?: string;
}

/** The phases the handler acts on (the VMI controller owns the earlier ones). */
export const HANDLED_PHASES: ReadonlySet<string> = new Set(['Scheduled', 'Running']);

export { isFinalPhase };

const RUNNING_STATES: ReadonlySet<string> = new Set(['Running', 'Paused']);

/** Whether a domain status is one of a domain that exists (defined, not `Pending`/`NoState`). */
export function isDomainPresent(status: DomainStatus | undefined): status is DomainStatus {
  return status !== undefined && status.state !== 'Pending' && status.state !== 'NoState';
}

/** Whether the domain is running or paused (a live guest). */
export function isDomainLive(status: DomainStatus | undefined): boolean {
  return status !== undefined && RUNNING_STATES.has(status.state);
}

/**
 * KubeVirt's `isACPIEnabled`: the grace period is unset or > 0 and ACPI is on (the default). Then a
 * `Destroyed` domain was destroyed because the grace period ran out.
 */
export function acpiShutdownExpected(vmi: Readonly<VirtualMachineInstance>): boolean {
  const grace = vmi.spec.terminationGracePeriodSeconds;
  return (grace === undefined || grace > 0) && vmi.spec.domain.features?.acpi?.enabled !== false;
}

function failed(reason: string, message: string): PhaseDecision {
  return { phase: 'Failed', reason, message };
}

/** The phase a stopped domain means, or undefined when it does not decide one (Migrated, Unknown). */
function stoppedPhase(vmi: Readonly<VirtualMachineInstance>, domain: DomainStatus): PhaseDecision | undefined {
  switch (domain.reason) {
    case 'Crashed':
    case 'Panicked':
      return failed(`Domain${domain.reason}`, `the domain stopped: ${domain.state} (${domain.reason})`);
    case 'Destroyed':
      return acpiShutdownExpected(vmi)
        ? failed('DomainDestroyed', 'the domain was destroyed (the ACPI shutdown did not finish within the grace period)')
        : { phase: 'Succeeded' };
    case 'Shutdown':
    case 'Saved':
    case 'FromSnapshot':
      return { phase: 'Succeeded' };
    default:
      return undefined;
  }
}

/** The phase a present domain means (§5), or undefined to keep the current one. */
export function domainPhase(vmi: Readonly<VirtualMachineInstance>, domain: DomainStatus): PhaseDecision | undefined {
  switch (domain.state) {
    case 'Shutoff':
    case 'Crashed':
    case 'Shutdown':
      // `Shutdown` is libvirt's "shutting down" state; only its final reasons decide.
      return domain.state === 'Shutdown' ? undefined : stoppedPhase(vmi, domain);
    case 'Paused':
      return domain.reason === 'PostcopyFailed' ? failed('PostcopyFailed', 'the domain paused after a failed post-copy migration') : { phase: 'Running' };
    case 'Running':
      return { phase: 'Running' };
    default:
      return undefined;
  }
}

/** The launcher lives and has not reached a final phase (Failed, Stopped). */
export function launcherAlive(view: LauncherView): boolean {
  return !view.gone && view.phase?.phase !== 'Failed' && view.phase?.phase !== 'Stopped';
}

/** Why a launcher without a live domain counts as failed, or undefined when it may still start one. */
function launcherFailure(view: LauncherView): PhaseDecision | undefined {
  const p = view.phase;
  if (p?.phase === 'Failed') return failed(p.reason ?? 'LauncherFailed', p.message ?? 'the launcher failed');
  if (view.gone) return failed('LauncherGone', 'the launcher is gone (its socket vanished or its process died)');
  if (p?.phase === 'Stopped') return failed(p.reason ?? 'LauncherStopped', p.message ?? 'the launcher stopped without a running domain');
  return undefined;
}

/**
 * The VMI phase from the launcher's reports (§5), or undefined to leave status.phase alone: a VMI
 * not in Scheduled/Running, or a launcher not heard from yet (after a handler restart).
 * - A domain that existed decides first: Shutoff/Crashed with Crashed/Panicked → Failed; Destroyed →
 *   Failed when an ACPI shutdown was expected, else Succeeded; Shutdown/Saved/FromSnapshot →
 *   Succeeded; Paused (PostcopyFailed → Failed), Running → Running while the launcher lives.
 * - No live domain: Scheduled stays, unless the launcher is gone or failed → Failed; Running → Failed.
 */
export function vmiPhase(vmi: Readonly<VirtualMachineInstance>, view: LauncherView): PhaseDecision | undefined {
  const current = vmi.status?.phase ?? '';
  if (!HANDLED_PHASES.has(current)) return undefined;
  const stillThere = launcherAlive(view) && isDomainPresent(view.domain);
  const decided = decidedByDomain(vmi, view, stillThere);
  if (decided !== undefined) return decided;
  if (!view.seen && !view.gone) return undefined;
  return noLiveDomainPhase(current, view, stillThere);
}

/** The phase the last existing domain decides: a final one always, Running only while it is still there. */
function decidedByDomain(vmi: Readonly<VirtualMachineInstance>, view: LauncherView, stillThere: boolean): PhaseDecision | undefined {
  const decided = view.lastDomain === undefined ? undefined : domainPhase(vmi, view.lastDomain);
  return decided !== undefined && (decided.phase !== 'Running' || stillThere) ? decided : undefined;
}

/** The phase when no existing domain decided one: the launcher's fate, or the current phase. */
function noLiveDomainPhase(current: string, view: LauncherView, stillThere: boolean): PhaseDecision {
  const failure = launcherFailure(view);
  if (failure !== undefined) return failure;
  if (current === 'Scheduled' && view.lastDomain === undefined) return { phase: 'Scheduled' };
  if (stillThere) return { phase: current };
  return failed('DomainNotFound', 'the VMI was running but its domain no longer exists');
}
