/**
 * TCP forwarding from this host to an address on the pod network: a listener whose every connection
 * is joined (core/streams.ts joinStreams) to a fresh connection to the target, and the one-shot form
 * over a process's stdin/stdout (`kvt port-forward --stdio`, ssh's ProxyCommand). `kvt port-forward`
 * and the local mode's Service ports use it. Open connections are bounded and ended with the listener.
 */
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { Duplex, type Readable, type Writable } from 'node:stream';
import { joinStreams } from '../../core/streams.js';

/** Where a forwarder sends its connections: resolved for each one (a pod's IP can change). */
export type ForwardDestination = () => Promise<{ readonly host: string; readonly port: number }>;

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
export async function listenForward(address: string, port: number, destination: ForwardDestination, onError: (e: Error) => void = () => undefined): Promise<TcpForwarder> {
  const open = new Set<Socket>();
  const server: Server = createServer((client) => {
    if (open.size >= MAX_FORWARDED_CONNECTIONS) { client.destroy(); return; }
    open.add(client);
    client.once('close', () => open.delete(client));
    client.on('error', () => undefined);
    client.pause();
    destination().then((to) => {
      if (client.destroyed) return;
      const upstream = createConnection({ host: to.host, port: to.port });
      open.add(upstream);
      upstream.once('close', () => open.delete(upstream));
      upstream.once('error', (e) => onError(e));
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
      for (const s of open) s.destroy();
      server.close(() => resolve());
    }),
  };
}

/** Joins `input`/`output` (a process's stdin and stdout) to `host:port` until either side ends. */
export async function forwardStdio(host: string, port: number, input: Readable, output: Writable): Promise<void> {
  const upstream = createConnection({ host, port });
  await new Promise<void>((resolve, reject) => {
    upstream.once('connect', () => { upstream.off('error', reject); resolve(); });
    upstream.once('error', reject);
  });
  const local = Duplex.from({ readable: input, writable: output });
  await joinStreams(local, upstream);
}
