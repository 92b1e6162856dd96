/**
 * Status conditions, as every Kubernetes controller keeps them: one entry per type, and
 * `lastTransitionTime` moves only when the condition's status changes (a new reason or message on
 * the same status keeps the time). Pure: the caller passes the time.
 * @see https://github.com/kubernetes/apimachinery/blob/master/pkg/api/meta/conditions.go
 */
import { formatKubeTime } from './time.js';

/** The fields every condition type of kubevirt.io/v1 shares. */
export interface Condition {
  readonly type: string;
  readonly status: 'True' | 'False' | 'Unknown' | string;
  readonly reason?: string;
  readonly message?: string;
  readonly lastTransitionTime?: string | null;
  readonly lastProbeTime?: string | null;
}

/** The condition of a type, or undefined. */
export function findCondition<C extends Condition>(conditions: readonly C[] | undefined, type: string): C | undefined {
  return conditions?.find((c) => c.type === type);
}

/** Whether a condition of `type` has status True. */
export function isConditionTrue(conditions: readonly Condition[] | undefined, type: string): boolean {
  return findCondition(conditions, type)?.status === 'True';
}

/**
 * A copy of `conditions` with `condition` set: replaced in place when one of its type exists (keeping
 * the old `lastTransitionTime` if the status did not change), appended otherwise.
 */
export function setCondition<C extends Condition>(conditions: readonly C[] | undefined, condition: C, now: Date): C[] {
  const list = [...(conditions ?? [])];
  const at = list.findIndex((c) => c.type === condition.type);
  const old = at === -1 ? undefined : list[at];
  const unchanged = old !== undefined && old.status === condition.status && old.lastTransitionTime;
  const next = { ...condition, lastTransitionTime: unchanged ? old.lastTransitionTime : formatKubeTime(now) } as C;
  if (at === -1) list.push(next);
  else list[at] = next;
  return list;
}

/** A copy of `conditions` without any of `type`. */
export function removeCondition<C extends Condition>(conditions: readonly C[] | undefined, type: string): C[] {
  return (conditions ?? []).filter((c) => c.type !== type);
}
