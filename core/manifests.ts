/**
 * Pure manifest handling: multi-document YAML/JSON text → objects, with kubectl's conventions
 * (YAML 1.1 scalars, `kind: List` expanded, empty documents skipped).
 */
import { isMap, isScalar, isSeq, LineCounter, type Node } from 'yaml';
import { parseKubeYamlDocuments } from './yaml.js';

/** One object read from a source, with where it came from. */
export interface ManifestObject {
  readonly source: string;
  readonly index: number;
  readonly object: Record<string, unknown>;
}

/** A source that could not be parsed. */
export interface ManifestError {
  readonly source: string;
  readonly message: string;
}

/** What one source held. */
export interface ParsedManifests {
  readonly objects: ManifestObject[];
  readonly errors: ManifestError[];
  /** Repeated fields let through (`duplicates: 'warn'`), one line each. */
  readonly warnings: ManifestError[];
}

/**
 * What a key repeated in one mapping is: an error naming its path (kubectl's strict field
 * validation, and the default), a warning, or nothing (the later value wins in both of those).
 */
export type DuplicateFields = 'error' | 'warn' | 'ignore';

/** A field that appears twice in one mapping: its path (`spec.running`, `items[0].metadata.name`) and the line of its second key. */
export interface DuplicateField {
  readonly path: string;
  readonly line: number;
}

const pathOf = (parent: string, key: string): string => (parent === '' ? key : `${parent}.${key}`);

/** Every repeated key of a parsed document (parsed with unique keys off), in document order. */
export function duplicateFields(root: Node | null, lines: LineCounter): DuplicateField[] {
  const out: DuplicateField[] = [];
  const walk = (node: unknown, path: string): void => {
    if (isSeq(node)) node.items.forEach((item, i) => walk(item, `${path}[${i}]`));
    if (!isMap(node)) return;
    const seen = new Set<string>();
    for (const pair of node.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
      const here = pathOf(path, key);
      if (seen.has(key)) out.push({ path: here, line: lines.linePos(isScalar(pair.key) ? (pair.key.range?.[0] ?? 0) : 0).line });
      seen.add(key);
      walk(pair.value, here);
    }
  };
  walk(root, '');
  return out;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function expand(value: unknown): unknown[] {
  if (isObject(value) && value['kind'] === 'List' && Array.isArray(value['items'])) return value['items'].flatMap(expand);
  return [value];
}

/** Parses every document of a YAML (or JSON) text; a repeated field is an error unless `duplicates` says otherwise. */
export function parseManifests(source: string, text: string, options: { readonly duplicates?: DuplicateFields } = {}): ParsedManifests {
  const objects: ManifestObject[] = [];
  const errors: ManifestError[] = [];
  const warnings: ManifestError[] = [];
  const duplicates = options.duplicates ?? 'error';
  const lines = new LineCounter();
  lines.addNewLine(0);
  for (let at = text.indexOf('\n'); at !== -1; at = text.indexOf('\n', at + 1)) lines.addNewLine(at + 1);
  parseKubeYamlDocuments(text, { uniqueKeys: false }).forEach((doc, docIndex) => {
    const err = doc.errors[0];
    if (err !== undefined) {
      errors.push({ source, message: `document ${docIndex + 1}: ${err.message.split('\n')[0]}` });
      return;
    }
    const repeated = duplicates === 'ignore' ? [] : duplicateFields(doc.contents, lines);
    const found = repeated.map((d) => ({ source, message: `document ${docIndex + 1}: duplicate field ${JSON.stringify(d.path)} (line ${d.line})` }));
    if (duplicates === 'error' && found.length > 0) {
      errors.push(...found);
      return;
    }
    warnings.push(...found);
    for (const value of expand(doc.toJS({ maxAliasCount: 100 }))) {
      if (value === null || value === undefined) continue;
      if (!isObject(value)) errors.push({ source, message: `document ${docIndex + 1}: expected an object, found ${Array.isArray(value) ? 'a list' : typeof value}` });
      else objects.push({ source, index: objects.length, object: value });
    }
  });
  return { objects, errors, warnings };
}

/** `Kind/name` as kubectl names an object in messages (namespace left out). */
export function displayName(object: { readonly kind?: unknown; readonly metadata?: unknown }): string {
  const kind = typeof object.kind === 'string' && object.kind !== '' ? object.kind : '<unknown kind>';
  const meta = isObject(object.metadata) ? object.metadata : {};
  const name = typeof meta['name'] === 'string' ? meta['name'] : typeof meta['generateName'] === 'string' ? `${meta['generateName']}*` : '<unnamed>';
  return `${kind}/${name}`;
}

/** Several objects as kubectl prints them: a `v1` `List`. */
export function asList(items: readonly unknown[]): { apiVersion: 'v1'; kind: 'List'; items: readonly unknown[] } {
  return { apiVersion: 'v1', kind: 'List', items };
}
