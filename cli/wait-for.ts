/**
 * `kvt wait --for=…` as kubectl reads it: `condition=NAME[=VALUE]` (VALUE true by default; names
 * and values compared without case), `jsonpath={.path}[=VALUE]` (without VALUE: the field exists),
 * and `delete`. Pure: parsing and deciding whether an object meets it.
 */
import { UsageError } from './command.js';

/** What to wait for. */
export type WaitFor =
  | { readonly kind: 'condition'; readonly type: string; readonly status: string }
  | { readonly kind: 'jsonpath'; readonly expression: string; readonly path: readonly (string | number)[]; readonly value: string | undefined }
  | { readonly kind: 'delete' };

/** One dot-separated field of a JSONPath: its name (escaped dots kept) and its [N] list indexes. */
function fieldSteps(field: string, expression: string): (string | number)[] {
  const m = /^([^[]*)((?:\[[^\]]*\])*)$/.exec(field);
  const indexes = m?.[2]?.match(/\[[^\]]*\]/g) ?? [];
  if (m === null || indexes.some((i) => !/^\[\d+\]$/.test(i))) throw new UsageError(`jsonpath ${JSON.stringify(expression)}: only [N] list indexes are supported`);
  const name = (m[1] ?? '').replaceAll('\\.', '.');
  return [...(name === '' ? [] : [name]), ...indexes.map((i) => Number(i.slice(1, -1)))];
}

/** The steps of a simple JSONPath (`{.status.phase}`, `{.status.conditions[0].type}`, `{.metadata.labels.kubevirt\.io/x}`). */
export function parseJsonPath(expression: string): (string | number)[] {
  const inner = /^\{(.*)\}$/.exec(expression)?.[1];
  if (inner === undefined || !inner.startsWith('.')) throw new UsageError(`jsonpath ${JSON.stringify(expression)} must look like {.status.phase}`);
  const steps = inner.slice(1).split(/(?<!\\)\./).flatMap((field) => fieldSteps(field, expression));
  if (steps.length === 0) throw new UsageError(`jsonpath ${JSON.stringify(expression)} names no field`);
  return steps;
}

function parseCondition(rest: string): WaitFor {
  const eq = rest.indexOf('=');
  const type = eq === -1 ? rest : rest.slice(0, eq);
  if (type === '') throw new UsageError('--for=condition= needs a condition name, e.g. --for=condition=Ready');
  return { kind: 'condition', type, status: eq === -1 ? 'true' : rest.slice(eq + 1) };
}

function parseJsonPathWait(text: string): WaitFor {
  // A shell that kept the quotes: '{.status.phase}'=Running.
  const rest = text.replace(/^'(\{.*\})'/, '$1');
  const close = rest.lastIndexOf('}');
  const expression = close === -1 ? rest : rest.slice(0, close + 1);
  const after = close === -1 ? '' : rest.slice(close + 1);
  if (after !== '' && !after.startsWith('=')) throw new UsageError(`jsonpath wait format must be --for=jsonpath='{.status.readyReplicas}'=3`);
  return { kind: 'jsonpath', expression, path: parseJsonPath(expression), value: after === '' ? undefined : after.slice(1) };
}

/** The `--for` value parsed, or a UsageError in kubectl's words. */
export function parseWaitFor(text: string): WaitFor {
  if (text.toLowerCase() === 'delete') return { kind: 'delete' };
  if (text.startsWith('condition=')) return parseCondition(text.slice('condition='.length));
  if (text.startsWith('jsonpath=')) return parseJsonPathWait(text.slice('jsonpath='.length));
  throw new UsageError(`unrecognized condition: ${JSON.stringify(text)}`);
}

function at(object: unknown, path: readonly (string | number)[]): unknown {
  let node = object;
  for (const step of path) {
    if (typeof step === 'number') node = Array.isArray(node) ? (node as unknown[])[step] : undefined;
    else node = typeof node === 'object' && node !== null && !Array.isArray(node) ? (node as Record<string, unknown>)[step] : undefined;
  }
  return node;
}

const scalarText = (value: unknown): string | undefined => (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? String(value) : undefined);

/** Whether an existing object meets a condition or jsonpath wait (a delete wait is met only by its absence). */
export function meets(object: unknown, wait: WaitFor): boolean {
  if (wait.kind === 'delete') return false;
  if (wait.kind === 'condition') {
    const conditions = at(object, ['status', 'conditions']);
    if (!Array.isArray(conditions)) return false;
    return conditions.some((c: unknown) => {
      const type = scalarText(at(c, ['type']));
      const status = scalarText(at(c, ['status']));
      return type !== undefined && status !== undefined && type.toLowerCase() === wait.type.toLowerCase() && status.toLowerCase() === wait.status.toLowerCase();
    });
  }
  const value = at(object, wait.path);
  if (wait.value === undefined) return value !== undefined;
  return scalarText(value) === wait.value;
}
