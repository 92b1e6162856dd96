import { readFile, writeFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../core/kube.js';
import { createMemoryStore } from '../../store/runtime/memory.js';
import { parseObjectArgs } from '../object-args.js';
import { editObject, type Editor } from './edit.js';

const VM = { apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachine' } as const;

async function setUp(): Promise<ReturnType<typeof createMemoryStore>> {
  const store = createMemoryStore();
  await store.create({
    ...VM,
    metadata: { name: 'demo', namespace: 'default' },
    spec: { runStrategy: 'Halted', template: { spec: { domain: { devices: {}, resources: { requests: { memory: '128Mi' } } } } } },
  } as KubeObject);
  return store;
}

/** An editor that applies each step to the file in turn, and keeps what it was shown. */
function scripted(steps: readonly ((text: string) => string)[]): { editor: Editor; seen: string[] } {
  const seen: string[] = [];
  const editor: Editor = async (file) => {
    const text = await readFile(file, 'utf8');
    seen.push(text);
    const step = steps[seen.length - 1];
    if (step === undefined) throw new Error('the editor was opened more often than scripted');
    await writeFile(file, step(text));
  };
  return { editor, seen };
}

async function run(steps: readonly ((text: string) => string)[]): Promise<{ code: number; out: string; err: string; seen: string[]; runStrategy: unknown }> {
  const store = await setUp();
  const { editor, seen } = scripted(steps);
  let out = '';
  let err = '';
  const [ref] = parseObjectArgs(['vm', 'demo']);
  if (ref === undefined) throw new Error('no ref');
  const code = await editObject(store, { ref, namespace: 'default' }, { editor, output: 'yaml', fieldValidation: 'Strict', duplicates: 'error' }, { out: (t) => { out += t; }, err: (t) => { err += t; } });
  const stored = await store.get<KubeObject & { spec: { runStrategy: unknown } }>(VM, 'default', 'demo');
  return { code, out, err, seen, runStrategy: stored.spec.runStrategy };
}

const same = (t: string): string => t;
const always = (t: string): string => t.replace('runStrategy: Halted', 'runStrategy: Always');
const typo = (t: string): string => t.replace('runStrategy: Halted', 'runStrategy: Halted\n  runStrateg: Always');

describe('kvt edit', () => {
  it('an unchanged file cancels', async () => {
    const r = await run([same]);
    expect([r.code, r.err, r.out, r.runStrategy]).toEqual([0, 'Edit cancelled, no changes made.\n', '', 'Halted']);
    expect(r.seen[0]).toMatch(/^# Please edit the object below\. Lines beginning with a '#' will be ignored,\n/);
  });

  it('an emptied file cancels', async () => {
    const r = await run([() => '# nothing\n']);
    expect([r.code, r.err, r.runStrategy]).toEqual([0, 'Edit cancelled, no changes made.\n', 'Halted']);
  });

  it('a change is written back', async () => {
    const r = await run([always]);
    expect([r.code, r.out, r.runStrategy]).toEqual([0, 'virtualmachine.kubevirt.io/demo edited\n', 'Always']);
  });

  it('a refused change re-opens the file with the error as comments at its top; a fix then saves', async () => {
    const r = await run([typo, (t) => t.replace('  runStrateg: Always\n', '').replace('runStrategy: Halted', 'runStrategy: Always')]);
    expect([r.code, r.out, r.runStrategy]).toEqual([0, 'virtualmachine.kubevirt.io/demo edited\n', 'Always']);
    const reopened = r.seen[1] ?? '';
    expect(reopened).toContain('#\n# virtualmachines.kubevirt.io "demo" was not valid:\n# * VirtualMachine in version "v1" cannot be handled as a VirtualMachine: strict decoding error: unknown field "spec.runStrateg"\n#\n');
    expect(reopened).toContain('  runStrateg: Always');
  });

  it('a refused change saved again unchanged gives up', async () => {
    const r = await run([typo, same]);
    expect([r.code, r.runStrategy]).toEqual([1, 'Halted']);
    expect(r.err).toMatch(/error: Edit cancelled, no valid changes were saved\.\n$/);
  });
});
