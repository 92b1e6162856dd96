/**
 * What the server reads from a parsed request body for itself: the fields of its log line, the
 * uid it answers with when a route fails, and the requesting user. Pure and defensive: the body is
 * any JSON value, so every field is checked for its type and long strings are cut for the log.
 */
import type { RequestUser } from '../context.js';
import type { AdmissionReviewResponse } from '../review-types.js';

/** Longest string copied into a log line; DNS-1123 names stop at 253. */
const MAX_LOGGED_CHARS = 253;

/** The identifying fields of an AdmissionReview request, those that were strings. */
export interface ReviewSummary {
  readonly uid?: string;
  readonly kind?: string;
  readonly namespace?: string;
  readonly name?: string;
  readonly operation?: string;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `body.request`, when it is an object. */
function requestOf(body: unknown): Record<string, unknown> | undefined {
  return isRecord(body) && isRecord(body['request']) ? body['request'] : undefined;
}

function text(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  return value.length > MAX_LOGGED_CHARS ? `${value.slice(0, MAX_LOGGED_CHARS)}…` : value;
}

/** The request's uid when it is a string, uncut (an answer must carry it exactly). */
export function requestUid(body: unknown): string | undefined {
  const uid = requestOf(body)?.['uid'];
  return typeof uid === 'string' ? uid : undefined;
}

/** The log fields of a request body; absent or mistyped ones are left out. */
export function summarizeReview(body: unknown): ReviewSummary {
  const request = requestOf(body);
  if (request === undefined) return {};
  const kind = isRecord(request['kind']) ? text(request['kind']['kind']) : undefined;
  const fields: Record<string, string | undefined> = {
    uid: text(request['uid']),
    kind,
    namespace: text(request['namespace']),
    name: text(request['name']),
    operation: text(request['operation']),
  };
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)) as ReviewSummary;
}

/** `request.userInfo` as an admission user, when its username is a string. */
export function requestUser(body: unknown): RequestUser | undefined {
  const info = requestOf(body)?.['userInfo'];
  if (!isRecord(info) || typeof info['username'] !== 'string') return undefined;
  const groups = info['groups'];
  if (!Array.isArray(groups)) return { username: info['username'] };
  return { username: info['username'], groups: groups.filter((g): g is string => typeof g === 'string') };
}

/**
 * The answer when a route broke its promise never to throw: a denial with code 500, so the
 * apiserver sees a well-formed review (and applies the webhook's failure policy) rather than a
 * dropped connection.
 */
export function internalErrorReview(uid: string | undefined, kind: string): AdmissionReviewResponse {
  return {
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    response: {
      uid: uid ?? '',
      allowed: false,
      status: { code: 500, reason: 'InternalError', message: `internal error while reviewing the ${kind}; see the virt-api log` },
    },
  };
}
