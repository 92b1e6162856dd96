import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { diff } from '../../core/json-patch.js';
import type { DomainSpec, LabelSelector, VirtualMachineInstance, VirtualMachineInstancePreset } from '../../crd-gen/index.js';
import {
  annotateApplied, applyPresets, checkConflicts, domainConflicts, isExcludedFromPresets, mergePreset, presetDeprecationWarnings,
  PRESET_DEPRECATION_WARNING, selectPresets, semanticEqual,
} from './presets.js';
import { labelKeyProblem, labelValueProblem, parseLabelSelector } from '../../core/labels.js';

const FIXTURES = 'test/fixtures/admission/presets';

function preset(name: string, domain: Partial<DomainSpec> | undefined, selector: LabelSelector = {}): VirtualMachineInstancePreset {
  return {
    apiVersion: 'kubevirt.io/v1',
    kind: 'VirtualMachineInstancePreset',
    metadata: { name, namespace: 'default' },
    spec: { selector, ...(domain === undefined ? {} : { domain: { devices: {}, ...domain } }) },
  };
}

function vmi(domain: Partial<DomainSpec> = {}, labels?: Record<string, string>, annotations?: Record<string, string>): VirtualMachineInstance {
  return {
    apiVersion: 'kubevirt.io/v1',
    kind: 'VirtualMachineInstance',
    metadata: { name: 'vmi', namespace: 'default', labels, annotations },
    spec: { domain: { devices: {}, ...domain } },
  };
}

describe('parseLabelSelector', () => {
  const labels = { os: 'fedora', tier: 'web', 'kubevirt.io/flavor': 'small' };
  it.each<[string, LabelSelector, boolean]>([
    ['empty selector', {}, true],
    ['matchLabels hit', { matchLabels: { os: 'fedora', 'kubevirt.io/flavor': 'small' } }, true],
    ['matchLabels miss', { matchLabels: { os: 'centos' } }, false],
    ['matchLabels on a missing label', { matchLabels: { gpu: 'yes' } }, false],
    ['In hit', { matchExpressions: [{ key: 'os', operator: 'In', values: ['centos', 'fedora'] }] }, true],
    ['In miss', { matchExpressions: [{ key: 'os', operator: 'In', values: ['centos'] }] }, false],
    ['In on a missing label', { matchExpressions: [{ key: 'gpu', operator: 'In', values: ['a'] }] }, false],
    ['NotIn hit', { matchExpressions: [{ key: 'os', operator: 'NotIn', values: ['windows'] }] }, true],
    ['NotIn miss', { matchExpressions: [{ key: 'os', operator: 'NotIn', values: ['fedora'] }] }, false],
    ['NotIn on a missing label matches', { matchExpressions: [{ key: 'gpu', operator: 'NotIn', values: ['a'] }] }, true],
    ['Exists', { matchExpressions: [{ key: 'tier', operator: 'Exists' }] }, true],
    ['Exists miss', { matchExpressions: [{ key: 'gpu', operator: 'Exists' }] }, false],
    ['DoesNotExist', { matchExpressions: [{ key: 'gpu', operator: 'DoesNotExist' }] }, true],
    ['DoesNotExist miss', { matchExpressions: [{ key: 'os', operator: 'DoesNotExist' }] }, false],
    ['every requirement must hold', { matchLabels: { tier: 'web' }, matchExpressions: [{ key: 'os', operator: 'In', values: ['centos'] }] }, false],
  ])('%s', (_name, selector, expected) => {
    const parsed = parseLabelSelector(selector);
    expect(parsed.ok).toBe(true);
    if (parsed.ok) expect(parsed.matches(labels)).toBe(expected);
  });

  it('matches an object without labels only where no label is required', () => {
    const exists = parseLabelSelector({ matchExpressions: [{ key: 'a', operator: 'DoesNotExist' }] });
    expect(exists.ok && exists.matches(undefined)).toBe(true);
    const needs = parseLabelSelector({ matchLabels: { a: 'b' } });
    expect(needs.ok && needs.matches(undefined)).toBe(false);
  });

  it.each<[string, LabelSelector, string, RegExp]>([
    ['an unknown operator', { matchExpressions: [{ key: 'os', operator: 'Like', values: ['x'] }] }, 'matchExpressions[0].operator', /"Like" is not a valid label selector operator; use one of In, NotIn, Exists, DoesNotExist/],
    ['a lower-case operator', { matchExpressions: [{ key: 'os', operator: 'in', values: ['x'] }] }, 'matchExpressions[0].operator', /"in" is not a valid/],
    ['In without values', { matchExpressions: [{ key: 'os', operator: 'In' }] }, 'matchExpressions[0].values', /must not be empty for the In operator/],
    ['NotIn with an empty list', { matchExpressions: [{ key: 'os', operator: 'NotIn', values: [] }] }, 'matchExpressions[0].values', /must not be empty for the NotIn operator/],
    ['Exists with values', { matchExpressions: [{ key: 'os', operator: 'Exists', values: ['x'] }] }, 'matchExpressions[0].values', /must be empty for the Exists operator/],
    ['DoesNotExist with values', { matchExpressions: [{ key: 'a', operator: 'In', values: ['x'] }, { key: 'os', operator: 'DoesNotExist', values: ['x'] }] }, 'matchExpressions[1].values', /must be empty for the DoesNotExist operator/],
    ['a bad key', { matchExpressions: [{ key: 'bad key', operator: 'Exists' }] }, 'matchExpressions[0].key', /"bad key" is not a valid label key/],
    ['a bad value', { matchExpressions: [{ key: 'os', operator: 'In', values: ['ok', 'not ok'] }] }, 'matchExpressions[0].values[1]', /"not ok" is not a valid label value/],
    ['a bad matchLabels key', { matchLabels: { 'a/b/c': 'x' } }, 'matchLabels[a/b/c]', /at most one "\/"/],
    ['a bad matchLabels value', { matchLabels: { os: '-x' } }, 'matchLabels[os]', /"-x" is not a valid label value/],
  ])('refuses %s', (_name, selector, field, message) => {
    const parsed = parseLabelSelector(selector);
    expect(parsed).toMatchObject({ ok: false, field });
    if (!parsed.ok) expect(parsed.message).toMatch(message);
  });

  it.each([
    ['kubevirt.io/flavor', undefined],
    ['app', undefined],
    ['a.b-c_d', undefined],
    ['example.com/x', undefined],
    ['Example.com/x', 'prefix'],
    ['/x', 'prefix'],
    ['x/', 'name'],
    ['', 'name'],
    [`${'a'.repeat(64)}`, 'name'],
  ])('label key %j', (key, problem) => {
    const found = labelKeyProblem(key);
    if (problem === undefined) expect(found).toBeUndefined();
    else expect(found).toContain(problem);
  });

  it.each([['', true], ['a', true], ['a.b_c-d', true], ['-a', false], ['a-', false], ['a'.repeat(64), false], ['a b', false]])('label value %j valid: %s', (value, ok) => {
    expect(labelValueProblem(value) === undefined).toBe(ok);
  });
});

describe('selectPresets', () => {
  it('keeps the listing order and refuses the create on the first unusable selector', () => {
    const presets = [preset('b', {}), preset('a', {}, { matchLabels: { x: 'y' } }), preset('c', {})];
    const picked = selectPresets(vmi(), presets);
    expect(picked.ok && picked.presets.map((p) => p.metadata.name)).toEqual(['b', 'c']);
    const refused = selectPresets(vmi(), [preset('ok', {}), preset('bad', {}, { matchExpressions: [{ key: 'k', operator: 'Exists', values: ['v'] }] })]);
    expect(refused).toMatchObject({ ok: false, causes: [{ type: 'FieldValueInvalid', field: 'metadata.labels' }] });
    if (!refused.ok) expect(refused.message).toBe('VirtualMachineInstancePreset "bad" cannot be matched: spec.selector.matchExpressions[0].values: must be empty for the Exists operator');
  });
});

describe('semanticEqual', () => {
  it.each<[unknown, unknown, boolean]>([
    [{ a: 1 }, { a: 1 }, true],
    [{ a: 1, b: undefined }, { a: 1 }, true],
    [{ a: [] }, {}, true],
    [{ a: {} }, {}, false],
    [[1, 2], [2, 1], false],
    [{ a: { b: [1] } }, { a: { b: [1] } }, true],
    ['1', 1, false],
  ])('%j vs %j → %s', (a, b, expected) => {
    expect(semanticEqual(a, b)).toBe(expected);
  });
});

describe('domainConflicts and checkConflicts', () => {
  it.each<[string, Partial<DomainSpec>, Partial<DomainSpec>, string[]]>([
    ['requests per key, by quantity value', { resources: { requests: { memory: '1Gi', cpu: '1' } } }, { resources: { requests: { memory: '1024Mi', cpu: '2' } } }, ['spec.domain.resources.requests.cpu']],
    ['keys on one side only', { resources: { requests: { memory: '1Gi' } } }, { resources: { requests: { cpu: '1' } } }, []],
    ['cpu', { cpu: { cores: 1 } }, { cpu: { cores: 2 } }, ['spec.domain.cpu']],
    ['a group set on one side', { cpu: { cores: 1 } }, {}, []],
    ['firmware', { firmware: { serial: 'a' } }, { firmware: { serial: 'b' } }, ['spec.domain.firmware']],
    ['clock offset', { clock: { utc: {} } }, { clock: { timezone: 'UTC' } }, ['spec.domain.clock']],
    ['timers when both have them', { clock: { timer: { hpet: {} } } }, { clock: { timer: { rtc: {} } } }, ['spec.domain.clock.timer']],
    ['timer on one side only', { clock: { timer: { hpet: {} } } }, { clock: {} }, []],
    ['features', { features: { smm: {} } }, { features: { acpi: {} } }, ['spec.domain.features']],
    ['watchdog', { devices: { watchdog: { name: 'a' } } }, { devices: { watchdog: { name: 'b' } } }, ['spec.domain.devices.watchdog']],
    ['ioThreadsPolicy', { ioThreadsPolicy: 'auto' }, { ioThreadsPolicy: 'shared' }, ['spec.domain.ioThreadsPolicy']],
    ['memory, machine and disks are never compared', { memory: { guest: '1Gi' }, machine: { type: 'q35' }, devices: { disks: [{ name: 'a' }] } }, { memory: { guest: '2Gi' }, machine: { type: 'pc' }, devices: { disks: [{ name: 'b' }] } }, []],
    ['identical values', { cpu: { cores: 1 }, resources: { requests: { memory: '64M' } } }, { cpu: { cores: 1 }, resources: { requests: { memory: '64M' } } }, []],
  ])('%s', (_name, a, b, fields) => {
    expect(domainConflicts({ devices: {}, ...a }, { devices: {}, ...b }).map((c) => c.field)).toEqual(fields);
  });

  it('names each pair later-first and compares every later preset with every earlier one', () => {
    const conflicts = checkConflicts([preset('a', { cpu: { cores: 1 } }), preset('b', { cpu: { cores: 2 } }), preset('c', { cpu: { cores: 3 } })]);
    expect(conflicts.map((c) => c.presets)).toEqual([['b', 'a'], ['c', 'a'], ['c', 'b']]);
    expect(conflicts[0]).toMatchObject({ field: 'spec.domain.cpu', message: '{"cores":2} != {"cores":1}' });
  });

  it('passes over presets without a domain', () => {
    expect(checkConflicts([preset('a', undefined), preset('b', { cpu: { cores: 2 } })])).toEqual([]);
  });
});

describe('mergePreset', () => {
  it('copies a group only when the VMI leaves it unset, and never touches its input', () => {
    const domain: DomainSpec = { devices: {}, cpu: { cores: 2 } };
    const before = structuredClone(domain);
    const out = mergePreset(domain, preset('p', { cpu: { cores: 1 }, features: { smm: {} } }));
    expect(out.domain).toEqual({ devices: {}, cpu: { cores: 2 }, features: { smm: {} } });
    expect(out.applied).toBe(true);
    expect(out.conflicts.map((c) => c.field)).toEqual(['spec.domain.cpu']);
    expect(domain).toEqual(before);
  });

  it('copies requests wholesale only into a VMI without a requests map', () => {
    const p = preset('p', { resources: { requests: { memory: '1Gi', cpu: '1' } } });
    expect(mergePreset({ devices: {} }, p)).toMatchObject({ applied: true, domain: { resources: { requests: { memory: '1Gi', cpu: '1' } } } });
    expect(mergePreset({ devices: {}, resources: { limits: { cpu: '2' } } }, p).domain.resources).toEqual({ limits: { cpu: '2' }, requests: { memory: '1Gi', cpu: '1' } });
    expect(mergePreset({ devices: {}, resources: { requests: {} } }, p)).toMatchObject({ applied: false, domain: { resources: { requests: {} } } });
    expect(mergePreset({ devices: {}, resources: { requests: { memory: '1024Mi', cpu: '1000m' } } }, p).applied).toBe(true);
  });

  it('is not applied when the preset has no domain or sets nothing mergeable', () => {
    expect(mergePreset({ devices: {} }, preset('p', undefined)).applied).toBe(false);
    expect(mergePreset({ devices: {} }, preset('p', { memory: { guest: '1Gi' } }))).toEqual({ domain: { devices: {} }, applied: false, conflicts: [] });
  });
});

describe('annotations, exclusion and the deprecation warning', () => {
  it('annotates with the group-version, creating the map', () => {
    expect(annotateApplied(vmi(), preset('small', {})).metadata.annotations).toEqual({ 'virtualmachinepreset.kubevirt.io/small': 'kubevirt.io/v1' });
  });
  it.each([['true', true], ['True', false], ['yes', false], ['', false]])('exclude annotation %j → excluded %s', (value, excluded) => {
    expect(isExcludedFromPresets(vmi({}, undefined, { 'virtualmachineinstancepresets.admission.kubevirt.io/exclude': value }))).toBe(excluded);
  });
  it('warns on any annotation key containing virtualmachinepreset, not on the exclude marker', () => {
    expect(presetDeprecationWarnings(vmi({}, undefined, { 'virtualmachinepreset.kubevirt.io/x': 'kubevirt.io/v1' }))).toEqual([PRESET_DEPRECATION_WARNING]);
    expect(presetDeprecationWarnings(vmi({}, undefined, { 'my.virtualmachinepreset/thing': 'x' }))).toEqual([PRESET_DEPRECATION_WARNING]);
    expect(presetDeprecationWarnings(vmi({}, undefined, { 'virtualmachineinstancepresets.admission.kubevirt.io/exclude': 'true' }))).toEqual([]);
    expect(presetDeprecationWarnings(vmi())).toEqual([]);
  });
});

describe('applyPresets', () => {
  it('reports what happened to each matching preset', () => {
    const result = applyPresets(vmi({ cpu: { cores: 2 } }), [preset('fw', { firmware: { serial: 'x' }, cpu: { cores: 1 } }), preset('cpu-only', { cpu: { cores: 1 } })]);
    expect(result).toMatchObject({ ok: true, applied: ['fw'], skipped: ['cpu-only'], partial: [{ preset: 'fw', conflicts: [{ field: 'spec.domain.cpu' }] }] });
  });

  it('denies conflicting presets with 422, a cause per conflicting group and KubeVirt\'s summary', () => {
    const result = applyPresets(vmi(), [preset('a', { cpu: { cores: 1 } }), preset('b', { cpu: { cores: 2 } })]);
    expect(result).toEqual({
      ok: false,
      code: 422,
      causes: [{ type: 'FieldValueInvalid', field: 'spec.domain.cpu', message: 'presets \'b\' and \'a\' conflict: {"cores":2} != {"cores":1}' }],
      message: 'VirtualMachinePresets cannot be applied due to conflicts: presets \'b\' and \'a\' conflict: spec.domain.cpu: {"cores":2} != {"cores":1}',
    });
  });
});

/** One golden case: its presets, its VMI, and the lookups a namespace-aware cache would give. */
function loadCase(name: string): { vmi: VirtualMachineInstance; presets: VirtualMachineInstancePreset[] } {
  const docs = parseAllDocuments(readFileSync(join(FIXTURES, name, 'input.yaml'), 'utf8')).map((d) => d.toJS() as { kind: string });
  const vmis = docs.filter((d): d is VirtualMachineInstance => d.kind === 'VirtualMachineInstance');
  if (vmis.length !== 1) throw new Error(`${name}: expected one VirtualMachineInstance`);
  const target = vmis[0] as VirtualMachineInstance;
  const presets = docs.filter((d): d is VirtualMachineInstancePreset => d.kind === 'VirtualMachineInstancePreset')
    .filter((p) => (p.metadata.namespace || 'default') === (target.metadata.namespace || 'default'));
  return { vmi: target, presets };
}

describe('golden preset cases', () => {
  const cases = readdirSync(FIXTURES).filter((n) => existsSync(join(FIXTURES, n, 'input.yaml'))).sort();

  it('has the cases mutation.md §1 calls for', () => {
    expect(cases.length).toBeGreaterThanOrEqual(15);
  });

  it.each(cases)('%s', async (name) => {
    const { vmi: input, presets } = loadCase(name);
    const before = structuredClone(input);
    const result = applyPresets(input, presets);
    expect(input).toEqual(before);
    const [file, other, body] = result.ok
      ? ['patch.json', 'denial.json', diff(input, result.object)]
      : ['denial.json', 'patch.json', { code: result.code, message: result.message, causes: result.causes }];
    expect(existsSync(join(FIXTURES, name, other)), `${name} has ${other}: the outcome flipped`).toBe(false);
    await expect(`${JSON.stringify(body, null, 2)}\n`).toMatchFileSnapshot(join('../..', FIXTURES, name, file));
  });

  it('every patch.json is a JSON array and every denial.json a 422', () => {
    for (const name of cases) {
      const dir = join(FIXTURES, name);
      if (existsSync(join(dir, 'patch.json'))) expect(Array.isArray(parse(readFileSync(join(dir, 'patch.json'), 'utf8')))).toBe(true);
      else expect(parse(readFileSync(join(dir, 'denial.json'), 'utf8'))).toMatchObject({ code: 422 });
    }
  });
});
