import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { applyPatch } from '../core/json-patch.js';
import { testContext } from '../test/fixtures/admission/context.js';
import { mutateVmiHandler, type AdmissionHandler } from './admission-handlers.js';
import { WEBHOOK_ROUTES, type RegisteredWebhook } from './registry.js';
import { mutateVmiOnCreate } from './mutate/vmi-mutator.js';
import { PRESET_DEPRECATION_WARNING } from './mutate/presets.js';
import { createReview, decodeReview, reviewWith } from './review.js';
import type { AdmissionReviewResponse } from './review-types.js';
import { randomCases, reviewResponseProblems, seededRandom, uidOf, wrongTypeCases } from './runtime/fuzz-reviews.testing.js';

const REVIEWS = 'test/fixtures/admission/reviews';

function fixture(name: string): Record<string, unknown> & { request: Record<string, unknown> } {
  return JSON.parse(readFileSync(`${REVIEWS}/${name}.json`, 'utf8')) as Record<string, unknown> & { request: Record<string, unknown> };
}

function route(path: string): RegisteredWebhook {
  const found = WEBHOOK_ROUTES.find((r) => r.path === path);
  if (found === undefined) throw new Error(`no route ${path}`);
  return found;
}

/** The registry's own VMI routes: what the HTTPS server answers with. */
const MUTATE = route('/virtualmachineinstances-mutate');
const VALIDATE = route('/virtualmachineinstances-validate-create');

const SMALL = {
  apiVersion: 'kubevirt.io/v1',
  kind: 'VirtualMachineInstancePreset',
  metadata: { name: 'small', namespace: 'default' },
  spec: { selector: { matchLabels: { 'kubevirt.io/flavor': 'small' } }, domain: { devices: {}, cpu: { cores: 1 }, resources: { requests: { memory: '128Mi' } } } },
};

function decodePatch(review: AdmissionReviewResponse): unknown {
  return JSON.parse(Buffer.from(review.response.patch ?? '', 'base64').toString('utf8'));
}

describe('a mutating review', () => {
  it('answers a VMI CREATE with a base64 JSONPatch from the request object to the mutated VMI', () => {
    const body = fixture('vmi-create');
    const ctx = testContext([SMALL]);
    const answer = MUTATE.review(body, ctx);
    expect(answer).toMatchObject({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response: { uid: '0df28fbd-5f5f-48ab-8d6d-e1b6ce1b7c4e', allowed: true, patchType: 'JSONPatch', warnings: [PRESET_DEPRECATION_WARNING] } });
    const expected = mutateVmiOnCreate(body.request['object'] as never, testContext([SMALL]));
    expect(expected.ok).toBe(true);
    if (expected.ok) expect(applyPatch(body.request['object'], decodePatch(answer) as never)).toEqual(JSON.parse(JSON.stringify(expected.object)));
    expect(reviewResponseProblems(answer, '0df28fbd-5f5f-48ab-8d6d-e1b6ce1b7c4e')).toEqual([]);
  });

  it('escapes label and annotation keys in the patch', () => {
    const ops = decodePatch(MUTATE.review(fixture('vmi-create'), testContext([SMALL]))) as { path: string }[];
    expect(ops.map((o) => o.path)).toContain('/metadata/annotations/virtualmachinepreset.kubevirt.io~1small');
    expect(ops.map((o) => o.path)).toContain('/metadata/annotations/kubevirt.io~1pci-topology-version');
  });

  it('leaves warnings out when there are none, and the patch out on UPDATE', () => {
    const create = MUTATE.review(fixture('vmi-create'), testContext());
    expect(create.response).not.toHaveProperty('warnings');
    const update = MUTATE.review(fixture('vmi-update'), testContext());
    expect(update).toEqual({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response: { uid: 'a6a7d2f4-11b8-4b0e-9d0c-2f5f3f0a9e11', allowed: true } });
  });

  it('denies conflicting presets with 422 and every cause', () => {
    const large = { ...SMALL, metadata: { name: 'large', namespace: 'default' }, spec: { ...SMALL.spec, domain: { devices: {}, cpu: { cores: 4 } } } };
    const answer = MUTATE.review(fixture('vmi-create'), testContext([SMALL, large]));
    expect(answer.response).toEqual({
      uid: '0df28fbd-5f5f-48ab-8d6d-e1b6ce1b7c4e',
      allowed: false,
      status: {
        code: 422,
        reason: 'Invalid',
        message: 'VirtualMachinePresets cannot be applied due to conflicts: presets \'large\' and \'small\' conflict: spec.domain.cpu: {"cores":4} != {"cores":1}',
        details: { causes: [{ type: 'FieldValueInvalid', field: 'spec.domain.cpu', message: 'presets \'large\' and \'small\' conflict: {"cores":4} != {"cores":1}' }] },
      },
    });
  });

  it('denies an object the schema refuses before mutating it', () => {
    const answer = MUTATE.review(fixture('vmi-create-invalid'), testContext());
    expect(answer.response).toMatchObject({ allowed: false, status: { code: 422, reason: 'Invalid' } });
    expect(answer.response).not.toHaveProperty('patch');
  });
});

describe('a validating review', () => {
  it('denies with 422, every cause and a message naming each field', () => {
    const answer = VALIDATE.review(fixture('vmi-create-invalid'), testContext());
    const status = answer.response.status;
    expect(answer.response).toMatchObject({ uid: '6e1f3c1e-8f0a-4d8e-a0a2-7d8f3d5c4b21', allowed: false, status: { code: 422, reason: 'Invalid' } });
    expect(status?.details?.causes.map((c) => c.field)).toEqual(['spec.domain.devices.disks[0].disk.bus', 'spec.domain.memory.guest']);
    expect(status?.message).toBe(status?.details?.causes.map((c) => `${c.field}: ${c.message}`).join(', '));
  });

  it('is the handler the table registers', () => {
    expect(MUTATE.handler).toBe(mutateVmiHandler);
  });

  it('never answers with a patch', () => {
    const handler: AdmissionHandler = (input) => ({ allowed: true, object: { ...(input.object as object), changed: true }, warnings: ['w', 'w'] });
    expect(reviewWith(VALIDATE, handler, fixture('vmi-create'), testContext()).response).toEqual({ uid: '0df28fbd-5f5f-48ab-8d6d-e1b6ce1b7c4e', allowed: true, warnings: ['w'] });
  });
});

describe('envelope checks', () => {
  const good = fixture('vmi-create');
  const withRequest = (fields: Record<string, unknown>): unknown => ({ ...good, request: { ...good.request, ...fields } });
  it.each<[string, unknown, string, RegExp]>([
    ['a list', [], '', /the body is a list, not an admission.k8s.io\/v1 AdmissionReview/],
    ['a string', 'hello', '', /the body is "hello"/],
    ['null', null, '', /the body is null, not an admission.k8s.io\/v1 AdmissionReview/],
    ['v1beta1', { ...good, apiVersion: 'admission.k8s.io/v1beta1' }, '0df28fbd-5f5f-48ab-8d6d-e1b6ce1b7c4e', /apiVersion is "admission.k8s.io\/v1beta1"; only admission.k8s.io\/v1/],
    ['another kind', { ...good, kind: 'TokenReview' }, '0df28fbd-5f5f-48ab-8d6d-e1b6ce1b7c4e', /kind is "TokenReview", not AdmissionReview/],
    ['no request', { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview' }, '', /request is missing, not an object/],
    ['no uid', withRequest({ uid: undefined }), '', /request.uid is missing/],
    ['an empty uid', withRequest({ uid: '' }), '', /request.uid is ""/],
    ['a uid of the wrong type', withRequest({ uid: 7 }), '', /request.uid is number/],
    ['another request kind', withRequest({ kind: { group: 'kubevirt.io', version: 'v1', kind: 'VirtualMachine' } }), '0df28fbd-5f5f-48ab-8d6d-e1b6ce1b7c4e',
      /request.kind is kubevirt.io\/v1 VirtualMachine, but \/virtualmachineinstances-mutate reviews kubevirt.io\/v1 VirtualMachineInstance/],
    ['another version', withRequest({ kind: { group: 'kubevirt.io', version: 'v1alpha3', kind: 'VirtualMachineInstance' } }), '0df28fbd-5f5f-48ab-8d6d-e1b6ce1b7c4e', /request.kind is kubevirt.io\/v1alpha3 VirtualMachineInstance/],
    ['a missing request kind', withRequest({ kind: undefined }), '0df28fbd-5f5f-48ab-8d6d-e1b6ce1b7c4e', /request.kind is missing/],
    ['an unknown operation', withRequest({ operation: 'PATCH' }), '0df28fbd-5f5f-48ab-8d6d-e1b6ce1b7c4e', /request.operation is "PATCH"; expected one of CREATE, UPDATE, DELETE, CONNECT/],
    ['an operation the route does not review', withRequest({ operation: 'DELETE', oldObject: good.request['object'] }), '0df28fbd-5f5f-48ab-8d6d-e1b6ce1b7c4e', /request.operation DELETE is not reviewed by \/virtualmachineinstances-mutate \(it reviews CREATE, UPDATE\)/],
    ['no object', withRequest({ object: undefined }), '0df28fbd-5f5f-48ab-8d6d-e1b6ce1b7c4e', /request.object is missing; the VirtualMachineInstance is missing/],
    ['an object of another kind', withRequest({ object: { apiVersion: 'v1', kind: 'Pod', metadata: {} } }), '0df28fbd-5f5f-48ab-8d6d-e1b6ce1b7c4e', /request.object is "v1" "Pod", not kubevirt.io\/v1 VirtualMachineInstance/],
    ['an UPDATE without the old object', withRequest({ operation: 'UPDATE', oldObject: null }), '0df28fbd-5f5f-48ab-8d6d-e1b6ce1b7c4e', /request.oldObject is null; the VirtualMachineInstance is missing/],
  ])('denies %s with 400, echoing the uid when there is one', (_name, body, uid, message) => {
    const answer = MUTATE.review(body, testContext());
    expect(answer.response).toMatchObject({ uid, allowed: false, status: { code: 400, reason: 'BadRequest', message: expect.stringMatching(message) } });
    expect(reviewResponseProblems(answer)).toEqual([]);
  });

  it('decodes the objects an operation carries', () => {
    const update = decodeReview(fixture('vmi-update'), MUTATE);
    expect(update).toMatchObject({ ok: true, uid: 'a6a7d2f4-11b8-4b0e-9d0c-2f5f3f0a9e11', input: { operation: 'UPDATE', object: { metadata: { labels: { team: 'a' } } }, oldObject: { metadata: { name: 'vmi-small' } } } });
  });
});

describe('robustness', () => {
  it('answers a handler that throws with a 500 denial', () => {
    const review = createReview(MUTATE, () => { throw new RangeError('too deep'); });
    expect(review(fixture('vmi-create'), testContext()).response).toEqual({
      uid: '0df28fbd-5f5f-48ab-8d6d-e1b6ce1b7c4e',
      allowed: false,
      status: { code: 500, reason: 'InternalError', message: 'internal error while reviewing the VirtualMachineInstance: RangeError: too deep' },
    });
  });

  const seeds = [fixture('vmi-create').request['object'], fixture('vmi-create-invalid').request['object'], fixture('vmi-update').request['object']] as never[];

  it.each([
    ['mutating', MUTATE],
    ['validating', VALIDATE],
  ] as const)('never throws on garbage and always answers a well-formed review (%s)', (_name, target) => {
    const rnd = seededRandom(2718);
    const cases = [...randomCases(seeds, 600, rnd), ...wrongTypeCases(seeds, rnd)];
    const ctx = testContext([SMALL]);
    for (const c of cases) {
      let body: unknown;
      try {
        body = JSON.parse(c.text);
      } catch {
        body = c.text;
      }
      const answer = target.review(body, ctx);
      const uid = uidOf(body);
      expect(reviewResponseProblems(answer, typeof uid === 'string' && uid !== '' ? uid : undefined), c.label).toEqual([]);
    }
  });
});

describe('reviews an API server could not have sent', () => {
  const route = (path: string): RegisteredWebhook => WEBHOOK_ROUTES.find((r) => r.path === path) as RegisteredWebhook;
  const vmi = (metadata: unknown): unknown => ({ apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachineInstance', metadata, spec: { domain: { devices: {}, resources: { requests: { memory: '64Mi' } } } } });
  const review = (object: unknown, extra: Record<string, unknown> = {}): unknown => ({
    apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview',
    request: { uid: 'u1', kind: { group: 'kubevirt.io', version: 'v1', kind: 'VirtualMachineInstance' }, resource: { group: 'kubevirt.io', version: 'v1', resource: 'virtualmachineinstances' }, operation: 'CREATE', userInfo: { username: 'alice' }, object, ...extra },
  });

  it.each([
    ['a number', 5, 'request.object.metadata.name is number, not a string'],
    ['a boolean', true, 'request.object.metadata.name is boolean, not a string'],
    ['an object', { a: 1 }, 'request.object.metadata.name is object, not a string'],
  ])('answers a name that is %s with 400 naming the field, never a 500', (_title, name, message) => {
    for (const path of ['/virtualmachineinstances-mutate', '/virtualmachineinstances-validate-create']) {
      const answer = route(path).review(review(vmi({ name, namespace: 'default' })), testContext());
      expect(answer.response).toMatchObject({ uid: 'u1', allowed: false, status: { code: 400, reason: 'BadRequest', message } });
    }
  });

  it('reads missing or null metadata as empty (Go zero values), as the API server decodes it', () => {
    for (const metadata of [undefined, null, { name: null, namespace: 'default' }]) {
      const answer = route('/virtualmachineinstances-validate-create').review(review(vmi(metadata)), testContext());
      expect(answer.response.status?.code ?? 200).not.toBe(500);
    }
  });

  it('refuses an UPDATE whose stored object breaks its schema with 400, never a 500', () => {
    const old = { apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachineInstance', metadata: { name: 'a', namespace: 'default' }, spec: 'broken' };
    const answer = route('/virtualmachineinstances-validate-update').review(review(vmi({ name: 'a', namespace: 'default' }), { operation: 'UPDATE', oldObject: old }), testContext());
    expect(answer.response).toMatchObject({ allowed: false, status: { code: 400 } });
    expect(answer.response.status?.message).toMatch(/^request.oldObject is not a VirtualMachineInstance the API server could have stored: spec/);
  });
});
