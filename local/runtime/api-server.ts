/**
 * `kvt daemon`'s socket: serves a KubeApi (the local control plane's in-memory store) and virt-api's
 * subresource calls to the user commands over a unix socket (mode 0600: only the daemon's user may
 * talk to it), in the format of local/api-protocol.ts. A malformed line gets an error response; no
 * request can bring the daemon down. Watches end when their client goes.
 */
import { chmod, rm } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { ApiError } from '../../core/errors.js';
import type { KubeApi, ListOptions, ResourceType, Watch } from '../../core/kube.js';
import { createLineFramer, encodeLine } from '../../core/ndjson.js';
import type { SubresourceApi, SubresourceRequest } from '../../webhooks/index.js';
import { callUnaryWithWarnings, MAX_REQUEST_LENGTH, parseRequest, toWireError, type ApiRequest, type ApiResponse, type UnaryMethod } from '../api-protocol.js';

/** What a socket serves besides the KubeApi. */
export interface ApiSocketOptions {
  /** virt-api's subresources; without them a subresource call is a 404, as on an API server without virt-api. */
  readonly subresource?: SubresourceApi;
}

const NO_SUBRESOURCES: SubresourceApi = (request: SubresourceRequest) =>
  Promise.reject(new ApiError(404, 'NotFound', `the server could not find the requested resource (${request.resource}/${request.subresource})`));

/** A listening API socket. */
export interface ApiSocketServer {
  readonly path: string;
  /** Stops listening, ends every watch and disconnects every client. Idempotent. */
  close(): Promise<void>;
}

class Connection {
  private readonly watches = new Map<number, Watch>();
  private readonly framer = createLineFramer(MAX_REQUEST_LENGTH);
  private cut = false;

  constructor(private readonly socket: Socket, private readonly api: KubeApi, private readonly subresource: SubresourceApi) {}

  send(response: ApiResponse): void {
    if (!this.socket.destroyed && this.socket.writable) this.socket.write(encodeLine(response));
  }

  onData(chunk: string): void {
    const { lines, tooLong } = this.framer.push(chunk);
    for (const line of lines) void this.handle(line);
    if (!tooLong || this.cut) return;
    this.cut = true;
    this.send({ id: -1, error: { status: 413, reason: 'RequestEntityTooLarge', message: `request line longer than ${MAX_REQUEST_LENGTH} characters` } });
    this.socket.end();
  }

  private async handle(line: string): Promise<void> {
    const request = parseRequest(line);
    if ('error' in request) {
      this.send({ id: request.id, error: { status: 400, reason: 'BadRequest', message: request.error } });
      return;
    }
    try {
      await this.dispatch(request);
    } catch (e) {
      this.send({ id: request.id, error: toWireError(e) });
    }
  }

  private async dispatch(request: ApiRequest): Promise<void> {
    if (request.method === 'unwatch') {
      this.stopWatch(Number(request.params[0]));
      this.send({ id: request.id, result: null });
    } else if (request.method === 'watch') {
      await this.startWatch(request);
    } else if (request.method === 'subresource') {
      await this.subresource(request.params[0]);
      this.send({ id: request.id, result: null });
    } else {
      // undefined (delete) would vanish from the JSON line: send null.
      const { result, warnings } = await callUnaryWithWarnings(this.api, request.method as UnaryMethod, request.params);
      this.send({ id: request.id, result: result ?? null, ...(warnings.length === 0 ? {} : { warnings }) });
    }
  }

  private async startWatch(request: ApiRequest): Promise<void> {
    const [type, options] = request.params as [ResourceType, ListOptions & { resourceVersion: string }];
    const watch = await this.api.watch(type, options, (event) => this.send({ id: request.id, event }));
    this.watches.set(request.id, watch);
    this.send({ id: request.id, result: null });
    const end = await watch.done.then((e) => e, (e: unknown) => e);
    this.watches.delete(request.id);
    this.send({ id: request.id, done: end === undefined ? null : toWireError(end) });
  }

  private stopWatch(id: number): void {
    this.watches.get(id)?.stop();
  }

  close(): void {
    for (const watch of this.watches.values()) watch.stop();
    this.watches.clear();
  }
}

/** Serves `api` (and the subresources of `options`) on the unix socket `path` (replacing a stale socket file). */
export async function serveApiSocket(path: string, api: KubeApi, options: ApiSocketOptions = {}): Promise<ApiSocketServer> {
  await rm(path, { force: true });
  const clients = new Set<Socket>();
  const server: Server = createServer((socket) => {
    const connection = new Connection(socket, api, options.subresource ?? NO_SUBRESOURCES);
    clients.add(socket);
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => connection.onData(chunk));
    socket.on('error', () => socket.destroy());
    socket.on('close', () => {
      clients.delete(socket);
      connection.close();
    });
  });
  await new Promise<void>((listening, failed) => {
    server.once('error', failed);
    server.listen(path, () => listening());
  });
  await chmod(path, 0o600);
  let closing: Promise<void> | undefined;
  return {
    path,
    close: () => {
      closing ??= new Promise<void>((closed) => {
        for (const socket of clients) socket.destroy();
        server.close(() => closed());
      }).then(() => rm(path, { force: true }));
      return closing;
    },
  };
}
