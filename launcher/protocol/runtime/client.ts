/**
 * The one client of a launcher's protocol socket (launcher/protocol/): connects, hands every event
 * that passes the protocol's parser to its owner (malformed lines are reported, never acted on),
 * sends commands with fresh ids and resolves each with its reply, or rejects it when no reply comes
 * in time or the connection ends first. It does not reconnect: the node handler's connection
 * (reconcilers/node-handler/runtime/launcher-connection.ts) builds that on top.
 */
import { randomUUID } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { KubevirtError } from '../../../core/errors.js';
import { createLineFramer, encodeLine, type LineFramer } from '../../../core/ndjson.js';
import { MAX_LINE_LENGTH, parseLauncherEvent, type LauncherCommand, type LauncherEvent, type ReplyEvent } from '../index.js';

/** The events a client's owner sees: everything but replies, which resolve their commands. */
export type StateEvent = Exclude<LauncherEvent, ReplyEvent>;

/** Options of {@link connectLauncherClient}. */
export interface LauncherClientOptions {
  /** Every valid event but replies, in the order sent (the replay first). */
  readonly onEvent: (event: StateEvent) => void;
  /** A line that is not a valid event, with why (it is dropped; a launcher speaking another protocol shows here). */
  readonly onMalformed?: (error: string) => void;
  /** How long a command waits for its reply. @default 10000 */
  readonly replyTimeoutMs?: number;
}

/** A connected client of one launcher socket. */
export interface LauncherClient {
  readonly socketPath: string;
  /**
   * Sends a command and resolves with the launcher's reply (which may say `ok: false`); rejects with
   * a {@link LauncherConnectionError} when there is no answer in time or the connection ends first.
   */
  send(command: LauncherCommand['command']): Promise<ReplyEvent>;
  /** Disconnects; pending commands fail. Idempotent. */
  close(): void;
  /** Resolves when the connection is over, with the socket error code that ended it, if any. */
  readonly ended: Promise<string | undefined>;
}

/** A launcher that could not be reached or did not answer; `code` is the socket error's (ENOENT, ECONNREFUSED, …). */
export class LauncherConnectionError extends KubevirtError {
  readonly code: string | undefined;

  constructor(message: string, options?: ErrorOptions & { readonly code?: string }) {
    super(message, options);
    this.code = options?.code;
  }
}

interface Pending {
  readonly command: LauncherCommand['command'];
  readonly resolve: (reply: ReplyEvent) => void;
  readonly reject: (error: LauncherConnectionError) => void;
  readonly timer: NodeJS.Timeout;
}

class Client implements LauncherClient {
  private readonly pending = new Map<string, Pending>();
  private readonly framer: LineFramer = createLineFramer(MAX_LINE_LENGTH);
  private over: string | undefined;
  readonly ended: Promise<string | undefined>;

  constructor(readonly socketPath: string, private readonly socket: Socket, private readonly options: LauncherClientOptions) {
    let lastCode: string | undefined;
    socket.setEncoding('utf8');
    socket.on('data', (text: string) => this.onData(text));
    socket.on('error', (e: NodeJS.ErrnoException) => { lastCode = e.code; });
    this.ended = new Promise((done) => socket.once('close', () => {
      this.failAll(`the connection to the launcher at ${socketPath} closed`);
      done(lastCode);
    }));
  }

  send(command: LauncherCommand['command']): Promise<ReplyEvent> {
    if (this.over !== undefined || this.socket.destroyed) return Promise.reject(new LauncherConnectionError(`not connected to the launcher at ${this.socketPath}`));
    const id = randomUUID();
    const ms = this.options.replyTimeoutMs ?? 10_000;
    return new Promise<ReplyEvent>((resolve, reject) => {
      const timer = setTimeout(() => this.fail(id, `no reply to ${command} from the launcher at ${this.socketPath} within ${ms / 1000} s`), ms);
      this.pending.set(id, { command, resolve, reject, timer });
      this.socket.write(encodeLine({ id, command } satisfies LauncherCommand));
    });
  }

  close(): void {
    this.failAll(`the connection to the launcher at ${this.socketPath} was closed`);
    this.socket.destroy();
  }

  private onData(text: string): void {
    const { lines, tooLong } = this.framer.push(text);
    for (const line of lines) this.onLine(line);
    if (!tooLong) return;
    this.options.onMalformed?.(`launcher event: a line longer than ${MAX_LINE_LENGTH} characters; closing the connection`);
    this.socket.destroy();
  }

  private onLine(line: string): void {
    const parsed = parseLauncherEvent(line);
    if (!parsed.ok) {
      this.options.onMalformed?.(parsed.error);
      // A reply we cannot read still tells its command that no valid answer will come.
      if (parsed.id !== undefined) this.fail(parsed.id, `the launcher at ${this.socketPath} sent a malformed reply: ${parsed.error}`);
      return;
    }
    const event = parsed.message;
    if (event.type !== 'reply') {
      this.options.onEvent(event);
      return;
    }
    const p = this.pending.get(event.id);
    if (p === undefined) return;
    this.pending.delete(event.id);
    clearTimeout(p.timer);
    p.resolve(event);
  }

  private fail(id: string, why: string): void {
    const p = this.pending.get(id);
    if (p === undefined) return;
    this.pending.delete(id);
    clearTimeout(p.timer);
    p.reject(new LauncherConnectionError(why));
  }

  private failAll(why: string): void {
    this.over ??= why;
    for (const id of [...this.pending.keys()]) this.fail(id, why);
  }
}

/**
 * Connects to the launcher socket at `socketPath`; rejects with a {@link LauncherConnectionError}
 * carrying the socket error's code when nothing answers there. Events flow to `onEvent` from the
 * first byte, so the replay is never missed.
 */
export function connectLauncherClient(socketPath: string, options: LauncherClientOptions): Promise<LauncherClient> {
  return new Promise((resolve, reject) => {
    const socket = connect(socketPath);
    const client = new Client(socketPath, socket, options);
    const refused = (e: NodeJS.ErrnoException): void => {
      socket.destroy();
      reject(new LauncherConnectionError(`cannot connect to the launcher at ${socketPath}: ${e.code ?? e.message}`, { cause: e, ...(e.code === undefined ? {} : { code: e.code }) }));
    };
    socket.once('error', refused);
    socket.once('connect', () => {
      socket.off('error', refused);
      resolve(client);
    });
  });
}
