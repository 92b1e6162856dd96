/**
 * Pure checks that a CRD schema is structural, as kube-apiserver demands of apiextensions.k8s.io/v1
 * CRDs, and that printer-column and scale paths point at fields that exist.
 * @see https://kubernetes.io/docs/tasks/extend-kubernetes/custom-resources/custom-resource-definitions/#specifying-a-structural-schema
 */

type Node = { readonly [key: string]: unknown };

const ALLOWED = new Set([
  'type', 'description', 'title', 'properties', 'additionalProperties', 'items', 'required', 'enum', 'format', 'pattern',
  'minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'minLength', 'maxLength', 'minItems', 'maxItems',
  'uniqueItems', 'minProperties', 'maxProperties', 'multipleOf', 'nullable', 'anyOf', 'allOf', 'oneOf', 'not', 'example',
  'externalDocs', 'x-kubernetes-preserve-unknown-fields', 'x-kubernetes-int-or-string', 'x-kubernetes-embedded-resource',
  'x-kubernetes-list-type', 'x-kubernetes-list-map-keys', 'x-kubernetes-map-type', 'x-kubernetes-validations',
]);
const TYPES = new Set(['object', 'array', 'string', 'integer', 'number', 'boolean']);

function isNode(v: unknown): v is Node {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isIntOrStringAnyOf(anyOf: unknown): boolean {
  return Array.isArray(anyOf) && anyOf.length === 2 && isNode(anyOf[0]) && isNode(anyOf[1]) &&
    anyOf[0]['type'] === 'integer' && anyOf[1]['type'] === 'string' && Object.keys(anyOf[0]).length === 1 && Object.keys(anyOf[1]).length === 1;
}

function typeProblems(node: Node, path: string): string[] {
  if (node['x-kubernetes-int-or-string'] === true) {
    const out: string[] = [];
    if (node['type'] !== undefined) out.push(`${path}: an int-or-string node must not set type`);
    if (node['anyOf'] !== undefined && !isIntOrStringAnyOf(node['anyOf'])) out.push(`${path}: int-or-string anyOf must be [{type: integer}, {type: string}]`);
    return out;
  }
  const out: string[] = [];
  if (node['anyOf'] !== undefined || node['oneOf'] !== undefined || node['allOf'] !== undefined) out.push(`${path}: value validations are not used outside int-or-string`);
  const preserve = node['x-kubernetes-preserve-unknown-fields'] === true;
  if (!TYPES.has(String(node['type'])) && !preserve) out.push(`${path}: every node needs a type (found ${JSON.stringify(node['type'])})`);
  return out;
}

function nodeProblems(node: Node, path: string): string[] {
  const out: string[] = [];
  for (const key of Object.keys(node)) if (!ALLOWED.has(key)) out.push(`${path}: keyword ${key} is not allowed in a CRD schema`);
  out.push(...typeProblems(node, path));
  if (node['properties'] !== undefined && node['additionalProperties'] !== undefined) out.push(`${path}: properties and additionalProperties are mutually exclusive`);
  if (node['type'] === 'array' && !isNode(node['items'])) out.push(`${path}: an array needs items`);
  out.push(...requiredProblems(node, path));
  return out;
}

function requiredProblems(node: Node, path: string): string[] {
  const req = node['required'];
  const props = isNode(node['properties']) ? node['properties'] : {};
  return Array.isArray(req) ? req.filter((r) => !(String(r) in props)).map((r) => `${path}: required field ${String(r)} is not a property`) : [];
}

/**
 * The API server's rule for a CRD's root `metadata`: nothing but `type: object` (restrictions of name
 * and generateName aside) — a description already makes it refuse the CRD ("metadata is implicitly
 * specified").
 */
function rootMetadataProblems(metadata: unknown): string[] {
  if (metadata === undefined) return [];
  return JSON.stringify(metadata) === JSON.stringify({ type: 'object' }) ? [] : ['<root>.metadata: a CRD\'s root metadata schema may only be {type: object}'];
}

/** Every reason the schema is not structural (empty when it is), with the node path. */
export function structuralProblems(node: unknown, path = '<root>'): string[] {
  if (!isNode(node)) return [`${path}: not a schema object`];
  const out = nodeProblems(node, path);
  const props = node['properties'];
  if (path === '<root>' && isNode(props)) out.push(...rootMetadataProblems(props['metadata']));
  if (isNode(props)) {
    for (const [name, sub] of Object.entries(props)) {
      // `kubectl explain` shows a field's description: every field must have one (root metadata is the API server's).
      const described = typeof sub === 'object' && sub !== null && typeof (sub as Node)['description'] === 'string' && ((sub as Node)['description'] as string).trim() !== '';
      if (isNode(sub) && !described && !(path === '<root>' && name === 'metadata')) out.push(`${path}.${name}: no description`);
      out.push(...structuralProblems(sub, `${path}.${name}`));
    }
  }
  if (isNode(node['items'])) out.push(...structuralProblems(node['items'], `${path}[]`));
  if (isNode(node['additionalProperties'])) out.push(...structuralProblems(node['additionalProperties'], `${path}{}`));
  return out;
}

/**
 * Resolves a CRD JSONPath (`.status.conditions[?(@.type=='Ready')].status`, `.spec.replicas`,
 * `.status.interfaces[0].ipAddress`) against the schema; returns the node or undefined.
 */
export function resolveJsonPath(schema: Node, jsonPath: string): Node | undefined {
  if (!jsonPath.startsWith('.')) return undefined;
  let node: Node | undefined = schema;
  for (const part of jsonPath.slice(1).split(/\.(?![^[]*\])/)) node = node && step(node, part);
  return node;
}

const SEGMENT = /^([A-Za-z0-9_-]+)(\[(\d+|\?\(@\.[A-Za-z0-9_]+==(?:'[^']*'|"[^"]*")\))\])?$/;

/** One JSONPath segment: a field, optionally followed by a list index or filter. */
function step(node: Node, part: string): Node | undefined {
  const m = SEGMENT.exec(part);
  const props: unknown = node['properties'];
  const field = m?.[1] !== undefined && isNode(props) ? props[m[1]] : undefined;
  if (!isNode(field)) return undefined;
  if (m?.[2] === undefined) return field;
  return field['type'] === 'array' && isNode(field['items']) ? field['items'] : undefined;
}
