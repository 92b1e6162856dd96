/**
 * Kubernetes label selectors (`metav1.LabelSelector`): converting one into a predicate over labels,
 * with the refusals `LabelSelectorAsSelector` makes (unknown operator, In/NotIn without values,
 * Exists/DoesNotExist with values, malformed keys and values). Preset selection uses it; an empty
 * selector matches everything.
 * @see https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors
 */
import type { LabelSelector, LabelSelectorRequirement } from '../../crd-gen/index.js';

/** Labels of an object (`metadata.labels`). */
export type Labels = Readonly<Record<string, string | undefined>>;

/** A usable selector, or why the selector cannot be used (the field is relative to the selector). */
export type ParsedSelector =
  | { readonly ok: true; readonly matches: (labels: Labels | undefined) => boolean }
  | { readonly ok: false; readonly field: string; readonly message: string };

/** The operators a match expression may use, spelled as the API spells them. */
export const SELECTOR_OPERATORS = ['In', 'NotIn', 'Exists', 'DoesNotExist'] as const;

type Operator = (typeof SELECTOR_OPERATORS)[number];
type Requirement = (labels: Labels) => boolean;

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
