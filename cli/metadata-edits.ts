/**
 * `kvt label` and `kvt annotate` as kubectl reads them: the command line's objects and its changes
 * (`key=value` sets, `key-` removes), and the merge patch that makes them on an object's current
 * labels or annotations. Pure.
 */
import { KubevirtError } from '../core/errors.js';
import { UsageError } from './command.js';

/** A change kubectl refuses on what the object holds (not a usage error: no usage is printed). */
export class RefusedChange extends KubevirtError {}

/** What to change: keys to set and keys to remove. */
export interface MapChanges {
  readonly set: Readonly<Record<string, string>>;
  readonly remove: readonly string[];
}

const isChange = (word: string): boolean => word.includes('=') || (word.endsWith('-') && word.length > 1 && !word.includes('/'));

/** The object words (`vm demo`, `vm/demo`) and the changes of `kvt label|annotate`'s positionals. */
export function parseMapArgs(words: readonly string[], what: 'label' | 'annotation'): { objects: string[]; changes: MapChanges } {
  const at = words.findIndex((w, i) => i > 0 && isChange(w));
  if (at === -1) throw new UsageError(`at least one ${what} update is required (KEY=VALUE to set, KEY- to remove)`);
  const set: Record<string, string> = {};
  const remove: string[] = [];
  for (const word of words.slice(at)) {
    if (!isChange(word)) throw new UsageError(`all resources must be specified before ${what} changes: ${word}`);
    const eq = word.indexOf('=');
    if (eq === -1) remove.push(word.slice(0, -1));
    else if (eq === 0) throw new UsageError(`invalid ${what} spec: ${word}`);
    else set[word.slice(0, eq)] = word.slice(eq + 1);
  }
  const both = remove.find((k) => k in set);
  if (both !== undefined) throw new UsageError(`can not both modify and remove ${what} ${JSON.stringify(both)} in the same command`);
  return { objects: words.slice(0, at), changes: { set, remove } };
}

/**
 * The merge patch of `metadata.<field>` that makes the changes on `current`, or undefined when
 * nothing would change; a key that has another value and no `overwrite` is kubectl's error.
 */
export function mapPatch(current: Readonly<Record<string, string>> | undefined, changes: MapChanges, options: { readonly field: 'labels' | 'annotations'; readonly overwrite: boolean }): Record<string, unknown> | undefined {
  const now = current ?? {};
  const body: Record<string, string | null> = {};
  for (const [key, value] of Object.entries(changes.set)) {
    const old = now[key];
    if (old === value) continue;
    if (old !== undefined && !options.overwrite) throw new RefusedChange(`'${key}' already has a value (${old}), and --overwrite is false`);
    body[key] = value;
  }
  for (const key of changes.remove) if (key in now) body[key] = null;
  return Object.keys(body).length === 0 ? undefined : { metadata: { [options.field]: body } };
}
