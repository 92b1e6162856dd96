import { describe, expect, it } from 'vitest';
import { ApiError, isNotFound } from '../../core/errors.js';
import type { FieldValidation, KubeObject } from '../../core/kube.js';
import { createMemoryStore } from './memory.js';

const VM = { apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachine' } as const;
const CM = { apiVersion: 'v1', kind: 'ConfigMap' } as const;

const vm = (name: string, cpu: Record<string, unknown>): KubeObject & Record<string, unknown> => ({
  ...VM,
  metadata: { name, namespace: 'default' },
  spec: { runStrategy: 'Halted', template: { spec: { domain: { cpu, devices: {}, resources: { requests: { memory: '128Mi' } } } } } },
});

async function failure(work: Promise<unknown>): Promise<ApiError> {
  const e: unknown = await work.then(() => undefined, (err: unknown) => err);
  if (!(e instanceof ApiError)) throw new Error(`expected an ApiError, got ${String(e)}`);
  return e;
}

describe('fieldValidation on writes of the in-memory API server', () => {
  const typo = 'spec.template.spec.domain.cpu.core';
  it.each<[FieldValidation | undefined, boolean]>([
    ['Strict', false],
    ['Warn', true],
    ['Ignore', true],
    [undefined, true],
  ])('create with %s: stored %s', async (mode, stored) => {
    const store = createMemoryStore();
    const write = store.create(vm('demo', { core: 2 }), mode === undefined ? {} : { fieldValidation: mode });
    if (stored) {
      await write;
      await expect(store.get(VM, 'default', 'demo')).resolves.toBeDefined();
      return;
    }
    const e = await failure(write);
    expect([e.status, e.reason]).toEqual([400, 'BadRequest']);
    expect(e.message).toBe(`VirtualMachine in version "v1" cannot be handled as a VirtualMachine: strict decoding error: unknown field "${typo}"`);
    await expect(store.get(VM, 'default', 'demo')).rejects.toSatisfy(isNotFound);
  });

  it('Strict accepts declared fields, and refuses a typo brought by update or by patch', async () => {
    const store = createMemoryStore();
    const created = await store.create(vm('demo', { cores: 2 }), { fieldValidation: 'Strict' });
    const update = await failure(store.update({ ...created, spec: vm('demo', { cores: 2, sokets: 1 })['spec'] }, { fieldValidation: 'Strict' }));
    expect(update.message).toContain('unknown field "spec.template.spec.domain.cpu.sokets"');
    const patch = await failure(store.patch(VM, { namespace: 'default', name: 'demo' }, { type: 'merge', body: { spec: { runStrateg: 'Always' } } }, { fieldValidation: 'Strict' }));
    expect(patch.message).toContain('unknown field "spec.runStrateg"');
  });

  it('a dry-run patch answers with the result and stores nothing', async () => {
    const store = createMemoryStore();
    const created = await store.create(vm('demo', { cores: 2 }));
    const answer = await store.patch<KubeObject & { spec: { runStrategy: string } }>(VM, { namespace: 'default', name: 'demo' }, { type: 'merge', body: { spec: { runStrategy: 'Always' } } }, { dryRun: true });
    expect(answer.spec.runStrategy).toBe('Always');
    const after = await store.get<KubeObject & { spec: { runStrategy: string } }>(VM, 'default', 'demo');
    expect([after.spec.runStrategy, after.metadata.resourceVersion]).toEqual(['Halted', created.metadata.resourceVersion]);
  });

  it('a strategic merge patch: refused on our kinds (415, as on custom resources), merged on a built-in kind', async () => {
    const store = createMemoryStore();
    await store.create(vm('demo', { cores: 2 }));
    const e = await failure(store.patch(VM, { namespace: 'default', name: 'demo' }, { type: 'strategic', body: { spec: { runStrategy: 'Always' } } }));
    expect([e.status, e.reason]).toEqual([415, 'UnsupportedMediaType']);
    expect(e.message).toContain('application/merge-patch+json');
    await store.create({ ...CM, metadata: { name: 'c', namespace: 'default' }, data: { a: '1' } } as KubeObject);
    const cm = await store.patch<KubeObject & { data: Record<string, string> }>(CM, { namespace: 'default', name: 'c' }, { type: 'strategic', body: { data: { b: '2' } } });
    expect(cm.data).toEqual({ a: '1', b: '2' });
  });
});
