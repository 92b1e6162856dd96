/**
 * The node handler's client of one launcher's protocol socket (launcher/protocol.ts): connects,
 * reads newline-delimited JSON events, keeps the latest hello / domain / phase as a
 * {@link LauncherView}, sends commands with ids and awaits their replies, reconnects with backoff,
 * and reports the launcher `gone` once its socket vanished or refuses connections, or its process is
 * dead. Every change of the view calls `onChange` (the reconciler requeues the VMI's key).
 */
import { randomUUID } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import type { DomainStatus, HelloEvent, LauncherCommand, LauncherEvent, ReplyEvent } from '../../../launcher/protocol/index.js';
import { isDomainPresent, type LauncherView } from '../phase.js';

/** Options of {@link connectLauncher}. */
export interface ConnectionOptions {
  /** Called after every change of the view. */
  readonly onChange: () => void;
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

/** Parses one event line; undefined for a malformed one. */
export function parseEvent(line: string): LauncherEvent | undefined {
  try {
    const value = JSON.parse(line) as { type?: unknown };
    const known = value !== null && typeof value === 'object' && ['hello', 'domain', 'phase', 'synced', 'reply'].includes(String(value.type));
    return known ? (value as LauncherEvent) : undefined;
  } catch {
    return undefined;
  }
}

interface Pending {
  readonly resolve: (reply: ReplyEvent) => void;
  readonly reject: (error: Error) => void;
  readonly timer: NodeJS.Timeout;
}

/** The mutable state behind one connection's view. */
class ViewState {
  seen = false;
  gone = false;
  hello: HelloEvent | undefined;
  domain: DomainStatus | undefined;
  lastDomain: DomainStatus | undefined;
  phase: LauncherView['phase'];

  apply(event: LauncherEvent): void {
    if (event.type === 'hello') {
      this.hello = event;
    } else if (event.type === 'synced') {
      this.seen = true;
    } else if (event.type === 'domain') {
      this.domain = { state: event.state, reason: event.reason };
      if (isDomainPresent(this.domain)) this.lastDomain = this.domain;
    } else if (event.type === 'phase') {
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
    };
  }
}

/** Connects to a launcher's protocol socket and keeps connected until closed or the launcher is gone. */
export function connectLauncher(socketPath: string, options: ConnectionOptions): LauncherConnection {
  const { min, max } = options.backoffMs ?? { min: 200, max: 5_000 };
  const isAlive = options.isAlive ?? processAlive;
  const state = new ViewState();
  const pending = new Map<string, Pending>();
  const startedAt = Date.now();
  let socket: Socket | undefined;
  let connected = false;
  let closed = false;
  let delay = min;
  let timer: NodeJS.Timeout | undefined;

  const failPending = (why: string): void => {
    for (const [id, p] of pending) {
      clearTimeout(p.timer);
      p.reject(new Error(why));
      pending.delete(id);
    }
  };

  const markGone = (): void => {
    if (state.gone) return;
    state.gone = true;
    failPending('the launcher is gone');
    options.onChange();
  };

  const onEvent = (event: LauncherEvent): void => {
    if (event.type === 'reply') {
      const p = pending.get(event.id);
      if (p !== undefined) {
        pending.delete(event.id);
        clearTimeout(p.timer);
        p.resolve(event);
      }
      return;
    }
    state.apply(event);
    options.onChange();
  };

  const deadOrVanished = (code: string | undefined): boolean => {
    const pid = state.hello?.pid;
    if (pid !== undefined && !isAlive(pid)) return true;
    if (code !== 'ENOENT' && code !== 'ECONNREFUSED') return false;
    return state.seen || Date.now() - startedAt >= (options.neverSeenGoneMs ?? 30_000);
  };

  const retry = (code: string | undefined): void => {
    connected = false;
    socket = undefined;
    failPending('the launcher connection closed');
    if (closed || state.gone) return;
    if (deadOrVanished(code)) {
      markGone();
      return;
    }
    timer = setTimeout(open, delay);
    delay = Math.min(max, delay * 2);
  };

  function open(): void {
    if (closed) return;
    const s = connect(socketPath);
    socket = s;
    let buffered = '';
    let lastCode: string | undefined;
    s.setEncoding('utf8');
    s.on('connect', () => { connected = true; delay = min; });
    s.on('data', (text: string) => {
      buffered += text;
      let nl: number;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const event = parseEvent(buffered.slice(0, nl));
        buffered = buffered.slice(nl + 1);
        if (event !== undefined) onEvent(event);
      }
    });
    s.on('error', (e: NodeJS.ErrnoException) => { lastCode = e.code; });
    s.once('close', () => retry(lastCode ?? (connected ? 'ECLOSED' : undefined)));
  }

  open();
  return {
    socketPath,
    view: () => state.snapshot(),
    hello: () => state.hello,
    send(command) {
      const s = socket;
      if (s === undefined || !connected) return Promise.reject(new Error(`not connected to the launcher at ${socketPath}`));
      const id = randomUUID();
      return new Promise<ReplyEvent>((resolve, reject) => {
        const t = setTimeout(() => { pending.delete(id); reject(new Error(`no reply to ${command} within the timeout`)); }, options.replyTimeoutMs ?? 10_000);
        pending.set(id, { resolve, reject, timer: t });
        s.write(`${JSON.stringify({ id, command })}\n`);
      });
    },
    close() {
      if (closed) return;
      closed = true;
      if (timer !== undefined) clearTimeout(timer);
      failPending('the connection was closed');
      socket?.destroy();
    },
  };
}
