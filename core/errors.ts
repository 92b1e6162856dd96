/**
 * kubevirt-ts' error classes. Expected outcomes (validation causes, conflicts) are values; these are
 * for broken invariants and IO edges. Every class sets `name` to its own and forwards `{ cause }`.
 */

/** Base of every kubevirt-ts error. */
export class KubevirtError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/**
 * A VMI that cannot be turned into a libvirt domain. Admission should have refused it, so this
 * names the offending field the way a validation cause would.
 */
export class ConversionError extends KubevirtError {
  /** KubeVirt-style field path, e.g. `spec.domain.devices.disks[1].name`. */
  readonly field: string;

  constructor(field: string, message: string, options?: ErrorOptions) {
    super(`${field}: ${message}`, options);
    this.field = field;
  }
}

/** A failure that retrying cannot fix: record it as a condition, do not requeue. */
export class TerminalError extends KubevirtError {}

/**
 * A failed API call, as the API server (or the in-memory store) answers it: the HTTP status, the
 * Kubernetes reason (`NotFound`, `AlreadyExists`, `Conflict`, `Invalid`, `Gone`, …) and the server's
 * message; an admission denial also carries its causes.
 */
export class ApiError extends KubevirtError {
  readonly status: number;
  readonly reason: string;
  readonly causes: readonly { readonly type: string; readonly field: string; readonly message: string }[];

  constructor(status: number, reason: string, message: string, options?: ErrorOptions & { causes?: ApiError['causes'] }) {
    super(message, options);
    this.status = status;
    this.reason = reason;
    this.causes = options?.causes ?? [];
  }
}

/** A retryable failure of one reconcile step, with KubeVirt's reason (`FailedCreate`, …). */
export class SyncError extends KubevirtError {
  readonly reason: string;
  readonly requeue: boolean;

  constructor(reason: string, message: string, options?: ErrorOptions & { requeue?: boolean }) {
    super(message, options);
    this.reason = reason;
    this.requeue = options?.requeue ?? true;
  }
}

const isApiError = (e: unknown, status: number): boolean => e instanceof ApiError && e.status === status;

/** 404: the object does not exist. */
export const isNotFound = (e: unknown): boolean => isApiError(e, 404);
/** 409 with reason Conflict: a stale resourceVersion or failed precondition. */
export const isConflict = (e: unknown): boolean => isApiError(e, 409) && (e as ApiError).reason === 'Conflict';
/** 409 with reason AlreadyExists: a create of a name that is taken. */
export const isAlreadyExists = (e: unknown): boolean => isApiError(e, 409) && (e as ApiError).reason === 'AlreadyExists';
/** 410: a watch's resourceVersion is too old; relist. */
export const isGone = (e: unknown): boolean => isApiError(e, 410);
