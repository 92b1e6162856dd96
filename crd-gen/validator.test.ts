import { describe, expect, it } from 'vitest';
import { createSchemaValidator, loadSchema, type KindName } from './index.js';
import { pointerToPath } from './validator.js';

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
