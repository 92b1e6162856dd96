/** Reads the schema sources (YAML) from `crd-gen/schemas/`: the build-time IO edge of crd-gen. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import type { CrdFacts, DefsSource, KindSource, SchemaNode } from './bundle.js';
import { SchemaSourceError } from './bundle.js';

/** The folder holding `kinds/` and `defs/`. */
export const SCHEMAS_DIR = fileURLToPath(new URL('./schemas/', import.meta.url));

function yamlFiles(dir: string): string[] {
  return readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort().map((f) => join(dir, f));
}

function readYaml(file: string): Record<string, unknown> {
  const doc: unknown = parse(readFileSync(file, 'utf8'));
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new SchemaSourceError(`${file}: expected a YAML mapping`);
  return doc as Record<string, unknown>;
}

/** Every `defs/*.yaml` file's definitions. */
export function readDefs(dir: string = SCHEMAS_DIR): DefsSource[] {
  return yamlFiles(join(dir, 'defs')).map((file) => {
    const doc = readYaml(file);
    const defs = doc['$defs'];
    if (typeof defs !== 'object' || defs === null) throw new SchemaSourceError(`${file}: a defs file holds one top-level key, $defs`);
    return { file, defs: defs as Record<string, SchemaNode> };
  });
}

/** The key table, `keys.yaml`, as its YAML document. */
export function readKeys(dir: string = SCHEMAS_DIR): Record<string, unknown> {
  return readYaml(join(dir, 'keys.yaml'));
}

/** Every `kinds/*.yaml` file, sorted by file name. */
export function readKinds(dir: string = SCHEMAS_DIR): KindSource[] {
  return yamlFiles(join(dir, 'kinds')).map((file) => {
    const doc = readYaml(file);
    return { file, crd: doc['crd'] as CrdFacts, schema: doc['schema'] as SchemaNode };
  });
}
