import { describe, expect, it } from 'vitest';
import { WorkQueue, type QueueTimers } from './workqueue.js';

/** A manual clock: `advance` fires due timers in time order. */
class ManualTimers implements QueueTimers {
  t = 0;
  private seq = 0;
  private readonly pending = new Map<number, { at: number; fn: () => void }>();

  now(): number {
    return this.t;
  }

  schedule(fn: () => void, ms: number): unknown {
    this.seq += 1;
    this.pending.set(this.seq, { at: this.t + ms, fn });
    return this.seq;
  }

  cancel(handle: unknown): void {
    this.pending.delete(handle as number);
  }

  advance(ms: number): void {
    const end = this.t + ms;
    for (;;) {
      const due = [...this.pending.entries()].filter(([, p]) => p.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
      if (due === undefined) break;
      this.pending.delete(due[0]);
      this.t = due[1].at;
      due[1].fn();
    }
    this.t = end;
  }

  count(): number {
    return this.pending.size;
  }
}

const queueWith = (rateLimit?: NonNullable<ConstructorParameters<typeof WorkQueue>[0]>['rateLimit']): { q: WorkQueue; timers: ManualTimers } => {
  const timers = new ManualTimers();
  return { q: new WorkQueue({ timers, rateLimit }), timers };
};

describe('WorkQueue', () => {
  it('deduplicates a key while it is queued and keeps FIFO order', async () => {
    const { q } = queueWith();
    q.add('a');
    q.add('b');
    q.add('a');
    expect(q.len()).toBe(2);
    expect(await q.get()).toBe('a');
    expect(await q.get()).toBe('b');
    expect(q.len()).toBe(0);
  });

  it('never hands out a key that is being processed; a re-add during processing comes back once on done', async () => {
    const { q } = queueWith();
    q.add('a');
    const key = await q.get();
    expect(key).toBe('a');
    q.add('a');
    q.add('a');
    expect(q.len()).toBe(0);
    let second: string | undefined = 'pending';
    const next = q.get().then((k) => (second = k));
    await Promise.resolve();
    expect(second).toBe('pending');
    q.done('a');
    await next;
    expect(second).toBe('a');
    q.done('a');
    expect(q.len()).toBe(0);
  });

  it('a done without a re-add does not requeue', async () => {
    const { q } = queueWith();
    q.add('a');
    q.done((await q.get()) as string);
    expect(q.len()).toBe(0);
  });

  it('wakes a waiting get on add', async () => {
    const { q } = queueWith();
    const got = q.get();
    q.add('x');
    expect(await got).toBe('x');
  });

  it('resolves pending and later gets to undefined after shutDown, and ignores adds', async () => {
    const { q, timers } = queueWith();
    const pending = q.get();
    q.addAfter('late', 10);
    q.shutDown();
    expect(await pending).toBeUndefined();
    q.add('a');
    expect(await q.get()).toBeUndefined();
    expect(timers.count()).toBe(0);
  });

  it('addAfter adds when the delay is over; the earliest of several delays wins', async () => {
    const { q, timers } = queueWith();
    q.addAfter('a', 100);
    q.addAfter('a', 30);
    q.addAfter('a', 200);
    timers.advance(29);
    expect(q.len()).toBe(0);
    timers.advance(1);
    expect(q.len()).toBe(1);
    timers.advance(500);
    expect(q.len()).toBe(1);
    expect(timers.count()).toBe(0);
  });

  it('addAfter with no delay adds at once', () => {
    const { q } = queueWith();
    q.addAfter('a', 0);
    expect(q.len()).toBe(1);
  });

  it.each([
    [1, 5],
    [2, 10],
    [3, 20],
    [10, 2560],
    [30, 1_000_000],
  ])('per-key backoff: failure %i waits %i ms', (n, delay) => {
    const { q } = queueWith({ burst: 1_000_000 });
    let last = 0;
    for (let i = 0; i < n; i += 1) last = q.when('k');
    expect(last).toBe(delay);
    expect(q.numRequeues('k')).toBe(n);
    expect(q.when('other')).toBe(5);
  });

  it('forget resets the backoff of one key only', () => {
    const { q } = queueWith();
    q.when('a');
    q.when('a');
    q.when('b');
    q.forget('a');
    expect(q.numRequeues('a')).toBe(0);
    expect(q.numRequeues('b')).toBe(1);
    expect(q.when('a')).toBe(5);
  });

  it('the token bucket bounds the overall rate once the burst is spent', () => {
    const { q, timers } = queueWith({ qps: 10, burst: 3 });
    const delays = ['a', 'b', 'c', 'd', 'e'].map((k) => q.when(k));
    expect(delays.slice(0, 3)).toEqual([5, 5, 5]);
    expect(delays[3]).toBeCloseTo(100);
    expect(delays[4]).toBeCloseTo(200);
    timers.advance(1000);
    expect(q.when('f')).toBe(5);
  });

  it('addRateLimited queues the key after its backoff', () => {
    const { q, timers } = queueWith();
    q.addRateLimited('a');
    q.addRateLimited('a');
    expect(q.len()).toBe(0);
    timers.advance(4);
    expect(q.len()).toBe(0);
    timers.advance(1);
    expect(q.len()).toBe(1);
  });
});
