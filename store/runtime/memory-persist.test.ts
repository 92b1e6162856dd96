import { execFileSync } from 'node:child_process';
import { appendFileSync, chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../core/kube.js';
import { createMemoryStore } from './memory.js';
import { StoreFileError } from './persist.js';
import { collectingLogger } from '../../webhooks/runtime/server.testing.js';

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

  it('creates the journal private (0600) and makes an existing one private', async () => {
    const store = createMemoryStore({ admission: false, dataFile: file });
    await store.create(cm('secretish'));
    await store.close();
    expect(statSync(file).mode & 0o777).toBe(0o600);
    chmodSync(file, 0o644);
    const again = createMemoryStore({ admission: false, dataFile: file });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    await again.close();
  });

  it('drops a torn last record with a warning, keeps every record before it, and appends after them', async () => {
    const store = createMemoryStore({ admission: false, dataFile: file });
    await store.create(cm('x'));
    await store.close();
    const good = statSync(file).size;
    appendFileSync(file, '{"put":{"apiVersion":"v1","kind":"Conf');
    const { log, lines } = collectingLogger();
    const reopened = createMemoryStore({ admission: false, dataFile: file, log });
    expect(lines.map((l) => l['msg'])).toEqual([`${file}: dropped a torn last record of 38 bytes (a write cut off before it was acknowledged)`]);
    expect(statSync(file).size).toBe(good);
    await reopened.create(cm('y'));
    await reopened.close();
    const third = createMemoryStore({ admission: false, dataFile: file });
    expect((await third.list(CM)).items.map((o) => o.metadata.name)).toEqual(['x', 'y']);
    await third.close();
  });

  it('drops a last line that is whole but not a record (a torn write that reached a newline)', async () => {
    writeFileSync(file, '{"kvt":"memory-store","version":1}\n{"put":{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a","namespace":"default","resourceVersion":"1"}}}\n{"put":{"api\n');
    const { log, lines } = collectingLogger();
    const store = createMemoryStore({ admission: false, dataFile: file, log });
    expect((await store.list(CM)).items.map((o) => o.metadata.name)).toEqual(['a']);
    expect(lines).toHaveLength(1);
    await store.close();
  });

  it('refuses a corrupt record before the end, naming the file and line and saying how to recover', () => {
    writeFileSync(file, '{"kvt":"memory-store","version":1}\nnot json\n{"rv":3}\n');
    expect(() => createMemoryStore({ admission: false, dataFile: file })).toThrow(StoreFileError);
    expect(() => createMemoryStore({ admission: false, dataFile: file })).toThrow(`${file}: line 2: not a store record, and records follow it`);
    expect(() => createMemoryStore({ admission: false, dataFile: file })).toThrow('head -n 1 FILE > FILE.good');
    expect(readFileSync(file, 'utf8')).toBe('{"kvt":"memory-store","version":1}\nnot json\n{"rv":3}\n');
    writeFileSync(file, 'hello\n');
    expect(() => createMemoryStore({ admission: false, dataFile: file })).toThrow(`${file}: not a kubevirt-ts store file`);
  });

  it('starts an empty file afresh (created, never written)', async () => {
    writeFileSync(file, '');
    const store = createMemoryStore({ admission: false, dataFile: file });
    await store.create(cm('a'));
    await store.close();
    expect(readFileSync(file, 'utf8').startsWith('{"kvt":"memory-store","version":1}\n')).toBe(true);
  });
});

/** Whether this process may mount a tmpfs (root, as CI runs). */
const canMount = process.getuid?.() === 0;

describe.skipIf(!canMount)('persistence on a full disk (a small tmpfs)', () => {
  let dir: string;
  let file: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'kvt-store-full-'));
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=512k,mode=0700', 'kvt-test', dir]);
    file = join(dir, 'store.journal');
  });
  afterEach(() => {
    execFileSync('umount', ['-l', dir]);
    rmSync(dir, { recursive: true, force: true });
  });

  /** Fills the filesystem with page-sized files until it refuses one. */
  function fill(): string[] {
    const files: string[] = [];
    for (let i = 0; ; i += 1) {
      const f = join(dir, `filler-${i}`);
      try {
        writeFileSync(f, Buffer.alloc(4096, 1));
      } catch {
        rmSync(f, { force: true });
        return files;
      }
      files.push(f);
    }
  }

  it('refuses and undoes writes it cannot save, cuts a torn record off, ends watches with 410, and accepts writes once space is back', async () => {
    const { log, lines } = collectingLogger();
    const store = createMemoryStore({ admission: false, dataFile: file, log });
    await store.create(cm('before', { k: 'v' }));
    const rvBefore = Number((await store.list(CM)).resourceVersion);
    const watch = await store.watch(CM, { resourceVersion: String(rvBefore) }, () => undefined);
    const fillers = fill();
    // One page free: a 20 KB batch is written in part, then the disk is full mid-record.
    rmSync(fillers.pop() as string);
    const names = Array.from({ length: 15 }, (_, i) => `new-${String(i).padStart(2, '0')}`);
    const results = await Promise.allSettled(names.map((n) => store.create(cm(n, { big: 'x'.repeat(1500) }))));
    const saved = names.filter((_, i) => results[i]?.status === 'fulfilled');
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(refused.length).toBeGreaterThan(10);
    expect(refused[0]?.reason).toBeInstanceOf(StoreFileError);
    expect((refused[0]?.reason as Error).message).toMatch(/the write was not saved \(.*ENOSPC.*\) and was undone/);
    // Only what was acknowledged is in the store; the file ends with a whole record.
    expect((await store.list(CM)).items.map((o) => o.metadata.name)).toEqual(['before', ...saved]);
    for (const n of names.filter((x) => !saved.includes(x))) await expect(store.get(CM, 'default', n)).rejects.toMatchObject({ status: 404 });
    expect(readFileSync(file, 'utf8').endsWith('}\n')).toBe(true);
    expect(await watch.done).toMatchObject({ status: 410 });
    expect(lines.some((l) => l['level'] === 50 && String(l['msg']).includes('undone'))).toBe(true);

    // Space comes back: writes are saved again, and versions never go back.
    for (const f of fillers) rmSync(f);
    const after = await store.create(cm('after'));
    expect(Number(after.metadata.resourceVersion)).toBeGreaterThan(rvBefore + 15);
    await store.close();

    const { log: log2, lines: warnings } = collectingLogger();
    const reopened = createMemoryStore({ admission: false, dataFile: file, log: log2 });
    expect((await reopened.list(CM)).items.map((o) => o.metadata.name)).toEqual(['after', 'before', ...saved]);
    expect(warnings).toEqual([]);
    await reopened.close();
  });

  it('keeps a full disk from ever acknowledging a write that is not on disk (many rounds)', async () => {
    const store = createMemoryStore({ admission: false, dataFile: file });
    const acknowledged = new Set<string>();
    const fillers = fill();
    for (let round = 0; round < 6; round += 1) {
      // Free a little each round, so some batches fit and some do not.
      for (const f of fillers.splice(0, 2)) rmSync(f);
      const names = Array.from({ length: 20 }, (_, i) => `r${round}-${i}`);
      const results = await Promise.allSettled(names.map((n) => store.create(cm(n, { big: 'y'.repeat(700) }))));
      results.forEach((r, i) => r.status === 'fulfilled' && acknowledged.add(names[i] as string));
    }
    await store.close();
    const reopened = createMemoryStore({ admission: false, dataFile: file });
    const stored = new Set((await reopened.list(CM)).items.map((o) => o.metadata.name ?? ''));
    for (const name of acknowledged) expect(stored.has(name), name).toBe(true);
    expect(acknowledged.size).toBeGreaterThan(0);
    await reopened.close();
  });
});
