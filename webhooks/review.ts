/**
 * Pure AdmissionReview handling (Pepr's flow): decode and check the envelope, run the route's
 * handler, encode the answer. A mutating answer carries `patchType: JSONPatch` and the base64 of
 * `diff(request.object, mutated)`; a denial carries KubeVirt's status (422, Invalid, every cause);
 * an envelope that is not a review of the route's kind is denied with 400 and a message saying
 * what is wrong, echoing the request uid when there is one. Warnings are left out when empty.
 * Never throws: a handler that breaks its promise is answered with a 500 denial.
 * @see https://kubernetes.io/docs/reference/access-authn-authz/extensible-admission-controllers/#response
 */
import { diff } from '../core/json-patch.js';
import { metaTypeProblems } from '../core/object-meta.js';
import { lookupKind } from '../crd-gen/index.js';
import { checkSchema } from './admission-schema.js';
import type { AdmissionHandler, AdmissionInput, AdmissionOutcome } from './admission-handlers.js';
import { capWarnings } from './cause.js';
import type { AdmissionContext } from './context.js';
import type { AdmissionOperation, AdmissionResponse, AdmissionReviewResponse, WebhookRoute } from './review-types.js';

/** What a review checks the request against: the route without its `review`. */
export type ReviewTarget = Pick<WebhookRoute, 'path' | 'type' | 'group' | 'version' | 'kind' | 'operations'>;

type Obj = Readonly<Record<string, unknown>>;

type Decoded = { readonly ok: true; readonly uid: string; readonly input: AdmissionInput } | { readonly ok: false; readonly uid: string; readonly message: string };

const OPERATIONS: readonly AdmissionOperation[] = ['CREATE', 'UPDATE', 'DELETE', 'CONNECT'];

function isObject(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function show(v: unknown): string {
  if (v === undefined) return 'missing';
  if (v === null) return 'null';
  const text = typeof v === 'string' ? JSON.stringify(v) : typeof v;
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function gvkText(group: string, version: string, kind: string): string {
  return `${group === '' ? version : `${group}/${version}`} ${kind}`;
}

function envelopeProblem(body: unknown): string | undefined {
  if (!isObject(body)) return `the body is ${Array.isArray(body) ? 'a list' : show(body)}, not an admission.k8s.io/v1 AdmissionReview`;
  if (body['apiVersion'] !== 'admission.k8s.io/v1') return `apiVersion is ${show(body['apiVersion'])}; only admission.k8s.io/v1 AdmissionReviews are served`;
  if (body['kind'] !== 'AdmissionReview') return `kind is ${show(body['kind'])}, not AdmissionReview`;
  if (!isObject(body['request'])) return `request is ${show(body['request'])}, not an object`;
  const uid = body['request']['uid'];
  return typeof uid === 'string' && uid !== '' ? undefined : `request.uid is ${show(uid)}; a review needs the request's uid`;
}

function kindProblem(kind: unknown, target: ReviewTarget): string | undefined {
  const k = isObject(kind) ? kind : {};
  if (k['group'] === target.group && k['version'] === target.version && k['kind'] === target.kind) return undefined;
  const asked = typeof k['kind'] === 'string' ? gvkText(String(k['group']), String(k['version']), k['kind']) : show(kind);
  return `request.kind is ${asked}, but ${target.path} reviews ${gvkText(target.group, target.version, target.kind)}`;
}

function operationProblem(operation: unknown, target: ReviewTarget): string | undefined {
  if (!OPERATIONS.includes(operation as AdmissionOperation)) return `request.operation is ${show(operation)}; expected one of ${OPERATIONS.join(', ')}`;
  if (target.operations.includes(operation as AdmissionOperation)) return undefined;
  return `request.operation ${String(operation)} is not reviewed by ${target.path} (it reviews ${target.operations.join(', ')})`;
}

function objectProblem(field: string, value: unknown, target: ReviewTarget): string | undefined {
  if (!isObject(value)) return `${field} is ${show(value)}; the ${target.kind} is missing`;
  const apiVersion = target.group === '' ? target.version : `${target.group}/${target.version}`;
  if (value['apiVersion'] !== apiVersion || value['kind'] !== target.kind) return `${field} is ${show(value['apiVersion'])} ${show(value['kind'])}, not ${apiVersion} ${target.kind}`;
  // What the API server could not have decoded (it sends typed metadata): a 400, never a handler's TypeError.
  const [typeProblem] = metaTypeProblems(value);
  return typeProblem === undefined ? undefined : `${field}.${typeProblem}`;
}

/**
 * The stored object must be one the API server could have stored: it passed the kind's schema when
 * it was written. One that does not is not a review from an API server (handlers trust its shape).
 */
function storedProblem(value: unknown, target: ReviewTarget): string | undefined {
  const kind = lookupKind(target.group === '' ? target.version : `${target.group}/${target.version}`, target.kind);
  const [first] = kind === undefined ? [] : checkSchema(kind, value).causes;
  return first === undefined ? undefined : `request.oldObject is not a ${target.kind} the API server could have stored: ${first.field}: ${first.message}`;
}

/** Which objects an operation carries (Pepr: `oldObject` alone on DELETE). */
function objectsProblem(request: Obj, operation: AdmissionOperation, target: ReviewTarget): string | undefined {
  const needsObject = operation === 'CREATE' || operation === 'UPDATE';
  const needsOld = operation === 'UPDATE' || operation === 'DELETE';
  return (needsObject ? objectProblem('request.object', request['object'], target) : undefined)
    ?? (needsOld ? objectProblem('request.oldObject', request['oldObject'], target) ?? storedProblem(decodedObject(request['oldObject']), target) : undefined);
}

/** The handler's input from a request body, or why the body is not a review this route answers. */
export function decodeReview(body: unknown, target: ReviewTarget): Decoded {
  const envelope = envelopeProblem(body);
  const request = isObject(body) && isObject(body['request']) ? body['request'] : {};
  const uid = typeof request['uid'] === 'string' ? request['uid'] : '';
  const problem = envelope ?? kindProblem(request['kind'], target) ?? operationProblem(request['operation'], target);
  if (problem !== undefined) return { ok: false, uid, message: problem };
  const operation = request['operation'] as AdmissionOperation;
  const objects = objectsProblem(request, operation, target);
  if (objects !== undefined) return { ok: false, uid, message: objects };
  return { ok: true, uid, input: { object: decodedObject(request['object']), oldObject: decodedObject(request['oldObject']), operation } };
}

/**
 * The object as the API server's decoding reads it: missing or `null` metadata is an empty one, a
 * `null` metadata field is unset (Go's zero values). Handlers then never meet a missing metadata.
 */
function decodedObject(object: unknown): unknown {
  if (!isObject(object)) return object;
  const meta = object['metadata'];
  if (meta === undefined || meta === null) return { ...object, metadata: {} };
  if (!isObject(meta) || !Object.values(meta).includes(null)) return object;
  return { ...object, metadata: Object.fromEntries(Object.entries(meta).filter(([, v]) => v !== null)) };
}

function envelope(response: AdmissionResponse): AdmissionReviewResponse {
  return { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response };
}

/** The denial for a body that is not a usable review. */
export function badRequestReview(uid: string, message: string): AdmissionReviewResponse {
  return envelope({ uid, allowed: false, status: { code: 400, reason: 'BadRequest', message } });
}

function withWarnings(response: AdmissionResponse, warnings: readonly string[]): AdmissionResponse {
  const kept = capWarnings(warnings);
  return kept.length === 0 ? response : { ...response, warnings: kept };
}

/** The JSONPatch fields of a mutating answer; none when nothing changed. */
export function patchFields(original: unknown, mutated: unknown): Pick<AdmissionResponse, 'patch' | 'patchType'> {
  const ops = diff(original, mutated);
  if (ops.length === 0) return {};
  return { patchType: 'JSONPatch', patch: Buffer.from(JSON.stringify(ops), 'utf8').toString('base64') };
}

/** The review answer for a handler's outcome. */
export function encodeOutcome(uid: string, target: ReviewTarget, input: AdmissionInput, outcome: AdmissionOutcome): AdmissionReviewResponse {
  if (!outcome.allowed) return envelope(withWarnings({ uid, allowed: false, status: outcome.status }, outcome.warnings));
  const patch = target.type === 'mutating' && input.object !== undefined ? patchFields(input.object, outcome.object) : {};
  return envelope(withWarnings({ uid, allowed: true, ...patch }, outcome.warnings));
}

function errorText(e: unknown): string {
  return e instanceof Error ? `${e.name}: ${e.message}` : 'a non-Error value was thrown';
}

/** Answers one request body with `handler`. Never throws. */
export function reviewWith(target: ReviewTarget, handler: AdmissionHandler, body: unknown, ctx: AdmissionContext): AdmissionReviewResponse {
  let uid = '';
  try {
    const decoded = decodeReview(body, target);
    uid = decoded.uid;
    if (!decoded.ok) return badRequestReview(decoded.uid, decoded.message);
    return encodeOutcome(decoded.uid, target, decoded.input, handler(decoded.input, ctx));
  } catch (e: unknown) {
    // A broken invariant in a handler (or an object too deep to walk) becomes a 500 denial, as a value.
    return envelope({ uid, allowed: false, status: { code: 500, reason: 'InternalError', message: `internal error while reviewing the ${target.kind}: ${errorText(e)}` } });
  }
}

/** `route.review` for a target and its handler. */
export function createReview(target: ReviewTarget, handler: AdmissionHandler): WebhookRoute['review'] {
  return (body, ctx) => reviewWith(target, handler, body, ctx);
}
