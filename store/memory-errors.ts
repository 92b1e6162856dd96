/**
 * The API server's errors, worded as it words them, as ApiErrors (core/errors.ts).
 * @see https://github.com/kubernetes/apimachinery/blob/master/pkg/api/errors/errors.go
 */
import { ApiError } from '../core/errors.js';

/** One field cause of an Invalid error. */
export interface ErrorCause {
  readonly type: string;
  readonly field: string;
  readonly message: string;
}

/** 404: `virtualmachines.kubevirt.io "x" not found`. */
export const notFound = (resource: string, name: string): ApiError => new ApiError(404, 'NotFound', `${resource} ${JSON.stringify(name)} not found`);

/** 409 AlreadyExists. */
export const alreadyExists = (resource: string, name: string): ApiError =>
  new ApiError(409, 'AlreadyExists', `${resource} ${JSON.stringify(name)} already exists`);

/** 409 Conflict on a stale resourceVersion. */
export const staleConflict = (resource: string, name: string): ApiError =>
  new ApiError(
    409,
    'Conflict',
    `Operation cannot be fulfilled on ${resource} ${JSON.stringify(name)}: the object has been modified; please apply your changes to the latest version and try again`,
  );

/** 409 Conflict on a failed delete precondition. */
export const preconditionConflict = (resource: string, name: string, detail: string): ApiError =>
  new ApiError(409, 'Conflict', `Operation cannot be fulfilled on ${resource} ${JSON.stringify(name)}: Precondition failed: ${detail}`);

/** 422 Invalid with causes: `Kind.group "x" is invalid: field: message, …`. */
export function invalid(kindGroup: string, name: string, causes: readonly ErrorCause[]): ApiError {
  const text = causes.map((c) => (c.field === '' ? c.message : `${c.field}: ${c.message}`)).join(', ');
  return new ApiError(422, 'Invalid', `${kindGroup} ${JSON.stringify(name)} is invalid: ${text}`, { causes });
}

/** 403 Forbidden: `pods "x" is forbidden: <why>`. */
export const forbidden = (resource: string, name: string, why: string): ApiError =>
  new ApiError(403, 'Forbidden', `${resource} ${JSON.stringify(name)} is forbidden: ${why}`);

/** 400 BadRequest. */
export const badRequest = (message: string): ApiError => new ApiError(400, 'BadRequest', message);

/** 410 Gone: a watch from a resourceVersion older than the event history. */
export const expired = (resourceVersion: string, oldest: number): ApiError =>
  new ApiError(410, 'Expired', `too old resource version: ${resourceVersion} (${oldest})`);

/** 410 Gone: a watch ended because the store undid writes it could not save (list again). */
export const watchUndone = (rv: number): ApiError =>
  new ApiError(410, 'Expired', `the store undid writes it could not save; list again (resource version now ${rv})`);
