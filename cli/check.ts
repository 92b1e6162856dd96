/**
 * Pure checking of manifest objects against our API: which objects are ours, which kinds exist,
 * and every schema problem, as `Kind/name: field.path: message` lines.
 */
import { isOurGroup, lookupKind, type SchemaValidator } from '../crd-gen/index.js';
import { displayName, type ManifestObject } from './manifests.js';

/** The verdict on one object. */
export interface ObjectVerdict {
  readonly object: ManifestObject;
  /** `ours` when it is one of our kinds, `foreign` when it belongs to another API group. */
  readonly scope: 'ours' | 'foreign';
  readonly problems: string[];
  readonly warnings: string[];
}

/** Checks one object: its kind must be served, its content must match the schema. */
export function checkObject(item: ManifestObject, validator: SchemaValidator): ObjectVerdict {
  const { object } = item;
  const name = displayName(object);
  const apiVersion = typeof object['apiVersion'] === 'string' ? object['apiVersion'] : undefined;
  const kindText = typeof object['kind'] === 'string' ? object['kind'] : undefined;
  if (apiVersion === undefined || kindText === undefined || kindText === '') {
    const missing = apiVersion === undefined ? 'apiVersion' : 'kind';
    return { object: item, scope: 'ours', problems: [`${name}: ${missing}: Required value: every object needs apiVersion and kind`], warnings: [] };
  }
  if (!isOurGroup(apiVersion)) return { object: item, scope: 'foreign', problems: [], warnings: [] };
  const kind = lookupKind(apiVersion, kindText);
  if (kind === undefined) {
    return { object: item, scope: 'ours', problems: [`${name}: kind: no matches for kind "${kindText}" in version "${apiVersion}"`], warnings: [] };
  }
  const result = validator.validate(kind, object);
  return {
    object: item,
    scope: 'ours',
    problems: result.errors.map((c) => `${name}: ${c.field === '' ? '<root>' : c.field}: ${c.message}`),
    warnings: result.warnings.map((c) => `${name}: ${c.field}: ${c.message}`),
  };
}
