/**
 * The wire format between `kvt daemon` and the user commands (`kvt apply`, `kvt get`, …): the KubeApi
 * port (core/kube.ts) as newline-delimited JSON-RPC over the daemon's unix socket (framed by
 * core/ndjson.ts). One request per line; one response per request; a watch also streams `event`
 * lines and ends with `done`. Failures travel as the ApiError fields, so the client re-raises the
 * same error the store raised. Both ends check every line they read.
 */
import { ApiError } from '../core/errors.js';
import type { KubeApi } from '../core/kube.js';
import { jsonObjectOf } from '../core/ndjson.js';
import { parseSubresourceRequest, type SubresourceRequest } from '../webhooks/subresources/request.js';

/** The longest request line the daemon reads (a manifest's objects; a larger one is refused and the connection closed). */
export const MAX_REQUEST_LENGTH = 16 * 1024 * 1024;
/** The longest response line a client reads (a list of every object of a kind). */
export const MAX_RESPONSE_LENGTH = 128 * 1024 * 1024;

/**
 * The KubeApi methods a request may call, plus `unwatch` (ends the watch of `params[0]`) and
 * `subresource` (virt-api's subresource call `params[0]`, a webhooks/subresources SubresourceRequest:
 * VM start/stop/restart, VMI pause/unpause; its result is null once accepted).
 */
export const API_METHODS = ['get', 'list', 'watch', 'create', 'update', 'updateStatus', 'patch', 'delete', 'unwatch', 'subresource'] as const;

/** A method name. */
export type ApiMethod = (typeof API_METHODS)[number];

/** One request line. */
export type ApiRequest =
  | {
    readonly id: number;
    readonly method: Exclude<ApiMethod, 'subresource'>;
    /** The method's arguments, in the KubeApi order (watch: type and options; its events go to this id). */
    readonly params: readonly unknown[];
  }
  | { readonly id: number; readonly method: 'subresource'; readonly params: readonly [SubresourceRequest] };

/** A line that is not a request: why, and its `id` when it had one (-1 otherwise), so the call it was fails at once. */
export interface RequestRefusal {
  readonly id: number;
  readonly error: string;
}

/** An ApiError as it travels. */
export interface WireError {
  readonly status: number;
  readonly reason: string;
  readonly message: string;
  readonly causes?: ApiError['causes'];
}

/** One response or stream line. */
export type ApiResponse =
  | { readonly id: number; readonly result: unknown; readonly warnings?: readonly string[] }
  | { readonly id: number; readonly error: WireError }
  | { readonly id: number; readonly event: unknown }
  | { readonly id: number; readonly done: WireError | null };

/** The fields of an error to send: an ApiError keeps its own; anything else is a 500 InternalError. */
export function toWireError(e: unknown): WireError {
  if (e instanceof ApiError) return { status: e.status, reason: e.reason, message: e.message, causes: e.causes };
  return { status: 500, reason: 'InternalError', message: e instanceof Error ? e.message : String(e) };
}

/** The ApiError a wire error stands for. */
export function fromWireError(e: WireError): ApiError {
  return new ApiError(e.status, e.reason, e.message, { causes: e.causes ?? [] });
}

function methodOf(value: unknown): ApiMethod | undefined {
  return API_METHODS.find((m) => m === value);
}

/** The request of a line, or why it is not one (a subresource call's parameters are checked in full). */
export function parseRequest(line: string): ApiRequest | RequestRefusal {
  const value = jsonObjectOf(line);
  if (value === undefined) return { id: -1, error: 'not a JSON object' };
  const { id, method, params } = value;
  if (typeof id !== 'number' || !Number.isInteger(id)) return { id: -1, error: 'missing "id" (an integer)' };
  const known = methodOf(method);
  if (known === undefined) return { id, error: `unknown method ${JSON.stringify(method)}` };
  if (!Array.isArray(params)) return { id, error: '"params" must be an array' };
  if (known !== 'subresource') return { id, method: known, params };
  const request = params.length === 1 ? parseSubresourceRequest(params[0]) : '"params" of subresource must be [request]';
  return typeof request === 'string' ? { id, error: request } : { id, method: known, params: [request] };
}

/** The KubeApi methods that answer once (everything but watch, unwatch and subresource). */
export type UnaryMethod = Exclude<ApiMethod, 'watch' | 'unwatch' | 'subresource'>;

/** The methods whose last param is the WriteOptions a write's admission warnings are collected through. */
const WRITE_METHODS: ReadonlySet<string> = new Set(['create', 'update', 'patch']);

/**
 * Calls a unary method of `api` with wire params, and gives the admission warnings of a write
 * (create, update, patch) with its result.
 */
export async function callUnaryWithWarnings(api: KubeApi, method: UnaryMethod, params: readonly unknown[]): Promise<{ result: unknown; warnings: string[] }> {
  const warnings: string[] = [];
  if (!WRITE_METHODS.has(method)) return { result: await callUnary(api, method, params), warnings };
  const last = params.length - 1;
  const options = isRecord(params[last]) ? params[last] : {};
  const withSink = [...params.slice(0, last), { ...options, warnings }];
  return { result: await callUnary(api, method, withSink), warnings };
}

/** Calls a unary method of `api` with wire params. */
export function callUnary(api: KubeApi, method: UnaryMethod, params: readonly unknown[]): Promise<unknown> {
  const call = api[method] as (...args: unknown[]) => Promise<unknown>;
  // JSON has no undefined: an omitted argument (a cluster-scoped namespace) arrives as null.
  return call.apply(api, params.map((p) => (p === null ? undefined : p)));
}

const isRecord = (value: unknown): value is Readonly<Record<string, unknown>> => typeof value === 'object' && value !== null && !Array.isArray(value);

function isCause(value: unknown): value is ApiError['causes'][number] {
  return isRecord(value) && typeof value['type'] === 'string' && typeof value['field'] === 'string' && typeof value['message'] === 'string';
}

function wireErrorOf(value: unknown): WireError | undefined {
  if (!isRecord(value)) return undefined;
  const { status, reason, message, causes } = value;
  if (typeof status !== 'number' || typeof reason !== 'string' || typeof message !== 'string') return undefined;
  if (causes === undefined) return { status, reason, message };
  return Array.isArray(causes) && causes.every(isCause) ? { status, reason, message, causes } : undefined;
}

/** A result line: its result, and a write's admission warnings when it has any. */
function resultBody(value: Readonly<Record<string, unknown>>): Omit<ApiResponse, 'id'> | string {
  const warnings = value['warnings'];
  if (warnings === undefined) return { result: value['result'] };
  return Array.isArray(warnings) && warnings.every((w) => typeof w === 'string') ? { result: value['result'], warnings } : '"warnings" must be a list of strings';
}

/** The one member a response line carries besides `id`, checked. */
function responseBody(value: Readonly<Record<string, unknown>>): Omit<ApiResponse, 'id'> | string {
  if ('result' in value) return resultBody(value);
  if ('event' in value) return { event: value['event'] };
  if ('error' in value) {
    const error = wireErrorOf(value['error']);
    return error === undefined ? '"error" must have a numeric status, a reason, a message and well-formed causes' : { error };
  }
  if ('done' in value) {
    const done = value['done'] === null ? null : wireErrorOf(value['done']);
    return done === undefined ? '"done" must be null or an error' : { done };
  }
  return 'one of "result", "error", "event" or "done" is required';
}

/** Why a line is not a response, or the response (`id` -1: the daemon could not read a request line). */
export function parseResponse(line: string): ApiResponse | string {
  const value = jsonObjectOf(line);
  if (value === undefined) return 'not a JSON object';
  const id = value['id'];
  if (typeof id !== 'number' || !Number.isInteger(id)) return 'missing "id" (an integer)';
  const body = responseBody(value);
  return typeof body === 'string' ? body : { id, ...body } as ApiResponse;
}
