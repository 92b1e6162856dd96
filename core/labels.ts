/**
 * Kubernetes label selectors: `metav1.LabelSelector` objects as predicates (with the refusals of
 * `LabelSelectorAsSelector`: unknown operator, In/NotIn without values, Exists/DoesNotExist with
 * values, malformed keys and values), the string grammar of list/watch `labelSelector`, its
 * formatting (`status.labelSelector` of a replica set), and the field selectors the API server
 * supports for the fields we select on. An empty selector matches everything.
 * @see https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors
 * @see https://kubernetes.io/docs/concepts/overview/working-with-objects/field-selectors/
 */

import type { LabelSelector, LabelSelectorRequirement } from '../crd-gen/index.js';

/** Labels of an object (`metadata.labels`). */
export type LabelMap = Readonly<Record<string, string | undefined>>;

/** A usable selector, or why the selector cannot be used (the field is relative to the selector). */
export type ParsedSelector =
  | { readonly ok: true; readonly matches: (labels: LabelMap | undefined) => boolean }
  | { readonly ok: false; readonly field: string; readonly message: string };

/** The operators a match expression may use, spelled as the API spells them. */
export const SELECTOR_OPERATORS = ['In', 'NotIn', 'Exists', 'DoesNotExist'] as const;

type Operator = (typeof SELECTOR_OPERATORS)[number];
type Requirement = (labels: LabelMap) => boolean;

const NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const NAME_MAX = 63;
const PREFIX = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const PREFIX_MAX = 253;

/** Why `key` is not a qualified label key (`[prefix/]name`), or undefined. */
export function labelKeyProblem(key: string): string | undefined {
  const parts = key.split('/');
  if (parts.length > 2) return `${JSON.stringify(key)} is not a valid label key: it may hold at most one "/"`;
  const [prefix, name] = parts.length === 2 ? parts : [undefined, parts[0]];
  if (prefix !== undefined && (prefix.length > PREFIX_MAX || !PREFIX.test(prefix))) {
    return `${JSON.stringify(key)} is not a valid label key: its prefix must be a DNS-1123 subdomain of at most ${PREFIX_MAX} characters`;
  }
  if (name === undefined || name.length > NAME_MAX || !NAME.test(name)) {
    return `${JSON.stringify(key)} is not a valid label key: its name must be 1-${NAME_MAX} alphanumeric characters, "-", "_" or ".", starting and ending with an alphanumeric character`;
  }
  return undefined;
}

/** Why `value` is not a valid label value, or undefined. */
export function labelValueProblem(value: string): string | undefined {
  if (value === '' || (value.length <= NAME_MAX && NAME.test(value))) return undefined;
  return `${JSON.stringify(value)} is not a valid label value: it must be empty or at most ${NAME_MAX} alphanumeric characters, "-", "_" or ".", starting and ending with an alphanumeric character`;
}

type Step = { readonly ok: true; readonly requirement: Requirement } | { readonly ok: false; readonly field: string; readonly message: string };

function isOperator(op: string): op is Operator {
  return (SELECTOR_OPERATORS as readonly string[]).includes(op);
}

function valuesProblem(op: Operator, values: readonly string[]): string | undefined {
  const needsValues = op === 'In' || op === 'NotIn';
  if (needsValues && values.length === 0) return `must not be empty for the ${op} operator`;
  if (!needsValues && values.length > 0) return `must be empty for the ${op} operator`;
  return undefined;
}

function hasValueIn(value: string | undefined, set: ReadonlySet<string>): boolean {
  return value !== undefined && set.has(value);
}

function requirementFor(op: Operator, key: string, values: readonly string[]): Requirement {
  const set = new Set(values);
  switch (op) {
    case 'In':
      return (labels) => hasValueIn(labels[key], set);
    case 'NotIn':
      return (labels) => !hasValueIn(labels[key], set);
    case 'Exists':
      return (labels) => labels[key] !== undefined;
    case 'DoesNotExist':
      return (labels) => labels[key] === undefined;
  }
}

function expressionStep(expr: Readonly<LabelSelectorRequirement>, at: string): Step {
  const keyProblem = labelKeyProblem(expr.key);
  if (keyProblem !== undefined) return { ok: false, field: `${at}.key`, message: keyProblem };
  if (!isOperator(expr.operator)) {
    return { ok: false, field: `${at}.operator`, message: `${JSON.stringify(expr.operator)} is not a valid label selector operator; use one of ${SELECTOR_OPERATORS.join(', ')}` };
  }
  const values = expr.values ?? [];
  const problem = valuesProblem(expr.operator, values);
  if (problem !== undefined) return { ok: false, field: `${at}.values`, message: problem };
  const bad = values.findIndex((v) => labelValueProblem(v) !== undefined);
  if (bad >= 0) return { ok: false, field: `${at}.values[${bad}]`, message: labelValueProblem(values[bad] as string) as string };
  return { ok: true, requirement: requirementFor(expr.operator, expr.key, values) };
}

function matchLabelStep(key: string, value: string | undefined): Step {
  const field = `matchLabels[${key}]`;
  const problem = labelKeyProblem(key) ?? labelValueProblem(value ?? '');
  if (problem !== undefined) return { ok: false, field, message: problem };
  return { ok: true, requirement: (labels) => labels[key] === (value ?? '') };
}

/** The selector as a predicate, or the first reason it cannot be one. */
export function parseLabelSelector(selector: Readonly<LabelSelector> | undefined): ParsedSelector {
  const steps: Step[] = [
    ...Object.entries(selector?.matchLabels ?? {}).map(([k, v]) => matchLabelStep(k, v)),
    ...(selector?.matchExpressions ?? []).map((e, i) => expressionStep(e, `matchExpressions[${i}]`)),
  ];
  const requirements: Requirement[] = [];
  for (const step of steps) {
    if (!step.ok) return step;
    requirements.push(step.requirement);
  }
  return { ok: true, matches: (labels) => requirements.every((r) => r(labels ?? {})) };
}

type Problem = { readonly ok: false; readonly field: string; readonly message: string };

const selectorProblem = (text: string, message: string): Problem => ({
  ok: false,
  field: 'labelSelector',
  message: `unable to parse requirement: ${JSON.stringify(text)}: ${message}`,
});

/** Tokens of the string grammar: punctuation, operators and words (keys, values, `in`, `notin`). */
const TOKEN = /\s*(==|!=|=|!|\(|\)|,|[^\s=!(),]+)/y;

function tokenize(text: string): string[] | undefined {
  const tokens: string[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < text.length) {
    const start = TOKEN.lastIndex;
    const m = TOKEN.exec(text);
    if (m === null) return /^\s*$/.test(text.slice(start)) ? tokens : undefined;
    tokens.push(m[1] as string);
  }
  return tokens;
}

const isWord = (t: string | undefined): t is string => t !== undefined && !['==', '!=', '=', '!', '(', ')', ','].includes(t);

/** A cursor over the tokens of one selector string. */
class Tokens {
  private at = 0;
  constructor(private readonly tokens: readonly string[]) {}
  peek(): string | undefined {
    return this.tokens[this.at];
  }
  next(): string | undefined {
    return this.tokens[this.at++];
  }
  done(): boolean {
    return this.at >= this.tokens.length;
  }
}

type Parsed = { readonly ok: true; readonly requirement: Requirement } | { readonly ok: false; readonly message: string };

function valueSet(t: Tokens): string[] | string {
  if (t.next() !== '(') return 'expected "(" after in/notin';
  const values: string[] = [];
  for (;;) {
    const tok = t.next();
    if (!isWord(tok)) return 'expected a value in a value set';
    values.push(tok);
    const sep = t.next();
    if (sep === ')') return values;
    if (sep !== ',') return 'expected "," or ")" after a value';
  }
}

function checked(key: string, values: readonly string[], requirement: Requirement): Parsed {
  const problem = labelKeyProblem(key) ?? values.map(labelValueProblem).find((p) => p !== undefined);
  return problem === undefined ? { ok: true, requirement } : { ok: false, message: problem };
}

function setRequirement(t: Tokens, key: string, negate: boolean): Parsed {
  const values = valueSet(t);
  if (typeof values === 'string') return { ok: false, message: values };
  const set = new Set(values);
  return checked(key, values, (labels) => hasValueIn(labels[key], set) !== negate);
}

function comparison(t: Tokens, key: string, op: string): Parsed {
  const value = isWord(t.peek()) ? (t.next() as string) : '';
  const negate = op === '!=';
  return checked(key, [value], (labels) => (labels[key] === value) !== negate);
}

function absence(t: Tokens): Parsed {
  t.next();
  const key = t.next();
  if (!isWord(key)) return { ok: false, message: 'expected a label key after "!"' };
  return checked(key, [], (labels) => labels[key] === undefined);
}

function requirement(t: Tokens): Parsed {
  if (t.peek() === '!') return absence(t);
  const key = t.next();
  if (!isWord(key)) return { ok: false, message: 'expected a label key' };
  const op = t.peek();
  if (op === undefined || op === ',') return checked(key, [], (labels) => labels[key] !== undefined);
  t.next();
  if (op === 'in' || op === 'notin') return setRequirement(t, key, op === 'notin');
  if (op === '=' || op === '==' || op === '!=') return comparison(t, key, op);
  return { ok: false, message: `found ${JSON.stringify(op)}, expected one of "=", "==", "!=", "in", "notin" or ","` };
}

/**
 * The string form of list/watch `labelSelector` (`a=b`, `a==b`, `a!=b`, `a in (x,y)`, `a notin (x)`,
 * `a`, `!a`, comma-separated) as a predicate; `!=` and `notin` also match objects without the label.
 */
export function parseSelectorString(text: string): ParsedSelector {
  const tokens = tokenize(text);
  if (tokens === undefined) return selectorProblem(text, 'unexpected character');
  const t = new Tokens(tokens);
  const requirements: Requirement[] = [];
  while (!t.done()) {
    const parsed = requirement(t);
    if (!parsed.ok) return selectorProblem(text, parsed.message);
    requirements.push(parsed.requirement);
    if (!t.done() && t.next() !== ',') return selectorProblem(text, 'expected "," between requirements');
    if (t.done() && tokens[tokens.length - 1] === ',') return selectorProblem(text, 'expected a requirement after ","');
  }
  return { ok: true, matches: (labels) => requirements.every((r) => r(labels ?? {})) };
}

function expressionString(expr: Readonly<LabelSelectorRequirement>): string {
  const values = [...(expr.values ?? [])].sort().join(',');
  switch (expr.operator) {
    case 'In':
      return `${expr.key} in (${values})`;
    case 'NotIn':
      return `${expr.key} notin (${values})`;
    case 'Exists':
      return expr.key;
    default:
      return `!${expr.key}`;
  }
}

/**
 * A selector in the string grammar, as `LabelSelectorAsSelector(s).String()` prints it (what a
 * replica set's `status.labelSelector` holds): requirements sorted by key (matchLabels first on a tie),
 * `k=v`, `k in (a,b)` with sorted values, `k notin (a)`, `k`, `!k`; an empty selector is ''.
 */
export function selectorToString(selector: Readonly<LabelSelector> | undefined): string {
  const parts: [string, string][] = [
    ...Object.entries(selector?.matchLabels ?? {}).map(([k, v]): [string, string] => [k, `${k}=${v ?? ''}`]),
    ...(selector?.matchExpressions ?? []).map((e): [string, string] => [e.key, expressionString(e)]),
  ];
  return parts
    .map((p, i) => ({ p, i }))
    .sort((a, b) => (a.p[0] < b.p[0] ? -1 : a.p[0] > b.p[0] ? 1 : a.i - b.i))
    .map(({ p }) => p[1])
    .join(',');
}

/** The fields list/watch may select on, and how to read each from an object. */
const SELECTABLE_FIELDS: Readonly<Record<string, (object: SelectableObject) => unknown>> = {
  'metadata.name': (o) => o.metadata?.name,
  'metadata.namespace': (o) => o.metadata?.namespace,
  'spec.nodeName': (o) => o.spec?.nodeName,
  'status.nodeName': (o) => o.status?.nodeName,
  'status.phase': (o) => o.status?.phase,
};

/** The parts of an object a field selector reads. */
export interface SelectableObject {
  readonly metadata?: { readonly name?: string; readonly namespace?: string };
  readonly spec?: { readonly nodeName?: unknown };
  readonly status?: { readonly nodeName?: unknown; readonly phase?: unknown };
}

/** A usable field selector, or why not (field is always `fieldSelector`). */
export type ParsedFieldSelector =
  | { readonly ok: true; readonly matches: (object: SelectableObject) => boolean }
  | { readonly ok: false; readonly field: string; readonly message: string };

type FieldTest = (object: SelectableObject) => boolean;

const FIELD_TERM = /^\s*([^\s=!]+)\s*(==|!=|=)\s*([^\s]*)\s*$/;

function fieldTerm(term: string, allowed: ReadonlySet<string> | undefined): FieldTest | string {
  const m = FIELD_TERM.exec(term);
  if (m === null) return `invalid selector: ${JSON.stringify(term)}; expected field=value, field==value or field!=value`;
  const [, field = '', op = '', value = ''] = m;
  const read = SELECTABLE_FIELDS[field];
  if (read === undefined || (allowed !== undefined && !allowed.has(field))) return `field label not supported: ${field}`;
  const negate = op === '!=';
  return (object) => (String(read(object) ?? '') === value) !== negate;
}

/**
 * A list/watch `fieldSelector` (`metadata.name=x,status.phase!=Failed`) as a predicate over objects;
 * the fields are metadata.name, metadata.namespace, spec.nodeName, status.nodeName and status.phase
 * (a missing field reads as ''); any other field, or one outside `allowed` (a kind's selectable
 * fields), is refused as the API server does.
 */
export function parseFieldSelector(text: string, allowed?: readonly string[]): ParsedFieldSelector {
  const terms = text.trim() === '' ? [] : text.split(',');
  const tests: FieldTest[] = [];
  const only = allowed === undefined ? undefined : new Set(allowed);
  for (const term of terms) {
    const test = fieldTerm(term, only);
    if (typeof test === 'string') return { ok: false, field: 'fieldSelector', message: test };
    tests.push(test);
  }
  return { ok: true, matches: (object) => tests.every((t) => t(object)) };
}
