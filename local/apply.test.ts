import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryStore, type MemoryStore } from '../store/runtime/memory.js';
import { applyObject, applyOrder, describeApiError, resourceName } from './apply.js';
import { ApiError } from '../core/errors.js';

let store: MemoryStore | undefined;
afterEach(async () => {
  await store?.close();
  store = undefined;
});

const preset = {
  apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachineInstancePreset',
  metadata: { name: 'small', namespace: 'default' },
  spec: { selector: { matchLabels: { flavor: 'small' } }, domain: { devices: {}, resources: { requests: { memory: '128Mi' } } } },
};

describe('applyOrder', () => {
  it('puts what others refer to first and keeps the rest in order', () => {
    const kinds = applyOrder([{ kind: 'VirtualMachine' }, { kind: 'VirtualMachineInstancePreset' }, { kind: 'Secret' }, { kind: 'VirtualMachineInstance' }]).map((o) => o.kind);
    expect(kinds).toEqual(['Secret', 'VirtualMachineInstancePreset', 'VirtualMachine', 'VirtualMachineInstance']);
  });
});

describe('applyObject on the in-memory store (admission on)', () => {
  it('creates, then reports unchanged, then configured', async () => {
    store = createMemoryStore();
    expect((await applyObject(store, preset, 'p.yaml')).line).toBe('virtualmachineinstancepreset.kubevirt.io/small created');
    expect((await applyObject(store, preset, 'p.yaml')).line).toBe('virtualmachineinstancepreset.kubevirt.io/small unchanged');
    const bigger = { ...preset, spec: { ...preset.spec, domain: { devices: {}, resources: { requests: { memory: '256Mi' } } } } };
    expect((await applyObject(store, bigger, 'p.yaml')).line).toBe('virtualmachineinstancepreset.kubevirt.io/small configured');
  });

  it('reports a denial with the field of each cause, and stores nothing', async () => {
    store = createMemoryStore();
    const vmi = {
      apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachineInstance', metadata: { name: 'broken', namespace: 'default' },
      spec: { domain: { devices: { disks: [{ name: 'd', disk: { bus: 'floppy' } }] } }, volumes: [{ name: 'd', emptyDisk: { capacity: '1Gi' } }] },
    };
    const out = await applyObject(store, vmi, 'vmi.yaml');
    expect(out.ok).toBe(false);
    expect(out.line).toMatch(/^Error from server \(Invalid\): error when applying "vmi\.yaml": /);
    expect(out.line).toContain('spec.domain.devices.disks[0].disk.bus');
    await expect(store.get({ apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachineInstance' }, 'default', 'broken')).rejects.toThrow(/not found/);
  });

  it('dry runs: client sends nothing, server admits and stores nothing; both say so as kubectl does', async () => {
    store = createMemoryStore();
    expect((await applyObject(store, preset, 'p.yaml', { dryRun: 'client' })).line).toBe('virtualmachineinstancepreset.kubevirt.io/small created (dry run)');
    expect((await applyObject(store, preset, 'p.yaml', { dryRun: 'server' })).line).toBe('virtualmachineinstancepreset.kubevirt.io/small created (server dry run)');
    await expect(store.list(preset)).resolves.toMatchObject({ items: [] });
    await applyObject(store, preset, 'p.yaml');
    expect((await applyObject(store, preset, 'p.yaml', { dryRun: 'server' })).line).toBe('virtualmachineinstancepreset.kubevirt.io/small unchanged (server dry run)');
    const bigger = { ...preset, spec: { ...preset.spec, domain: { devices: {}, resources: { requests: { memory: '256Mi' } } } } };
    expect((await applyObject(store, bigger, 'p.yaml', { dryRun: 'server' })).line).toBe('virtualmachineinstancepreset.kubevirt.io/small configured (server dry run)');
    const stored = await store.get<typeof bigger>(preset, 'default', 'small');
    expect(stored.spec.domain.resources.requests.memory).toBe('128Mi');
  });

  it('strict field validation refuses a typo with its path; warn stores it', async () => {
    store = createMemoryStore();
    const typo = { ...preset, spec: { ...preset.spec, domain: { devices: {}, cpu: { core: 2 } } } };
    const out = await applyObject(store, typo, 'p.yaml', { fieldValidation: 'Strict' });
    expect(out.line).toBe('Error from server (BadRequest): error when applying "p.yaml": VirtualMachineInstancePreset in version "v1" cannot be handled as a VirtualMachineInstancePreset: strict decoding error: unknown field "spec.domain.cpu.core"');
    expect((await applyObject(store, typo, 'p.yaml', { fieldValidation: 'Warn' })).line).toBe('virtualmachineinstancepreset.kubevirt.io/small created');
  });

  it('refuses an object without a name before calling the API', async () => {
    store = createMemoryStore();
    const out = await applyObject(store, { ...preset, metadata: { namespace: 'default' } }, 'p.yaml');
    expect(out.line).toMatch(/metadata\.name: Required value/);
  });
});

describe('describeApiError', () => {
  it('lists causes the message does not already hold', () => {
    const e = new ApiError(422, 'Invalid', 'denied: spec.a: bad', { causes: [{ type: 'FieldValueInvalid', field: 'spec.a', message: 'bad' }, { type: 'FieldValueRequired', field: 'spec.b', message: 'Required value' }] });
    expect(describeApiError(e, 'creating', 'f.yaml')).toBe('Error from server (Invalid): error when creating "f.yaml": denied: spec.a: bad\n  - spec.b: Required value');
  });
  it('names resources as kubectl does', () => {
    expect(resourceName({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } })).toBe('configmap/x');
  });
});
