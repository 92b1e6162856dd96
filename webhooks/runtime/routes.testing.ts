/**
 * Webhook routes for testing and benchmarking the server on its own: built from the WebhookRoute
 * shape, with just enough decoding to allow, deny with causes, patch, or break. Never imported by
 * production code.
 */
import type { AdmissionContext } from '../context.js';
import type { AdmissionResponse, AdmissionReviewResponse, WebhookRoute } from '../review-types.js';

type Json = Record<string, unknown>;

const isRecord = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function answer(response: AdmissionResponse): AdmissionReviewResponse {
  return { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response };
}

/** The request of a body shaped like an AdmissionReview, or a 400 denial saying why not. */
function decode(body: unknown): { request: Json; uid: string } | AdmissionReviewResponse {
  const request = isRecord(body) && isRecord(body['request']) ? body['request'] : undefined;
  const uid = typeof request?.['uid'] === 'string' ? request['uid'] : '';
  if (!isRecord(body) || body['kind'] !== 'AdmissionReview' || request === undefined || uid === '') {
    return answer({ uid, allowed: false, status: { code: 400, reason: 'BadRequest', message: 'body is not an admission.k8s.io/v1 AdmissionReview with a request uid' } });
  }
  return { request, uid };
}

const BASE = { group: 'kubevirt.io', version: 'v1', kind: 'VirtualMachineInstance', plural: 'virtualmachineinstances', operations: ['CREATE', 'UPDATE'] } as const;

/** Denies objects whose `spec.deny` is true (422, a cause on `spec.deny`), allows the rest. */
export const TEST_VALIDATING_ROUTE: WebhookRoute = {
  ...BASE,
  path: '/test-validate',
  name: 'test-validator.kubevirt.io',
  type: 'validating',
  review: (body) => {
    const decoded = decode(body);
    if ('response' in decoded) return decoded;
    const object = decoded.request['object'];
    const spec = isRecord(object) && isRecord(object['spec']) ? object['spec'] : {};
    if (spec['deny'] !== true) return answer({ uid: decoded.uid, allowed: true });
    const cause = { type: 'FieldValueInvalid', field: 'spec.deny', message: 'spec.deny: true is not allowed; set false' } as const;
    return answer({ uid: decoded.uid, allowed: false, status: { code: 422, reason: 'Invalid', message: cause.message, details: { causes: [cause] } } });
  },
};

/** Adds labels naming the requesting user and an id drawn from the context. */
export const TEST_MUTATING_ROUTE: WebhookRoute = {
  ...BASE,
  path: '/test-mutate',
  name: 'test-mutator.kubevirt.io',
  type: 'mutating',
  review: (body, ctx: AdmissionContext) => {
    const decoded = decode(body);
    if ('response' in decoded) return decoded;
    const patch = [{ op: 'add', path: '/metadata/labels', value: { 'kubevirt.io/mutated-by': ctx.user?.username ?? '', 'kubevirt.io/id': ctx.ids.uuid() } }];
    return answer({ uid: decoded.uid, allowed: true, patchType: 'JSONPatch', patch: Buffer.from(JSON.stringify(patch)).toString('base64') });
  },
};

/** Breaks the routes' promise never to throw. */
export const TEST_THROWING_ROUTE: WebhookRoute = {
  ...BASE,
  path: '/test-throw',
  name: 'test-thrower.kubevirt.io',
  type: 'validating',
  review: () => {
    throw new Error('route bug');
  },
};

/** Allows everything without reading the body beyond its uid: the server's own cost, for benchmarks. */
export const ECHO_ROUTE: WebhookRoute = {
  ...BASE,
  path: '/echo',
  name: 'echo.kubevirt.io',
  type: 'validating',
  review: (body) => {
    const request = isRecord(body) && isRecord(body['request']) ? body['request'] : {};
    return answer({ uid: typeof request['uid'] === 'string' ? request['uid'] : '', allowed: true });
  },
};

/** An AdmissionReview request for `object`, as the apiserver sends it. */
export function admissionReview(uid: string, object: unknown, extra: Json = {}): Json {
  return {
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid,
      kind: { group: 'kubevirt.io', version: 'v1', kind: 'VirtualMachineInstance' },
      resource: { group: 'kubevirt.io', version: 'v1', resource: 'virtualmachineinstances' },
      name: isRecord(object) && isRecord(object['metadata']) ? object['metadata']['name'] : undefined,
      namespace: 'default',
      operation: 'CREATE',
      userInfo: { username: 'alice', groups: ['system:authenticated'] },
      object,
      ...extra,
    },
  };
}
