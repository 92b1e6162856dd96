/**
 * Pure checking of manifest objects against our API: which objects are ours, and the verdict of
 * the whole admission chain (`admit`, CREATE) on each, as `Kind/name: field.path: message` lines.
 * The chain is the one the webhooks and the local store run, so a manifest `kvt validate` accepts
 * is one they accept, and the admitted object is what they would store.
 */
import { isOurGroup } from '../crd-gen/index.js';
import { admit } from '../webhooks/admission.js';
import type { DenialStatus } from '../webhooks/admission-handlers.js';
import type { Cause } from '../webhooks/cause.js';
import type { AdmissionContext } from '../webhooks/context.js';
import { displayName, type ManifestObject } from '../core/manifests.js';

/** The verdict on one object. */
export interface ObjectVerdict {
  readonly object: ManifestObject;
  /** `ours` when it is in one of our API groups (or names none), `foreign` when it belongs to another. */
  readonly scope: 'ours' | 'foreign';
  readonly problems: string[];
  readonly warnings: string[];
  /** The object as admission leaves it (defaults, presets, status); the input when it was refused or foreign. */
  readonly admitted: Record<string, unknown>;
}

/**
 * The message without a leading copy of its own field: KubeVirt's messages often start with the
 * path, and the line already names it once.
 */
function withoutField(field: string, message: string): string {
  if (field === '' || !message.startsWith(field)) return message;
  const rest = message.slice(field.length);
  // Only a whole path: `spec.a` must not be cut out of `spec.ab …` or `spec.a[0] …`.
  if (!/^[\s:]/.test(rest)) return message;
  const trimmed = rest.replace(/^:?\s*/, '');
  return trimmed === '' ? message : trimmed;
}

/** One cause as a line: `Kind/name: field.path: message` (`<root>` for the object itself). */
export function causeLine(name: string, c: Cause): string {
  return `${name}: ${c.field === '' ? '<root>' : c.field}: ${withoutField(c.field, c.message)}`;
}

/** A denial as lines: one per cause, or its message when it has none (KubeVirt's 400s carry only a message). */
export function denialLines(name: string, status: DenialStatus): string[] {
  const causes = status.details?.causes ?? [];
  return causes.length > 0 ? causes.map((c) => causeLine(name, c)) : [`${name}: ${status.message}`];
}

function isForeign(object: Readonly<Record<string, unknown>>): boolean {
  const apiVersion = object['apiVersion'];
  return typeof apiVersion === 'string' && apiVersion !== '' && typeof object['kind'] === 'string' && object['kind'] !== '' && !isOurGroup(apiVersion);
}

/** Admits one object as a CREATE and says what admission found. */
export function checkObject(item: ManifestObject, ctx: AdmissionContext): ObjectVerdict {
  const { object } = item;
  if (isForeign(object)) return { object: item, scope: 'foreign', problems: [], warnings: [], admitted: object };
  const name = displayName(object);
  const result = admit(object, undefined, 'CREATE', ctx);
  const warnings = result.warnings.map((w) => `${name}: ${w}`);
  if (result.allowed) return { object: item, scope: 'ours', problems: [], warnings, admitted: result.object };
  return { object: item, scope: 'ours', problems: denialLines(name, result.status), warnings, admitted: object };
}
