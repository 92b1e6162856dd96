/**
 * Test and benchmark support for the webhook server: a server on 127.0.0.1 with a certificate from
 * a throw-away CA written to a temporary directory (and watched, as `kvt virt-api` watches it), a
 * log collector, and an HTTPS client that trusts only that CA. Never imported by production code.
 */
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request, type RequestOptions } from 'node:https';
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_CLUSTER_CONFIG } from '../../core/cluster-config.js';
import { createLogger, type Logger } from '../../core/log.js';
import type { WebhookRoute } from '../review-types.js';
import type { ChangeWatcher } from './file-watch.js';
import { NO_LOOKUPS_PROVIDER, type LookupsProvider } from './lookups.js';
import { createWebhookServer, type ServerLimits, type WebhookServer } from './server.js';
import { createTestCa, type PemPair, type TestCa } from './pki.testing.js';
import { readServingCertificate, watchServingCertificate, type ServingCertFiles } from './tls.js';

/** A logger whose JSON lines are kept in `lines`. */
export function collectingLogger(level = 'debug'): { log: Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const log = createLogger({ name: 'virt-api', level, destination: { write: (s: string) => void lines.push(JSON.parse(s) as Record<string, unknown>) } });
  return { log, lines };
}

/** Writes a pair to its files the way a Secret update does: each file replaced atomically. */
export function writePair(files: ServingCertFiles, pair: PemPair): void {
  for (const [path, text] of [[files.keyFile, pair.keyPem], [files.certFile, pair.certPem]] as const) {
    writeFileSync(`${path}.tmp`, text);
    renameSync(`${path}.tmp`, path);
  }
}

/** A running test server. */
export interface TestServer {
  readonly ca: TestCa;
  readonly files: ServingCertFiles;
  readonly dir: string;
  readonly webhook: WebhookServer;
  readonly watcher: ChangeWatcher;
  readonly port: number;
  readonly lines: Record<string, unknown>[];
  /** Closes the server and the watch, removes the directory. */
  stop(): Promise<void>;
}

/** Options of {@link startTestServer}. */
export interface TestServerOptions {
  readonly routes: readonly WebhookRoute[];
  readonly lookups?: LookupsProvider;
  readonly limits?: Partial<ServerLimits>;
  /** Period of the certificate watch's fallback check. @default 60000 (the directory watch does the work) */
  readonly certPollMs?: number;
  /** @default a collecting logger at debug */
  readonly log?: Logger;
}

/** Starts a server on 127.0.0.1 (a free port) serving a certificate with serial `1001`. */
export async function startTestServer(options: TestServerOptions): Promise<TestServer> {
  const ca = createTestCa();
  const dir = mkdtempSync(join(tmpdir(), 'kvt-virt-api-'));
  const files = { certFile: join(dir, 'tls.crt'), keyFile: join(dir, 'tls.key') };
  writePair(files, ca.issue({ serial: '1001' }));
  const collected = collectingLogger();
  const log = options.log ?? collected.log;
  const loaded = await readServingCertificate(files);
  const webhook = createWebhookServer({
    routes: options.routes,
    cfg: DEFAULT_CLUSTER_CONFIG,
    lookups: options.lookups ?? NO_LOOKUPS_PROVIDER,
    certificate: loaded,
    log,
    ...(options.limits === undefined ? {} : { limits: options.limits }),
  });
  const watcher = watchServingCertificate(files, { loaded, onLoaded: (p) => webhook.useCertificate(p), pollMs: options.certPollMs ?? 60_000, log });
  const { port } = await webhook.listen(0, '127.0.0.1');
  return {
    ca, files, dir, webhook, watcher, port, lines: collected.lines,
    stop: async () => {
      watcher.close();
      await webhook.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** What a test request got back. */
export interface TestResponse {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly text: string;
  /** Serial of the certificate the server presented on this connection. */
  readonly serial: string;
  /** Whether the request went over a kept-alive connection of the agent. */
  readonly reusedSocket: boolean;
}

/** Options of {@link send}. */
export interface SendOptions {
  readonly method?: string;
  readonly headers?: Record<string, string | number>;
  /** @default a fresh connection per request */
  readonly agent?: Agent;
}

/** A request whose body is sent in two halves: the first at once, the second on `finish()`. */
export interface SlowRequest {
  /** Resolves once the server has the headers and the first half (the request is in flight). */
  readonly started: Promise<void>;
  finish(): void;
  readonly response: Promise<TestResponse>;
}

/** Starts a POST of `body` that stays in flight until `finish()`. */
export function slowRequest(server: Pick<TestServer, 'ca' | 'port'>, path: string, body: string): SlowRequest {
  const half = Math.floor(body.length / 2);
  let finish = (): void => undefined;
  let markStarted = (): void => undefined;
  const started = new Promise<void>((resolve) => { markStarted = resolve; });
  const response = new Promise<TestResponse>((resolve, reject) => {
    const r = request({
      host: '127.0.0.1', port: server.port, path, method: 'POST', ca: [server.ca.certPem], servername: 'localhost', agent: false,
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
    }, (res) => collect(res, resolve, reject));
    r.on('error', reject);
    r.flushHeaders();
    r.write(body.slice(0, half), () => markStarted());
    finish = () => r.end(body.slice(half));
  });
  return { started, finish: () => finish(), response };
}

function collect(res: IncomingMessage, resolve: (r: TestResponse) => void, reject: (e: Error) => void, reusedSocket = false): void {
  const chunks: Buffer[] = [];
  const serial = (res.socket as TLSSocket).getPeerCertificate().serialNumber;
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8'), serial, reusedSocket }));
  res.on('error', reject);
}

/** Sends one request to the test server over TLS, trusting only its CA. */
export function send(server: Pick<TestServer, 'ca' | 'port'>, path: string, body?: string | Buffer, options: SendOptions = {}): Promise<TestResponse> {
  const req: RequestOptions = {
    host: '127.0.0.1',
    port: server.port,
    path,
    method: options.method ?? (body === undefined ? 'GET' : 'POST'),
    ca: [server.ca.certPem],
    servername: 'localhost',
    agent: options.agent ?? false,
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...options.headers },
  };
  return new Promise((resolve, reject) => {
    const r = request(req, (res) => collect(res, resolve, reject, r.reusedSocket));
    r.on('error', reject);
    r.end(body);
  });
}
