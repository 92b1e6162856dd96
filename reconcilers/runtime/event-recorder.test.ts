// The Event recorder on the in-memory API server: what it writes, aggregation of repeats, the spam
// filter, and that a failing or hanging API never reaches the caller.
import { afterEach, describe, expect, it } from 'vitest';
import { ApiError } from '../../core/errors.js';
import type { KubeApi, KubeObject } from '../../core/kube.js';
import { createLogger } from '../../core/log.js';
import { createMemoryStore, type MemoryStore } from '../../store/runtime/memory.js';
import { AGGREGATION_WINDOW_MS, createEventBroadcaster, EVENT_TYPE, type EventBroadcaster, type KubeEvent } from './event-recorder.js';
import { formatKubeTime } from '../../core/time.js';

const CONTROLLER = { username: 'system:serviceaccount:kubevirt:kubevirt-controller', groups: ['system:serviceaccounts', 'system:authenticated'] };
const T0 = new Date('2026-03-01T10:00:00.000Z');
const vmi: KubeObject = { apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachineInstance', metadata: { name: 'web', namespace: 'prod', uid: 'uid-1', resourceVersion: '42' } };
const node: KubeObject = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1', uid: 'uid-n' } };

let store: MemoryStore | undefined;
let broadcaster: EventBroadcaster | undefined;
afterEach(async () => {
  broadcaster?.stop();
  await store?.close();
  broadcaster = undefined;
  store = undefined;
});

function setup(kube?: (k: KubeApi) => KubeApi, maxQueued?: number): { store: MemoryStore; clock: { now: Date }; lines: string[]; events: EventBroadcaster } {
  store = createMemoryStore({});
  const clock = { now: T0 };
  const lines: string[] = [];
  const log = createLogger({ name: 'test', level: 'debug', destination: { write: (l: string) => void lines.push(l) } });
  const client = store.client(CONTROLLER);
  broadcaster = createEventBroadcaster({ kube: kube === undefined ? client : kube(client), log, now: () => clock.now, ...(maxQueued === undefined ? {} : { maxQueued }) });
  return { store, clock, lines, events: broadcaster };
}

const eventsIn = async (s: MemoryStore, namespace: string): Promise<KubeEvent[]> => (await s.list<KubeEvent>(EVENT_TYPE, { namespace })).items;
const later = (ms: number): Date => new Date(T0.getTime() + ms);

describe('createEventBroadcaster', () => {
  it('writes a core/v1 Event about the object, in its namespace, with its source', async () => {
    const { store: s, events } = setup();
    events.recorder('virtualmachine-controller').event(vmi, 'Normal', 'SuccessfulCreate', 'Created virtual machine pod virt-launcher-web-abcde');
    events.recorder('virt-handler', 'n1').event(node, 'Warning', 'Unhealthy', 'the node is not ready');
    await events.flush();
    const [event] = await eventsIn(s, 'prod');
    expect(event).toMatchObject({
      involvedObject: { apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachineInstance', namespace: 'prod', name: 'web', uid: 'uid-1', resourceVersion: '42' },
      reason: 'SuccessfulCreate', message: 'Created virtual machine pod virt-launcher-web-abcde', type: 'Normal',
      source: { component: 'virtualmachine-controller' }, reportingComponent: 'virtualmachine-controller',
      count: 1, firstTimestamp: formatKubeTime(T0), lastTimestamp: formatKubeTime(T0),
    });
    expect(event?.metadata.name).toMatch(/^web\.[0-9a-f]+$/);
    // A cluster-scoped object's Events go to the default namespace.
    const [nodeEvent] = await eventsIn(s, 'default');
    expect(nodeEvent).toMatchObject({ involvedObject: { kind: 'Node', name: 'n1' }, source: { component: 'virt-handler', host: 'n1' }, reportingInstance: 'n1', type: 'Warning' });
  });

  it('a repeat within 10 minutes of the last one bumps count and lastTimestamp; another message, or a later repeat, is a new Event', async () => {
    const { store: s, clock, events } = setup();
    const recorder = events.recorder('virtualmachine-controller');
    recorder.event(vmi, 'Warning', 'FailedCreate', 'Error creating pod: exceeded quota');
    clock.now = later(60_000);
    recorder.event(vmi, 'Warning', 'FailedCreate', 'Error creating pod: exceeded quota');
    clock.now = later(60_000 + AGGREGATION_WINDOW_MS);
    recorder.event(vmi, 'Warning', 'FailedCreate', 'Error creating pod: exceeded quota');
    recorder.event(vmi, 'Warning', 'FailedCreate', 'Error creating pod: node not ready');
    await events.flush();
    const [first, second, ...more] = await eventsIn(s, 'prod');
    expect(first).toMatchObject({ message: 'Error creating pod: exceeded quota', count: 3, firstTimestamp: formatKubeTime(T0), lastTimestamp: formatKubeTime(later(60_000 + AGGREGATION_WINDOW_MS)) });
    expect(second).toMatchObject({ message: 'Error creating pod: node not ready', count: 1 });
    expect(more).toEqual([]);
    // More than 10 minutes after the last repeat, a repeat starts a new Event.
    clock.now = later(60_000 + 2 * AGGREGATION_WINDOW_MS + 1);
    recorder.event(vmi, 'Warning', 'FailedCreate', 'Error creating pod: exceeded quota');
    await events.flush();
    const quota = (await eventsIn(s, 'prod')).filter((e) => e.message === 'Error creating pod: exceeded quota');
    expect(quota.map((e) => [e.count, e.firstTimestamp])).toEqual([[3, formatKubeTime(T0)], [1, formatKubeTime(clock.now)]]);
  });

  it('a repeat of an Event deleted meanwhile creates it anew', async () => {
    const { store: s, events } = setup();
    const recorder = events.recorder('virtualmachine-controller');
    recorder.event(vmi, 'Normal', 'SuccessfulDelete', 'Deleted virtual machine pod p');
    await events.flush();
    const [written] = await eventsIn(s, 'prod');
    await s.delete(EVENT_TYPE, 'prod', written?.metadata.name ?? '');
    recorder.event(vmi, 'Normal', 'SuccessfulDelete', 'Deleted virtual machine pod p');
    await events.flush();
    expect((await eventsIn(s, 'prod')).map((e) => e.count)).toEqual([1]);
  });

  it('a failing API never reaches the caller: the write is logged at debug and dropped, later Events are still written', async () => {
    let failing = true;
    const { store: s, lines, events } = setup((kube) => Object.assign(Object.create(kube) as KubeApi, {
      create: async <T extends KubeObject>(object: T): Promise<T> => {
        if (failing) throw new ApiError(403, 'Forbidden', 'events is forbidden');
        return kube.create(object);
      },
    }));
    const recorder = events.recorder('virtualmachine-controller');
    expect(() => recorder.event(vmi, 'Normal', 'SuccessfulCreate', 'one')).not.toThrow();
    await events.flush();
    expect(lines.some((l) => l.includes('Could not write Event') && l.includes('"level":20'))).toBe(true);
    failing = false;
    recorder.event(vmi, 'Normal', 'SuccessfulCreate', 'two');
    await events.flush();
    expect((await eventsIn(s, 'prod')).map((e) => e.message)).toEqual(['two']);
  });

  it('one source records at most 25 Events about one object at once, then one per 5 minutes; other objects and sources are not held back', async () => {
    const { store: s, clock, events } = setup();
    const recorder = events.recorder('virtualmachinereplicaset-controller');
    const other: KubeObject = { ...vmi, metadata: { ...vmi.metadata, name: 'db', uid: 'uid-2' } };
    for (let i = 0; i < 30; i++) recorder.event(vmi, 'Normal', 'SuccessfulCreate', `Started the virtual machine by creating the new virtual machine instance web${i}`);
    recorder.event(other, 'Normal', 'SuccessfulCreate', 'about another object');
    events.recorder('virtualmachine-controller').event(vmi, 'Normal', 'SuccessfulCreate', 'from another source');
    await events.flush();
    const about = async (name: string): Promise<KubeEvent[]> => (await eventsIn(s, 'prod')).filter((e) => e.involvedObject.name === name);
    expect((await about('web')).filter((e) => e.source.component === 'virtualmachinereplicaset-controller')).toHaveLength(25);
    expect(await about('db')).toHaveLength(1);
    expect((await about('web')).filter((e) => e.source.component === 'virtualmachine-controller')).toHaveLength(1);
    clock.now = later(5 * 60 * 1000);
    recorder.event(vmi, 'Normal', 'SuccessfulCreate', 'after 5 minutes');
    recorder.event(vmi, 'Normal', 'SuccessfulCreate', 'and one more at once');
    await events.flush();
    expect((await about('web')).map((e) => e.message).filter((m) => m.includes('minutes') || m.includes('at once'))).toEqual(['after 5 minutes']);
  });

  it('a hanging API never blocks the caller; past the queue bound Events are dropped', async () => {
    const writes: KubeObject[] = [];
    const { lines, events } = setup((kube) => Object.assign(Object.create(kube) as KubeApi, {
      create: <T extends KubeObject>(object: T): Promise<T> => (writes.push(object), new Promise<T>(() => undefined)),
    }), 3);
    const recorder = events.recorder('virtualmachine-controller');
    const started = performance.now();
    for (let i = 0; i < 10; i++) recorder.event(vmi, 'Normal', 'SuccessfulCreate', `event ${i}`);
    expect(performance.now() - started).toBeLessThan(50);
    await new Promise((r) => setTimeout(r, 5));
    // One write hangs in flight, three wait in the queue, the rest were dropped.
    expect(writes).toHaveLength(1);
    expect(lines.filter((l) => l.includes('Dropped Event, the write queue was full'))).toHaveLength(6);
  });
});
