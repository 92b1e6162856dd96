/**
 * HTTPS transport of the client-node adapter: requests and line-streamed watches against the
 * cluster of a KubeConfig, authenticated by client-node's own `applyToHTTPSOptions` (CA, client
 * certificates, tokens, exec plugins).
 */
import type { IncomingMessage } from 'node:http';
import https from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';
import { createLineFramer } from '../../core/ndjson.js';

/** The longest watch event line read (one object as JSON); a longer one breaks the stream. */
const MAX_WATCH_LINE = 64 * 1024 * 1024;

/** Hands each line of a watch stream to `onLine` (framed by core/ndjson); `fail` on a line over the limit. */
function readLines(res: IncomingMessage, onLine: (line: string) => void, fail: (e: Error) => void): void {
  const framer = createLineFramer(MAX_WATCH_LINE);
  res.on('data', (chunk: string) => {
    const { lines, tooLong } = framer.push(chunk);
    for (const line of lines) onLine(line);
    if (tooLong) fail(new Error(`the API server sent a watch event line longer than ${MAX_WATCH_LINE} characters`));
  });
}

/** One HTTP request to the API server. */
export interface KubeRequest {
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Path with its query string, e.g. `/api/v1/namespaces/default/pods?labelSelector=a%3Db`. */
  readonly path: string;
  readonly body?: unknown;
  /** @default application/json when there is a body */
  readonly contentType?: string;
}

/** A finished response. */
export interface KubeResponse {
  readonly status: number;
  readonly body: string;
}

/** A streamed response: lines arrive through `onLine` until `done`. */
export interface KubeStream {
  /** The status code (and, when not 200, the whole body) once the headers arrived. */
  readonly response: Promise<KubeResponse>;
  /** Resolves when the stream ended (cleanly, aborted or broken; a broken stream resolves with the error). */
  readonly done: Promise<Error | undefined>;
  abort(): void;
}

/** How the adapter talks HTTP. */
export interface KubeTransport {
  request(req: KubeRequest): Promise<KubeResponse>;
  stream(path: string, onLine: (line: string) => void): KubeStream;
}

async function options(config: KubeConfig, method: string, path: string, headers: Record<string, string>): Promise<https.RequestOptions> {
  const cluster = config.getCurrentCluster();
  if (cluster === null) throw new Error('kubeconfig: no current cluster');
  const url = new URL(path, cluster.server);
  const opts: https.RequestOptions = { method, hostname: url.hostname, port: url.port, path: `${url.pathname}${url.search}`, headers };
  await config.applyToHTTPSOptions(opts);
  return opts;
}

/** A transport over node:https for the current context of `config`. */
export function createHttpsTransport(config: KubeConfig): KubeTransport {
  return {
    async request(req) {
      const payload = req.body === undefined ? undefined : JSON.stringify(req.body);
      const headers: Record<string, string> = { accept: 'application/json' };
      if (payload !== undefined) {
        headers['content-type'] = req.contentType ?? 'application/json';
        headers['content-length'] = String(Buffer.byteLength(payload));
      }
      const opts = await options(config, req.method, req.path, headers);
      return new Promise((resolve, reject) => {
        const call = https.request(opts, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
          res.on('error', reject);
        });
        call.on('error', reject);
        call.end(payload);
      });
    },
    stream(path, onLine) {
      const abort = new AbortController();
      let settle: (e: Error | undefined) => void = () => undefined;
      const done = new Promise<Error | undefined>((resolve) => (settle = resolve));
      const response = options(config, 'GET', path, { accept: 'application/json' }).then(
        (opts) =>
          new Promise<KubeResponse>((resolve, reject) => {
            const call = https.request({ ...opts, signal: abort.signal }, (res) => {
              const status = res.statusCode ?? 0;
              res.setEncoding('utf8');
              res.on('end', () => settle(undefined));
              res.on('close', () => settle(undefined));
              res.on('error', (e) => settle(abort.signal.aborted ? undefined : e));
              if (status === 200) {
                readLines(res, onLine, (e) => { settle(e); res.destroy(); });
                resolve({ status, body: '' });
                return;
              }
              let body = '';
              res.on('data', (chunk: string) => { body += chunk; });
              res.on('end', () => resolve({ status, body }));
            });
            call.on('error', (e) => {
              settle(abort.signal.aborted ? undefined : e);
              reject(e);
            });
            call.end();
          }),
      );
      response.catch((e: unknown) => settle(e instanceof Error ? e : new Error(String(e))));
      return { response, done, abort: () => abort.abort() };
    },
  };
}
