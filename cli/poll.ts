/** Waiting for the API to reach a state, by reading it again every interval (`kvt wait`, `kvt delete --wait`). */
import { setTimeout as sleep } from 'node:timers/promises';
import { isNotFound } from '../core/errors.js';
import type { KubeApi, ResourceType } from '../core/kube.js';

/** Calls `check` until it answers true (then true) or `timeoutMs` passed (then false); a timeout ≤ 0 waits without limit. */
export async function pollUntil(check: () => Promise<boolean>, options: { readonly timeoutMs: number; readonly intervalMs?: number }): Promise<boolean> {
  const deadline = options.timeoutMs > 0 ? Date.now() + options.timeoutMs : Number.POSITIVE_INFINITY;
  for (;;) {
    if (await check()) return true;
    const left = deadline - Date.now();
    if (left <= 0) return false;
    await sleep(Math.min(options.intervalMs ?? 200, left));
  }
}

/** Whether the object is gone (NotFound); other errors are thrown. */
export async function isGone(kube: KubeApi, type: ResourceType, namespace: string | undefined, name: string): Promise<boolean> {
  try {
    await kube.get(type, namespace, name);
    return false;
  } catch (e) {
    if (isNotFound(e)) return true;
    throw e;
  }
}

/** kubectl's durations: `30s`, `5m`, `1h`, `1m30s`, `500ms`, or a bare number of seconds; undefined when unreadable. */
export function parseDuration(text: string): number | undefined {
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text) * 1000;
  const units: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== text) return undefined;
  return parts.reduce((sum, p) => sum + Number(p[1]) * (units[p[2] ?? ''] ?? 0), 0);
}
