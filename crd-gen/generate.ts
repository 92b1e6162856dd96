/**
 * `npm run gen`: schemas → CRDs (JSON + YAML), TypeScript types, kind table, cdk8s L1 classes.
 * `npm run gen:check`: the same into memory, then a diff against the committed files; exit 1 on drift.
 */
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compile, type JSONSchema } from 'json-schema-to-typescript';
import { toYaml } from '../core/yaml.js';
import { buildCrd, collectDefs, danglingRefs, type SchemaNode } from './bundle.js';
import { GENERATED_HEADER, renderKinds, renderL1 } from './render.js';
import { parseKeyTable, renderKeys } from './keys.js';
import { readDefs, readKeys, readKinds } from './sources.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const OUT = join(ROOT, 'crd-gen/generated');

/** Definitions rewritten for json-schema-to-typescript: titled, `definitions`-style refs. */
function typegenSchema(defs: Readonly<Record<string, SchemaNode>>): JSONSchema {
  const retarget = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(retarget);
    if (typeof node !== 'object' || node === null) return node;
    const out: Record<string, unknown> = {};
    const isRef = typeof (node as Record<string, unknown>)['$ref'] === 'string';
    for (const [k, v] of Object.entries(node)) {
      // A description beside $ref would make the generator mint a copy of the referenced type.
      if (isRef && k === 'description') continue;
      out[k] = k === '$ref' && typeof v === 'string' ? v.replace('#/$defs/', '#/definitions/') : retarget(v);
    }
    return out;
  };
  const definitions: Record<string, unknown> = {};
  for (const name of Object.keys(defs).sort()) {
    // Object metadata is the API machinery's; it is typed by hand in crd-gen/meta.ts.
    const body = name === 'ObjectMeta' ? { tsType: 'KubeObjectMeta', description: defs[name]?.['description'] } : retarget(defs[name]);
    definitions[name] = { ...(body as object), title: name };
  }
  return { title: 'KubevirtApiDefinitions', type: 'object', additionalProperties: false, definitions } as JSONSchema;
}

async function renderTypes(defs: Readonly<Record<string, SchemaNode>>): Promise<string> {
  const ts = await compile(typegenSchema(defs), 'KubevirtApiDefinitions', {
    bannerComment: `${GENERATED_HEADER}\nimport type { KubeObjectMeta } from '../meta.js';`,
    additionalProperties: false,
    unreachableDefinitions: true,
    declareExternallyReferenced: true,
    strictIndexSignatures: true,
    enableConstEnums: false,
    format: true,
    style: { singleQuote: true, printWidth: 120 },
  });
  // Drop the generator's provenance notes and its empty root interface: noise in every hover.
  return ts
    .replace(/\n \*\n \* This interface was referenced by `KubevirtApiDefinitions`'s JSON-Schema\n \* via the `definition` "\w+"\./g, '')
    .replace(/\n \* This interface was referenced by `KubevirtApiDefinitions`'s JSON-Schema\n \* via the `definition` "\w+"\./g, '')
    .replace(/\nexport interface KubevirtApiDefinitions \{\}\n/, '\n');
}

/** Every generated file, path relative to the repository root → content. */
async function generateAll(): Promise<Map<string, string>> {
  const defs = collectDefs(readDefs());
  const kinds = readKinds();
  const dangling = danglingRefs([...kinds.map((k) => k.schema), ...Object.values(defs)], defs);
  if (dangling.length > 0) throw new Error(`undefined definitions referenced: ${dangling.join(', ')}`);
  const files = new Map<string, string>();
  const crds = kinds.map((k) => buildCrd(k, defs));
  files.set('crd-gen/generated/crds.json', `${JSON.stringify(crds, null, 1)}\n`);
  for (const crd of crds) {
    const name = (crd['metadata'] as { name: string }).name;
    files.set(`crd-gen/generated/crds/${name}.yaml`, `# ${GENERATED_HEADER.slice(3)}\n${toYaml(crd)}`);
  }
  files.set('crd-gen/generated/types.ts', await renderTypes(defs));
  files.set('crd-gen/generated/kinds.ts', renderKinds(kinds));
  files.set('crd-gen/generated/keys.ts', renderKeys(parseKeyTable(readKeys())));
  files.set('synth/imports/kubevirt.ts', renderL1(kinds));
  return files;
}

function existingGenerated(): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    if (!existsSync(dir)) return;
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, entry.name);
      if (entry.isDirectory()) walk(p);
      else out.push(relative(ROOT, p));
    }
  };
  walk(OUT);
  return out;
}

/** Paths whose committed content differs from what the schemas generate, or that are stale. */
function drift(files: ReadonlyMap<string, string>): string[] {
  const out: string[] = [];
  for (const [path, content] of files) {
    const full = join(ROOT, path);
    if (!existsSync(full) || readFileSync(full, 'utf8') !== content) out.push(path);
  }
  for (const path of existingGenerated()) if (!files.has(path)) out.push(`${path} (stale)`);
  return out;
}

function write(files: ReadonlyMap<string, string>): void {
  for (const path of existingGenerated()) if (!files.has(path)) rmSync(join(ROOT, path));
  for (const [path, content] of files) {
    mkdirSync(dirname(join(ROOT, path)), { recursive: true });
    writeFileSync(join(ROOT, path), content);
  }
}

async function main(check: boolean): Promise<number> {
  const files = await generateAll();
  if (!check) {
    write(files);
    console.log(`gen: wrote ${files.size} files`);
    return 0;
  }
  const differ = drift(files);
  if (differ.length > 0) {
    console.error(`gen:check: generated files differ from the schemas; run \`npm run gen\`:\n  ${differ.join('\n  ')}`);
    return 1;
  }
  console.log(`gen:check: ${files.size} generated files are up to date`);
  return 0;
}

process.exitCode = await main(process.argv.includes('--check'));
