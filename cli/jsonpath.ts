/**
 * kubectl's JSONPath (client-go's util/jsonpath, as `kubectl get -o jsonpath=…`, `-o custom-columns`
 * and `--sort-by` use it, missing keys allowed): templates of text and `{…}` actions; in an action
 * `.a.b`, `['a.b']` and `.a\.b` fields, `..` recursive descent, `*` and `[*]` wildcards, `[n]`,
 * `[-n]`, `[a:b:c]` slices and `[0,2]` unions, `[?(@.x=="y")]` filters (`==`, `!=`, `<`, `>`, `<=`,
 * `>=`; `[?(@.x)]`: x exists), `"text"` literals, and `{range …}…{end}`. The results of one action
 * print as client-go prints them: separated by one space, maps and lists as compact JSON with sorted
 * keys. Pure.
 * @see https://kubernetes.io/docs/reference/kubectl/jsonpath/
 */

/** A template that does not parse, or one that fails on the data (kubectl's words after the prefix). */
export class JsonPathError extends Error {}

type Operator = '==' | '!=' | '<' | '>' | '<=' | '>=';

/** One step of an expression, applied to every current value in turn. */
export type Step =
  | { readonly type: 'field'; readonly names: readonly string[] }
  | { readonly type: 'wildcard' }
  | { readonly type: 'recursive' }
  | { readonly type: 'array'; readonly slices: readonly Slice[] }
  | { readonly type: 'filter'; readonly left: readonly Step[]; readonly op: Operator | 'exists'; readonly right: readonly Step[] }
  | { readonly type: 'literal'; readonly value: string | number | boolean };

/** `[start:end:step]`; a missing bound is undefined; `single`: written `[n]` (end derived as n+1). */
export interface Slice {
  readonly start?: number;
  readonly end?: number;
  readonly step?: number;
  readonly single: boolean;
}

/** A node of a parsed template. */
export type TemplateNode =
  | { readonly type: 'text'; readonly text: string }
  | { readonly type: 'expression'; readonly steps: readonly Step[] }
  | { readonly type: 'range'; readonly steps: readonly Step[]; readonly body: readonly TemplateNode[] };

/** A parsed template. */
export interface Template {
  readonly source: string;
  readonly nodes: readonly TemplateNode[];
}

const ESCAPES: Readonly<Record<string, string>> = { n: '\n', t: '\t', r: '\r', '\\': '\\', '"': '"', "'": "'", '0': '\0' };

function isTerminator(c: string | undefined): boolean {
  return c === undefined || /\s/.test(c) || '.,[]$@{}()'.includes(c);
}

/** Reads one quoted literal starting at `at` (the quote); returns its text and the index after it. */
function readQuoted(text: string, at: number): [string, number] {
  const quote = text[at];
  let out = '';
  for (let i = at + 1; i < text.length; i++) {
    const c = text[i] as string;
    if (c === quote) return [out, i + 1];
    if (c === '\\' && i + 1 < text.length) {
      const next = text[++i] as string;
      out += ESCAPES[next] ?? next;
    } else {
      out += c;
    }
  }
  throw new JsonPathError('unclosed quote');
}

/** The index of the `]` closing the bracket opened at `at`, skipping quotes and nested brackets. */
function closingBracket(text: string, at: number): number {
  let depth = 0;
  for (let i = at; i < text.length; i++) {
    const c = text[i];
    if (c === '"' || c === "'") i = readQuoted(text, i)[1] - 1;
    else if (c === '[' || c === '(') depth++;
    else if (c === ']' || c === ')') {
      depth--;
      if (depth === 0) return i;
    }
  }
  throw new JsonPathError('unclosed array expect ]');
}

const SLICE = /^(-?\d*)(:-?\d*)?(:-?\d*)?$/;
const FILTER = /^([^!<>=]+)([!<>=]+)(.+?)$/;
const OPERATORS: readonly string[] = ['==', '!=', '<', '>', '<=', '>='];

function bound(text: string | undefined): number | undefined {
  const t = text?.replace(/^:/, '') ?? '';
  return t === '' ? undefined : Number(t);
}

function parseSlices(inner: string): Slice[] {
  return inner.split(',').map((part) => {
    const text = part.trim() === '*' ? ':' : part.trim();
    const m = SLICE.exec(text);
    if (m === null) throw new JsonPathError(`invalid array index ${part}`);
    const start = bound(m[1]);
    if (m[2] === undefined) {
      if (start === undefined) throw new JsonPathError(`invalid array index ${part}`);
      return { start, single: true };
    }
    const step = bound(m[3]);
    return { start, end: bound(m[2]), ...(step === undefined ? {} : { step }), single: false };
  });
}

function parseFilter(inner: string): Step {
  if (!inner.startsWith('?(') || !inner.endsWith(')')) throw new JsonPathError(`unclosed filter: ${inner}`);
  const body = inner.slice(2, -1).trim();
  const m = FILTER.exec(body);
  if (m === null) return { type: 'filter', left: parseSteps(body), op: 'exists', right: [] };
  const op = m[2] as string;
  if (!OPERATORS.includes(op)) throw new JsonPathError(`unrecognized filter operator ${op}`);
  return { type: 'filter', left: parseSteps((m[1] as string).trim()), op: op as Operator, right: parseSteps((m[3] as string).trim()) };
}

function parseBracket(inner: string): Step {
  const text = inner.trim();
  if (text.startsWith('?')) return parseFilter(text);
  if (text.includes("'") || text.includes('"')) {
    const names: string[] = [];
    for (let i = 0; i < text.length;) {
      const c = text[i] as string;
      if (c === "'" || c === '"') {
        const [name, next] = readQuoted(text, i);
        names.push(name);
        i = next;
      } else if (c === ',' || /\s/.test(c)) {
        i++;
      } else {
        throw new JsonPathError(`invalid array index ${text}`);
      }
    }
    return { type: 'field', names };
  }
  return { type: 'array', slices: parseSlices(text) };
}

function readName(text: string, at: number): [string, number] {
  let name = '';
  let i = at;
  while (i < text.length && !isTerminator(text[i])) {
    if (text[i] === '\\' && i + 1 < text.length) i++;
    name += text[i];
    i++;
  }
  return [name, i];
}

/** Reads one step at `at`: the step (or undefined for a skipped character) and the index after it. */
type StepReader = (text: string, at: number) => [Step | undefined, number];

const readBracket: StepReader = (text, at) => {
  const end = closingBracket(text, at);
  return [parseBracket(text.slice(at + 1, end)), end + 1];
};

const readLiteral: StepReader = (text, at) => {
  const [value, next] = readQuoted(text, at);
  return [{ type: 'literal', value }, next];
};

const readField: StepReader = (text, at) => {
  if (text[at + 1] === '.') return [{ type: 'recursive' }, at + 1];
  const [name, next] = readName(text, at + 1);
  return [name === '*' ? { type: 'wildcard' } : { type: 'field', names: [name] }, next];
};

const readNumber: StepReader = (text, at) => {
  const m = /^[+-]?\d+(\.\d+)?/.exec(text.slice(at));
  if (m === null) throw new JsonPathError(`unrecognized character in action: ${JSON.stringify(text[at])}`);
  return [{ type: 'literal', value: Number(m[0]) }, at + m[0].length];
};

const readWord: StepReader = (text, at) => {
  const [word, next] = readName(text, at);
  if (word !== 'true' && word !== 'false') throw new JsonPathError(`unrecognized identifier ${word}`);
  return [{ type: 'literal', value: word === 'true' }, next];
};

function readerFor(c: string): StepReader {
  if (/\s/.test(c) || c === '@' || c === '$') return (_, at) => [undefined, at + 1];
  if (c === '[') return readBracket;
  if (c === '"' || c === "'") return readLiteral;
  if (c === '.') return readField;
  if (/[\d+-]/.test(c)) return readNumber;
  if (/\w/.test(c)) return readWord;
  throw new JsonPathError(`unrecognized character in action: ${JSON.stringify(c)}`);
}

/** The steps of one expression (the inside of an action, or a filter operand). */
export function parseSteps(text: string): Step[] {
  const steps: Step[] = [];
  for (let i = 0; i < text.length;) {
    const [step, next] = readerFor(text[i] as string)(text, i);
    if (step !== undefined) steps.push(step);
    i = next;
  }
  return steps;
}

/** The end of the action opened at `at` (its `}`), skipping quoted text. */
function actionEnd(text: string, at: number): number {
  for (let i = at + 1; i < text.length; i++) {
    const c = text[i];
    if (c === '"' || c === "'") i = readQuoted(text, i)[1] - 1;
    else if (c === '}') return i;
  }
  throw new JsonPathError('unclosed action');
}

/** Parses a template (`{.a}`, `x={.b}{"\n"}`, `{range .items[*]}…{end}`). */
export function parseTemplate(source: string): Template {
  const stack: { steps: readonly Step[]; body: TemplateNode[] }[] = [{ steps: [], body: [] }];
  const top = (): TemplateNode[] => (stack[stack.length - 1] as { body: TemplateNode[] }).body;
  let i = 0;
  while (i < source.length) {
    const open = source.indexOf('{', i);
    if (open === -1) {
      top().push({ type: 'text', text: source.slice(i) });
      break;
    }
    if (open > i) top().push({ type: 'text', text: source.slice(i, open) });
    const close = actionEnd(source, open);
    const inside = source.slice(open + 1, close).trim();
    i = close + 1;
    if (/^range(\s|$)/.test(inside)) {
      stack.push({ steps: parseSteps(inside.slice(5)), body: [] });
    } else if (inside === 'end') {
      const done = stack.pop();
      if (done === undefined || stack.length === 0) throw new JsonPathError('not in range, nothing to end');
      top().push({ type: 'range', steps: done.steps, body: done.body });
    } else {
      top().push({ type: 'expression', steps: parseSteps(inside) });
    }
  }
  if (stack.length > 1) throw new JsonPathError('unclosed range');
  return { source, nodes: (stack[0] as { body: TemplateNode[] }).body };
}

const isRecord = (v: unknown): v is Readonly<Record<string, unknown>> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The Go type name client-go's messages use for a JSON value. */
function goType(v: unknown): string {
  if (isRecord(v)) return 'map[string]interface {}';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int64' : 'float64';
  return 'interface {}';
}

/** An index counted from the end when negative. */
const fromEnd = (index: number, length: number): number => (index < 0 ? index + length : index);

/** The [start, end) of a slice over `length` items, as client-go's evalArray computes them. */
function sliceBounds(s: Slice, length: number): [number, number] {
  const start = fromEnd(s.start ?? 0, length);
  if (s.single) return [start, start + 1];
  return [start, s.end === undefined ? length : fromEnd(s.end, length)];
}

/** client-go's checks of a slice's bounds (a slice of no items passes). */
function checkBounds([start, end]: [number, number], length: number): void {
  if (end === start) return;
  if (start >= length || start < 0) throw new JsonPathError(`array index out of bounds: index ${start}, length ${length}`);
  if (end > length || end < 0) throw new JsonPathError(`array index out of bounds: index ${end - 1}, length ${length}`);
  if (start > end) throw new JsonPathError(`starting index ${start} is greater than ending index ${end}`);
}

function sliceOf(array: readonly unknown[], s: Slice): unknown[] {
  const [start, end] = sliceBounds(s, array.length);
  checkBounds([start, end], array.length);
  const step = s.step ?? 1;
  if (step <= 0) throw new JsonPathError('step must be > 0');
  const out: unknown[] = [];
  for (let i = start; i < end; i += step) out.push(array[i]);
  return out;
}

function descendants(value: unknown, out: unknown[]): unknown[] {
  out.push(value);
  if (Array.isArray(value)) for (const item of value) descendants(item, out);
  else if (isRecord(value)) for (const key of Object.keys(value).sort()) descendants(value[key], out);
  return out;
}

function compare(left: unknown, op: Operator, right: unknown): boolean {
  const kind = (v: unknown): string => typeof v;
  if (kind(left) !== kind(right) || !['string', 'number', 'boolean'].includes(kind(left))) throw new JsonPathError('incompatible types for comparison');
  if (op === '==') return left === right;
  if (op === '!=') return left !== right;
  if (typeof left === 'boolean') throw new JsonPathError('invalid type for comparison');
  const [l, r] = [left as string | number, right as string | number];
  if (op === '<') return l < r;
  if (op === '>') return l > r;
  if (op === '<=') return l <= r;
  return l >= r;
}

function single(values: readonly unknown[]): unknown {
  if (values.length > 1) throw new JsonPathError('can only compare one element at a time');
  return values[0];
}

function filter(values: readonly unknown[], step: Extract<Step, { type: 'filter' }>): unknown[] {
  const out: unknown[] = [];
  for (const value of values) {
    const items = Array.isArray(value) ? value : isRecord(value) ? Object.keys(value).sort().map((k) => value[k]) : [];
    for (const item of items) {
      const lefts = evaluateSteps(item, step.left);
      if (step.op === 'exists') {
        if (lefts.length > 0) out.push(item);
        continue;
      }
      const rights = evaluateSteps(item, step.right);
      if (lefts.length === 0 || rights.length === 0) continue;
      if (compare(single(lefts), step.op, single(rights))) out.push(item);
    }
  }
  return out;
}

function apply(values: readonly unknown[], step: Step): unknown[] {
  switch (step.type) {
    case 'literal':
      return [step.value];
    case 'field':
      return values.flatMap((v) => (step.names.length === 1 && step.names[0] === '' ? [v] : isRecord(v) ? step.names.filter((n) => v[n] !== undefined).map((n) => v[n]) : []));
    case 'wildcard':
      return values.flatMap((v) => (Array.isArray(v) ? v : isRecord(v) ? Object.keys(v).sort().map((k) => v[k]) : []));
    case 'recursive':
      return values.flatMap((v) => descendants(v, []));
    case 'array':
      return values.flatMap((v) => {
        if (v === null || v === undefined) return [];
        if (!Array.isArray(v)) throw new JsonPathError(`${goType(v)} is not array or slice`);
        return step.slices.flatMap((s) => sliceOf(v, s));
      });
    case 'filter':
      return filter(values, step);
  }
}

/** The values an expression's steps select in `data`. */
export function evaluateSteps(data: unknown, steps: readonly Step[]): unknown[] {
  return steps.reduce<unknown[]>((values, step) => apply(values, step), [data]);
}

function escapeHtml(json: string): string {
  return json.replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Go's json.Marshal of JSON data: compact, object keys sorted, `<`, `>` and `&` escaped. */
export function goJson(value: unknown): string {
  const sorted = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(sorted);
    if (isRecord(v)) return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sorted(v[k])]));
    return v;
  };
  return escapeHtml(JSON.stringify(sorted(value)) ?? 'null');
}

/** A value as client-go's jsonpath prints one result: maps and lists as JSON, the rest as text. */
export function resultText(value: unknown): string {
  if (typeof value === 'object' && value !== null) return goJson(value);
  if (value === null || value === undefined) return '<nil>';
  return String(value);
}

/** A value as Go's fmt.Sprint prints it (`-o custom-columns` cells): `map[a:1 b:2]`, `[x y]`. */
export function goSprint(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(goSprint).join(' ')}]`;
  if (isRecord(value)) return `map[${Object.keys(value).sort().map((k) => `${k}:${goSprint(value[k])}`).join(' ')}]`;
  if (value === null || value === undefined) return '<nil>';
  return String(value);
}

function execute(nodes: readonly TemplateNode[], data: unknown): string {
  let out = '';
  for (const node of nodes) {
    if (node.type === 'text') out += node.text;
    else if (node.type === 'expression') out += evaluateSteps(data, node.steps).map(resultText).join(' ');
    else for (const item of evaluateSteps(data, node.steps)) out += execute(node.body, item);
  }
  return out;
}

/** The text a template prints for `data` (throws JsonPathError when evaluation fails). */
export function executeTemplate(template: Template, data: unknown): string {
  return execute(template.nodes, data);
}

/** The results of each action of a template in `data` (custom columns and --sort-by read the first). */
export function findResults(template: Template, data: unknown): unknown[][] {
  return template.nodes.filter((n) => n.type !== 'text').map((n) => (n.type === 'range' ? [] : evaluateSteps(data, n.steps)));
}

const RELAXED = /^\{\.?([^{}]+)\}$|^\.?([^{}]+)$/;

/**
 * kubectl's RelaxedJSONPathExpression for `-o custom-columns` and `--sort-by`: `a.b`, `.a.b`,
 * `{a.b}` and `{.a.b}` all mean `{.a.b}`.
 */
export function relaxedJsonPath(expression: string): string {
  if (expression === '') return expression;
  const m = RELAXED.exec(expression);
  if (m === null) throw new JsonPathError("unexpected path string, expected a 'name1.name2' or '.name1.name2' or '{name1.name2}' or '{.name1.name2}'");
  return `{.${m[1] ?? m[2] ?? ''}}`;
}
