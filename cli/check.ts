/**
 * Pure checking of manifest objects against our API: which objects are ours, and the verdict of
 * the whole admission chain (`admit`, CREATE) on each, as `Kind/name: field.path: message` lines.
 * The chain is the one the webhooks and the local store run, so a manifest `kvt validate` accepts
 * is one they accept, and the admitted object is what they would store.
 */
import { isOurGroup } from '../crd-gen/index.js';
import { admit } from '../webhooks/admission.js';
import { denialLines } from '../webhooks/denial-lines.js';
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

// The lines of a denial are shared with `cdk8s synth` (webhooks/denial-lines.ts).
export { causeLine, denialLines } from '../webhooks/denial-lines.js';

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
