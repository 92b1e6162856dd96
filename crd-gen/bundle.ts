/**
 * Pure schema bundling: named definitions + per-kind sources → self-contained structural schemas.
 *
 * CRD schemas may not hold `$ref`, so every reference is inlined here; the same inlined schema is
 * what the CRDs carry and what the validators compile, so the two can never disagree.
 */

/** A JSON (OpenAPI v3 / JSON Schema) node as read from YAML. */
export type SchemaNode = { readonly [key: string]: unknown };

/** Printer column of a CRD version, as kube-apiserver takes it. */
export interface PrinterColumn {
  readonly name: string;
  readonly type: string;
  readonly jsonPath: string;
  readonly description?: string;
  readonly priority?: number;
}

/** CRD facts of one served kind, from `schemas/kinds/*.yaml`. */
export interface CrdFacts {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
  readonly listKind: string;
  readonly plural: string;
  readonly singular: string;
  readonly shortNames: readonly string[];
  readonly categories: readonly string[];
  readonly scope: 'Namespaced' | 'Cluster';
  readonly subresources?: {
    readonly status?: SchemaNode;
    readonly scale?: { readonly specReplicasPath: string; readonly statusReplicasPath: string; readonly labelSelectorPath?: string };
  };
  readonly printerColumns: readonly PrinterColumn[];
  /** Fields list and watch may select on besides metadata.name and metadata.namespace (`.status.nodeName`). */
  readonly selectableFields?: readonly { readonly jsonPath: string }[];
}

/** One kind's source: its CRD facts and root schema (which refers to definitions). */
export interface KindSource {
  readonly file: string;
  readonly crd: CrdFacts;
  readonly schema: SchemaNode;
}

/** A definitions file: its name and its `$defs`. */
export interface DefsSource {
  readonly file: string;
  readonly defs: Readonly<Record<string, SchemaNode>>;
}

const REF_PREFIX = '#/$defs/';

/**
 * Thrown when the schema sources themselves are inconsistent (a build-time programmer error). The one
 * error class outside KubevirtError: crd-gen is the lowest layer and imports nothing of core/.
 */
export class SchemaSourceError extends Error {
  override name = 'SchemaSourceError';
}

/** Merges every file's `$defs` into one map; a name defined twice is an error naming both files. */
export function collectDefs(sources: readonly DefsSource[]): Record<string, SchemaNode> {
  const out: Record<string, SchemaNode> = {};
  const owner = new Map<string, string>();
  for (const src of sources) {
    for (const [name, def] of Object.entries(src.defs)) {
      const prev = owner.get(name);
      if (prev !== undefined) throw new SchemaSourceError(`definition ${name} is defined in both ${prev} and ${src.file}`);
      owner.set(name, src.file);
      out[name] = def;
    }
  }
  return out;
}

/** The definition name a `$ref` string points at, or undefined when it is not one of ours. */
export function refName(ref: unknown): string | undefined {
  return typeof ref === 'string' && ref.startsWith(REF_PREFIX) ? ref.slice(REF_PREFIX.length) : undefined;
}

function isNode(value: unknown): value is SchemaNode {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Every `$ref` target name used under `node`, in first-seen order. */
export function refsIn(node: unknown, acc: Set<string> = new Set()): Set<string> {
  if (Array.isArray(node)) {
    for (const item of node) refsIn(item, acc);
  } else if (isNode(node)) {
    const name = refName(node['$ref']);
    if (name !== undefined) acc.add(name);
    for (const value of Object.values(node)) refsIn(value, acc);
  }
  return acc;
}

/** Names referenced somewhere in `nodes` that no definition provides. */
export function danglingRefs(nodes: readonly unknown[], defs: Readonly<Record<string, SchemaNode>>): string[] {
  const used = new Set<string>();
  for (const n of nodes) refsIn(n, used);
  return [...used].filter((name) => !(name in defs)).sort();
}

/**
 * Replaces every `$ref` by a copy of its definition. A `description` beside the `$ref` describes
 * the field and wins over the definition's own description.
 */
export function inlineRefs(node: unknown, defs: Readonly<Record<string, SchemaNode>>, stack: readonly string[] = []): unknown {
  if (Array.isArray(node)) return node.map((item) => inlineRefs(item, defs, stack));
  if (!isNode(node)) return node;
  const name = refName(node['$ref']);
  if (name !== undefined) return inlineOne(node, name, defs, stack);
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) out[key] = inlineRefs(value, defs, stack);
  return out;
}

function inlineOne(node: SchemaNode, name: string, defs: Readonly<Record<string, SchemaNode>>, stack: readonly string[]): unknown {
  const def = defs[name];
  if (def === undefined) throw new SchemaSourceError(`$ref to unknown definition ${name} (via ${stack.join(' → ') || 'root'})`);
  if (stack.includes(name)) throw new SchemaSourceError(`recursive definition ${[...stack, name].join(' → ')} cannot be inlined into a CRD`);
  const body = inlineRefs(def, defs, [...stack, name]) as Record<string, unknown>;
  const extra = Object.keys(node).filter((k) => k !== '$ref' && k !== 'description');
  if (extra.length > 0) throw new SchemaSourceError(`only description may stand beside $ref (${name}); found ${extra.join(', ')}`);
  const description = node['description'];
  return typeof description === 'string' ? { ...body, description } : body;
}

/** The full `apiVersion` of a kind, e.g. `kubevirt.io/v1`. */
export function apiVersionOf(crd: Pick<CrdFacts, 'group' | 'version'>): string {
  return `${crd.group}/${crd.version}`;
}

/**
 * The root schema as a CRD may carry it: an API server refuses any root `metadata` schema beyond
 * `type: object` (and name/generateName restrictions), a description included ("metadata is
 * implicitly specified"). The description stays in the source for the generated types.
 */
function crdRootSchema(schema: SchemaNode): SchemaNode {
  const properties = schema['properties'] as Record<string, SchemaNode> | undefined;
  if (properties?.['metadata'] === undefined) return schema;
  return { ...schema, properties: { ...properties, metadata: { type: 'object' } } };
}

/** The CustomResourceDefinition object for one kind, with its schema fully inlined. */
export function buildCrd(kind: KindSource, defs: Readonly<Record<string, SchemaNode>>): SchemaNode {
  const { crd } = kind;
  const names: Record<string, unknown> = {
    kind: crd.kind,
    listKind: crd.listKind,
    plural: crd.plural,
    singular: crd.singular,
    shortNames: [...crd.shortNames],
  };
  if (crd.categories.length > 0) names['categories'] = [...crd.categories];
  const version: Record<string, unknown> = {
    name: crd.version,
    served: true,
    storage: true,
    schema: { openAPIV3Schema: crdRootSchema(inlineRefs(kind.schema, defs) as SchemaNode) },
  };
  if (crd.printerColumns.length > 0) version['additionalPrinterColumns'] = crd.printerColumns.map((c) => ({ ...c }));
  if (crd.subresources !== undefined) version['subresources'] = structuredClone(crd.subresources);
  if (crd.selectableFields !== undefined && crd.selectableFields.length > 0) version['selectableFields'] = crd.selectableFields.map((f) => ({ ...f }));
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${crd.plural}.${crd.group}`, labels: { 'app.kubernetes.io/part-of': 'kubevirt-ts' } },
    spec: { group: crd.group, names, scope: crd.scope, versions: [version] },
  };
}
