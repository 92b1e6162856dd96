/**
 * Who may write which status field. Every status writer (virt-controller's controllers, the node
 * handler, the kubelet, virt-api's subresources) declares, next to the code that computes them, the
 * fields it owns per kind; the local mode's API server refuses a status write of a declared writer
 * that changes anything else (store/memory.ts), so two components can never both think they own a
 * field. Kubernetes itself does not check this: it is our contract, made a check. Pure.
 */
import { jsonEqual } from './json-patch.js';

/** The status fields one writer owns on one kind. */
export interface StatusOwnership {
  /** The component, for messages (`virt-controller`, `virt-handler`, `kubelet`, `virt-api`). */
  readonly writer: string;
  readonly apiVersion: string;
  readonly kind: string;
  /** Top-level status fields it may change (`phase`, `nodeName`, …), or `all`. */
  readonly fields: readonly string[] | 'all';
  /** Condition types it may set, change or remove (`status.conditions` entries, by `type`). */
  readonly conditions?: readonly string[];
}

type Status = Readonly<Record<string, unknown>> | undefined;
type Conditions = readonly { readonly type?: unknown }[];

const conditionsOf = (status: Status): Conditions => {
  const list = status?.['conditions'];
  return Array.isArray(list) ? (list as Conditions) : [];
};

/** The condition types whose entry differs between two condition lists (added, removed or changed). */
function changedConditionTypes(before: Conditions, after: Conditions): string[] {
  const byType = (list: Conditions): Map<string, unknown> => new Map(list.map((c) => [String(c.type), c]));
  const was = byType(before);
  const now = byType(after);
  const types = new Set([...was.keys(), ...now.keys()]);
  return [...types].filter((t) => !jsonEqual(was.get(t), now.get(t))).sort();
}

/** The top-level status fields whose value differs (`conditions` aside). */
function changedFields(before: Status, after: Status): string[] {
  const keys = new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})]);
  keys.delete('conditions');
  return [...keys].filter((k) => !jsonEqual(before?.[k], after?.[k])).sort();
}

/**
 * The status paths a write from `before` to `after` changes that none of `owned` (the writer's
 * declarations for this object's kind) covers: `status.nodeName`, `status.conditions[Ready]`.
 * Empty when the write stays inside the writer's fields.
 */
export function unownedStatusChanges(before: Status, after: Status, owned: readonly StatusOwnership[]): string[] {
  if (owned.some((o) => o.fields === 'all')) return [];
  const fields = new Set(owned.flatMap((o) => (o.fields === 'all' ? [] : o.fields)));
  const conditionTypes = new Set(owned.flatMap((o) => o.conditions ?? []));
  const outside = changedFields(before, after).filter((f) => !fields.has(f)).map((f) => `status.${f}`);
  if (!fields.has('conditions')) {
    const types = changedConditionTypes(conditionsOf(before), conditionsOf(after)).filter((t) => !conditionTypes.has(t));
    outside.push(...types.map((t) => `status.conditions[${t}]`));
  }
  return outside;
}

/** Status ownership by user name: the declarations of each component's service account. */
export type StatusOwners = ReadonlyMap<string, readonly StatusOwnership[]>;

/** The declarations of `owners` for one user and kind; undefined when the user declares nothing at all (not a component). */
export function ownershipFor(owners: StatusOwners, username: string, type: { readonly apiVersion: string; readonly kind: string }): readonly StatusOwnership[] | undefined {
  const declared = owners.get(username);
  return declared?.filter((o) => o.apiVersion === type.apiVersion && o.kind === type.kind);
}
