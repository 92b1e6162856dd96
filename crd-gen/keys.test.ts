// The key table (schemas/keys.yaml → generated/keys.ts) and its one rule: no production source spells
// a kubevirt.io key or API version itself; each comes from the table or from Gvk/ExternalGvk.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { Annotations, Finalizers, Labels } from './index.js';
import { parseKeyTable, renderKeys } from './keys.js';
import { readKeys } from './sources.js';

const ROOT = join(import.meta.dirname, '..');

/**
 * A string that is a kubevirt.io key, key prefix, API version or API group (`vm.kubevirt.io/name`,
 * `kubevirt.io/v1`, `virtualmachinepreset.kubevirt.io/`, `instancetype.kubevirt.io`); webhook names
 * (`virtualmachine-validator.kubevirt.io`) are names, not keys.
 */
const KUBEVIRT_KEY = /^(([a-z0-9-]+\.)*kubevirt\.io\/[A-Za-z0-9._-]*|(instancetype\.|cdi\.|subresources\.)?kubevirt\.io)$/;
/** The files that are the tables: the keys and the kinds of other API groups. */
const TABLES = ['crd-gen/external-kinds.ts'];

/** Production TypeScript sources: everything tracked but tests, test support, benchmarks, examples and generated code. */
function productionSources(): string[] {
  const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '*.ts'], { cwd: ROOT, encoding: 'utf8' }).split('\n');
  return files.filter((f) => f !== '' && !/(^|\/)(test|bench|examples)\//.test(f) && !f.startsWith('test/') && !/\.test\.ts$|\.testing\.ts$/.test(f)
    && !f.startsWith('crd-gen/generated/') && !f.startsWith('synth/imports/') && !TABLES.includes(f));
}

/** Every string literal (and template literal text) of a source text that looks like a kubevirt.io key. */
function keyLiteralsIn(text: string): string[] {
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if ((ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node) || ts.isTemplateHead(node) || ts.isTemplateMiddle(node) || ts.isTemplateTail(node)) && KUBEVIRT_KEY.test(node.text)) {
      found.push(node.text);
    }
    node.forEachChild(visit);
  };
  visit(ts.createSourceFile('source.ts', text, ts.ScriptTarget.Latest, true));
  return found;
}

const keyLiterals = (file: string): string[] => keyLiteralsIn(readFileSync(join(ROOT, file), 'utf8'));

describe('the key table', () => {
  it('renders what is committed, every key with its meaning', () => {
    const table = parseKeyTable(readKeys());
    expect(renderKeys(table)).toBe(readFileSync(join(ROOT, 'crd-gen/generated/keys.ts'), 'utf8'));
    expect(Object.values(table).flat().every((e) => e.meaning.length > 20)).toBe(true);
  });

  it('spells the keys the way KubeVirt does', () => {
    expect([Labels.createdBy, Labels.nodeName, Annotations.domain, Finalizers.vmiForegroundDelete]).toEqual([
      'kubevirt.io/created-by', 'kubevirt.io/nodeName', 'kubevirt.io/domain', 'kubevirt.io/foregroundDeleteVirtualMachine',
    ]);
  });

  it.each([
    ['an unknown section', { label: {} }, /unknown section\(s\) label/],
    ['an entry without a key', { labels: { app: { meaning: 'what it is for, in a sentence' } } }, /labels\.app: `key`/],
    ['an entry without a meaning', { labels: { app: { key: 'kubevirt.io' } } }, /labels\.app: `meaning`/],
    ['a key twice', { finalizers: { a: { key: 'x/y', meaning: 'm' }, b: { key: 'x/y', meaning: 'm' } } }, /finalizers\.b repeats the key of finalizers\.a/],
  ])('refuses %s', (_name, doc, message) => {
    expect(() => parseKeyTable(doc)).toThrow(message);
  });

  it('no production source spells a kubevirt.io key or API version outside the table', () => {
    const offenders = productionSources().flatMap((f) => keyLiterals(f).map((k) => `${f}: '${k}'`));
    expect(offenders).toEqual([]);
  });

  it('the scan finds a key in a string and a template, not in comments or prose', () => {
    const text = "const a = 'kubevirt.io/created-by'; const b = `virtualmachinepreset.kubevirt.io/${name}`; const c = /x/g; // kubevirt.io/nodeName\nconst d = 'see kubevirt.io/v1 docs';";
    expect(keyLiteralsIn(text)).toEqual(['kubevirt.io/created-by', 'virtualmachinepreset.kubevirt.io/']);
  });
});
