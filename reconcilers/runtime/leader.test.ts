import { afterEach, describe, expect, it } from 'vitest';
import { ApiError } from '../../core/errors.js';
import type { KubeApi } from '../../core/kube.js';
import { createLogger } from '../../core/log.js';
import { LEASE_TYPE, leaseExpired, nextLease, runLeaderElection, type Lease, type LeaderElection } from './leader.js';
import { createMemoryStore } from '../../store/runtime/memory.js';
import { formatKubeMicroTime } from '../../core/time.js';

const log = createLogger({ name: 'leader-test', level: 'silent' });
const T0 = new Date('2026-01-01T00:00:00.000000Z');
const at = (seconds: number): Date => new Date(T0.getTime() + seconds * 1000);
const lease = (spec: Lease['spec']): Lease => ({ ...LEASE_TYPE, metadata: { name: 'l', namespace: 'kubevirt' }, spec });

describe('nextLease', () => {
  const held = { holderIdentity: 'a', leaseDurationSeconds: 15, acquireTime: formatKubeMicroTime(T0), renewTime: formatKubeMicroTime(T0), leaseTransitions: 2 };
  it.each([
    { what: 'absent lease: take it, 0 transitions', current: undefined, me: 'b', now: at(0), holder: 'b', transitions: 0 },
    { what: 'held by another, fresh: wait', current: lease(held), me: 'b', now: at(15), holder: undefined, transitions: undefined },
    { what: 'held by another, expired: take it, count a transition', current: lease(held), me: 'b', now: at(15.001), holder: 'b', transitions: 3 },
    { what: 'held by us: renew, same transitions', current: lease(held), me: 'a', now: at(5), holder: 'a', transitions: 2 },
    { what: 'released (empty holder): take it', current: lease({ ...held, holderIdentity: '' }), me: 'b', now: at(1), holder: 'b', transitions: 3 },
  ])('$what', ({ current, me, now, holder, transitions }) => {
    const spec = nextLease(current, me, 15, now);
    expect(spec?.holderIdentity).toBe(holder);
    expect(spec?.leaseTransitions).toBe(transitions);
    if (spec !== undefined) expect(spec.renewTime).toBe(formatKubeMicroTime(now));
  });

  it('keeps acquireTime on renewal and resets it on takeover', () => {
    expect(nextLease(lease(held), 'a', 15, at(5))?.acquireTime).toBe(formatKubeMicroTime(T0));
    expect(nextLease(lease(held), 'b', 15, at(20))?.acquireTime).toBe(formatKubeMicroTime(at(20)));
  });

  it('treats a lease without times as expired', () => {
    expect(leaseExpired({ holderIdentity: 'a' }, T0)).toBe(true);
  });
});

describe('runLeaderElection on the in-memory store', () => {
  const running: LeaderElection[] = [];
  afterEach(async () => {
    await Promise.all(running.splice(0).map((e) => e.stop()));
  });

  const timing = { leaseDurationSeconds: 1, renewDeadlineSeconds: 0.5, retryPeriodSeconds: 0.05 };
  function candidate(kube: KubeApi, identity: string, events: string[]): LeaderElection {
    const e = runLeaderElection({
      kube, namespace: 'kubevirt', name: 'virt-controller', identity, ...timing, now: () => new Date(), log,
      onStartedLeading: () => events.push(`${identity} started`),
      onStoppedLeading: () => events.push(`${identity} stopped`),
    });
    running.push(e);
    return e;
  }
  async function until(check: () => boolean, ms: number): Promise<number> {
    const start = Date.now();
    while (!check()) {
      if (Date.now() - start > ms) throw new Error(`not within ${ms} ms`);
      await new Promise((r) => setTimeout(r, 10));
    }
    return Date.now() - start;
  }

  it('elects exactly one of two candidates; the other takes over after stop() releases the lease', async () => {
    const store = createMemoryStore({ admission: false });
    const events: string[] = [];
    const a = candidate(store, 'a', events);
    const b = candidate(store, 'b', events);
    await until(() => a.isLeader() || b.isLeader(), 1000);
    await new Promise((r) => setTimeout(r, 300));
    expect([a.isLeader(), b.isLeader()].filter(Boolean)).toHaveLength(1);
    const [leader, follower] = a.isLeader() ? [a, b] : [b, a];
    const held = await store.get<Lease>(LEASE_TYPE, 'kubevirt', 'virt-controller');
    expect(held.spec?.holderIdentity).toBe(leader === a ? 'a' : 'b');
    await leader.stop();
    expect(leader.isLeader()).toBe(false);
    const took = await until(() => follower.isLeader(), 1000);
    expect(took).toBeLessThan(500); // released: no need to wait out the lease
    expect(events).toHaveLength(3);
    expect(events[1]).toMatch(/stopped$/);
  });

  it('a crashed leader (no release) is replaced within the lease duration', async () => {
    const store = createMemoryStore({ admission: false });
    let frozen = false;
    const crashing: KubeApi = new Proxy(store, {
      get: (target, prop, receiver): unknown => {
        const value: unknown = Reflect.get(target, prop, receiver);
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => (frozen ? new Promise(() => undefined) : (value as (...a: unknown[]) => unknown).apply(target, args));
      },
    });
    const events: string[] = [];
    const a = candidate(crashing, 'a', events);
    await until(() => a.isLeader(), 1000);
    const b = candidate(store, 'b', events);
    await new Promise((r) => setTimeout(r, 200));
    expect(b.isLeader()).toBe(false);
    frozen = true; // a's calls hang from now on, as with a partitioned or frozen process
    const start = Date.now();
    await until(() => b.isLeader(), 2000);
    expect(Date.now() - start).toBeLessThan(1500);
    await until(() => !a.isLeader(), 1000); // a stepped down after its renew deadline
    expect(events).toEqual(['a started', 'a stopped', 'b started']);
    const held = await store.get<Lease>(LEASE_TYPE, 'kubevirt', 'virt-controller');
    expect(held.spec).toMatchObject({ holderIdentity: 'b', leaseTransitions: 1 });
  });

  it('a leader whose renewals fail steps down after the renew deadline and ends its election', async () => {
    const store = createMemoryStore({ admission: false });
    let failing = false;
    const flaky: KubeApi = {
      ...store,
      get: (type, ns, name) => store.get(type, ns, name),
      create: (o, opts) => store.create(o, opts),
      update: (o, opts) => (failing ? Promise.reject(new ApiError(503, 'ServiceUnavailable', 'etcd is down')) : store.update(o, opts)),
    };
    const events: string[] = [];
    const a = candidate(flaky, 'a', events);
    await until(() => a.isLeader(), 1000);
    failing = true;
    const took = await until(() => !a.isLeader(), 1500);
    expect(took).toBeGreaterThanOrEqual(400);
    await a.done;
    expect(events).toEqual(['a started', 'a stopped']);
  });

  it('refuses inconsistent timing', () => {
    const store = createMemoryStore({ admission: false });
    const base = { kube: store, namespace: 'n', name: 'l', identity: 'a', now: () => new Date(), log, onStartedLeading: () => undefined, onStoppedLeading: () => undefined };
    expect(() => runLeaderElection({ ...base, leaseDurationSeconds: 5, renewDeadlineSeconds: 5 })).toThrow(/leaseDurationSeconds/);
    expect(() => runLeaderElection({ ...base, renewDeadlineSeconds: 2, retryPeriodSeconds: 2 })).toThrow(/renewDeadlineSeconds/);
  });
});
