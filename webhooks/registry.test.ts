import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { applyPatch, type Op } from '../core/json-patch.js';
import { KINDS, type KindName } from '../crd-gen/index.js';
import type { AdmissionOperation } from './review-types.js';
import { testContext } from '../test/fixtures/admission/context.js';
import { routesFor, WEBHOOK_ROUTES } from './registry.js';
import { randomCases, reviewFor, reviewResponseProblems, seededRandom, uidOf } from './runtime/fuzz-reviews.testing.js';

/** KUBEVIRT-REFERENCE.md "KubeVirt's webhook paths", with KubeVirt's webhook names and operations (virt-operator's webhooks.go). */
const KUBEVIRT: readonly [string, string, 'mutating' | 'validating', string, string[]][] = [
  ['/virtualmachineinstances-mutate', 'virtualmachineinstances-mutator.kubevirt.io', 'mutating', 'VirtualMachineInstance', ['CREATE', 'UPDATE']],
  ['/virtualmachineinstances-validate-create', 'virtualmachineinstances-create-validator.kubevirt.io', 'validating', 'VirtualMachineInstance', ['CREATE']],
  ['/virtualmachineinstances-validate-update', 'virtualmachineinstances-update-validator.kubevirt.io', 'validating', 'VirtualMachineInstance', ['UPDATE']],
  ['/virtualmachines-mutate', 'virtualmachines-mutator.kubevirt.io', 'mutating', 'VirtualMachine', ['CREATE', 'UPDATE']],
  ['/virtualmachines-validate', 'virtualmachine-validator.kubevirt.io', 'validating', 'VirtualMachine', ['CREATE', 'UPDATE']],
  ['/virtualmachinereplicaset-validate', 'virtualmachinereplicaset-validator.kubevirt.io', 'validating', 'VirtualMachineInstanceReplicaSet', ['CREATE', 'UPDATE']],
  ['/vmipreset-validate', 'virtualmachinepreset-validator.kubevirt.io', 'validating', 'VirtualMachineInstancePreset', ['CREATE', 'UPDATE']],
  ['/virtualmachineinstancetypes-validate', 'virtualmachineinstancetype-validator.instancetype.kubevirt.io', 'validating', 'VirtualMachineInstancetype', ['CREATE', 'UPDATE']],
  ['/virtualmachineclusterinstancetypes-validate', 'virtualmachineclusterinstancetype-validator.instancetype.kubevirt.io', 'validating', 'VirtualMachineClusterInstancetype', ['CREATE', 'UPDATE']],
  ['/virtualmachinepreferences-validate', 'virtualmachinepreference-validator.instancetype.kubevirt.io', 'validating', 'VirtualMachinePreference', ['CREATE', 'UPDATE']],
  ['/virtualmachineclusterpreferences-validate', 'virtualmachineclusterpreference-validator.instancetype.kubevirt.io', 'validating', 'VirtualMachineClusterPreference', ['CREATE', 'UPDATE']],
];

describe('WEBHOOK_ROUTES', () => {
  it('serves exactly KubeVirt\'s paths, each once', () => {
    expect(WEBHOOK_ROUTES.map((r) => r.path)).toEqual(KUBEVIRT.map((k) => k[0]));
    expect(new Set(WEBHOOK_ROUTES.map((r) => r.name)).size).toBe(WEBHOOK_ROUTES.length);
  });

  it.each(KUBEVIRT)('%s is %s (%s of %s for %j)', (path, name, type, kind, operations) => {
    const route = WEBHOOK_ROUTES.find((r) => r.path === path);
    const info = KINDS[kind as keyof typeof KINDS];
    expect(route).toMatchObject({ name, type, kind, operations, group: info.group, version: info.version, plural: info.plural });
  });

  it('covers every kind we serve, and mutates only VMIs and VMs', () => {
    expect(new Set(WEBHOOK_ROUTES.map((r) => r.kind))).toEqual(new Set(Object.keys(KINDS)));
    expect(WEBHOOK_ROUTES.filter((r) => r.type === 'mutating').map((r) => r.kind)).toEqual(['VirtualMachineInstance', 'VirtualMachine']);
  });

  it('orders a kind\'s handlers as the API server calls them: mutating, then validating', () => {
    expect(routesFor('VirtualMachineInstance', 'CREATE').map((r) => r.path)).toEqual(['/virtualmachineinstances-mutate', '/virtualmachineinstances-validate-create']);
    expect(routesFor('VirtualMachineInstance', 'UPDATE').map((r) => r.path)).toEqual(['/virtualmachineinstances-mutate', '/virtualmachineinstances-validate-update']);
    expect(routesFor('VirtualMachine', 'CREATE').map((r) => r.path)).toEqual(['/virtualmachines-mutate', '/virtualmachines-validate']);
    expect(routesFor('VirtualMachine', 'DELETE')).toEqual([]);
  });
});

/** A minimal valid-looking object of each kind, as fuzz seeds. */
function seedFor(kind: keyof typeof KINDS): Record<string, unknown> {
  const info = KINDS[kind];
  const metadata = info.namespaced ? { name: 'x', namespace: 'default' } : { name: 'x' };
  return { apiVersion: info.apiVersion, kind, metadata, spec: {} };
}

describe('every route', () => {
  it.each(WEBHOOK_ROUTES.map((r) => [r.path, r] as const))('%s never throws on garbage and answers a well-formed review', (_path, route) => {
    const rnd = seededRandom(route.path.length * 7919);
    const ctx = testContext();
    for (const c of randomCases([seedFor(route.kind) as never], 150, rnd)) {
      let body: unknown;
      try {
        body = JSON.parse(c.text);
      } catch {
        body = c.text;
      }
      const uid = uidOf(body);
      expect(reviewResponseProblems(route.review(body, ctx), uid === '' ? undefined : uid), c.label).toEqual([]);
    }
  });

  it.each(WEBHOOK_ROUTES.map((r) => [r.path, r] as const))('%s answers a review of its kind (an empty spec is a schema denial or an admission; as a stored object, a bad request)', (_path, route) => {
    const answer = route.review(reviewFor(seedFor(route.kind) as never, route.operations[0] as 'CREATE' | 'UPDATE', 'uid-1'), testContext());
    expect(reviewResponseProblems(answer, 'uid-1')).toEqual([]);
    const storedBreaksSchema = answer.response.status?.message.startsWith('request.oldObject is not a') === true;
    if (!answer.response.allowed) expect(answer.response.status).toMatchObject(storedBreaksSchema ? { code: 400, reason: 'BadRequest' } : { code: 422, reason: 'Invalid' });
  });
});

/** The AdmissionReview fixtures, as the API server sends them. */
const REVIEWS = readdirSync('test/fixtures/admission/reviews').filter((f) => f.endsWith('.json')).sort();

describe('real AdmissionReview requests', () => {
  it.each(REVIEWS)('%s is answered by every route for its kind and operation, the mutated object passed on', (file) => {
    const body = JSON.parse(readFileSync(`test/fixtures/admission/reviews/${file}`, 'utf8')) as { request: { uid: string; kind: { kind: KindName }; operation: AdmissionOperation; object: unknown } };
    const routes = routesFor(body.request.kind.kind, body.request.operation);
    expect(routes.length).toBeGreaterThan(0);
    let object = body.request.object;
    // The example preset gives vmi-create.json (labelled kubevirt.io/flavor: small) its memory.
    const ctx = testContext(parseAllDocuments(readFileSync('examples/preset-small.yaml', 'utf8')).map((d) => d.toJS() as unknown));
    for (const route of routes) {
      const answer = route.review({ ...body, request: { ...body.request, object } }, ctx);
      expect(reviewResponseProblems(answer, body.request.uid)).toEqual([]);
      if (file.includes('invalid')) {
        expect(answer.response).toMatchObject({ allowed: false, status: { code: 422 } });
        return;
      }
      expect(answer.response.status, `${route.path} denied ${file}`).toBeUndefined();
      expect(answer.response.allowed).toBe(true);
      if (route.type === 'validating') expect(answer.response.patch).toBeUndefined();
      if (answer.response.patch !== undefined) object = applyPatch(object, JSON.parse(Buffer.from(answer.response.patch, 'base64').toString('utf8')) as Op[]);
    }
    if (body.request.operation === 'CREATE' && body.request.kind.kind === 'VirtualMachine') {
      expect(object).toMatchObject({ spec: { template: { spec: { domain: { firmware: { uuid: expect.any(String), serial: expect.any(String) }, machine: { type: 'q35' } } } } } });
    }
  });
});
