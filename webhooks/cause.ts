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
