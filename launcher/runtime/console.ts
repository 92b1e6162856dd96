/**
 * The serial console, shared. QEMU's unix-socket chardev serves one client at a time, so the
 * launcher is that client and fans the bytes out: to any number of `kvt console` clients on its own
 * socket (each first gets the recent history), and to in-process listeners (the launcher's stdout).
 * Input from every client goes to the guest.
 *
 * The guest is never slowed by its console. When nobody reads QEMU's socket, QEMU's emulated UART
 * waits, and the guest's serial driver times out and resends or drops characters (a kernel's boot
 * burst came out garbled on a loaded machine). So the socket is read by a worker thread of its own,
 * which keeps reading while the launcher's event loop is busy, and hands each chunk over in order.
 * A client that stops reading is dropped: one with more than {@link CLIENT_STALL.bytes} waiting that
 * took none of it for {@link CLIENT_STALL.ms}, and any with {@link MAX_CLIENT_BACKLOG} waiting, so
 * it never holds the others back nor grows the launcher's memory without bound.
 * @see https://libvirt.org/formatdomain.html#serial-port
 */
import { chmod, rm } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { Worker } from 'node:worker_threads';

/** Options of {@link startConsoleProxy}. */
export interface ConsoleProxyOptions {
  /** QEMU's serial socket (the domain's `<serial type="unix">` source). */
  readonly serialSocket: string;
  /** Where clients connect. */
  readonly listenPath: string;
  /** How long to wait for QEMU's socket to accept. @default 10000 */
  readonly connectTimeoutMs?: number;
  /** Bytes of recent output replayed to a new client. @default 65536 */
  readonly historyBytes?: number;
  /** When a client counts as stalled (and is dropped). @default {@link CLIENT_STALL} */
  readonly clientStall?: { readonly bytes: number; readonly ms: number };
}

/** A running console fan-out. */
export interface ConsoleProxy {
  readonly listenPath: string;
  /** Everything the guest printed so far that is still in the history window. */
  history(): Buffer;
  /** Calls `listener` with every chunk the guest prints from now on; returns an unsubscribe. */
  onOutput(listener: (chunk: Buffer) => void): () => void;
  /** How many clients are connected (a stalled one stops counting once it is dropped). */
  clientCount(): number;
  /** Resolves when QEMU's side closed (the guest is gone). */
  readonly ended: Promise<void>;
  /** Disconnects everyone and removes the listening socket. Idempotent. */
  close(): Promise<void>;
}

/** The most bytes one client may have waiting: past it, it is dropped however it reads. */
export const MAX_CLIENT_BACKLOG = 64 * 1024 * 1024;
/** A client with more than `bytes` waiting that took nothing for `ms` has stopped reading. */
export const CLIENT_STALL = { bytes: 1024 * 1024, ms: 5_000 } as const;

/** What the reader thread tells the launcher. */
type FromReader = { readonly type: 'connected' } | { readonly type: 'data'; readonly chunk: Uint8Array } | { readonly type: 'end' } | { readonly type: 'error'; readonly message: string };

/**
 * The reader thread, as source (it must run without the TypeScript loader): connects to QEMU's
 * socket with retries, posts every chunk it reads at once, writes the input it is sent.
 */
const READER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { connect } = require('node:net');
const { path, timeoutMs } = workerData;
const deadline = Date.now() + timeoutMs;
let serial;
function attempt() {
  const s = connect(path);
  s.once('error', (e) => {
    s.destroy();
    if (Date.now() < deadline) setTimeout(attempt, 20);
    else parentPort.postMessage({ type: 'error', message: 'Could not connect to the serial console at ' + path + ' within ' + timeoutMs + ' ms: ' + e.message });
  });
  s.once('connect', () => {
    serial = s;
    s.removeAllListeners('error');
    s.on('error', () => s.destroy());
    s.on('data', (chunk) => {
      const copy = new Uint8Array(chunk);
      parentPort.postMessage({ type: 'data', chunk: copy }, [copy.buffer]);
    });
    s.once('close', () => parentPort.postMessage({ type: 'end' }));
    parentPort.postMessage({ type: 'connected' });
  });
}
parentPort.on('message', (m) => {
  if (m.type === 'input' && serial && !serial.destroyed) serial.write(m.bytes);
  if (m.type === 'close') { if (serial) serial.destroy(); parentPort.close(); }
});
attempt();
`;

class History {
  private chunks: Buffer[] = [];
  private size = 0;

  constructor(private readonly limit: number) {}

  push(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.size += chunk.length;
    while (this.size > this.limit && this.chunks.length > 1) this.size -= this.chunks.shift()?.length ?? 0;
  }

  all(): Buffer {
    const whole = Buffer.concat(this.chunks);
    return whole.length > this.limit ? whole.subarray(whole.length - this.limit) : whole;
  }
}

function listen(server: Server, path: string): Promise<void> {
  return new Promise((done, fail) => {
    server.once('error', fail);
    server.listen(path, () => {
      server.off('error', fail);
      done();
    });
  });
}

/** Starts the reader thread; resolves once it is connected to QEMU's socket. */
function startReader(opts: ConsoleProxyOptions, onMessage: (m: FromReader) => void): Promise<Worker> {
  const reader = new Worker(READER_SOURCE, { eval: true, workerData: { path: opts.serialSocket, timeoutMs: opts.connectTimeoutMs ?? 10_000 } });
  reader.unref();
  return new Promise((done, fail) => {
    reader.on('message', (m: FromReader) => {
      if (m.type === 'connected') done(reader);
      else if (m.type === 'error') {
        fail(new Error(m.message));
        void reader.terminate();
      } else onMessage(m);
    });
    reader.once('error', fail);
  });
}

/** Connects to QEMU's serial socket and starts serving it on `listenPath` (mode 0600). */
export async function startConsoleProxy(opts: ConsoleProxyOptions): Promise<ConsoleProxy> {
  const history = new History(opts.historyBytes ?? 65_536);
  const stall = opts.clientStall ?? CLIENT_STALL;
  const listeners = new Set<(chunk: Buffer) => void>();
  /** Each client, with its waiting bytes at the last check and the bytes sent since. */
  const clients = new Map<Socket, { waiting: number; sent: number }>();
  let end = (): void => undefined;
  const ended = new Promise<void>((done) => (end = done));
  const send = (client: Socket, bytes: Buffer): void => {
    const seen = clients.get(client);
    if (seen === undefined) return;
    // A client this far behind would hold the guest's output in memory without end: it is dropped.
    if (client.writableLength + bytes.length > MAX_CLIENT_BACKLOG) return void client.destroy();
    seen.sent += bytes.length;
    client.write(bytes);
  };
  // Every stall period: a client that took none of what waited for it, with much waiting, is dropped.
  const checks = setInterval(() => {
    for (const [client, seen] of clients) {
      const waiting = client.writableLength;
      const taken = seen.waiting + seen.sent - waiting;
      if (waiting > stall.bytes && taken <= 0) client.destroy();
      clients.set(client, { waiting, sent: 0 });
    }
  }, stall.ms);
  checks.unref();
  const reader = await startReader(opts, (m) => {
    if (m.type === 'end') return end();
    if (m.type !== 'data') return undefined;
    const chunk = Buffer.from(m.chunk.buffer, m.chunk.byteOffset, m.chunk.byteLength);
    history.push(chunk);
    for (const c of clients.keys()) send(c, chunk);
    for (const l of listeners) l(chunk);
    return undefined;
  });
  // A reader that stops (it failed) ends the console as QEMU's close does.
  reader.once('exit', () => end());
  const server = createServer((client) => {
    clients.set(client, { waiting: 0, sent: 0 });
    send(client, history.all());
    client.on('data', (input: Buffer) => reader.postMessage({ type: 'input', bytes: new Uint8Array(input) }));
    client.on('error', () => client.destroy());
    client.once('close', () => clients.delete(client));
  });
  await rm(opts.listenPath, { force: true });
  await listen(server, opts.listenPath);
  await chmod(opts.listenPath, 0o600);
  void ended.then(() => { for (const c of clients.keys()) c.end(); });
  let closing: Promise<void> | undefined;
  return {
    listenPath: opts.listenPath,
    history: () => history.all(),
    clientCount: () => clients.size,
    onOutput: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    ended,
    close: () => (closing ??= (async () => {
      clearInterval(checks);
      reader.postMessage({ type: 'close' });
      await reader.terminate();
      end();
      for (const c of clients.keys()) c.destroy();
      await new Promise<void>((done) => server.close(() => done()));
      await rm(opts.listenPath, { force: true });
    })()),
  };
}
