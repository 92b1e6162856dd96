/**
 * Admission lookups over the objects of a set of manifests (`kvt virt-api --objects DIR`): the
 * texts are parsed as `kvt validate` parses its files (core/manifests.ts) and handed to
 * webhooks/admission-lookups.ts, the same lookups `kvt validate` builds from its files, so both
 * commands find the same presets, instancetypes, preferences and volume labels. Pure: the runtime
 * reads the files.
 */
import { parseManifests } from '../../core/manifests.js';
import { lookupsFromObjects } from '../admission-lookups.js';
import type { AdmissionLookups } from '../context.js';
import { KubevirtError } from '../../core/errors.js';

/** One manifest file's text. */
export interface ObjectText {
  readonly source: string;
  readonly text: string;
}

/** The lookups built from a set of objects, with what went into them (for the log). */
export interface ObjectIndex {
  readonly lookups: AdmissionLookups;
  /** How many objects of each kind were read (kinds admission never consults included). */
  readonly counts: Readonly<Record<string, number>>;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A problem in one manifest. */
export class ObjectManifestError extends KubevirtError {}

/** Every object of the texts, in order; throws an {@link ObjectManifestError} naming the first unparsable document. */
export function parseObjectTexts(texts: readonly ObjectText[]): unknown[] {
  const objects: unknown[] = [];
  for (const { source, text } of texts) {
    const parsed = parseManifests(source, text);
    const err = parsed.errors[0];
    if (err !== undefined) throw new ObjectManifestError(`${err.source}: ${err.message}`);
    objects.push(...parsed.objects.map((o) => o.object));
  }
  return objects;
}

/** The lookups over the objects, and how many of each kind there were. */
export function indexObjects(objects: readonly unknown[]): ObjectIndex {
  const counts: Record<string, number> = {};
  for (const o of objects) {
    const kind = isRecord(o) && typeof o['kind'] === 'string' ? o['kind'] : '<no kind>';
    counts[kind] = (counts[kind] ?? 0) + 1;
  }
  return { lookups: lookupsFromObjects(objects), counts };
}
