/**
 * The user commands' end of `kvt daemon`'s socket: a KubeApi whose calls travel as
 * local/api-protocol.ts lines, so `kvt apply`/`get`/`delete` see exactly the store's answers and
 * errors (ApiError with status, reason and causes), plus virt-api's subresource calls. A daemon
 * that goes away fails every pending call and ends every watch with a 503.
 */
import { connect, type Socket } from 'node:net';
import { ApiError } from '../../core/errors.js';
import type { KubeApi, KubeObject, ListOptions, ObjectList, Patch, PatchTarget, ResourceType, Watch, WatchEvent, WriteOptions, DeleteOptions } from '../../core/kube.js';
import { createLineFramer, encodeLine } from '../../core/ndjson.js';
import type { SubresourceRequest } from '../../webhooks/index.js';
import { fromWireError, MAX_RESPONSE_LENGTH, parseResponse, type ApiMethod, type ApiResponse } from '../api-protocol.js';

/** A KubeApi over the daemon socket, and virt-api's subresource calls. */
export interface ApiSocketClient extends KubeApi {
  /** Calls a subresource (`kvt start|stop|restart|pause|unpause`); resolves once accepted, rejects with virt-api's ApiError. */
  subresource(request: SubresourceRequest): Promise<void>;
  /** Disconnects (pending calls fail, watches end). */
  close(): void;
}

interface Pending {
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
  /** Where the admission warnings of a write go (its WriteOptions' sink). */
  readonly warnings?: string[] | undefined;
}

interface Streaming {
  readonly onEvent: (event: never) => void;
  readonly end: (error: unknown) => void;
}

class Client {
  private nextId = 1;
  private readonly framer = createLineFramer(MAX_RESPONSE_LENGTH);
  private readonly pending = new Map<number, Pending>();
  private readonly streams = new Map<number, Streaming>();
  private gone: ApiError | undefined;

  constructor(private readonly socket: Socket) {
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => this.onData(chunk));
    socket.on('error', () => socket.destroy());
    socket.on('close', () => this.fail(new ApiError(503, 'ServiceUnavailable', 'the kvt daemon closed the connection')));
  }

  call(method: ApiMethod, params: readonly unknown[], warnings?: string[]): Promise<unknown> {
    if (this.gone !== undefined) return Promise.reject(this.gone);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, warnings });
      this.socket.write(encodeLine({ id, method, params }));
    });
  }

  async watch(params: readonly unknown[], onEvent: (event: never) => void): Promise<Watch> {
    const id = this.nextId;
    let end!: (error: unknown) => void;
    const done = new Promise<unknown>((resolve) => (end = resolve));
    this.streams.set(id, { onEvent, end });
    try {
      await this.call('watch', params);
    } catch (e) {
      this.streams.delete(id);
      throw e;
    }
    let stopped = false;
    return {
      done,
      stop: () => {
        if (stopped) return;
        stopped = true;
        this.streams.delete(id);
        end(undefined);
        if (this.gone === undefined) this.call('unwatch', [id]).catch(() => undefined);
      },
    };
  }

  private onData(chunk: string): void {
    const { lines, tooLong } = this.framer.push(chunk);
    for (const line of lines) {
      const response = parseResponse(line);
      // A line we cannot read may be the answer to any pending call: none of them can be trusted now.
      if (typeof response === 'string') return this.abandon(`the kvt daemon sent a malformed response (${response})`);
      this.onLine(response);
    }
    if (tooLong) this.abandon(`the kvt daemon sent a response line longer than ${MAX_RESPONSE_LENGTH} characters`);
  }

  private abandon(why: string): void {
    this.fail(new ApiError(502, 'BadGateway', why));
    this.socket.destroy();
  }

  private onLine(response: ApiResponse): void {
    if ('event' in response) {
      this.streams.get(response.id)?.onEvent(response.event as never);
    } else if ('done' in response) {
      const stream = this.streams.get(response.id);
      this.streams.delete(response.id);
      stream?.end(response.done === null ? undefined : fromWireError(response.done));
    } else {
      this.settle(response);
    }
  }

  private settle(response: ApiResponse): void {
    const call = this.pending.get(response.id);
    if (call === undefined) return;
    this.pending.delete(response.id);
    if ('error' in response) call.reject(fromWireError(response.error));
    else if ('result' in response) {
      if (response.warnings !== undefined) call.warnings?.push(...response.warnings);
      call.resolve(response.result);
    }
  }

  fail(error: ApiError): void {
    this.gone ??= error;
    for (const call of this.pending.values()) call.reject(error);
    this.pending.clear();
    for (const stream of this.streams.values()) stream.end(error);
    this.streams.clear();
  }

  close(): void {
    this.fail(new ApiError(503, 'ServiceUnavailable', 'the connection to the kvt daemon was closed'));
    this.socket.destroy();
  }
}

/** Connects to the daemon at `path`; a missing daemon is an error saying how to start one. */
export async function connectApiSocket(path: string): Promise<ApiSocketClient> {
  const socket = await new Promise<Socket>((connected, failed) => {
    const s = connect(path, () => connected(s));
    s.once('error', (e: NodeJS.ErrnoException) => {
      const missing = e.code === 'ENOENT' || e.code === 'ECONNREFUSED';
      failed(missing ? new ApiError(503, 'ServiceUnavailable', `no kvt daemon is listening on ${path}; start one with \`kvt daemon\``, { cause: e }) : e);
    });
  });
  const client = new Client(socket);
  const call = <T>(method: ApiMethod, ...params: unknown[]): Promise<T> => client.call(method, params) as Promise<T>;
  // A write's warnings sink stays here: the daemon answers with the warnings, which go into it.
  const write = <T>(method: ApiMethod, options: WriteOptions | undefined, ...params: unknown[]): Promise<T> => {
    const { warnings, ...wire } = options ?? {};
    return client.call(method, [...params, wire], warnings) as Promise<T>;
  };
  return {
    get: <T extends KubeObject>(type: ResourceType, namespace: string | undefined, name: string) => call<T>('get', type, namespace, name),
    list: <T extends KubeObject>(type: ResourceType, options?: ListOptions) => call<ObjectList<T>>('list', type, options ?? {}),
    watch: <T extends KubeObject>(type: ResourceType, options: ListOptions & { readonly resourceVersion: string }, onEvent: (event: WatchEvent<T>) => void) =>
      client.watch([type, options], onEvent as (event: never) => void),
    create: <T extends KubeObject>(object: T, options?: WriteOptions) => write<T>('create', options, object),
    update: <T extends KubeObject>(object: T, options?: WriteOptions) => write<T>('update', options, object),
    updateStatus: <T extends KubeObject>(object: T) => call<T>('updateStatus', object),
    patch: <T extends KubeObject>(type: ResourceType, target: PatchTarget, patch: Patch, options?: WriteOptions) => write<T>('patch', options, type, target, patch),
    delete: (type: ResourceType, namespace: string | undefined, name: string, options?: DeleteOptions) => call<void>('delete', type, namespace, name, options ?? {}).then(() => undefined),
    subresource: (request: SubresourceRequest) => call<null>('subresource', request).then(() => undefined),
    close: () => client.close(),
  };
}
