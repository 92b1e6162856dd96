/**
 * The serial console, shared. QEMU's unix-socket chardev serves one client at a time, so the
 * launcher is that client and fans the bytes out: to any number of `kvt console` clients on its own
 * socket (each first gets the recent history), and to in-process listeners (the launcher's stdout).
 * Input from every client goes to the guest.
 * @see https://libvirt.org/formatdomain.html#serial-port
 */
import { chmod, rm } from 'node:fs/promises';
import { connect, createServer, type Server, type Socket } from 'node:net';

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
}

/** A running console fan-out. */
export interface ConsoleProxy {
  readonly listenPath: string;
  /** Everything the guest printed so far that is still in the history window. */
  history(): Buffer;
  /** Calls `listener` with every chunk the guest prints from now on; returns an unsubscribe. */
  onOutput(listener: (chunk: Buffer) => void): () => void;
  /** Resolves when QEMU's side closed (the guest is gone). */
  readonly ended: Promise<void>;
  /** Disconnects everyone and removes the listening socket. Idempotent. */
  close(): Promise<void>;
}

const sleep = (ms: number): Promise<void> => new Promise((done) => setTimeout(done, ms));

async function connectWithRetry(path: string, timeoutMs: number): Promise<Socket> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    const socket = await new Promise<Socket | undefined>((done) => {
      const s = connect(path);
      s.once('connect', () => done(s));
      s.once('error', (e) => { last = e; s.destroy(); done(undefined); });
    });
    if (socket !== undefined) return socket;
    await sleep(20);
  }
  throw new Error(`Could not connect to the serial console at ${path} within ${timeoutMs} ms: ${last instanceof Error ? last.message : 'no answer'}`, { cause: last });
}

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

/** Connects to QEMU's serial socket and starts serving it on `listenPath` (mode 0600). */
export async function startConsoleProxy(opts: ConsoleProxyOptions): Promise<ConsoleProxy> {
  const serial = await connectWithRetry(opts.serialSocket, opts.connectTimeoutMs ?? 10_000);
  const history = new History(opts.historyBytes ?? 65_536);
  const listeners = new Set<(chunk: Buffer) => void>();
  const clients = new Set<Socket>();
  const ended = new Promise<void>((done) => serial.once('close', () => done()));
  serial.on('error', () => serial.destroy());
  serial.on('data', (chunk: Buffer) => {
    history.push(chunk);
    for (const c of clients) c.write(chunk);
    for (const l of listeners) l(chunk);
  });
  const server = createServer((client) => {
    clients.add(client);
    client.write(history.all());
    client.on('data', (input: Buffer) => { if (!serial.destroyed) serial.write(input); });
    client.on('error', () => client.destroy());
    client.once('close', () => clients.delete(client));
  });
  await rm(opts.listenPath, { force: true });
  await listen(server, opts.listenPath);
  await chmod(opts.listenPath, 0o600);
  void ended.then(() => { for (const c of clients) c.end(); });
  let closing: Promise<void> | undefined;
  return {
    listenPath: opts.listenPath,
    history: () => history.all(),
    onOutput: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    ended,
    close: () => (closing ??= (async () => {
      serial.destroy();
      for (const c of clients) c.destroy();
      await new Promise<void>((done) => server.close(() => done()));
      await rm(opts.listenPath, { force: true });
    })()),
  };
}
