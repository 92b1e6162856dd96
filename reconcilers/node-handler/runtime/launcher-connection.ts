/**
 * The node handler's reconnecting connection to one launcher's protocol socket, built on the
 * launcher's one client (launcher/protocol/runtime/client.ts): keeps the latest hello / domain /
 * phase as a {@link LauncherView}, sends commands and awaits their replies, reconnects with backoff,
 * and reports the launcher `gone` once its socket vanished or refuses connections, or its process is
 * dead. Every change of the view calls `onChange` (the reconciler requeues the VMI's key).
 * While a launcher's socket does not exist yet (a launcher still starting), the socket's directory
 * is watched and the connection is tried the moment the socket appears, not at the next backoff.
 */
import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';
import type { DomainStatus, HelloEvent, LauncherCommand, ReplyEvent } from '../../../launcher/protocol/index.js';
import { connectLauncherClient, LauncherConnectionError, type LauncherClient, type StateEvent } from '../../../launcher/protocol/runtime/client.js';
import { isDomainPresent, type LauncherView } from '../phase.js';

/** Options of {@link connectLauncher}. */
export interface ConnectionOptions {
  /** Called after every change of the view. */
  readonly onChange: () => void;
  /** Called with why a line from the launcher at `socketPath` was dropped (not a valid event). */
  readonly onMalformed?: (error: string, socketPath: string) => void;
  /** First and largest reconnect delay. @default 200, 5000 */
  readonly backoffMs?: { readonly min: number; readonly max: number };
  /** A launcher never reached within this long counts as gone. @default 30000 */
  readonly neverSeenGoneMs?: number;
  /** How long a command waits for its reply. @default 10000 */
  readonly replyTimeoutMs?: number;
  /** Whether a process is alive. @default signal 0 */
  readonly isAlive?: (pid: number) => boolean;
}

/** A live client of one launcher socket. */
export interface LauncherConnection {
  readonly socketPath: string;
  /** What is known of the launcher now. */
  view(): LauncherView;
  /** The launcher's `hello`, once received. */
  hello(): HelloEvent | undefined;
  /** Sends a command; resolves with the launcher's reply, rejects when not connected or on timeout. */
  send(command: LauncherCommand['command']): Promise<ReplyEvent>;
  /** Disconnects and stops reconnecting. Idempotent. */
  close(): void;
}

/** Whether a process exists (EPERM: it does, as another user). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The mutable state behind one connection's view. */
class ViewState {
  seen = false;
  gone = false;
  hello: HelloEvent | undefined;
  domain: DomainStatus | undefined;
  lastDomain: DomainStatus | undefined;
  phase: LauncherView['phase'];
  interfaces: LauncherView['interfaces'];
  agent: LauncherView['agent'];

  apply(event: StateEvent): void {
    if (event.type === 'hello') {
      this.hello = event;
    } else if (event.type === 'synced') {
      this.seen = true;
    } else if (event.type === 'domain') {
      this.domain = { state: event.state, reason: event.reason };
      if (isDomainPresent(this.domain)) this.lastDomain = this.domain;
    } else if (event.type === 'network') {
      this.interfaces = event.interfaces;
    } else if (event.type === 'agent') {
      const { type: _type, time: _time, ...facts } = event;
      this.agent = facts;
    } else {
      this.phase = { phase: event.phase, ...(event.reason === undefined ? {} : { reason: event.reason }), ...(event.message === undefined ? {} : { message: event.message }) };
    }
  }

  snapshot(): LauncherView {
    return {
      seen: this.seen,
      gone: this.gone,
      ...(this.domain === undefined ? {} : { domain: this.domain }),
      ...(this.lastDomain === undefined ? {} : { lastDomain: this.lastDomain }),
      ...(this.phase === undefined ? {} : { phase: this.phase }),
      ...(this.hello === undefined ? {} : { hypervisor: this.hello.hypervisor }),
      ...(this.interfaces === undefined ? {} : { interfaces: this.interfaces }),
      ...(this.agent === undefined ? {} : { agent: this.agent }),
    };
  }
}

/** Connects to a launcher's protocol socket and keeps connected until closed or the launcher is gone. */
export function connectLauncher(socketPath: string, options: ConnectionOptions): LauncherConnection {
  const { min, max } = options.backoffMs ?? { min: 200, max: 5_000 };
  const isAlive = options.isAlive ?? processAlive;
  const state = new ViewState();
  const startedAt = Date.now();
  let client: LauncherClient | undefined;
  let closed = false;
  let delay = min;
  let timer: NodeJS.Timeout | undefined;
  let opening = false;
  let watcher: FSWatcher | undefined;

  const stopWatching = (): void => {
    watcher?.close();
    watcher = undefined;
  };

  // The socket appeared: try now instead of when the backoff timer fires.
  const socketAppeared = (): void => {
    if (closed || opening || client !== undefined || timer === undefined) return;
    clearTimeout(timer);
    timer = undefined;
    void open();
  };

  const watchForSocket = (): void => {
    if (watcher !== undefined) return;
    try {
      watcher = watch(dirname(socketPath), (_event, name) => {
        if (name === basename(socketPath)) socketAppeared();
      });
      watcher.on('error', stopWatching);
    } catch {
      // No directory yet (the launcher's pod is not started): the backoff timer tries again.
    }
  };

  const markGone = (): void => {
    if (state.gone) return;
    state.gone = true;
    stopWatching();
    options.onChange();
  };

  const deadOrVanished = (code: string | undefined): boolean => {
    const pid = state.hello?.pid;
    if (pid !== undefined && !isAlive(pid)) return true;
    if (code !== 'ENOENT' && code !== 'ECONNREFUSED') return false;
    return state.seen || Date.now() - startedAt >= (options.neverSeenGoneMs ?? 30_000);
  };

  const retry = (code: string | undefined): void => {
    client = undefined;
    if (closed || state.gone) return;
    if (deadOrVanished(code)) {
      markGone();
      return;
    }
    if (code === 'ENOENT' && !state.seen) watchForSocket();
    timer = setTimeout(() => {
      timer = undefined;
      void open();
    }, delay);
    delay = Math.min(max, delay * 2);
  };

  async function open(): Promise<void> {
    if (closed) return;
    let opened: LauncherClient;
    opening = true;
    try {
      opened = await connectLauncherClient(socketPath, {
        onEvent: (event) => { state.apply(event); options.onChange(); },
        onMalformed: (error) => options.onMalformed?.(error, socketPath),
        ...(options.replyTimeoutMs === undefined ? {} : { replyTimeoutMs: options.replyTimeoutMs }),
      });
    } catch (e) {
      opening = false;
      retry(e instanceof LauncherConnectionError ? e.code : undefined);
      return;
    }
    opening = false;
    if (closed) {
      opened.close();
      return;
    }
    stopWatching();
    client = opened;
    delay = min;
    // A connection that ended without a socket error was closed by the launcher's side.
    retry((await opened.ended) ?? 'ECLOSED');
  }

  void open();
  return {
    socketPath,
    view: () => state.snapshot(),
    hello: () => state.hello,
    send(command) {
      return client === undefined ? Promise.reject(new Error(`not connected to the launcher at ${socketPath}`)) : client.send(command);
    },
    close() {
      if (closed) return;
      closed = true;
      if (timer !== undefined) clearTimeout(timer);
      stopWatching();
      client?.close();
    },
  };
}
