/**
 * The output side of `kvt get`, as kubectl's printers and sorter do it: the `-o` formats (`wide`,
 * `yaml`, `json`, `name`, `jsonpath=…`, `jsonpath-file=…`, `custom-columns=…`,
 * `custom-columns-file=…`), custom columns, `--sort-by`, and objects as kubectl serialises them
 * (keys sorted, JSON indented by four spaces). Pure: the command reads the files and does the IO.
 * @see https://kubernetes.io/docs/reference/kubectl/#output-options
 */
import { parseQuantity } from '../core/quantity.js';
import { executeTemplate, findResults, goSprint, JsonPathError, parseTemplate, relaxedJsonPath, type Template } from './jsonpath.js';

/** A parsed `-o`. */
export type OutputFormat =
  | { readonly kind: 'table'; readonly wide: boolean }
  | { readonly kind: 'yaml' | 'json' | 'name' }
  | { readonly kind: 'jsonpath'; readonly template: Template }
  | { readonly kind: 'custom-columns'; readonly columns: readonly CustomColumn[] };

/** One `-o custom-columns` column: its header as given and its JSONPath. */
export interface CustomColumn {
  readonly header: string;
  readonly template: Template;
}

const FORMATS = ['custom-columns', 'custom-columns-file', 'json', 'jsonpath', 'jsonpath-file', 'name', 'wide', 'yaml'];

/** How a file-based format reads its file (the command passes readFileSync). */
export type ReadFile = (path: string) => string;

function jsonpathFormat(text: string): OutputFormat {
  if (text === '') throw new JsonPathError('template format specified but no template given');
  try {
    return { kind: 'jsonpath', template: parseTemplate(text) };
  } catch (e) {
    if (e instanceof JsonPathError) throw new JsonPathError(`error parsing jsonpath ${text}, ${e.message}`);
    throw e;
  }
}

const FIXED: Readonly<Record<string, OutputFormat>> = {
  wide: { kind: 'table', wide: true }, yaml: { kind: 'yaml' }, json: { kind: 'json' }, name: { kind: 'name' },
};

const WITH_ARGUMENT: Readonly<Record<string, (arg: string, read: ReadFile) => OutputFormat>> = {
  jsonpath: (arg) => jsonpathFormat(arg),
  'jsonpath-file': (arg, read) => jsonpathFormat(read(arg)),
  'custom-columns': (arg) => ({ kind: 'custom-columns', columns: parseCustomColumns(arg) }),
  'custom-columns-file': (arg, read) => ({ kind: 'custom-columns', columns: parseCustomColumnsFile(read(arg)) }),
};

/** The format of `-o VALUE`, or a JsonPathError with kubectl's message. */
export function parseOutput(value: string | undefined, read: ReadFile): OutputFormat {
  if (value === undefined || value === '') return { kind: 'table', wide: false };
  // pflag takes `-o=json` as `json`: parseArgs leaves the `=` on a short option's value.
  const spec = value.startsWith('=') ? value.slice(1) : value;
  const eq = spec.indexOf('=');
  const [name, arg] = eq === -1 ? [spec, ''] : [spec.slice(0, eq), spec.slice(eq + 1)];
  const fixed = eq === -1 ? FIXED[name] : undefined;
  if (fixed !== undefined) return fixed;
  const parse = WITH_ARGUMENT[name];
  if (parse === undefined) throw new JsonPathError(`unable to match a printer suitable for the output format "${spec}", allowed formats are: ${FORMATS.join(',')}`);
  return parse(arg, read);
}

function column(header: string, path: string): CustomColumn {
  return { header, template: parseTemplate(relaxedJsonPath(path)) };
}

/** `NAME:.metadata.name,PHASE:.status.phase` (kubectl's NewCustomColumnsPrinterFromSpec). */
export function parseCustomColumns(spec: string): CustomColumn[] {
  if (spec === '') throw new JsonPathError('custom-columns format specified but no custom columns given');
  return spec.split(',').map((part) => {
    const colon = part.indexOf(':');
    if (colon === -1) throw new JsonPathError(`unexpected custom-columns spec: ${part}, expected <header>:<json-path-expr>`);
    return column(part.slice(0, colon), part.slice(colon + 1));
  });
}

/** A custom-columns file: headers on the first line, their paths on the second, separated by white space. */
export function parseCustomColumnsFile(text: string): CustomColumn[] {
  const [headerLine = '', pathLine = ''] = text.split('\n');
  const headers = headerLine.trim().split(/\s+/).filter((h) => h !== '');
  const paths = pathLine.trim().split(/\s+/).filter((p) => p !== '');
  if (headers.length !== paths.length) throw new JsonPathError(`number of headers (${headers.length}) and field specifications (${paths.length}) don't match`);
  return headers.map((h, i) => column(h, paths[i] as string));
}

/** The header of custom columns. */
export function customHeader(columns: readonly CustomColumn[]): string[] {
  return columns.map((c) => c.header);
}

/** One object's custom-columns row: each column's values as Go prints them, comma-separated, `<none>` when none. */
export function customRow(columns: readonly CustomColumn[], object: unknown): string[] {
  return columns.map((c) => {
    const values = findResults(c.template, object)[0] ?? [];
    return values.length === 0 ? '<none>' : values.map(goSprint).join(',');
  });
}

/** kubectl's text for `-o jsonpath`: the template over the object (or the List of several). */
export function jsonpathText(template: Template, data: unknown): string {
  try {
    return executeTemplate(template, data);
  } catch (e) {
    if (e instanceof JsonPathError) throw new JsonPathError(`error executing jsonpath ${JSON.stringify(template.source)}: Error executing template: ${e.message}`);
    throw e;
  }
}

const isRecord = (v: unknown): v is Readonly<Record<string, unknown>> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** JSON data with every object's keys sorted, as kubectl prints unstructured objects. */
export function sortedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedKeys);
  if (isRecord(value)) return Object.fromEntries(Object.keys(value).sort().map((k) => [k, sortedKeys(value[k])]));
  return value;
}

/** kubectl's `-o json`: four-space indentation, keys sorted, a newline after. */
export function kubectlJson(value: unknown): string {
  return `${JSON.stringify(sortedKeys(value), null, 4)}\n`;
}

/** The List kubectl prints for several objects. */
export function kubectlList(items: readonly unknown[]): { apiVersion: 'v1'; kind: 'List'; metadata: { resourceVersion: '' }; items: readonly unknown[] } {
  return { apiVersion: 'v1', kind: 'List', metadata: { resourceVersion: '' }, items };
}

/** Natural order (github.com/fvbommel/sortorder): digit runs compare by value, `vm2` before `vm10`. */
export function naturalLess(a: string, b: string): boolean {
  const chunk = /(\d+|\D+)/g;
  const as = a.match(chunk) ?? [];
  const bs = b.match(chunk) ?? [];
  for (let i = 0; i < Math.min(as.length, bs.length); i++) {
    const [x, y] = [as[i] as string, bs[i] as string];
    if (x === y) continue;
    const [dx, dy] = [/^\d/.test(x), /^\d/.test(y)];
    if (dx && dy) {
      const [nx, ny] = [x.replace(/^0+/, ''), y.replace(/^0+/, '')];
      if (nx.length !== ny.length) return nx.length < ny.length;
      if (nx !== ny) return nx < ny;
      return x.length < y.length;
    }
    return x < y;
  }
  return as.length < bs.length;
}

function stringLess(a: string, b: string): boolean {
  const [qa, qb] = [parseQuantity(a), parseQuantity(b)];
  return qa !== undefined && qb !== undefined ? qa < qb : naturalLess(a, b);
}

/** kubectl's isLess of two lists: true unless an item is not less (its odd rule, kept). */
function listLess(a: readonly unknown[], b: readonly unknown[]): boolean {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (!sortValueLess(a[i], b[i])) return false;
  return true;
}

/** kubectl's isLess for two sort keys: numbers by value, quantities by amount, other strings in natural order. */
export function sortValueLess(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) && Array.isArray(b)) return listLess(a, b);
  if (typeof a !== typeof b || !['number', 'string', 'boolean'].includes(typeof a)) throw new JsonPathError(`unsortable type: ${a === null ? 'nil' : typeof a}`);
  if (typeof a === 'string') return stringLess(a, b as string);
  return (a as number | boolean) < (b as number | boolean);
}

/**
 * `--sort-by=EXPR` (kubectl's SortObjects): objects in ascending order of the first value the
 * relaxed JSONPath selects, objects without one first; an expression that selects nothing in any
 * object is refused, as kubectl refuses it.
 */
export function sortObjects<T>(objects: readonly T[], expression: string): T[] {
  const field = relaxedJsonPath(expression);
  const template = parseTemplate(field);
  const keys = objects.map((o) => (findResults(template, o)[0] ?? [])[0]);
  if (objects.length > 0 && keys.every((k) => k === undefined)) throw new JsonPathError(`couldn't find any field with path ${JSON.stringify(field)} in the list of objects`);
  const order = objects.map((o, i) => ({ o, i, k: keys[i] }));
  order.sort((x, y) => {
    if (x.k === undefined) return y.k === undefined ? x.i - y.i : -1;
    if (y.k === undefined) return 1;
    if (sortValueLess(x.k, y.k)) return -1;
    if (sortValueLess(y.k, x.k)) return 1;
    return x.i - y.i;
  });
  return order.map(({ o }) => o);
}
