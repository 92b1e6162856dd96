/**
 * The launcher's port to the hypervisor: what the launcher asks of libvirt, as an interface with a
 * real implementation (`libvirt.ts`) and fakes in tests, plus the pure mapping of libvirt's state
 * and reason numbers to KubeVirt's names and a polling watcher (the binding has no events).
 * @see https://github.com/kubevirt/kubevirt/blob/main/pkg/virt-launcher/virtwrap/api/types.go
 */

import type { DomainState, DomainStatus } from '../protocol/index.js';
import { KubevirtError } from '../../core/errors.js';

export type { DomainState, DomainStatus } from '../protocol/index.js';

/**
 * What the launcher needs from a hypervisor connection. Every method that names a domain throws
 * {@link DomainNotFoundError} when it does not exist and {@link HypervisorError} for any other
 * failure (including a dead daemon).
 */
export interface Hypervisor {
  /** Defines (or redefines) a persistent domain from its XML; returns the domain's name. */
  define(xml: string): Promise<string>;
  /** Starts a defined domain. */
  start(name: string): Promise<void>;
  /** Asks the guest to power off (ACPI power button); returns before the guest has stopped. */
  shutdown(name: string): Promise<void>;
  /** Stops the domain at once (pulls the plug); a domain that is not running is left as it is. */
  destroy(name: string): Promise<void>;
  /** Removes the domain's definition; the domain must not be running. */
  undefine(name: string): Promise<void>;
  /** The domain's current state and reason. */
  status(name: string): Promise<DomainStatus>;
  /** The domain's live XML (the inactive XML when it is not running). */
  domainXml(name: string): Promise<string>;
  /** Pauses the guest's vCPUs. */
  pause(name: string): Promise<void>;
  /** Resumes a paused guest. */
  resume(name: string): Promise<void>;
  /**
   * Sends one QEMU guest agent command (its JSON) to the guest and returns the agent's JSON answer;
   * fails when the agent does not answer within `timeoutSeconds`. Optional: a port without it
   * reports no agent (agent-poller.ts).
   */
  agentCommand?(name: string, command: string, timeoutSeconds: number): Promise<string>;
  /** Closes the connection; further calls fail. Closing twice is harmless. */
  close(): Promise<void>;
}

/**
 * A hypervisor operation failed. The message names the operation and the domain, then libvirt's
 * own message; the original error is the `cause`.
 */
export class HypervisorError extends KubevirtError {
  /** The operation that failed, e.g. `start` or `define`. */
  readonly operation: string;
  /** The domain's name, when the operation named one. */
  readonly domain: string | undefined;

  constructor(operation: string, domain: string | undefined, detail: string, options?: ErrorOptions) {
    const target = domain === undefined ? '' : ` domain "${domain}"`;
    super(`Could not ${operation}${target}: ${detail}`, options);
    this.operation = operation;
    this.domain = domain;
  }
}

/** The named domain does not exist (never defined, or undefined since). */
export class DomainNotFoundError extends HypervisorError {}

/** libvirt's `virDomainState` numbers. @see https://libvirt.org/html/libvirt-libvirt-domain.html#virDomainState */
export const LibvirtDomainState = {
  NoState: 0,
  Running: 1,
  Blocked: 2,
  Paused: 3,
  Shutdown: 4,
  Shutoff: 5,
  Crashed: 6,
  PMSuspended: 7,
} as const;

/** KubeVirt's reason when the domain does not exist (`ReasonNonExistent`). */
export const NON_EXISTENT: DomainStatus = { state: 'NoState', reason: 'NonExistent' };

const UNKNOWN = 'Unknown';

// Indexed by libvirt's reason number (virDomainShutoffReason, …), named as KubeVirt names them.
const SHUTOFF_REASONS: readonly string[] = [UNKNOWN, 'Shutdown', 'Destroyed', 'Crashed', 'Migrated', 'Saved', 'Failed', 'FromSnapshot'];
const PAUSED_REASONS: readonly string[] = [
  UNKNOWN, 'User', 'Migration', 'Save', 'Dump', 'IOError', 'Watchdog', 'FromSnapshot',
  'ShuttingDown', 'Snapshot', 'Crashed', 'StartingUp', 'Postcopy', 'PostcopyFailed',
];
const SHUTDOWN_REASONS: readonly string[] = [UNKNOWN, 'User'];
const CRASHED_REASONS: readonly string[] = [UNKNOWN, 'Panicked'];

interface StateMapping {
  readonly state: DomainState;
  /** KubeVirt's reason names by libvirt reason number; absent: a fixed reason. */
  readonly reasons?: readonly string[];
  readonly fixedReason?: string;
}

// KubeVirt's ConvState/ConvReason: only Shutoff, Paused, Shutdown and Crashed carry a reason.
const STATES: readonly StateMapping[] = [
  { state: 'NoState', fixedReason: UNKNOWN },
  { state: 'Running', fixedReason: UNKNOWN },
  { state: 'Running', fixedReason: 'Blocked' },
  { state: 'Paused', reasons: PAUSED_REASONS },
  { state: 'Shutdown', reasons: SHUTDOWN_REASONS },
  { state: 'Shutoff', reasons: SHUTOFF_REASONS },
  { state: 'Crashed', reasons: CRASHED_REASONS },
  { state: 'Running', fixedReason: 'PMSuspended' },
];

/**
 * Maps libvirt's state and reason numbers (as `virDomainGetState` or `virsh domstats --state`
 * report them) to the launcher's state and KubeVirt's reason name. Unknown numbers (newer libvirt)
 * map to `NoState` / `Unknown` rather than failing.
 * @see https://github.com/kubevirt/kubevirt/blob/main/pkg/virt-launcher/virtwrap/util/libvirt_helper.go (ConvState, ConvReason)
 */
export function domainStatusFromLibvirt(state: number, reason: number): DomainStatus {
  const mapping = STATES[state];
  if (mapping === undefined) return { state: 'NoState', reason: UNKNOWN };
  const named = mapping.reasons?.[reason];
  return { state: mapping.state, reason: named ?? mapping.fixedReason ?? UNKNOWN };
}

/** Whether two statuses are the same state with the same reason. */
export function sameStatus(a: DomainStatus | undefined, b: DomainStatus | undefined): boolean {
  return a?.state === b?.state && a?.reason === b?.reason;
}

/** Called with each new status; `previous` is undefined for the first one. */
export type DomainChangeListener = (status: DomainStatus, previous: DomainStatus | undefined) => void;

/** Options of {@link watchDomain}. */
export interface WatchDomainOptions {
  /**
   * Time between two polls.
   * @default 500
   */
  readonly intervalMs?: number;
  /**
   * Receives a poll's failure (a {@link HypervisorError}, e.g. when the daemon died). Repeats of
   * the same message are reported once, until a poll succeeds again. Polling goes on; the caller
   * decides when to stop.
   */
  readonly onError: (err: unknown) => void;
}

/** A watcher's memory between polls: the last status and the last error reported. */
interface WatchMemory {
  last: DomainStatus | undefined;
  lastError: string | undefined;
}

async function pollOnce(h: Hypervisor, name: string, memory: WatchMemory): Promise<{ changed?: DomainStatus; previous?: DomainStatus; err?: unknown }> {
  let status: DomainStatus;
  try {
    status = await h.status(name);
  } catch (e: unknown) {
    if (e instanceof DomainNotFoundError) {
      status = NON_EXISTENT;
    } else {
      const message = e instanceof Error ? e.message : String(e);
      const repeated = message === memory.lastError;
      memory.lastError = message;
      return repeated ? {} : { err: e };
    }
  }
  memory.lastError = undefined;
  if (sameStatus(status, memory.last)) return {};
  const previous = memory.last;
  memory.last = status;
  return previous === undefined ? { changed: status } : { changed: status, previous };
}

/**
 * Reports a domain's state changes by polling {@link Hypervisor.status}: libvirt's lifecycle events
 * are not available through the binding. The first poll reports the current status; a domain that
 * disappears is reported as {@link NON_EXISTENT}. Returns a function that stops the watcher; no
 * callback runs after it returned.
 */
export function watchDomain(h: Hypervisor, name: string, onChange: DomainChangeListener, options: WatchDomainOptions): () => void {
  const intervalMs = options.intervalMs ?? 500;
  const memory: WatchMemory = { last: undefined, lastError: undefined };
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const tick = async (): Promise<void> => {
    const result = await pollOnce(h, name, memory);
    if (stopped) return;
    if (result.err !== undefined) options.onError(result.err);
    try {
      if (result.changed !== undefined) onChange(result.changed, result.previous);
    } catch (e: unknown) {
      // A throwing listener must not end the watch; its error goes where poll errors go.
      options.onError(e);
    }
    if (!stopped) timer = setTimeout(() => void tick(), intervalMs);
  };
  timer = setTimeout(() => void tick(), 0);
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}
