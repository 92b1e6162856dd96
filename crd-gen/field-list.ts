/**
 * Pure checks of a bundled schema against a KubeVirt field list (`path: type (required)` lines, as
 * in the design reference's api-fields.md), so that no field a KubeVirt user writes is missing.
 */
import type { SchemaNode } from './bundle.js';

/** One listed field. */
export interface ListedField {
  readonly path: string;
  readonly type: string;
  readonly required: boolean;
}

/** A section of the list: the kinds it describes and their fields. */
export interface FieldSection {
  readonly kinds: readonly string[];
  readonly fields: readonly ListedField[];
}

/** What differs between the list and a schema. */
export interface CoverageReport {
  readonly kind: string;
  readonly missing: string[];
  readonly mismatched: string[];
  readonly extra: string[];
}

const HEADING = /^## (\w+)(?: \(and (\w+)\))?\s*$/;
const FIELD = /^([A-Za-z0-9_.[\]]+): (.+?)( \(required\))?$/;

/** Splits the markdown list into sections, one per `## Kind` heading. */
export function parseFieldList(markdown: string): FieldSection[] {
  const sections: { kinds: string[]; fields: ListedField[] }[] = [];
  let current: { kinds: string[]; fields: ListedField[] } | undefined;
  for (const line of markdown.split('\n')) {
    const heading = HEADING.exec(line);
    if (heading) {
      current = { kinds: [heading[1], heading[2]].filter((k): k is string => k !== undefined), fields: [] };
      sections.push(current);
      continue;
    }
    const field = current ? FIELD.exec(line) : null;
    if (current && field?.[1] && field[2]) current.fields.push({ path: field[1], type: field[2], required: field[3] !== undefined });
  }
  return sections;
}

function child(node: SchemaNode | undefined, segment: string): SchemaNode | undefined {
  const isList = segment.endsWith('[]');
  const name = isList ? segment.slice(0, -2) : segment;
  const props = node?.['properties'] as Record<string, SchemaNode> | undefined;
  const prop = props?.[name];
  if (!isList) return prop;
  return prop?.['type'] === 'array' ? (prop['items'] as SchemaNode | undefined) : undefined;
}

/** Resolves a listed path (`spec.disks[].name`) in an inlined schema. */
export function resolvePath(root: SchemaNode, path: string): SchemaNode | undefined {
  let node: SchemaNode | undefined = root;
  for (const segment of path.split('.')) node = child(node, segment);
  return node;
}

function isIntOrString(node: SchemaNode): boolean {
  return node['x-kubernetes-int-or-string'] === true;
}

function mapOf(node: SchemaNode, check: (items: SchemaNode) => boolean): boolean {
  const ap = node['additionalProperties'];
  return node['type'] === 'object' && typeof ap === 'object' && ap !== null && check(ap as SchemaNode);
}

const TYPE_CHECKS: Readonly<Record<string, (n: SchemaNode) => boolean>> = {
  string: (n) => n['type'] === 'string',
  boolean: (n) => n['type'] === 'boolean',
  object: (n) => n['type'] === 'object',
  integer: (n) => n['type'] === 'integer',
  'integer (int32)': (n) => n['type'] === 'integer' && n['format'] === 'int32',
  'integer (int64)': (n) => n['type'] === 'integer' && n['format'] === 'int64',
  'quantity (int-or-string)': isIntOrString,
  'map of string': (n) => mapOf(n, (i) => i['type'] === 'string'),
  'map of integer': (n) => mapOf(n, (i) => i['type'] === 'integer'),
  'map of quantity (int-or-string)': (n) => mapOf(n, isIntOrString),
  "['string', 'null']": (n) => n['type'] === 'string' && n['nullable'] === true,
  'meta/v1 Time': (n) => n['type'] === 'string' && n['format'] === 'date-time',
};

/** Whether a schema node has the listed type (a core/meta type only needs to be an object). */
export function typeMatches(listed: string, node: SchemaNode): boolean {
  const check = TYPE_CHECKS[listed];
  if (check) return check(node);
  if (/^(core|meta)\/v1 \w+$/.test(listed) || listed.startsWith('object:')) return node['type'] === 'object';
  return false;
}

function isRequired(root: SchemaNode, path: string): boolean {
  const dot = path.lastIndexOf('.');
  const parent = dot < 0 ? root : resolvePath(root, path.slice(0, dot));
  const name = path.slice(dot + 1).replace(/\[\]$/, '');
  const req = parent?.['required'];
  return Array.isArray(req) && req.includes(name);
}

/** Paths under `node` (with `[]` for list items), stopping at the listed opaque types. */
function schemaPaths(node: SchemaNode, prefix: string, out: string[]): void {
  const props = node['properties'] as Record<string, SchemaNode> | undefined;
  for (const [name, prop] of Object.entries(props ?? {})) {
    const isList = prop['type'] === 'array';
    const path = `${prefix}${prefix ? '.' : ''}${name}${isList ? '[]' : ''}`;
    out.push(path);
    const next = isList ? (prop['items'] as SchemaNode | undefined) : prop;
    if (next) schemaPaths(next, path, out);
  }
}

/** Compares one kind's inlined root schema (`properties.spec`…) with a section of the list. */
export function checkCoverage(kind: string, root: SchemaNode, section: FieldSection): CoverageReport {
  const report: CoverageReport = { kind, missing: [], mismatched: [], extra: [] };
  const listed = new Map(section.fields.map((f) => [f.path, f]));
  const opaque = section.fields.filter((f) => !(f.type in TYPE_CHECKS) && f.type !== 'object').map((f) => f.path);
  for (const f of section.fields) {
    const node = resolvePath(root, f.path);
    if (!node) report.missing.push(`${f.path}: ${f.type}`);
    else if (!typeMatches(f.type, node)) report.mismatched.push(`${f.path}: listed ${f.type}, schema ${JSON.stringify({ type: node['type'], format: node['format'] })}`);
    else if (f.required !== isRequired(root, f.path)) report.mismatched.push(`${f.path}: listed ${f.required ? '' : 'not '}required`);
  }
  const all: string[] = [];
  schemaPaths(root, '', all);
  for (const path of all) {
    if (listed.has(path) || !/^(spec|status)/.test(path)) continue;
    if (opaque.some((o) => path.startsWith(`${o}.`))) continue;
    report.extra.push(path);
  }
  return report;
}
