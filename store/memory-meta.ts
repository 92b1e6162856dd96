/**
 * Pure metadata rules of the in-memory API server: how a create is prepared (namespace default,
 * uid, timestamps, generation 1, status dropped under a status subresource), what an update may
 * not change, generation bumps, list filters, and generateName suffixes.
 */
import { jsonEqual } from '../core/json-patch.js';
import type { KubeObject, ListOptions, ObjectMetadata } from '../core/kube.js';
import { parseFieldSelector, parseSelectorString, type SelectableObject } from '../core/labels.js';
import { badRequest } from './memory-errors.js';
import type { KindInfo } from './memory-kinds.js';
import type { ObjectFilter } from './memory-watch.js';
import { createdPodStatus, isPod } from './memory-pod.js';

type Obj = KubeObject & Record<string, unknown>;

const SUFFIX_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** A generateName suffix: five characters of the API server's alphabet. */
export function nameSuffix(random: () => number): string {
  let out = '';
  for (let i = 0; i < 5; i++) out += SUFFIX_ALPHABET[Math.floor(random() * SUFFIX_ALPHABET.length)];
  return out;
}

/** The namespace an object of this kind is stored in. */
export function namespaceFor(info: KindInfo, namespace: string | undefined): string | undefined {
  if (!info.namespaced) return undefined;
  return namespace === undefined || namespace === '' ? 'default' : namespace;
}

/** The object as a create stores it (resourceVersion is set by the commit). */
export function prepareCreate(object: Obj, info: KindInfo, fresh: { readonly uid: string; readonly now: string }): Obj {
  const { deletionTimestamp: _d, deletionGracePeriodSeconds: _g, resourceVersion: _r, ...meta } = object.metadata;
  const out: Obj = { ...object, metadata: { ...meta, uid: fresh.uid, creationTimestamp: fresh.now, generation: 1 } };
  if (info.hasStatus) delete out['status'];
  if (isPod(object)) out['status'] = createdPodStatus(out);
  return out;
}

const IMMUTABLE_META = ['name', 'namespace', 'uid', 'creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'generation'] as const;

/** An update's object with what an update may not change taken from the stored object. */
export function prepareUpdate(object: Obj, stored: Obj, info: KindInfo): Obj {
  const meta: Record<string, unknown> = { ...object.metadata };
  for (const field of IMMUTABLE_META) {
    if (stored.metadata[field] === undefined) delete meta[field];
    else meta[field] = stored.metadata[field];
  }
  const out: Obj = { ...object, apiVersion: stored.apiVersion, kind: stored.kind, metadata: meta as ObjectMetadata };
  if (info.hasStatus) {
    if (stored['status'] === undefined) delete out['status'];
    else out['status'] = stored['status'];
  }
  return out;
}

const body = (o: Obj): Record<string, unknown> => {
  const { metadata: _m, status: _s, ...rest } = o;
  return rest;
};

/** `next` with its generation moved on when anything outside metadata and status changed. */
export function withGeneration(next: Obj, stored: Obj): Obj {
  if (jsonEqual(body(next), body(stored))) return next;
  return { ...next, metadata: { ...next.metadata, generation: (stored.metadata.generation ?? 0) + 1 } };
}

/** Whether two versions are the same object (resourceVersion aside): a write that changes nothing. */
export function unchanged(next: Obj, stored: Obj): boolean {
  return jsonEqual({ ...next, metadata: { ...next.metadata, resourceVersion: undefined } }, { ...stored, metadata: { ...stored.metadata, resourceVersion: undefined } });
}

/** The filter of list/watch options, or a 400 naming the selector. */
export function listFilter(options: ListOptions | undefined, info?: Pick<KindInfo, 'selectableFields'>): ObjectFilter {
  const labels = parseSelectorString(options?.labelSelector ?? '');
  if (!labels.ok) throw badRequest(`${labels.field}: ${labels.message}`);
  const fields = parseFieldSelector(options?.fieldSelector ?? '', info?.selectableFields);
  if (!fields.ok) throw badRequest(`${fields.field}: ${fields.message}`);
  const ns = options?.namespace;
  return (o) => (ns === undefined || o.metadata.namespace === ns) && labels.matches(o.metadata.labels) && fields.matches(o as SelectableObject);
}
