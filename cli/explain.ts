/**
 * `kvt explain` from our CRDs' openAPIV3Schema, laid out as `kubectl explain` prints a field:
 * GROUP, KIND, VERSION, FIELD with its type, DESCRIPTION, ENUM, and FIELDS (one level, or the whole
 * tree with `recursive`). Pure: a schema and a path in, text out.
 */
type Schema = Readonly<Record<string, unknown>>;

const isSchema = (v: unknown): v is Schema => typeof v === 'object' && v !== null && !Array.isArray(v);

function properties(schema: Schema): Readonly<Record<string, Schema>> {
  const props = schema['properties'];
  return isSchema(props) ? (props as Readonly<Record<string, Schema>>) : {};
}

function objectTypeName(schema: Schema): string {
  const extra = schema['additionalProperties'];
  return isSchema(extra) && Object.keys(properties(schema)).length === 0 ? `map[string]${typeName(extra)}` : 'Object';
}

/** kubectl's type of a schema node: `string`, `integer`, `Object`, `[]Object`, `map[string]string`, `IntOrString`; the root's metadata is `ObjectMeta`. */
export function typeName(schema: Schema, atRoot = false, name = ''): string {
  if (atRoot && name === 'metadata') return 'ObjectMeta';
  if (schema['x-kubernetes-int-or-string'] === true) return 'IntOrString';
  const type = schema['type'];
  if (type === 'array') return `[]${isSchema(schema['items']) ? typeName(schema['items']) : 'Object'}`;
  return type === 'object' || type === undefined ? objectTypeName(schema) : String(type);
}

/** What Kubernetes documents the root `metadata` as (a CRD's schema leaves it bare: the API server fills it in). */
const OBJECT_META_DESCRIPTION = "Standard object's metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata";

function descriptionOf(schema: Schema, atRoot: boolean, name: string | undefined): string {
  if (typeof schema['description'] === 'string') return schema['description'];
  return atRoot && name === 'metadata' ? OBJECT_META_DESCRIPTION : '';
}

/** `text` wrapped at `width` columns, each line indented by `indent` spaces (kubectl's description layout). */
export function wrap(text: string, indent: number, width = 80): string[] {
  const out: string[] = [];
  for (const paragraph of text.split('\n')) {
    let line = '';
    for (const word of paragraph.split(/\s+/).filter((w) => w !== '')) {
      if (line !== '' && indent + line.length + 1 + word.length > width) {
        out.push(`${' '.repeat(indent)}${line}`);
        line = word;
      } else {
        line = line === '' ? word : `${line} ${word}`;
      }
    }
    out.push(line === '' ? '' : `${' '.repeat(indent)}${line}`);
  }
  return out;
}

/** The node a path names under the root, following arrays' items and maps' values; undefined when a step is not a field. */
export function fieldAt(root: Schema, path: readonly string[]): { schema: Schema; missing?: undefined } | { missing: string } {
  let node = root;
  for (const step of path) {
    let next: Schema | undefined = node;
    while (next !== undefined && next['type'] === 'array') next = isSchema(next['items']) ? next['items'] : undefined;
    const child = next === undefined ? undefined : properties(next)[step];
    if (child === undefined) return { missing: step };
    node = child;
  }
  return { schema: node };
}

/** The node whose fields are listed: an array's items, else the node. */
function fieldsOf(schema: Schema): Schema {
  let node = schema;
  while (node['type'] === 'array' && isSchema(node['items'])) node = node['items'];
  return node;
}

function fieldLine(name: string, schema: Schema, required: boolean, atRoot: boolean): string {
  return `${name}\t<${typeName(schema, atRoot, name)}>${required ? ' -required-' : ''}`;
}

function requiredOf(schema: Schema): ReadonlySet<string> {
  const r = schema['required'];
  return new Set(Array.isArray(r) ? r.filter((x): x is string => typeof x === 'string') : []);
}

function listFields(schema: Schema, options: { readonly recursive: boolean; readonly depth: number; readonly atRoot: boolean }): string[] {
  const node = fieldsOf(schema);
  const required = requiredOf(node);
  const out: string[] = [];
  const pad = '  '.repeat(options.depth + 1);
  for (const name of Object.keys(properties(node)).sort()) {
    const child = properties(node)[name] ?? {};
    out.push(`${pad}${fieldLine(name, child, required.has(name), options.atRoot)}`);
    if (options.recursive) {
      if (!(options.atRoot && name === 'metadata')) out.push(...listFields(child, { recursive: true, depth: options.depth + 1, atRoot: false }));
    } else {
      const description = descriptionOf(child, options.atRoot, name);
      out.push(...(description === '' ? [`${pad}  <no description>`] : wrap(description, pad.length + 2)), '');
    }
  }
  return out;
}

/** What `kvt explain` explains: a kind (its group, version and name) and a field path under it. */
export interface ExplainTarget {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
  readonly path: readonly string[];
}

/** kubectl explain's text for a path of a kind's schema, or the error line of a path that is not a field. */
export function explain(root: Schema, target: ExplainTarget, options: { readonly recursive: boolean }): { text: string } | { error: string } {
  const found = fieldAt(root, target.path);
  if (found.missing !== undefined) return { error: `field ${JSON.stringify(found.missing)} does not exist` };
  const { schema } = found;
  const name = target.path.at(-1);
  const atRoot = target.path.length === 1;
  const head = [`GROUP:      ${target.group}`, `KIND:       ${target.kind}`, `VERSION:    ${target.version}`, ''];
  if (name !== undefined) head.push(`FIELD: ${name} <${typeName(schema, atRoot, name)}>`, '');
  const enumValues = Array.isArray(schema['enum']) ? schema['enum'].map(String) : [];
  if (enumValues.length > 0) head.push('ENUM:', ...enumValues.map((v) => `    ${v}`), '');
  const description = descriptionOf(schema, atRoot, name);
  head.push('DESCRIPTION:', ...(description === '' ? ['    <empty>'] : wrap(description, 4)), '');
  const fields = Object.keys(properties(fieldsOf(schema))).length > 0 && !(atRoot && name === 'metadata') ? ['FIELDS:', ...listFields(schema, { recursive: options.recursive, depth: 0, atRoot: name === undefined })] : [];
  return { text: `${[...head, ...fields].join('\n').replace(/\n+$/, '')}\n` };
}
