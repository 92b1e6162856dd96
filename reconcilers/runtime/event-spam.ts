/**
 * client-go's EventSourceObjectSpamFilter, which every KubeVirt recorder runs its Events through:
 * per source (component and host) and involved object, a token bucket of 25 Events refilled at one
 * per 5 minutes; an Event without a token is dropped. A replica set scaling to 1,000 records 25
 * "Started the virtual machine…" Events, not 1,000. Stateful but IO-free: time comes in as
 * milliseconds.
 * @see https://github.com/kubernetes/client-go/blob/master/tools/record/events_cache.go
 */
import type { KubeObject } from '../../core/kube.js';

/** Events one source may record about one object at once (client-go's defaultSpamBurst). */
export const SPAM_BURST = 25;
/** One more Event per this long (client-go's defaultSpamQPS, 1/300 per second). */
export const SPAM_REFILL_MS = 5 * 60 * 1000;
/** Buckets remembered at most (client-go's maxLruCacheEntries); the least recently used goes first. */
export const SPAM_REMEMBERED = 4096;

interface Bucket {
  readonly tokens: number;
  readonly atMs: number;
}

/** Token buckets by spam key (source and involved object). */
export class SpamFilter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(private readonly remembered = SPAM_REMEMBERED) {}

  /** Whether an Event with this spam key may be recorded at `nowMs`; takes its token when it may. */
  allow(key: string, nowMs: number): boolean {
    const last = this.buckets.get(key);
    const refilled = last === undefined ? SPAM_BURST : Math.min(SPAM_BURST, last.tokens + Math.max(0, nowMs - last.atMs) / SPAM_REFILL_MS);
    const allowed = refilled >= 1;
    this.buckets.delete(key);
    this.buckets.set(key, { tokens: allowed ? refilled - 1 : refilled, atMs: nowMs });
    const [oldest] = this.buckets.keys();
    if (this.buckets.size > this.remembered && oldest !== undefined) this.buckets.delete(oldest);
    return allowed;
  }
}

/** The spam key of an Event: its source and the involved object, as client-go's getSpamKey (the reason and message are not part of it). */
export function spamKey(source: { readonly component: string; readonly host?: string }, object: Readonly<KubeObject>): string {
  const { namespace = '', name = '', uid = '' } = object.metadata;
  return JSON.stringify([source.component, source.host ?? '', object.apiVersion, object.kind, namespace, name, uid]);
}
