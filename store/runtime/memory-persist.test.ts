import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../core/kube.js';
import { createMemoryStore } from './memory.js';
import { StoreFileError } from './persist.js';

const CM = { apiVersion: 'v1', kind: 'ConfigMap' } as const;
const cm = (name: string, data: Record<string, string> = {}): KubeObject => ({ ...CM, metadata: { name, namespace: 'default' }, data } as KubeObject);

describe('persistence', () => {
  let dir: string;
  let file: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'kvt-store-'));
    file = join(dir, 'state.jsonl');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('restores every object after a restart, and resourceVersions continue', async () => {
    const first = createMemoryStore({ admission: false, dataFile: file });
    const a = await first.create(cm('a', { k: '1' }));
    await first.create(cm('b'));
    await first.create(cm('gone'));
    await first.update({ ...a, data: { k: '2' } } as KubeObject);
    await first.delete(CM, 'default', 'gone');
    await first.create({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'node01' } });
    const before = await first.list(CM);
    await first.close();

    const second = createMemoryStore({ admission: false, dataFile: file });
    const after = await second.list(CM);
    expect(after).toEqual(before);
    expect((await second.get({ apiVersion: 'v1', kind: 'Node' }, undefined, 'node01')).metadata.name).toBe('node01');
    const next = await second.create(cm('c'));
    expect(Number(next.metadata.resourceVersion)).toBe(Number(before.resourceVersion) + 1);
    await second.close();
  });

  it('makes each write durable before it resolves (no close needed)', async () => {
    const store = createMemoryStore({ admission: false, dataFile: file });
    await store.create(cm('durable'));
    const copy = join(dir, 'copy.jsonl');
    writeFileSync(copy, readFileSync(file));
    const reopened = createMemoryStore({ admission: false, dataFile: copy });
    expect((await reopened.get(CM, 'default', 'durable')).metadata.name).toBe('durable');
    await Promise.all([store.close(), reopened.close()]);
  });

  it('group-commits concurrent writes and compacts the journal', async () => {
    const store = createMemoryStore({ admission: false, dataFile: file });
    const started = Date.now();
    await Promise.all(Array.from({ length: 1000 }, (_, i) => store.create(cm(`c${i}`))));
    const elapsed = Date.now() - started;
    await Promise.all(Array.from({ length: 990 }, (_, i) => store.delete(CM, 'default', `c${i + 10}`)));
    for (let i = 0; i < 1200; i++) await store.patch(CM, { namespace: 'default', name: 'c0' }, { type: 'merge', body: { data: { n: String(i) } } });
    await store.close();
    expect(elapsed).toBeLessThan(5000);
    const lines = readFileSync(file, 'utf8').split('\n').length;
    expect(lines).toBeLessThan(1300);
    const reopened = createMemoryStore({ admission: false, dataFile: file });
    expect((await reopened.list(CM)).items.map((o) => o.metadata.name).sort()).toEqual(Array.from({ length: 10 }, (_, i) => `c${i}`).sort());
    expect((await reopened.get<KubeObject & { data: Record<string, string> }>(CM, 'default', 'c0')).data['n']).toBe('1199');
    expect((await reopened.list(CM)).resourceVersion).toBe('3190');
    await reopened.close();
  });

  it('refuses a torn file, naming it', async () => {
    const store = createMemoryStore({ admission: false, dataFile: file });
    await store.create(cm('x'));
    await store.close();
    appendFileSync(file, '{"put":{"apiVersion":"v1","kind":"Conf');
    expect(() => createMemoryStore({ admission: false, dataFile: file })).toThrow(StoreFileError);
    expect(() => createMemoryStore({ admission: false, dataFile: file })).toThrow(file);
  });

  it('refuses a corrupt record or a foreign file, naming it', () => {
    writeFileSync(file, '{"kvt":"memory-store","version":1}\nnot json\n');
    expect(() => createMemoryStore({ admission: false, dataFile: file })).toThrow(`${file}: line 2`);
    writeFileSync(file, 'hello\n');
    expect(() => createMemoryStore({ admission: false, dataFile: file })).toThrow(file);
  });
});
