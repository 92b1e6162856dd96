/**
 * The API server's `fieldValidation` of a write (create, update, patch): `Strict` refuses an object
 * with fields its kind's schema does not declare, as a 400 BadRequest worded as kube-apiserver
 * words a custom resource's strict decoding error; `Warn` and `Ignore` let it through. Only our
 * kinds carry a schema here; other kinds pass.
 * @see https://kubernetes.io/docs/reference/using-api/api-concepts/#field-validation
 */
import { ApiError } from '../core/errors.js';
import type { FieldValidation, KubeObject } from '../core/kube.js';
import { lookupKind } from '../crd-gen/index.js';
import { undeclaredFields } from '../webhooks/admission-schema.js';

/** The strict decoding error of `fields` (their paths), as kube-apiserver answers it for a custom resource. */
export function strictDecodingError(object: { readonly apiVersion: string; readonly kind: string }, fields: readonly string[]): ApiError {
  const version = object.apiVersion.includes('/') ? object.apiVersion.slice(object.apiVersion.indexOf('/') + 1) : object.apiVersion;
  const list = fields.map((f) => `unknown field ${JSON.stringify(f)}`).join(', ');
  // The message names every field; kube-apiserver's Status of a decoding error carries no causes.
  return new ApiError(400, 'BadRequest', `${object.kind} in version ${JSON.stringify(version)} cannot be handled as a ${object.kind}: strict decoding error: ${list}`);
}

/** Throws the strict decoding error when `mode` is Strict and `object` (one of our kinds) has undeclared fields. */
export function checkFieldValidation(object: KubeObject, mode: FieldValidation | undefined): void {
  if (mode !== 'Strict') return;
  const kind = lookupKind(object.apiVersion, object.kind);
  if (kind === undefined) return;
  const fields = undeclaredFields(kind, object);
  if (fields.length > 0) throw strictDecodingError(object, fields);
}
