/**
 * The one admission entry: the whole chain for an object, as the API server runs our webhooks —
 * every mutating handler registered for its kind and operation, then every validating one, the
 * first denial ending it. The local in-memory store and `kvt validate` call it; the HTTPS routes
 * run the same handlers from the same table (webhooks/registry.ts), so all three answer alike.
 */
import { diff, type Op } from '../core/json-patch.js';
import { nameRuleOf, objectMetaCauses } from '../core/object-meta.js';
import { isOurGroup, KINDS, lookupKind, type KindName } from '../crd-gen/index.js';
import { denialStatus, type AdmissionOutcome, type DenialStatus } from './admission-handlers.js';
import { capWarnings, CauseType, type Cause } from './cause.js';
import type { AdmissionContext } from './context.js';
import { routesFor } from './registry.js';
import type { AdmissionOperation } from './review-types.js';

/** What admission decided: the admitted object with the patch that made it, or the denial. */
export type AdmitResult<T = unknown> =
  | { readonly allowed: true; readonly object: T; readonly warnings: readonly string[]; readonly patch: readonly Op[] }
  | { readonly allowed: false; readonly status: DenialStatus; readonly warnings: readonly string[] };

type Obj = Readonly<Record<string, unknown>>;

function isObject(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function nonEmptyString(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

function badRequest(causes: readonly Cause[]): AdmitResult<never> {
  return { allowed: false, status: denialStatus(causes, { code: 400 }), warnings: [] };
}

/** The served kind of an object, or the causes that say why it has none. */
export function kindOf(object: unknown): { readonly ok: true; readonly kind: KindName } | { readonly ok: false; readonly causes: readonly Cause[] } {
  if (!isObject(object)) return { ok: false, causes: [{ type: CauseType.Invalid, field: '', message: 'the object is not a JSON object' }] };
  const apiVersion = nonEmptyString(object['apiVersion']);
  const kindText = nonEmptyString(object['kind']);
  if (apiVersion === undefined || kindText === undefined) {
    const field = apiVersion === undefined ? 'apiVersion' : 'kind';
    return { ok: false, causes: [{ type: CauseType.Required, field, message: 'Required value: every object needs apiVersion and kind' }] };
  }
  const kind = lookupKind(apiVersion, kindText);
  if (kind !== undefined) return { ok: true, kind };
  const cause: Cause = isOurGroup(apiVersion)
    ? { type: CauseType.NotSupported, field: 'kind', message: `no matches for kind "${kindText}" in version "${apiVersion}"` }
    : { type: CauseType.NotSupported, field: 'apiVersion', message: `${JSON.stringify(apiVersion)} is not an API group and version kubevirt-ts serves` };
  return { ok: false, causes: [cause] };
}

function run(kind: KindName, start: AdmissionOutcome & { allowed: true }, input: { oldObject: unknown; operation: AdmissionOperation }, ctx: AdmissionContext): AdmissionOutcome {
  let current: AdmissionOutcome = start;
  const warnings: string[] = [];
  for (const route of routesFor(kind, input.operation)) {
    if (!current.allowed) break;
    current = route.handler({ object: current.object, oldObject: input.oldObject, operation: input.operation }, ctx);
    warnings.push(...current.warnings);
  }
  return { ...current, warnings: capWarnings(warnings) };
}

/** The API server's own metadata check, which runs before any validating webhook: its 422, or undefined. */
function metadataDenial(kind: KindName, object: unknown): AdmitResult<never> | undefined {
  const causes = objectMetaCauses(object, { namespaced: KINDS[kind].namespaced, nameRule: nameRuleOf(kind) });
  if (causes.length === 0) return undefined;
  const name = (object as { metadata?: { name?: unknown } }).metadata?.name;
  const message = `${kind}.${KINDS[kind].group} ${JSON.stringify(typeof name === 'string' ? name : '')} is invalid: ${causes.map((c) => `${c.field}: ${c.message}`).join(', ')}`;
  return { allowed: false, status: denialStatus(causes, { message }), warnings: [] };
}

/**
 * Admits one write: `object` is what is being written (the stored object on DELETE may be passed
 * as `oldObject` with `object` undefined), `oldObject` the stored object on UPDATE. Pure; never
 * throws for any JSON input (a broken handler invariant aside).
 */
export function admit<T = unknown>(object: T, oldObject: T | undefined, operation: AdmissionOperation, ctx: AdmissionContext): AdmitResult<T> {
  const subject = object ?? oldObject;
  const kind = kindOf(subject);
  if (!kind.ok) return badRequest(kind.causes);
  if (operation === 'UPDATE' && !isObject(oldObject)) {
    return badRequest([{ type: CauseType.Required, field: '', message: `an UPDATE of a ${kind.kind} needs the stored object` }]);
  }
  if (operation !== 'DELETE') {
    const refused = metadataDenial(kind.kind, object);
    if (refused !== undefined) return refused;
  }
  const outcome = run(kind.kind, { allowed: true, object, warnings: [] }, { oldObject, operation }, ctx);
  if (!outcome.allowed) return outcome;
  return { allowed: true, object: outcome.object as T, warnings: outcome.warnings, patch: object === undefined ? [] : diff(object, outcome.object) };
}
