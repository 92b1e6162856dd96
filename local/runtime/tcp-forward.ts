/**
 * TCP forwarding from this host to an address on the pod network: a listener whose every connection
 * is joined (core/streams.ts joinStreams) to a fresh connection to the target, and the one-shot form
 * over a process's stdin/stdout (`kvt port-forward --stdio`, ssh's ProxyCommand). `kvt port-forward`
 * and the local mode's Service ports use it; through a cluster the far side is a portforward
 * websocket instead of a TCP connection ({@link listenForwardTo}, {@link forwardStdioTo}). Open connections are bounded and ended with the listener.
 */
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { Duplex, type Readable, type Writable } from 'node:stream';
import { joinStreams } from '../../core/streams.js';

/** Where a forwarder sends its connections: resolved for each one (a pod's IP can change). */
export type ForwardDestination = () => Promise<{ readonly host: string; readonly port: number }>;

/** Opens the far side of one forwarded connection (a TCP connection, a websocket stream). */
export type ForwardOpener = () => Promise<Duplex>;

/** A listening forwarder: its bound address and port, and how to stop it. */
export interface TcpForwarder {
  readonly address: string;
  readonly port: number;
  close(): Promise<void>;
}

/** At most this many connections at once per forwarder; more are refused (closed at once). */
export const MAX_FORWARDED_CONNECTIONS = 256;

/**
 * Listens on `address:port` (0: a free port) and joins each connection to `destination()`. A
 * connection whose destination cannot be resolved or reached is closed; `onError` hears why.
 */
export function listenForward(address: string, port: number, destination: ForwardDestination, onError: (e: Error) => void = () => undefined): Promise<TcpForwarder> {
  return listenForwardTo(address, port, async () => {
    const to = await destination();
    const upstream = createConnection({ host: to.host, port: to.port });
    upstream.once('error', (e) => onError(e));
    return upstream;
  }, onError);
}

/**
 * Listens on `address:port` (0: a free port) and joins each connection to a stream `open()` makes
 * for it (one far side per connection; nothing is read from the client before it is there). A
 * connection whose far side cannot be opened is closed; `onError` hears why.
 */
export async function listenForwardTo(address: string, port: number, open: ForwardOpener, onError: (e: Error) => void = () => undefined): Promise<TcpForwarder> {
  const streams = new Set<Duplex>();
  const track = (s: Duplex): void => {
    streams.add(s);
    s.once('close', () => streams.delete(s));
  };
  let clients = 0;
  const server: Server = createServer((client: Socket) => {
    if (clients >= MAX_FORWARDED_CONNECTIONS) { client.destroy(); return; }
    clients += 1;
    client.once('close', () => { clients -= 1; });
    track(client);
    client.on('error', () => undefined);
    client.pause();
    open().then((upstream) => {
      track(upstream);
      if (client.destroyed) return void upstream.destroy();
      client.resume();
      void joinStreams(client, upstream);
    }, (e: unknown) => {
      onError(e instanceof Error ? e : new Error(String(e)));
      client.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, address, () => { server.off('error', reject); resolve(); });
  });
  const bound = server.address();
  return {
    address,
    port: typeof bound === 'object' && bound !== null ? bound.port : port,
    close: () => new Promise<void>((resolve) => {
      for (const s of streams) s.destroy();
      server.close(() => resolve());
    }),
  };
}

/** A TCP connection to `host:port` once it is connected (a refusal rejects). */
export async function connectTcp(host: string, port: number): Promise<Socket> {
  const upstream = createConnection({ host, port });
  await new Promise<void>((resolve, reject) => {
    upstream.once('connect', () => { upstream.off('error', reject); resolve(); });
    upstream.once('error', reject);
  });
  return upstream;
}

/** Joins `input`/`output` (a process's stdin and stdout) to `host:port` until either side ends. */
export async function forwardStdio(host: string, port: number, input: Readable, output: Writable): Promise<void> {
  await forwardStdioTo(await connectTcp(host, port), input, output);
}

/** Joins `input`/`output` (a process's stdin and stdout) to an open stream until either side ends. */
export async function forwardStdioTo(upstream: Duplex, input: Readable, output: Writable): Promise<void> {
  const local = Duplex.from({ readable: input, writable: output });
  await joinStreams(local, upstream);
}
