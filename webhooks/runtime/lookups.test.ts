/** The object-directory provider of `kvt virt-api --objects DIR`: load, reload on change, keep the last good snapshot. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { watchObjectDirectory, type LookupsProvider } from './lookups.js';
import { collectingLogger } from './server.testing.js';

const preset = (name: string): string => `apiVersion: kubevirt.io/v1\nkind: VirtualMachineInstancePreset\nmetadata: { name: ${name} }\nspec: { selector: {} }\n`;
const names = (p: LookupsProvider): (string | undefined)[] => p.current().presets('default').map((x) => x.metadata?.name);
const until = async (cond: () => boolean, ms = 3000): Promise<boolean> => {
  const end = Date.now() + ms;
  while (!cond() && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
  return cond();
};

let dir: string;
let provider: (LookupsProvider & { loaded: Promise<void> }) | undefined;
beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'kvt-objects-')); });
afterEach(() => {
  provider?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('watchObjectDirectory', () => {
  it('loads the manifests of the directory and becomes ready', async () => {
    writeFileSync(join(dir, 'a.yaml'), preset('a'));
    writeFileSync(join(dir, 'b.json'), JSON.stringify({ apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachineInstancePreset', metadata: { name: 'b' }, spec: { selector: {} } }));
    writeFileSync(join(dir, 'notes.txt'), preset('ignored'));
    writeFileSync(join(dir, '.hidden.yaml'), preset('hidden'));
    const { log, lines } = collectingLogger();
    provider = watchObjectDirectory(dir, { log });
    expect(provider.ready()).toBe(false);
    expect(names(provider)).toEqual([]);
    await provider.loaded;
    expect(provider.ready()).toBe(true);
    expect(names(provider)).toEqual(['a', 'b']);
    expect(lines).toContainEqual(expect.objectContaining({ level: 30, msg: 'Loaded admission objects', counts: { VirtualMachineInstancePreset: 2 } }));
  });

  it('re-reads the directory when a file changes or appears', async () => {
    writeFileSync(join(dir, 'a.yaml'), preset('a'));
    provider = watchObjectDirectory(dir, { log: collectingLogger().log, pollMs: 600_000 });
    await provider.loaded;
    writeFileSync(join(dir, 'c.yaml'), preset('c'));
    expect(await until(() => names(provider!).length === 2)).toBe(true);
    writeFileSync(join(dir, 'a.yaml'), preset('a2'));
    expect(await until(() => names(provider!)[0] === 'a2')).toBe(true);
  });

  it('keeps the previous objects when a reload fails, and takes the fixed file', async () => {
    writeFileSync(join(dir, 'a.yaml'), preset('a'));
    const { log, lines } = collectingLogger();
    provider = watchObjectDirectory(dir, { log, pollMs: 50 });
    await provider.loaded;
    writeFileSync(join(dir, 'a.yaml'), 'kind: [\n');
    expect(await until(() => lines.some((l) => l['msg'] === 'Could not reload admission objects; kept the previous ones'))).toBe(true);
    expect(names(provider)).toEqual(['a']);
    writeFileSync(join(dir, 'a.yaml'), preset('fixed'));
    expect(await until(() => names(provider!)[0] === 'fixed')).toBe(true);
  });

  it('stays unready while the directory cannot be read, and gets ready once it can', async () => {
    const missing = join(dir, 'later');
    const { log, lines } = collectingLogger();
    provider = watchObjectDirectory(missing, { log, pollMs: 50 });
    await provider.loaded;
    expect(provider.ready()).toBe(false);
    expect(lines).toContainEqual(expect.objectContaining({ level: 50, msg: 'Could not load admission objects', dir: missing }));
    const { mkdirSync } = await import('node:fs');
    mkdirSync(missing);
    writeFileSync(join(missing, 'a.yaml'), preset('a'));
    expect(await until(() => provider!.ready())).toBe(true);
    expect(names(provider)).toEqual(['a']);
  });
});
