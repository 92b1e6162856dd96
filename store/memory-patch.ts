/**
 * The patch types of the API server over a stored object: RFC 6902 JSON patch (core/json-patch,
 * a failed `test` is 422 as the API server answers), RFC 7386 merge patch, and server-side apply's
 * practical subset (the applied configuration merged into the object; lists are replaced whole).
 * A strategic merge patch (built-in kinds only; the store refuses it on ours, as kube-apiserver does
 * on custom resources) is applied as a merge patch: its lists are replaced whole, not merged by key.
 * @see https://datatracker.ietf.org/doc/html/rfc7386
 */
import { ApiError } from '../core/errors.js';
import { applyPatch, JsonPatchError, type Op } from '../core/json-patch.js';
import type { PatchType } from '../core/kube.js';
import { badRequest } from './memory-errors.js';

type Obj = Record<string, unknown>;

const isObject = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** RFC 7386: `patch` merged into `target` (null removes a member); the inputs are left untouched. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return structuredClone(patch);
  const out: Obj = isObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else out[key] = mergePatch(out[key], value);
  }
  return out;
}

function jsonPatch(target: unknown, patch: unknown): unknown {
  if (!Array.isArray(patch)) throw badRequest('json patch: the body must be a JSON array of operations');
  try {
    return applyPatch(target, patch as Op[]);
  } catch (e) {
    if (e instanceof JsonPatchError) throw new ApiError(422, 'Invalid', `the server rejected our request due to an error in our request: ${e.message}`);
    throw e;
  }
}

/** `target` with the patch applied, or an ApiError (400 for a malformed body, 422 for a patch that does not apply). */
export function patched(target: unknown, patch: unknown, patchType: PatchType): unknown {
  if (patchType === 'json') return jsonPatch(target, patch);
  if (!isObject(patch)) throw badRequest(`${patchType} patch: the body must be a JSON object`);
  return mergePatch(target, patch);
}
