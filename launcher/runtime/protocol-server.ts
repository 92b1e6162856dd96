/**
 * The launcher's end of the handler ↔ launcher protocol (launcher/protocol.ts): a unix socket that
 * broadcasts events as newline-delimited JSON and takes commands. Every client first gets the
 * replay: `hello`, the latest phase and domain events, then `synced`. A malformed line gets an
 * error reply; it never brings the launcher down.
 */
import { chmod, rm } from 'node:fs/promises';
import { createServer, type Socket } from 'node:net';
import type { DomainEvent, HelloEvent, LauncherCommand, LauncherEvent, PhaseEvent, ReplyEvent, SyncedEvent } from '../protocol/index.js';

/** Runs one command; a rejection becomes an error reply. */
export type CommandHandler = (command: LauncherCommand['command']) => Promise<void>;

/** A listening protocol socket. */
export interface ProtocolServer {
  readonly path: string;
  /** Sends an event to every client and remembers the latest phase and domain events. */
  publish(event: DomainEvent | PhaseEvent): void;
  /** Replaces the hello (sent to every client now and to each new one), and the command handler. */
  takeOver(hello: HelloEvent, handle: CommandHandler): void;
  /** Stops listening and disconnects every client (after flushing). Idempotent. */
  close(): Promise<void>;
}

const COMMANDS: ReadonlySet<string> = new Set(['shutdown', 'destroy', 'pause', 'resume']);
const MAX_LINE_BYTES = 64 * 1024;
const SYNCED: SyncedEvent = { type: 'synced' };

/** Parses one command line; a string is the reason it is refused. */
export function parseCommand(line: string): LauncherCommand | string {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return 'not a JSON object';
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'not a JSON object';
  const { id, command } = value as { id?: unknown; command?: unknown };
  if (typeof id !== 'string' || id === '') return 'missing "id" (a non-empty string)';
  if (typeof command !== 'string' || !COMMANDS.has(command)) return `unknown command ${JSON.stringify(command)}; one of ${[...COMMANDS].join(', ')}`;
  return { id, command: command as LauncherCommand['command'] };
}

function send(socket: Socket, event: LauncherEvent): void {
  if (!socket.destroyed) socket.write(`${JSON.stringify(event)}\n`);
}

function idOf(line: string): string {
  try {
    const { id } = JSON.parse(line) as { id?: unknown };
    return typeof id === 'string' ? id : '';
  } catch {
    return '';
  }
}

/** Serves the protocol on `path` (mode 0600). */
export async function startProtocolServer(path: string, firstHello: HelloEvent, firstHandle: CommandHandler): Promise<ProtocolServer> {
  let hello = firstHello;
  let handle = firstHandle;
  const clients = new Set<Socket>();
  let lastPhase: PhaseEvent | undefined;
  let lastDomain: DomainEvent | undefined;

  const onLine = async (socket: Socket, line: string): Promise<void> => {
    if (line.trim() === '') return;
    const parsed = parseCommand(line);
    if (typeof parsed === 'string') {
      send(socket, { type: 'reply', id: idOf(line), ok: false, error: parsed });
      return;
    }
    const reply: ReplyEvent = await handle(parsed.command).then(
      () => ({ type: 'reply', id: parsed.id, ok: true }),
      (e: unknown) => ({ type: 'reply', id: parsed.id, ok: false, error: e instanceof Error ? e.message : String(e) }),
    );
    send(socket, reply);
  };

  const server = createServer((socket) => {
    clients.add(socket);
    for (const e of [hello, lastPhase, lastDomain, SYNCED]) if (e !== undefined) send(socket, e);
    let buffered = '';
    socket.setEncoding('utf8');
    socket.on('data', (text: string) => {
      buffered += text;
      if (buffered.length > MAX_LINE_BYTES) {
        send(socket, { type: 'reply', id: '', ok: false, error: `line longer than ${MAX_LINE_BYTES} bytes` });
        socket.destroy();
        return;
      }
      let nl: number;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        void onLine(socket, line);
      }
    });
    socket.on('error', () => socket.destroy());
    socket.once('close', () => clients.delete(socket));
  });

  await rm(path, { force: true });
  await new Promise<void>((done, fail) => {
    server.once('error', fail);
    server.listen(path, () => { server.off('error', fail); done(); });
  });
  await chmod(path, 0o600);

  let closing: Promise<void> | undefined;
  return {
    path,
    takeOver(next, nextHandle) {
      hello = next;
      handle = nextHandle;
      for (const c of clients) send(c, next);
    },
    publish(event) {
      if (event.type === 'phase') lastPhase = event;
      else lastDomain = event;
      for (const c of clients) send(c, event);
    },
    close: () => (closing ??= (async () => {
      for (const c of clients) c.end();
      await new Promise<void>((done) => server.close(() => done()));
      await rm(path, { force: true });
    })()),
  };
}
