/**
 * Pure manifest handling: multi-document YAML/JSON text → objects, with kubectl's conventions
 * (YAML 1.1 scalars, `kind: List` expanded, empty documents skipped).
 */
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
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function expand(value: unknown): unknown[] {
  if (isObject(value) && value['kind'] === 'List' && Array.isArray(value['items'])) return value['items'].flatMap(expand);
  return [value];
}

/** Parses every document of a YAML (or JSON) text. */
export function parseManifests(source: string, text: string): ParsedManifests {
  const objects: ManifestObject[] = [];
  const errors: ManifestError[] = [];
  parseKubeYamlDocuments(text).forEach((doc, docIndex) => {
    const err = doc.errors[0];
    if (err !== undefined) {
      errors.push({ source, message: `document ${docIndex + 1}: ${err.message.split('\n')[0]}` });
      return;
    }
    for (const value of expand(doc.toJS({ maxAliasCount: 100 }))) {
      if (value === null || value === undefined) continue;
      if (!isObject(value)) errors.push({ source, message: `document ${docIndex + 1}: expected an object, found ${Array.isArray(value) ? 'a list' : typeof value}` });
      else objects.push({ source, index: objects.length, object: value });
    }
  });
  return { objects, errors };
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
