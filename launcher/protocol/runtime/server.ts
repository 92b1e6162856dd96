/**
 * The launcher's end of the handler ↔ launcher protocol (launcher/protocol/): a unix socket that
 * broadcasts events as newline-delimited JSON and takes commands. Every client first gets the
 * replay: `hello`, the latest phase, domain, network and agent events, then `synced`. A malformed line gets an
 * error reply naming what is wrong; a line over the limit gets one and the connection is closed;
 * neither brings the launcher down.
 */
import { chmod, rm } from 'node:fs/promises';
import { createServer, type Socket } from 'node:net';
import { createLineFramer, encodeLine } from '../../../core/ndjson.js';
import {
  MAX_LINE_LENGTH, parseLauncherCommand,
  type AgentEvent, type DomainEvent, type HelloEvent, type LauncherCommand, type LauncherEvent, type NetworkEvent, type PhaseEvent, type ReplyEvent, type SyncedEvent,
} from '../index.js';

/** Runs one command; a rejection becomes an error reply. */
export type CommandHandler = (command: LauncherCommand['command']) => Promise<void>;

/** A listening protocol socket. */
export interface ProtocolServer {
  readonly path: string;
  /** Sends an event to every client and remembers the latest phase, domain, network and agent events. */
  publish(event: DomainEvent | PhaseEvent | NetworkEvent | AgentEvent): void;
  /** Replaces the hello (sent to every client now and to each new one), and the command handler. */
  takeOver(hello: HelloEvent, handle: CommandHandler): void;
  /** Stops listening and disconnects every client (after flushing). Idempotent. */
  close(): Promise<void>;
}

const SYNCED: SyncedEvent = { type: 'synced' };

function send(socket: Socket, event: LauncherEvent): void {
  if (!socket.destroyed) socket.write(encodeLine(event));
}

async function answer(line: string, handle: CommandHandler): Promise<ReplyEvent> {
  const parsed = parseLauncherCommand(line);
  if (!parsed.ok) return { type: 'reply', id: parsed.id ?? '', ok: false, error: parsed.error };
  const { id, command } = parsed.message;
  return handle(command).then(
    (): ReplyEvent => ({ type: 'reply', id, ok: true }),
    (e: unknown): ReplyEvent => ({ type: 'reply', id, ok: false, error: e instanceof Error ? e.message : String(e) }),
  );
}

/** Serves the protocol on `path` (mode 0600). */
export async function startProtocolServer(path: string, firstHello: HelloEvent, firstHandle: CommandHandler): Promise<ProtocolServer> {
  let hello = firstHello;
  let handle = firstHandle;
  const clients = new Set<Socket>();
  let lastPhase: PhaseEvent | undefined;
  let lastDomain: DomainEvent | undefined;
  let lastNetwork: NetworkEvent | undefined;
  let lastAgent: AgentEvent | undefined;

  const server = createServer((socket) => {
    clients.add(socket);
    for (const e of [hello, lastPhase, lastDomain, lastNetwork, lastAgent, SYNCED]) if (e !== undefined) send(socket, e);
    const framer = createLineFramer(MAX_LINE_LENGTH);
    socket.setEncoding('utf8');
    let cut = false;
    socket.on('data', (text: string) => {
      const { lines, tooLong } = framer.push(text);
      for (const line of lines) void answer(line, handle).then((reply) => send(socket, reply));
      if (!tooLong || cut) return;
      cut = true;
      send(socket, { type: 'reply', id: '', ok: false, error: `launcher command: a line longer than ${MAX_LINE_LENGTH} characters; closing the connection` });
      socket.end();
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
      else if (event.type === 'network') lastNetwork = event;
      else if (event.type === 'agent') lastAgent = event;
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
