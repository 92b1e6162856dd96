/**
 * The controller processes' EventRecorder: core/v1 Events written through KubeApi, as client-go's
 * record package writes them for KubeVirt. `event()` only queues, with a bound (past it a new Event
 * is dropped), and one writer drains the queue in order, so a slow or failing API server never
 * holds a reconcile. A repeat of the same Event (object, source, type, reason and message) within 10
 * minutes of its last occurrence bumps `count` and `lastTimestamp` of the Event already written (a
 * merge patch) instead of creating another, as client-go's EventCorrelator does; and as its spam
 * filter does, one source records at most 25 Events about one object at once, then one per 5
 * minutes (event-spam.ts: a replica set of 1,000 gets 25 "Started…" Events, not 1,000). A write
 * that fails is logged at debug and dropped: an Event is a hint for users, not worth a retry loop.
 * @see https://pkg.go.dev/k8s.io/client-go/tools/record
 */
import { isNotFound } from '../../core/errors.js';
import type { EventRecorder, EventType } from '../../core/events.js';
import type { KubeApi, KubeObject } from '../../core/kube.js';
import type { Logger } from '../../core/log.js';
import { ExternalGvk } from '../../crd-gen/index.js';
import { SpamFilter, spamKey } from './event-spam.js';
import { formatKubeTime } from '../../core/time.js';

/** The core/v1 Event type. */
export const EVENT_TYPE = ExternalGvk.Event;

/** A core/v1 Event (the fields the recorder writes). */
export interface KubeEvent extends KubeObject {
  involvedObject: { apiVersion?: string; kind?: string; namespace?: string; name?: string; uid?: string; resourceVersion?: string };
  reason: string;
  message: string;
  type: EventType;
  source: { component: string; host?: string };
  count: number;
  firstTimestamp: string;
  lastTimestamp: string;
  reportingComponent: string;
  reportingInstance?: string;
}

/** Options of {@link createEventBroadcaster}. */
export interface EventBroadcasterOptions {
  /** The API as the component's service account (RBAC: events create and patch). */
  readonly kube: KubeApi;
  readonly log: Logger;
  /** @default () => new Date() */
  readonly now?: () => Date;
  /** Events waiting for their write at most; past it new ones are dropped. @default 1000 (client-go's) */
  readonly maxQueued?: number;
}

/** One write queue and one aggregation memory shared by the recorders of a process's controllers. */
export interface EventBroadcaster {
  /** A recorder whose Events name `component` (KubeVirt's `virtualmachine-controller`, …) and `host` as their source. */
  recorder(component: string, host?: string): EventRecorder;
  /** Resolves once every Event queued so far was written or dropped. */
  flush(): Promise<void>;
  /**
   * Drops the queued Events and every Event recorded later. The write in flight settles on its own
   * (never waited for: the API server may hang).
   */
  stop(): void;
}

/** How long after an Event's last occurrence a repeat still bumps it (client-go's aggregation interval). */
export const AGGREGATION_WINDOW_MS = 10 * 60 * 1000;
/** Events remembered for aggregation at most (client-go's LRU size); the oldest is forgotten first. */
const REMEMBERED = 4096;

interface Recorded {
  readonly object: Readonly<KubeObject>;
  readonly type: EventType;
  readonly reason: string;
  readonly message: string;
  readonly source: KubeEvent['source'];
}

interface Pending {
  readonly event: KubeEvent;
  /** What makes two Events the same for aggregation. */
  readonly key: string;
  readonly atMs: number;
}

interface Written {
  readonly namespace: string;
  readonly name: string;
  count: number;
  lastMs: number;
}

function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

function involvedObject(object: Readonly<KubeObject>): KubeEvent['involvedObject'] {
  const { namespace, name, uid, resourceVersion } = object.metadata;
  return withoutUndefined({ apiVersion: object.apiVersion, kind: object.kind, namespace, name, uid, resourceVersion });
}

/** The Event of `recorded` first seen at `at`, named as client-go names them (`<object>.<hex time>`). */
function newEvent(recorded: Recorded, at: Date, suffix: string): KubeEvent {
  const involved = involvedObject(recorded.object);
  const stamp = formatKubeTime(at);
  return {
    ...EVENT_TYPE,
    // Events of cluster-scoped objects go to the default namespace, as client-go puts them.
    metadata: { name: `${involved.name ?? 'unnamed'}.${suffix}`, namespace: involved.namespace || 'default' },
    involvedObject: involved,
    reason: recorded.reason,
    message: recorded.message,
    type: recorded.type,
    source: withoutUndefined(recorded.source),
    count: 1,
    firstTimestamp: stamp,
    lastTimestamp: stamp,
    reportingComponent: recorded.source.component,
    ...(recorded.source.host === undefined ? {} : { reportingInstance: recorded.source.host }),
  };
}

function aggregationKey(event: KubeEvent): string {
  const o = event.involvedObject;
  return JSON.stringify([event.source.component, event.source.host, o.apiVersion, o.kind, o.namespace, o.name, o.uid, event.type, event.reason, event.message]);
}

class Broadcaster implements EventBroadcaster {
  private readonly queue: Pending[] = [];
  private readonly written = new Map<string, Written>();
  private readonly spam = new SpamFilter();
  private draining: Promise<void> | undefined;
  private stopped = false;
  private sequence = 0;

  constructor(private readonly o: EventBroadcasterOptions) {}

  recorder(component: string, host?: string): EventRecorder {
    const source = host === undefined ? { component } : { component, host };
    return { event: (object, type, reason, message) => this.record({ object, type, reason, message, source }) };
  }

  async flush(): Promise<void> {
    while (this.draining !== undefined) await this.draining;
  }

  stop(): void {
    this.stopped = true;
    const dropped = this.queue.splice(0).length;
    if (dropped > 0) this.o.log.debug({ dropped }, 'Dropped queued Events at stop');
  }

  private record(recorded: Recorded): void {
    try {
      if (this.stopped) return;
      if (this.queue.length >= (this.o.maxQueued ?? 1000)) {
        this.o.log.debug({ namespace: recorded.object.metadata.namespace, name: recorded.object.metadata.name, reason: recorded.reason }, 'Dropped Event, the write queue was full');
        return;
      }
      const at = (this.o.now ?? ((): Date => new Date()))();
      if (!this.spam.allow(spamKey(recorded.source, recorded.object), at.getTime())) return;
      const event = newEvent(recorded, at, this.suffix(at));
      this.queue.push({ event, key: aggregationKey(event), atMs: at.getTime() });
      this.drain();
    } catch (err: unknown) {
      // Recording must never fail the reconcile that records.
      this.o.log.debug({ err, reason: recorded.reason }, 'Could not record Event');
    }
  }

  /** client-go's name suffix is the time in hex nanoseconds; a sequence stands in for the digits below a millisecond. */
  private suffix(at: Date): string {
    this.sequence = (this.sequence + 1) % 1_000_000;
    return (BigInt(at.getTime()) * 1_000_000n + BigInt(this.sequence)).toString(16);
  }

  private drain(): void {
    this.draining ??= this.writeQueued().finally(() => {
      this.draining = undefined;
      // Recorded while the last write settled: start again.
      if (this.queue.length > 0) this.drain();
    });
  }

  private async writeQueued(): Promise<void> {
    for (let next = this.queue.shift(); next !== undefined; next = this.queue.shift()) {
      const { involvedObject: o, reason } = next.event;
      await this.write(next).catch((err: unknown) => this.o.log.debug({ err, namespace: o.namespace, name: o.name, uid: o.uid, reason }, 'Could not write Event'));
    }
  }

  private async write(pending: Pending): Promise<void> {
    const seen = this.written.get(pending.key);
    if (seen !== undefined && pending.atMs - seen.lastMs <= AGGREGATION_WINDOW_MS && (await this.bump(seen, pending))) return;
    await this.o.kube.create<KubeEvent>(pending.event);
    const { namespace = 'default', name = '' } = pending.event.metadata;
    this.remember(pending.key, { namespace, name, count: 1, lastMs: pending.atMs });
  }

  /** Counts a repeat on the Event written before; false when that Event is gone (deleted by its TTL). */
  private async bump(seen: Written, pending: Pending): Promise<boolean> {
    const patch = { count: seen.count + 1, lastTimestamp: pending.event.lastTimestamp };
    try {
      await this.o.kube.patch<KubeEvent>(EVENT_TYPE, { namespace: seen.namespace, name: seen.name }, { type: 'merge', body: patch });
    } catch (e: unknown) {
      if (!isNotFound(e)) throw e;
      this.written.delete(pending.key);
      return false;
    }
    this.remember(pending.key, { ...seen, count: patch.count, lastMs: pending.atMs });
    return true;
  }

  private remember(key: string, written: Written): void {
    this.written.delete(key);
    this.written.set(key, written);
    const [oldest] = this.written.keys();
    if (this.written.size > REMEMBERED && oldest !== undefined) this.written.delete(oldest);
  }
}

/** A broadcaster writing Events through `options.kube`; see the module comment. */
export function createEventBroadcaster(options: EventBroadcasterOptions): EventBroadcaster {
  return new Broadcaster(options);
}
