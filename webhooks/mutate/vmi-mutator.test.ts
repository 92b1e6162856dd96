import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { diff } from '../../core/json-patch.js';
import type { ClusterConfig } from '../../core/cluster-config.js';
import { Finalizers, type VirtualMachineInstance } from '../../crd-gen/index.js';
import { fixedIds, testContext, TEST_NOW } from '../../test/fixtures/admission/context.js';
import { TEST_FIRMWARE_UUID } from '../../test/builders/vmi.js';
import { PRESET_DEPRECATION_WARNING } from './presets.js';
import { formatKubeTime } from '../../core/time.js';
import { mutateVmiOnCreate, } from './vmi-mutator.js';

const DEFAULTS = 'test/fixtures/admission/defaults';
const PRESETS = 'test/fixtures/admission/presets';

function docs(file: string): { kind?: string; apiVersion?: string }[] {
  return parseAllDocuments(readFileSync(file, 'utf8')).map((d) => d.toJS() as { kind?: string }).filter((d) => d !== null);
}

function isVmi(d: { kind?: string; apiVersion?: string }): d is VirtualMachineInstance {
  return d.kind === 'VirtualMachineInstance' && d.apiVersion === 'kubevirt.io/v1';
}

function vmi(fields: Partial<VirtualMachineInstance['metadata']> = {}, status?: VirtualMachineInstance['status']): VirtualMachineInstance {
  return {
    apiVersion: 'kubevirt.io/v1',
    kind: 'VirtualMachineInstance',
    metadata: { name: 'v', namespace: 'default', ...fields },
    spec: { domain: { devices: {}, resources: { requests: { memory: '1Gi' } } } },
    ...(status === undefined ? {} : { status }),
  };
}

function mutated(input: VirtualMachineInstance, ctx = testContext()): VirtualMachineInstance {
  const result = mutateVmiOnCreate(input, ctx);
  if (!result.ok) throw new Error(`denied: ${JSON.stringify(result)}`);
  return result.object;
}

describe('mutateVmiOnCreate', () => {
  it('sets the create status, the finalizer and the Pending transition at ctx.now', () => {
    const out = mutated(vmi());
    expect(out.metadata.finalizers).toEqual([Finalizers.vmiForegroundDelete]);
    expect(out.status).toEqual({
      phase: 'Pending',
      phaseTransitionTimestamps: [{ phase: 'Pending', phaseTransitionTimestamp: '2025-01-02T03:04:05Z' }],
      memory: { guestAtBoot: '1Gi', guestCurrent: '1Gi', guestRequested: '1Gi' },
      currentCPUTopology: { sockets: 1, cores: 1, threads: 1 },
      runtimeUser: 107,
    });
  });

  it('formats times as metav1.Time does (RFC 3339, whole seconds, UTC)', () => {
    expect(formatKubeTime(TEST_NOW)).toBe('2025-01-02T03:04:05Z');
    expect(formatKubeTime(new Date(Date.UTC(2030, 11, 31, 23, 59, 59)))).toBe('2030-12-31T23:59:59Z');
  });

  it('runs as root (runtimeUser 0) under the Root feature gate', () => {
    expect(mutated(vmi(), testContext([], { cfg: { featureGates: ['Root'] } })).status?.runtimeUser).toBe(0);
  });

  it('adds the finalizer once and keeps the others', () => {
    expect(mutated(vmi({ finalizers: ['a', Finalizers.vmiForegroundDelete] })).metadata.finalizers).toEqual(['a', Finalizers.vmiForegroundDelete]);
    expect(mutated(vmi({ finalizers: ['a'] })).metadata.finalizers).toEqual(['a', Finalizers.vmiForegroundDelete]);
  });

  it('keeps an existing Pending transition and an existing CPU topology status', () => {
    const status = { phaseTransitionTimestamps: [{ phase: 'Pending', phaseTransitionTimestamp: '2020-01-01T00:00:00Z' }], currentCPUTopology: { sockets: 3 } };
    const out = mutated(vmi({}, status));
    expect(out.status?.phaseTransitionTimestamps).toEqual(status.phaseTransitionTimestamps);
    expect(out.status?.currentCPUTopology).toEqual({ sockets: 3 });
  });

  it('leaves status.memory unset when there is no guest memory', () => {
    const input = vmi();
    input.spec.domain.resources = {};
    expect(mutated(input).status?.memory).toBeUndefined();
  });

  it('draws a firmware UUID only for a VMI without one', () => {
    const ids = fixedIds();
    expect(mutated(vmi(), testContext([], { ids })).spec.domain.firmware?.uuid).toBe(TEST_FIRMWARE_UUID);
    expect(ids.drawn()).toBe(1);
    const own = vmi();
    own.spec.domain.firmware = { uuid: 'own-uuid' };
    expect(mutated(own, testContext([], { ids })).spec.domain.firmware?.uuid).toBe('own-uuid');
    expect(ids.drawn()).toBe(1);
  });

  it('leaves its input untouched', () => {
    const input = vmi({ labels: { a: 'b' } });
    const before = structuredClone(input);
    mutated(input);
    expect(input).toEqual(before);
  });

  it('applies the namespace\'s presets first and warns that presets are deprecated', () => {
    const preset = { apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachineInstancePreset', metadata: { name: 'p', namespace: 'default' }, spec: { selector: {}, domain: { devices: {}, cpu: { sockets: 2 } } } };
    const result = mutateVmiOnCreate(vmi(), testContext([preset]));
    expect(result).toMatchObject({ ok: true, warnings: [PRESET_DEPRECATION_WARNING] });
    if (result.ok) {
      expect(result.object.spec.domain.cpu).toMatchObject({ sockets: 2, maxSockets: 8 });
      expect(result.object.metadata.annotations).toMatchObject({ 'virtualmachinepreset.kubevirt.io/p': 'kubevirt.io/v1' });
    }
    expect(mutateVmiOnCreate(vmi({ namespace: 'other' }), testContext([preset]))).toMatchObject({ ok: true, warnings: [] });
    expect(mutateVmiOnCreate(vmi({ annotations: { 'virtualmachinepreset.kubevirt.io/old': 'x' } }), testContext())).toMatchObject({ warnings: [PRESET_DEPRECATION_WARNING] });
  });

  it('passes a preset denial on, drawing nothing', () => {
    const preset = (name: string, cores: number): object => ({ apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachineInstancePreset', metadata: { name }, spec: { selector: {}, domain: { devices: {}, cpu: { cores } } } });
    const ids = fixedIds();
    const result = mutateVmiOnCreate(vmi(), testContext([preset('a', 1), preset('b', 2)], { ids }));
    expect(result).toMatchObject({ ok: false, code: 422, causes: [{ field: 'spec.domain.cpu' }] });
    expect(ids.drawn()).toBe(0);
  });
});

describe('golden defaulting patches', () => {
  const cases = readdirSync(DEFAULTS).filter((n) => existsSync(join(DEFAULTS, n, 'vmi.yaml'))).sort();

  it('has the cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(9);
  });

  it.each(cases)('%s', async (name) => {
    const objects = docs(join(DEFAULTS, name, 'vmi.yaml'));
    const input = objects.find(isVmi);
    if (input === undefined) throw new Error(`${name}: no VMI`);
    const configFile = join(DEFAULTS, name, 'config.json');
    const cfg = existsSync(configFile) ? (JSON.parse(readFileSync(configFile, 'utf8')) as Partial<ClusterConfig>) : {};
    const patch = diff(input, mutated(input, testContext(objects, { cfg })));
    await expect(`${JSON.stringify(patch, null, 2)}\n`).toMatchFileSnapshot(join('../..', DEFAULTS, name, 'patch.json'));
  });
});

/** Every VMI we have as a user would write it: the examples, the admission fixtures, the converter's golden inputs. */
function everyVmiSource(): { label: string; vmi: VirtualMachineInstance; objects: unknown[] }[] {
  const files = [
    ...readdirSync('examples').filter((f) => f.endsWith('.yaml')).map((f) => join('examples', f)),
    ...[DEFAULTS, PRESETS, 'test/golden/launcher'].flatMap((dir) =>
      readdirSync(dir).flatMap((n) => ['vmi.yaml', 'input.yaml'].map((f) => join(dir, n, f))).filter((f) => existsSync(f))),
  ];
  return files.flatMap((file) => {
    const objects = docs(file);
    return objects.filter(isVmi).map((v) => ({ label: `${file}: ${v.metadata.name}`, vmi: v, objects }));
  });
}

describe('idempotency', () => {
  const sources = everyVmiSource();

  it('covers the examples and every fixture', () => {
    expect(sources.length).toBeGreaterThanOrEqual(40);
  });

  it.each(sources.map((s) => [s.label, s] as const))('admitting the admitted %s again gives an empty patch', (_label, source) => {
    const first = mutateVmiOnCreate(source.vmi, testContext(source.objects));
    if (!first.ok) return; // a denial (the conflicting and malformed preset cases) admits nothing
    const ids = fixedIds();
    const second = mutateVmiOnCreate(first.object, testContext(source.objects, { ids, now: new Date('2031-01-01T00:00:00Z') }));
    expect(second.ok).toBe(true);
    if (second.ok) expect(diff(first.object, second.object)).toEqual([]);
    expect(ids.drawn(), 'no new firmware UUID').toBe(0);
  });
});
