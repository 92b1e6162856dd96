import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { createSchemaValidator, loadSchema } from './crds.js';
import { lookupKind, type KindName } from './index.js';
import { closeSchema, newAjv, pointerToPath, toCauses, unknownFields, type SchemaCheck } from './validator.js';

const validator = createSchemaValidator(loadSchema);

const vmi = (spec: object) => ({ apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachineInstance', metadata: { name: 't' }, spec });
const minimalSpec = () => ({ domain: { devices: {}, memory: { guest: '128Mi' } } });
const withDisks = (disks: unknown) => vmi({ domain: { devices: { disks }, memory: { guest: '128Mi' } } });

describe('schema validation: accepted', () => {
  it.each([
    ['a minimal VMI', 'VirtualMachineInstance', vmi(minimalSpec())],
    ['quantities as numbers and strings', 'VirtualMachineInstance', vmi({ domain: { devices: {}, resources: { requests: { memory: 134217728, cpu: '500m' } } } })],
    ['a disk with an empty bus (KubeVirt treats it as unset)', 'VirtualMachineInstance', withDisks([{ name: 'a', disk: { bus: '' } }])],
    ['a VM with a template', 'VirtualMachine', { apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachine', metadata: { name: 'v' }, spec: { runStrategy: 'Halted', template: { spec: minimalSpec() } } }],
    ['a replica set of 0', 'VirtualMachineInstanceReplicaSet', { apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachineInstanceReplicaSet', metadata: { name: 'r' }, spec: { replicas: 0, selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' } }, spec: minimalSpec() } } }],
  ])('%s', (_name, kind, object) => {
    expect(validator.validate(kind as KindName, object).errors).toEqual([]);
  });
});

describe('schema validation: rejected, on the exact field path', () => {
  it.each([
    ['disks not a list', withDisks({}), 'spec.domain.devices.disks', /^must be array$/],
    ['a malformed guest memory quantity', vmi({ domain: { devices: {}, memory: { guest: '12x' } } }), 'spec.domain.memory.guest', /^must match quantity format/],
    ['a bus KubeVirt does not know', withDisks([{ name: 'a', disk: { bus: 'floppy' } }]), 'spec.domain.devices.disks[0].disk.bus', /Unsupported value: "floppy": supported values: .*"virtio"/],
    ['a disk without a name', withDisks([{ name: 'a' }, { disk: {} }]), 'spec.domain.devices.disks[1].name', /^Required value$/],
    ['cores as a string', vmi({ domain: { devices: {}, cpu: { cores: 'two' } } }), 'spec.domain.cpu.cores', /^must be integer$/],
    ['a boot order beyond int32', withDisks([{ name: 'a', bootOrder: 3000000000 }]), 'spec.domain.devices.disks[0].bootOrder', /must be a valid int32/],
    ['a boolean as a string', withDisks([{ name: 'a', disk: { readonly: 'yes' } }]), 'spec.domain.devices.disks[0].disk.readonly', /^must be boolean$/],
    ['a VMI without spec', { apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachineInstance', metadata: { name: 'x' } }, 'spec', /^Required value$/],
    ['a VMI without domain', vmi({}), 'spec.domain', /^Required value$/],
  ])('%s', (_name, object, field, message) => {
    const { errors } = validator.validate('VirtualMachineInstance', object);
    expect(errors.map((e) => e.field)).toContain(field);
    expect(errors.find((e) => e.field === field)?.message).toMatch(message);
  });

  it('rejects negative replicas on spec.replicas', () => {
    const rs = { apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachineInstanceReplicaSet', metadata: { name: 'r' }, spec: { replicas: -1, selector: {}, template: { spec: minimalSpec() } } };
    expect(validator.validate('VirtualMachineInstanceReplicaSet', rs).errors).toEqual([{ field: 'spec.replicas', message: 'must be >= 0' }]);
  });

  it('gives a value of the wrong type its type error alone, not also an enum error', () => {
    expect(validator.validate('VirtualMachineInstance', withDisks([{ name: 'a', cache: 7 }])).errors).toEqual([
      { field: 'spec.domain.devices.disks[0].cache', message: 'must be string' },
    ]);
  });

  it('reports every problem, not the first', () => {
    const bad = vmi({ domain: { devices: { disks: [{ name: 'a', disk: { bus: 'floppy' } }, { cache: 7 }] }, memory: { guest: 'lots' } } });
    expect(validator.validate('VirtualMachineInstance', bad).errors.map((e) => e.field).sort()).toEqual([
      'spec.domain.devices.disks[0].disk.bus', 'spec.domain.devices.disks[1].cache', 'spec.domain.devices.disks[1].name', 'spec.domain.memory.guest',
    ]);
  });

  it('reports a bad int-or-string once, not once per branch', () => {
    const { errors } = validator.validate('VirtualMachineInstance', vmi({ domain: { devices: {}, memory: { guest: true } } }));
    expect(errors).toEqual([{ field: 'spec.domain.memory.guest', message: 'must be an integer or a string (got boolean)' }]);
  });
});

describe('unknown fields', () => {
  it('are warnings with the full path, never errors', () => {
    const { errors, warnings } = validator.validate('VirtualMachineInstance', withDisks([{ name: 'a', sizeGb: 3 }]));
    expect(errors).toEqual([]);
    expect(warnings).toEqual([{ field: 'spec.domain.devices.disks[0].sizeGb', message: 'unknown field "spec.domain.devices.disks[0].sizeGb"' }]);
  });
  it.each([
    ['a key that is not an identifier, in brackets', vmi({ ...minimalSpec(), 'a.b': 1 }), 'spec[a.b]'],
    ['a key at the top', { ...vmi(minimalSpec()), extra: {} }, 'extra'],
    ['a key of an object that declares no properties', vmi({ ...minimalSpec(), networks: [{ name: 'n', pod: {} }, { name: 'm', pod: { mode: 'x' } }] }), 'spec.networks[1].pod.mode'],
    ['a key in a list in a list', vmi({ ...minimalSpec(), affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'k', operator: 'In', odd: 1 }] }] } } } }),
      'spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0].odd'],
  ])('name %s', (_name, object, field) => {
    expect(validator.validate('VirtualMachineInstance', object)).toEqual({ errors: [], warnings: [{ field, message: `unknown field "${field}"` }] });
  });
  it('are reported beside errors, each in its own list', () => {
    const { errors, warnings } = validator.validate('VirtualMachineInstance', withDisks([{ name: 'a', cache: 7, sizeGb: 3 }]));
    expect(errors).toEqual([{ field: 'spec.domain.devices.disks[0].cache', message: 'must be string' }]);
    expect(warnings).toEqual([{ field: 'spec.domain.devices.disks[0].sizeGb', message: 'unknown field "spec.domain.devices.disks[0].sizeGb"' }]);
  });
  it('are not reported inside metadata or preserved-unknown template metadata', () => {
    const vm = { apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachine', metadata: { name: 'v', whatever: 1 }, spec: { template: { metadata: { labels: { a: 'b' }, custom: 1 }, spec: minimalSpec() } } };
    expect(validator.validate('VirtualMachine', vm).warnings).toEqual([]);
  });
});

describe('pointerToPath', () => {
  it.each([
    ['', {}, ''],
    ['/spec/domain/devices/disks/1/name', { spec: { domain: { devices: { disks: [{}, {}] } } } }, 'spec.domain.devices.disks[1].name'],
    ['/spec/nodeSelector/kubernetes.io~1arch', { spec: { nodeSelector: {} } }, 'spec.nodeSelector[kubernetes.io/arch]'],
  ])('%s → %s', (pointer, data, path) => {
    expect(pointerToPath(pointer, data)).toBe(path);
  });
});

describe('closeSchema', () => {
  const obj = (extra: object = {}) => ({ type: 'object', ...extra });
  it.each([
    ['declared properties', obj({ properties: { a: { type: 'string' } } }), true, 1],
    ['an object without properties', obj(), true, 1],
    ['a map', obj({ additionalProperties: obj({ properties: { b: { type: 'integer' } } }) }), true, 1],
    ['a list of objects', obj({ properties: { l: { type: 'array', items: obj({ properties: { b: { type: 'integer' } } }) } } }), true, 2],
    ['a preserved subtree', obj({ properties: { p: obj({ 'x-kubernetes-preserve-unknown-fields': true, properties: { c: obj() } }) } }), true, 1],
    ['the root metadata', obj({ properties: { metadata: obj() } }), true, 1],
    ['properties beside an additionalProperties schema', obj({ properties: { a: { type: 'string' } }, additionalProperties: { type: 'string' } }), false, 0],
    ['a property whose schema is not an object', obj({ properties: { a: true } }), false, 1],
  ])('closes %s', (_name, schema, exact, closedCount) => {
    const closed = closeSchema(schema);
    expect(closed.exact).toBe(exact);
    expect(closed.closed.size).toBe(closedCount);
  });

  it('leaves the schema it is given unchanged', () => {
    const schema = loadSchema('VirtualMachine');
    const before = JSON.stringify(schema);
    closeSchema(schema);
    expect(JSON.stringify(schema)).toBe(before);
  });

  it('still walks for unknown fields when the schema cannot be closed exactly', () => {
    const schema = { type: 'object', properties: { spec: { type: 'object', properties: { a: true } } } };
    const v = createSchemaValidator(() => schema);
    expect(v.validate('VirtualMachine', { spec: { a: 1 } }).warnings).toEqual([{ field: 'spec.a', message: 'unknown field "spec.a"' }]);
  });
});

/**
 * The compiled validator answers exactly what the CRD's own schema compiled as is (errors through
 * toCauses) and the unknown-field walk answer, in the same order, for every manifest in the repo and
 * for each of them changed at every field: an unknown key added, the value of another type, the
 * field deleted, and all unknown keys or all wrong types at once.
 */
describe('the compiled validator against the CRD schema and the walk', () => {
  const ROOT = fileURLToPath(new URL('..', import.meta.url));
  const yamlFiles = (dir: string, name = (f: string) => f.endsWith('.yaml')): string[] =>
    readdirSync(join(ROOT, dir)).filter(name).map((f) => join(ROOT, dir, f));
  const goldenDir = 'test/golden/launcher';
  const files = [
    ...yamlFiles('examples'),
    ...readdirSync(join(ROOT, goldenDir), { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => join(ROOT, goldenDir, e.name, 'vmi.yaml')),
  ];
  const objects = files.flatMap((file) =>
    parseAllDocuments(readFileSync(file, 'utf8')).map((d) => d.toJS() as Record<string, unknown>)
      .filter((o) => lookupKind(o['apiVersion'] as string, o['kind'] as string) !== undefined)
      .map((o) => ({ file: file.slice(ROOT.length), object: o, kind: lookupKind(o['apiVersion'] as string, o['kind'] as string)! })));

  const reference = (() => {
    const ajv = newAjv();
    const fns = new Map<KindName, ReturnType<typeof ajv.compile>>();
    return (kind: KindName, object: unknown): SchemaCheck => {
      let fn = fns.get(kind);
      if (fn === undefined) fns.set(kind, (fn = ajv.compile(loadSchema(kind))));
      const ok = fn(object);
      return { errors: ok ? [] : toCauses(fn.errors ?? [], object), warnings: unknownFields(loadSchema(kind), object) };
    };
  })();

  type Path = (string | number)[];
  const paths = (v: unknown, at: Path = []): Path[] =>
    typeof v !== 'object' || v === null ? [at] : [at, ...Object.entries(v).flatMap(([k, c]) => paths(c, [...at, Array.isArray(v) ? Number(k) : k]))];
  const edit = (root: unknown, at: Path, change: (parent: Record<string | number, unknown>, key: string | number) => void): unknown => {
    const copy = structuredClone(root) as Record<string | number, unknown>;
    let node = copy;
    for (const key of at.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
    change(node, at[at.length - 1]!);
    return copy;
  };
  const otherType = (v: unknown): unknown =>
    Array.isArray(v) ? {} : typeof v === 'object' && v !== null ? [] : typeof v === 'string' ? 7 : typeof v === 'number' ? 'seven' : 'yes';
  const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  const valueAt = (root: unknown, at: Path): unknown => at.reduce<unknown>((n, k) => (n as Record<string | number, unknown>)[k], root);

  it('finds manifests of several kinds to check', () => {
    expect(new Set(objects.map((o) => o.kind)).size).toBeGreaterThanOrEqual(3);
    expect(objects.length).toBeGreaterThan(20);
  });

  it('passes every manifest as written in its one ajv pass, so none takes the slow path', () => {
    const ajv = newAjv();
    const fns = new Map([...new Set(objects.map((o) => o.kind))].map((kind) => [kind, ajv.compile(closeSchema(loadSchema(kind)).schema)]));
    const failing = objects.filter(({ object, kind }) => !fns.get(kind)!(object)).map(({ file, kind }) => `${file} (${kind})`);
    expect(failing).toEqual([]);
  });

  it('agrees on every manifest as written and changed at every field', () => {
    let checked = 0;
    for (const { file, object, kind } of objects) {
      const variants: [string, unknown][] = [['as written', object]];
      const all = paths(object).filter((p) => p.length > 0);
      for (const at of all) {
        const value = valueAt(object, at);
        if (isObject(value)) variants.push([`unknown key under ${at.join('.')}`, edit(object, at, (p, k) => { (p[k] as Record<string, unknown>)['zzUnknown'] = { deeper: 1 }; })]);
        variants.push([`other type at ${at.join('.')}`, edit(object, at, (p, k) => { p[k] = otherType(value); })]);
        variants.push([`deleted ${at.join('.')}`, edit(object, at, (p, k) => { if (Array.isArray(p)) p.splice(k as number, 1); else delete p[k]; })]);
      }
      let everyUnknown: unknown = object;
      let everyWrong: unknown = object;
      for (const at of all) {
        const value = valueAt(object, at);
        if (isObject(value)) everyUnknown = edit(everyUnknown, at, (p, k) => { (p[k] as Record<string, unknown>)['zz.unknown'] = 1; });
        else if (!Array.isArray(value)) everyWrong = edit(everyWrong, at, (p, k) => { p[k] = otherType(p[k]); });
      }
      variants.push(['every object with an unknown key', everyUnknown], ['every scalar of another type', everyWrong]);
      for (const [change, variant] of variants) {
        expect(validator.validate(kind, variant), `${file}, ${change}`).toEqual(reference(kind, variant));
        checked += 1;
      }
    }
    expect(checked).toBeGreaterThan(1000);
  });
});
