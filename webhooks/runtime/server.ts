/**
 * The admission webhook HTTPS server (`kvt virt-api`): one POST path per webhook route, answered
 * by the route's pure `review`, plus `/healthz`, `/readyz` and `/metrics`. The edge only decodes
 * (a bounded body, JSON), builds the request's AdmissionContext, calls the route, encodes, counts
 * and logs; what an AdmissionReview means is the route's business.
 * @see https://kubernetes.io/docs/reference/access-authn-authz/extensible-admission-controllers/#write-an-admission-webhook-server
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { Duplex } from 'node:stream';
import type { SecureContextOptions } from 'node:tls';
import type { ClusterConfig } from '../../core/cluster-config.js';
import type { Logger } from '../../core/log.js';
import type { AdmissionContext, AdmissionIds } from '../context.js';
import type { AdmissionReviewResponse, WebhookRoute } from '../review-types.js';
import type { AggregatedApi } from './aggregated-api.js';
import { isJsonContentType, readBody, requestPath, sendJson, sendRefusal, sendText, type Refusal } from './http-io.js';
import type { LookupsProvider } from './lookups.js';
import { createAdmissionMetrics, UNKNOWN_WEBHOOK, type AdmissionMetrics, type AdmissionResult } from './metrics.js';
import { internalErrorReview, requestUid, requestUser, summarizeReview } from './review-summary.js';
import { secureContextOptions, type ServingCertificate } from './tls.js';

/** Bounds on what one client may cost the server. */
export interface ServerLimits {
  /** Largest request body; larger ones get 413 (the apiserver's own request limit). @default 3 MiB */
  readonly maxBodyBytes: number;
  /** Time for a request's headers to arrive. @default 10000 */
  readonly headersTimeoutMs: number;
  /** Time for a whole request, body included, to arrive (the apiserver waits 30 s at most). @default 30000 */
  readonly requestTimeoutMs: number;
  /** Idle time before a keep-alive connection is closed: above Go's 90 s, so the apiserver closes first. @default 120000 */
  readonly keepAliveTimeoutMs: number;
  /** Time for a TLS handshake. @default 10000 */
  readonly handshakeTimeoutMs: number;
  /** On close, how long in-flight requests may take before their connections are cut. @default 25000 */
  readonly drainTimeoutMs: number;
}

/** The limits of a production server. */
export const DEFAULT_LIMITS: ServerLimits = {
  maxBodyBytes: 3 * 1024 * 1024,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 120_000,
  handshakeTimeoutMs: 10_000,
  drainTimeoutMs: 25_000,
};

/** Options of {@link createWebhookServer}. */
export interface WebhookServerOptions {
  /** The webhooks to serve; each path must be unique. */
  readonly routes: readonly WebhookRoute[];
  readonly cfg: ClusterConfig;
  readonly lookups: LookupsProvider;
  readonly certificate: Pick<ServingCertificate, 'cert' | 'key'>;
  readonly log: Logger;
  readonly limits?: Partial<ServerLimits>;
  /** @default a registry of the server's own, without process metrics */
  readonly metrics?: AdmissionMetrics;
  /** @default crypto.randomUUID */
  readonly ids?: AdmissionIds;
  /**
   * virt-api's aggregated API (`/apis/…`, the console websocket), when served: the server then asks
   * every client for a certificate (the API server's front proxy presents one; webhook calls and
   * probes present none and are served as before).
   */
  readonly aggregated?: AggregatedApi;
}

/** A created (not yet listening) webhook server. */
export interface WebhookServer {
  readonly server: Server;
  readonly metrics: AdmissionMetrics;
  /** Starts listening; resolves with the bound address. */
  listen(port: number, host?: string): Promise<AddressInfo>;
  /** Serves new connections with this pair; open connections keep theirs. */
  useCertificate(pair: Pick<ServingCertificate, 'cert' | 'key'>): void;
  /** Verifies new connections' client certificates against this CA (PEM): the API server's request-header CA. */
  useClientCa(caPem: string): void;
  /** Stops accepting, lets in-flight requests finish (cut after `drainTimeoutMs`), resolves when all connections are gone. */
  close(): Promise<void>;
}

const RANDOM_IDS: AdmissionIds = { uuid: randomUUID };
const PROBE_PATHS = new Set(['/healthz', '/readyz', '/metrics']);

function msSince(started: number): number {
  return Math.round((performance.now() - started) * 1000) / 1000;
}

function parseJson(body: Buffer): { ok: true; value: unknown } | { ok: false; message: string } {
  try {
    return { ok: true, value: JSON.parse(body.toString('utf8')) as unknown };
  } catch (e: unknown) {
    return { ok: false, message: `request body is not JSON: ${e instanceof Error ? e.message : String(e)}` };
  }
}

/** Why a request to a webhook path is refused before its body is read, if it is. */
function precheck(req: IncomingMessage): Refusal | undefined {
  if (req.method !== 'POST') return { code: 405, reason: 'MethodNotAllowed', message: `${String(req.method)} is not allowed; webhooks take POST`, allow: 'POST' };
  if (!isJsonContentType(req.headers['content-type'])) {
    return { code: 415, reason: 'UnsupportedMediaType', message: `Content-Type ${JSON.stringify(req.headers['content-type'])} is not supported; send application/json` };
  }
  return undefined;
}

function resultOf(review: AdmissionReviewResponse): AdmissionResult {
  return review.response.allowed ? 'allowed' : 'denied';
}

/** Creates the server; nothing listens until `listen`. */
export function createWebhookServer(options: WebhookServerOptions): WebhookServer {
  const limits: ServerLimits = { ...DEFAULT_LIMITS, ...options.limits };
  const { log, lookups } = options;
  const metrics = options.metrics ?? createAdmissionMetrics();
  const ids = options.ids ?? RANDOM_IDS;
  const routes = new Map(options.routes.map((r) => [r.path, r]));
  if (routes.size !== options.routes.length) throw new Error('webhook routes must have distinct paths');
  let closing = false;

  const refuse = (route: WebhookRoute, res: ServerResponse, refusal: Refusal, started: number): void => {
    sendRefusal(res, refusal, closing);
    metrics.observe(route.name, 'error', (performance.now() - started) / 1000);
    log.warn({ webhook: route.name, code: refusal.code, reason: refusal.reason, durationMs: msSince(started) }, `Refused ${route.kind} admission request`);
  };

  const review = (route: WebhookRoute, body: unknown): { answer: AdmissionReviewResponse; failed: boolean } => {
    const user = requestUser(body);
    const ctx: AdmissionContext = { cfg: options.cfg, lookups: lookups.current(), ids, now: new Date(), ...(user === undefined ? {} : { user }) };
    try {
      return { answer: route.review(body, ctx), failed: false };
    } catch (err: unknown) {
      log.error({ err, webhook: route.name, ...summarizeReview(body) }, `Could not review ${route.kind}`);
      return { answer: internalErrorReview(requestUid(body), route.kind), failed: true };
    }
  };

  const serveReview = async (route: WebhookRoute, req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const started = performance.now();
    const early = precheck(req);
    if (early !== undefined) return refuse(route, res, early, started);
    const read = await readBody(req, limits.maxBodyBytes);
    if (!read.ok) {
      if (read.reason === 'too-large') return refuse(route, res, { code: 413, reason: 'RequestEntityTooLarge', message: `request body exceeds ${limits.maxBodyBytes} bytes` }, started);
      metrics.observe(route.name, 'error', (performance.now() - started) / 1000);
      return void log.warn({ webhook: route.name, durationMs: msSince(started) }, `Lost ${route.kind} admission request before its body arrived`);
    }
    const parsed = parseJson(read.body);
    if (!parsed.ok) return refuse(route, res, { code: 400, reason: 'BadRequest', message: parsed.message }, started);
    const { answer, failed } = review(route, parsed.value);
    sendJson(res, 200, JSON.stringify(answer), closing);
    const { allowed, status, patch } = answer.response;
    metrics.observe(route.name, failed ? 'error' : resultOf(answer), (performance.now() - started) / 1000);
    log.info(
      { webhook: route.name, ...summarizeReview(parsed.value), allowed, code: status?.code, patched: patch !== undefined, durationMs: msSince(started) },
      `${allowed ? 'Admitted' : 'Denied'} ${route.kind}`,
    );
  };

  const serveProbe = async (path: string, res: ServerResponse): Promise<void> => {
    if (path === '/healthz') return sendText(res, 200, 'ok\n');
    if (path === '/readyz') {
      if (closing) return sendText(res, 503, 'shutting down\n');
      return lookups.ready() ? sendText(res, 200, 'ok\n') : sendText(res, 503, 'admission objects not loaded yet\n');
    }
    const { contentType, body } = await metrics.render();
    sendText(res, 200, body, contentType);
  };

  const dispatch = (req: IncomingMessage, res: ServerResponse): void => {
    const path = requestPath(req.url);
    const aggregated = options.aggregated?.route(req);
    if (aggregated !== undefined && aggregated.kind !== 'not-aggregated') return options.aggregated?.serve(req, res, aggregated);
    const route = routes.get(path);
    if (route !== undefined) return void serveReview(route, req, res).catch((err: unknown) => fail(res, err));
    if (!PROBE_PATHS.has(path)) {
      metrics.observe(UNKNOWN_WEBHOOK, 'error', 0);
      return sendRefusal(res, { code: 404, reason: 'NotFound', message: `no webhook is served at ${JSON.stringify(path.slice(0, 253))}` }, closing);
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return sendRefusal(res, { code: 405, reason: 'MethodNotAllowed', message: `${String(req.method)} is not allowed on ${path}`, allow: 'GET, HEAD' }, closing);
    void serveProbe(path, res).catch((err: unknown) => fail(res, err));
  };

  // Only a bug in this file gets here (routes are guarded); answer 500 rather than leave the request hanging.
  const fail = (res: ServerResponse, err: unknown): void => {
    log.error({ err }, 'Could not answer admission request');
    if (!res.headersSent) sendRefusal(res, { code: 500, reason: 'InternalError', message: 'internal error; see the virt-api log' }, closing);
    else res.destroy();
  };

  let pair = options.certificate;
  let clientCa: string | undefined;
  const context = (): SecureContextOptions => ({ ...secureContextOptions(pair), ...(clientCa === undefined ? {} : { ca: clientCa }) });
  const server = createServer(
    {
      ...context(),
      // A client certificate is asked for, never required: it is checked per request where it matters.
      ...(options.aggregated === undefined ? {} : { requestCert: true, rejectUnauthorized: false }),
      handshakeTimeout: limits.handshakeTimeoutMs,
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      // Timeouts are enforced on this period: a tenth of the shortest, within 100 ms–1 s.
      connectionsCheckingInterval: Math.min(1000, Math.max(100, Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs) / 10)),
      noDelay: true,
    },
    dispatch,
  );
  server.keepAliveTimeout = limits.keepAliveTimeoutMs;
  server.on('tlsClientError', (err: Error) => log.debug({ err }, 'Refused TLS connection'));
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (options.aggregated === undefined || closing) socket.destroy();
    else options.aggregated.upgrade(req, socket, head);
  });

  return {
    server,
    metrics,
    listen: (port, host) => new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve(server.address() as AddressInfo);
      });
    }),
    useCertificate: (next) => {
      pair = next;
      server.setSecureContext(context());
    },
    useClientCa: (caPem) => {
      clientCa = caPem;
      server.setSecureContext(context());
    },
    close: () => new Promise((resolve) => {
      closing = true;
      options.aggregated?.close();
      const cut = setTimeout(() => server.closeAllConnections(), limits.drainTimeoutMs);
      server.close(() => {
        clearTimeout(cut);
        resolve();
      });
      server.closeIdleConnections();
    }),
  };
}
