/**
 * A reason an object is refused, as Kubernetes' StatusCause carries it: the cause type, the field
 * path (KubeVirt's style, from the object root: `spec.domain.devices.disks[1].name`) and a message
 * that names the field, the bad value and what is allowed.
 * @see https://kubernetes.io/docs/reference/kubernetes-api/common-definitions/status/
 */

/** Kubernetes' cause types, spelled as they go on the wire. */
export const CauseType = {
  Invalid: 'FieldValueInvalid',
  Required: 'FieldValueRequired',
  NotSupported: 'FieldValueNotSupported',
  Duplicate: 'FieldValueDuplicate',
  NotFound: 'FieldValueNotFound',
  Forbidden: 'FieldValueForbidden',
  TooLong: 'FieldValueTooLong',
} as const;

/** One of {@link CauseType}'s values. */
export type CauseType = (typeof CauseType)[keyof typeof CauseType];

/** One reason for a denial. */
export interface Cause {
  readonly type: CauseType;
  readonly field: string;
  readonly message: string;
}

/** A cause; `field` may be a FieldPath or its string. */
export function cause(type: CauseType, field: { toString(): string }, message: string): Cause {
  return { type, field: String(field), message };
}

/** The most causes one denial carries; the rest are counted in one last cause. */
export const MAX_CAUSES = 100;
/** The longest cause message or field kept, in characters; a longer one is cut and says so. */
export const MAX_CAUSE_TEXT = 1024;

/** `text` cut to `max` characters, saying how much was left out. */
export function cutText(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}… (${text.length - max} more characters)`;
}

/**
 * A denial's causes within bounds: at most {@link MAX_CAUSES}, each message and field at most
 * {@link MAX_CAUSE_TEXT} characters; past the limit, the first ones and one cause that counts the
 * rest (on the first left-out cause's field). However big the object, the answer stays small.
 */
export function capCauses(causes: readonly Cause[]): readonly Cause[] {
  const long = (c: Cause): boolean => c.message.length > MAX_CAUSE_TEXT || c.field.length > MAX_CAUSE_TEXT;
  const trim = (c: Cause): Cause => (long(c) ? { type: c.type, field: cutText(c.field, MAX_CAUSE_TEXT), message: cutText(c.message, MAX_CAUSE_TEXT) } : c);
  if (causes.length <= MAX_CAUSES) return causes.some(long) ? causes.map(trim) : causes;
  const kept = causes.slice(0, MAX_CAUSES - 1).map(trim);
  const rest = causes.length - kept.length;
  const next = causes[kept.length] as Cause;
  return [...kept, { type: next.type, field: cutText(next.field, MAX_CAUSE_TEXT), message: `and ${rest} more causes (the first ${kept.length} are listed)` }];
}

/** The most warnings one answer carries, and the longest warning kept, in characters. */
export const MAX_WARNINGS = 50;
export const MAX_WARNING_TEXT = 1024;

/** Warnings without repeats, within bounds: the first {@link MAX_WARNINGS}, each cut to {@link MAX_WARNING_TEXT}. */
export function capWarnings(warnings: readonly string[]): string[] {
  const unique = [...new Set(warnings)];
  const kept = unique.slice(0, unique.length > MAX_WARNINGS ? MAX_WARNINGS - 1 : MAX_WARNINGS).map((w) => cutText(w, MAX_WARNING_TEXT));
  return unique.length > kept.length ? [...kept, `and ${unique.length - kept.length} more warnings`] : kept;
}
