import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { applyPatch, diff, type Op } from '../core/json-patch.js';
import type { VirtualMachineInstance } from '../crd-gen/index.js';
import { testContext } from '../test/fixtures/admission/context.js';
import { admit, kindOf } from './admission.js';
import { PRESET_DEPRECATION_WARNING } from './mutate/presets.js';
import { mutateVmiOnCreate } from './mutate/vmi-mutator.js';
import { routesFor } from './registry.js';
import { randomJson, reviewFor, seededRandom } from './runtime/fuzz-reviews.testing.js';

type Obj = Record<string, unknown>;

function exampleFiles(): { file: string; objects: Obj[] }[] {
  return readdirSync('examples').filter((f) => f.endsWith('.yaml')).sort().map((f) => ({
    file: f,
    objects: parseAllDocuments(readFileSync(join('examples', f), 'utf8')).map((d) => d.toJS() as Obj).filter((o) => o !== null),
  }));
}

const EXAMPLES = exampleFiles().flatMap(({ file, objects }) => objects.map((object) => ({ label: `${file}: ${String(object['kind'])}/${String((object['metadata'] as Obj)['name'])}`, object, objects })));

function vmi(spec: Obj = { domain: { devices: {}, resources: { requests: { memory: '1Gi' } } } }, metadata: Obj = { name: 'v', namespace: 'default' }): Obj {
  return { apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachineInstance', metadata, spec };
}

/** The same CREATE through the registry's routes, as the API server would call them over HTTPS. */
function viaRoutes(object: Obj, objects: readonly unknown[]): { allowed: boolean; object?: unknown; status?: unknown; warnings: string[] } {
  const ctx = testContext(objects);
  const kind = kindOf(object);
  if (!kind.ok) throw new Error('not one of our kinds');
  let current: unknown = object;
  const warnings: string[] = [];
  for (const route of routesFor(kind.kind, 'CREATE')) {
    const { response } = route.review(reviewFor(current as never, 'CREATE', 'uid'), ctx);
    warnings.push(...(response.warnings ?? []));
    if (!response.allowed) return { allowed: false, status: response.status, warnings: [...new Set(warnings)] };
    if (response.patch !== undefined) current = applyPatch(current, JSON.parse(Buffer.from(response.patch, 'base64').toString('utf8')) as Op[]);
  }
  return { allowed: true, object: current, warnings: [...new Set(warnings)] };
}

describe('admit', () => {
  it('runs the VMI mutation then validation, and returns the patch that made the object', () => {
    const input = vmi();
    const result = admit(input, undefined, 'CREATE', testContext());
    const mutated = mutateVmiOnCreate(input as unknown as VirtualMachineInstance, testContext());
    expect(mutated.ok).toBe(true);
    if (!mutated.ok || !result.allowed) throw new Error('denied');
    expect(result.object).toEqual(mutated.object);
    expect(result.patch).toEqual(diff(input, mutated.object));
    expect(applyPatch(input, result.patch)).toEqual(JSON.parse(JSON.stringify(result.object)));
    expect(result.warnings).toEqual([]);
  });

  it('carries warnings: the preset deprecation and unknown fields', () => {
    const preset = { apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachineInstancePreset', metadata: { name: 'p', namespace: 'default' }, spec: { selector: {}, domain: { devices: {}, cpu: { cores: 1 } } } };
    const input = vmi({ domain: { devices: {}, resources: { requests: { memory: '1Gi' } }, bogus: 1 } });
    const result = admit(input, undefined, 'CREATE', testContext([preset]));
    expect(result).toMatchObject({ allowed: true, warnings: ['spec.domain.bogus: unknown field "spec.domain.bogus"', PRESET_DEPRECATION_WARNING] });
  });

  it('denies a schema problem with 422 and the schema causes, before any mutation', () => {
    const result = admit(vmi({ domain: { devices: { disks: [{ name: 'd', disk: { bus: 'floppy' } }] }, memory: { guest: '12x' } } }), undefined, 'CREATE', testContext());
    expect(result).toMatchObject({ allowed: false, status: { code: 422, reason: 'Invalid' } });
    if (!result.allowed) expect(result.status.details?.causes.map((c) => c.field)).toEqual(['spec.domain.devices.disks[0].disk.bus', 'spec.domain.memory.guest']);
  });

  it('denies conflicting presets with 422', () => {
    const preset = (name: string, cores: number): Obj => ({ apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachineInstancePreset', metadata: { name, namespace: 'default' }, spec: { selector: {}, domain: { devices: {}, cpu: { cores } } } });
    const result = admit(vmi(), undefined, 'CREATE', testContext([preset('a', 1), preset('b', 2)]));
    expect(result).toMatchObject({ allowed: false, status: { code: 422, message: expect.stringMatching(/^VirtualMachinePresets cannot be applied due to conflicts: presets 'b' and 'a' conflict/) } });
  });

  it.each<[string, unknown, string, RegExp]>([
    ['a non-object', 'text', '', /the object is not a JSON object/],
    ['no apiVersion', { kind: 'VirtualMachineInstance' }, 'apiVersion', /Required value: every object needs apiVersion and kind/],
    ['no kind', { apiVersion: 'kubevirt.io/v1' }, 'kind', /Required value/],
    ['an unknown kind of ours', { apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachineFlavor' }, 'kind', /^no matches for kind "VirtualMachineFlavor" in version "kubevirt.io\/v1"$/],
    ['an unserved version', { apiVersion: 'kubevirt.io/v1alpha3', kind: 'VirtualMachineInstance' }, 'kind', /no matches for kind "VirtualMachineInstance" in version "kubevirt.io\/v1alpha3"/],
    ['another API group', { apiVersion: 'apps/v1', kind: 'Deployment' }, 'apiVersion', /"apps\/v1" is not an API group and version kubevirt-ts serves/],
  ])('denies %s with 400 and a cause', (_name, object, field, message) => {
    const result = admit(object, undefined, 'CREATE', testContext());
    expect(result).toMatchObject({ allowed: false, status: { code: 400, reason: 'BadRequest', details: { causes: [{ field, message: expect.stringMatching(message) }] } } });
  });

  it('needs the stored object on UPDATE, lets DELETE through, and applies no defaults on UPDATE', () => {
    expect(admit(vmi(), undefined, 'UPDATE', testContext())).toMatchObject({ allowed: false, status: { code: 400 } });
    expect(admit(undefined, vmi(), 'DELETE', testContext())).toEqual({ allowed: true, object: undefined, warnings: [], patch: [] });
  });

  it('never throws on random JSON objects', () => {
    const rnd = seededRandom(31337);
    for (let i = 0; i < 500; i += 1) {
      const junk = randomJson(rnd, 5);
      const object = i % 2 === 0 ? junk : { ...vmi(), spec: junk };
      const result = admit(object, undefined, 'CREATE', testContext());
      expect(typeof result.allowed).toBe('boolean');
    }
  });
});

describe('every example', () => {
  it('has examples of every kind the examples folder ships', () => {
    expect(EXAMPLES.length).toBeGreaterThanOrEqual(8);
  });

  it.each(EXAMPLES.map((e) => [e.label, e] as const))('%s: admitted, and admit answers exactly as the routes do', (_label, { object, objects }) => {
    const direct = admit(object, undefined, 'CREATE', testContext(objects));
    expect(direct.allowed ? [] : direct.status).toEqual([]);
    const routed = viaRoutes(object, objects);
    expect(routed.allowed).toBe(direct.allowed);
    if (direct.allowed) expect(JSON.parse(JSON.stringify(routed.object))).toEqual(JSON.parse(JSON.stringify(direct.object)));
    expect(routed.warnings).toEqual(direct.warnings);
  });

  it.each(EXAMPLES.map((e) => [e.label, e] as const))('%s: admitting the admitted object again gives an empty patch', (_label, { object, objects }) => {
    const first = admit(object, undefined, 'CREATE', testContext(objects));
    if (!first.allowed) throw new Error(JSON.stringify(first.status));
    const second = admit(first.object, undefined, 'CREATE', testContext(objects, { now: new Date('2031-01-01T00:00:00Z') }));
    expect(second).toMatchObject({ allowed: true, patch: [] });
  });
});
