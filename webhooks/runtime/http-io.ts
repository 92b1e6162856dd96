/**
 * The HTTP plumbing of the webhook server and the aggregated API: request paths, bounded body
 * reading and the answers that are not AdmissionReviews (Kubernetes `Status` objects for
 * refusals, plain text for probes).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * A request's path without its query (`/apis/…/console?x=1` → `/apis/…/console`; `/` when the
 * request has no URL): what the admission routes and the aggregated API's routes are matched on.
 */
export function requestPath(url: string | undefined): string {
  const raw = url ?? '/';
  const q = raw.indexOf('?');
  return q < 0 ? raw : raw.slice(0, q);
}

/** How reading a request body ended. */
export type BodyResult =
  | { readonly ok: true; readonly body: Buffer }
  | { readonly ok: false; readonly reason: 'too-large' | 'aborted' };

const TOO_LARGE: BodyResult = { ok: false, reason: 'too-large' };
const ABORTED: BodyResult = { ok: false, reason: 'aborted' };

/**
 * Keeps reading (and dropping) an oversized body after it was refused, so the client reads the
 * 413 instead of a reset connection; past `budget` more bytes the connection is cut.
 */
function discardRest(req: IncomingMessage, budget: number): void {
  let dropped = 0;
  req.on('data', (chunk: Buffer) => {
    dropped += chunk.length;
    if (dropped > budget) req.socket.destroy();
  });
  req.resume();
}

/**
 * Reads the whole body, refusing it as soon as it is known to exceed `maxBytes` (by its
 * Content-Length or by what arrived). Never rejects: a client that goes away gives `aborted`.
 */
export function readBody(req: IncomingMessage, maxBytes: number): Promise<BodyResult> {
  if (Number(req.headers['content-length']) > maxBytes) {
    discardRest(req, maxBytes);
    return Promise.resolve(TOO_LARGE);
  }
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size <= maxBytes) {
        chunks.push(chunk);
        return;
      }
      req.off('data', onData);
      chunks.length = 0;
      discardRest(req, maxBytes);
      resolve(TOO_LARGE);
    };
    req.on('data', onData);
    req.on('end', () => resolve({ ok: true, body: Buffer.concat(chunks, size) }));
    // After 'end' the promise is settled and these do nothing.
    req.on('error', () => resolve(ABORTED));
    req.on('close', () => resolve(ABORTED));
  });
}

/** Whether a Content-Type header names JSON (`application/json`, any parameters); absent counts as JSON. */
export function isJsonContentType(header: string | undefined): boolean {
  if (header === undefined) return true;
  const mediaType = header.split(';', 1)[0]?.trim().toLowerCase();
  return mediaType === 'application/json';
}

/** The pieces of a refusal. */
export interface Refusal {
  readonly code: number;
  /** Kubernetes' StatusReason, e.g. `BadRequest`. */
  readonly reason: string;
  readonly message: string;
  /** The methods the path takes, for a 405's `Allow`. */
  readonly allow?: string;
}

/** Sends a JSON body with its length; while draining the connection is closed after it. */
export function sendJson(res: ServerResponse, code: number, json: string, closing: boolean): void {
  const headers: Record<string, string | number> = { 'content-type': 'application/json', 'content-length': Buffer.byteLength(json) };
  if (closing) headers['connection'] = 'close';
  res.writeHead(code, headers);
  res.end(json);
}

/** Sends a refusal as a Kubernetes `Status` object (what the apiserver puts in its own error). */
export function sendRefusal(res: ServerResponse, refusal: Refusal, closing: boolean): void {
  if (refusal.allow !== undefined) res.setHeader('allow', refusal.allow);
  const status = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: refusal.message, reason: refusal.reason, code: refusal.code };
  sendJson(res, refusal.code, JSON.stringify(status), closing);
}

/** Sends a short text answer (probes, metrics). */
export function sendText(res: ServerResponse, code: number, text: string, contentType = 'text/plain; charset=utf-8'): void {
  res.writeHead(code, { 'content-type': contentType, 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
