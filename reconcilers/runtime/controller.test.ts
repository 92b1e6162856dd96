import { afterEach, describe, expect, it } from 'vitest';
import { ApiError, TerminalError } from '../../core/errors.js';
import type { KubeObject } from '../../core/kube.js';
import { createLogger } from '../../core/log.js';
import { createMemoryStore, type MemoryStore } from '../../store/runtime/memory.js';
import { ControllerStoppedError, runController, type RunningController } from './controller.js';
import { createInformer, type Informer } from './informer.js';
import { startControllers } from './manager.js';
import { primary } from '../sources.js';
import { DONE, type ReconcileResult } from '../contract.js';

const CM = { apiVersion: 'v1', kind: 'ConfigMap' } as const;
const log = createLogger({ name: 'test', level: 'silent' });
const cm = (name: string): KubeObject => ({ ...CM, metadata: { name, namespace: 'default' } });
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const until = async (check: () => boolean, ms = 3000): Promise<void> => {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not reached');
    await sleep(2);
  }
};

let running: RunningController | undefined;
let informer: Informer | undefined;
afterEach(async () => {
  await running?.stop();
  informer?.stop();
});

/** A store with `names` and a synced informer on it. */
async function setup(...names: string[]): Promise<{ store: MemoryStore; informer: Informer }> {
  const store = createMemoryStore({ admission: false });
  for (const n of names) await store.create(cm(n));
  informer = createInformer(store, CM);
  await informer.start();
  return { store, informer };
}

function run(cache: Informer, reconcile: (key: string, signal: AbortSignal) => Promise<ReconcileResult>): void {
  running = runController({ reconciler: { name: 'test', reconcile }, primary: primary(cache) }, { log });
}

describe('runController', () => {
  it('reconciles every existing primary object once at start, and changed ones after', async () => {
    const { store, informer: cache } = await setup('a', 'b');
    const calls: string[] = [];
    run(cache, async (key) => (calls.push(key), DONE));
    await until(() => calls.length === 2);
    expect(calls.sort()).toEqual(['default/a', 'default/b']);
    await store.create(cm('c'));
    await until(() => calls.length === 3);
    expect(calls[2]).toBe('default/c');
  });

  it('requeues a failing key with growing backoff, and forgets it after a success', async () => {
    const { informer: cache } = await setup('a');
    const at: number[] = [];
    run(cache, async () => {
      at.push(performance.now());
      if (at.length < 5) throw new Error('transient');
      return DONE;
    });
    await until(() => at.length === 5);
    const gaps = at.slice(1).map((t, i) => t - (at[i] as number));
    // 5, 10, 20, 40 ms: each wait at least the backoff step, and the last clearly longer than the first.
    [5, 10, 20, 40].forEach((step, i) => expect(gaps[i]).toBeGreaterThanOrEqual(step - 1));
    expect(gaps[3]).toBeGreaterThan(gaps[0] as number);
    await sleep(100);
    expect(at.length).toBe(5);
  });

  it('does not requeue after a TerminalError', async () => {
    const { informer: cache } = await setup('a');
    let calls = 0;
    run(cache, async () => {
      calls += 1;
      throw new TerminalError('cannot ever work');
    });
    await until(() => calls === 1);
    await sleep(60);
    expect(calls).toBe(1);
  });

  it('retries a Conflict at the first backoff step each time', async () => {
    const { informer: cache } = await setup('a');
    const at: number[] = [];
    run(cache, async () => {
      at.push(performance.now());
      if (at.length < 6) throw new ApiError(409, 'Conflict', 'the object has been modified');
      return DONE;
    });
    await until(() => at.length === 6);
    // Growing backoff would take 5+10+20+40+80 = 155 ms; conflicts stay at ~5 ms each.
    expect((at[5] as number) - (at[0] as number)).toBeLessThan(150);
  });

  it('honours requeueAfterMs', async () => {
    const { informer: cache } = await setup('a');
    const at: number[] = [];
    run(cache, async () => {
      at.push(performance.now());
      return at.length === 1 ? { requeueAfterMs: 40 } : DONE;
    });
    await until(() => at.length === 2);
    expect((at[1] as number) - (at[0] as number)).toBeGreaterThanOrEqual(39);
    await sleep(80);
    expect(at.length).toBe(2);
  });

  it('two changes of a key while it is reconciled give exactly one more reconcile, never concurrent', async () => {
    const { store, informer: cache } = await setup('a');
    let active = 0;
    let maxActive = 0;
    let calls = 0;
    let release = (): void => undefined;
    const firstHeld = new Promise<void>((r) => (release = r));
    run(cache, async () => {
      calls += 1;
      active += 1;
      maxActive = Math.max(maxActive, active);
      if (calls === 1) await firstHeld;
      active -= 1;
      return DONE;
    });
    await until(() => calls === 1);
    const a = await store.get<KubeObject>(CM, 'default', 'a');
    const a2 = await store.update({ ...a, metadata: { ...a.metadata, labels: { n: '1' } } });
    await store.update({ ...a2, metadata: { ...a2.metadata, labels: { n: '2' } } });
    await until(() => cache.get('default/a')?.metadata.labels?.n === '2');
    release();
    await until(() => calls === 2);
    await sleep(40);
    expect(calls).toBe(2);
    expect(maxActive).toBe(1);
  });

  it('stop waits for the reconcile in flight', async () => {
    const { informer: cache } = await setup('a');
    let finished = false;
    run(cache, async () => {
      await sleep(30);
      finished = true;
      return DONE;
    });
    await sleep(5);
    await running?.stop();
    running = undefined;
    expect(finished).toBe(true);
  });
});

describe('runController stop', () => {
  it('aborts the signal of a slow reconcile, which ends at once; what it throws then is not retried', async () => {
    const { informer: cache } = await setup('a');
    let calls = 0;
    let seen: AbortSignal | undefined;
    run(cache, async (_key, signal) => {
      calls += 1;
      seen = signal;
      // A long wait that honours the signal, as a launcher reply would.
      await new Promise((resolve, reject) => {
        const timer = setTimeout(resolve, 10_000);
        signal.addEventListener('abort', () => { clearTimeout(timer); reject(signal.reason); }, { once: true });
      });
      return DONE;
    });
    await until(() => seen !== undefined);
    expect(seen?.aborted).toBe(false);
    const started = performance.now();
    await running?.stop();
    running = undefined;
    expect(performance.now() - started).toBeLessThan(1000);
    expect(seen?.aborted).toBe(true);
    expect(seen?.reason).toBeInstanceOf(ControllerStoppedError);
    await sleep(30);
    expect(calls).toBe(1);
  });

  it('closes the reconciler once, after the reconcile in flight ended', async () => {
    const { informer: cache } = await setup('a');
    const order: string[] = [];
    running = runController({
      reconciler: {
        name: 'closing',
        reconcile: async () => (await sleep(20), order.push('reconciled'), DONE),
        close: async () => void order.push('closed'),
      },
      primary: primary(cache),
    }, { log });
    await sleep(5);
    await Promise.all([running.stop(), running.stop()]);
    await running.stop();
    running = undefined;
    expect(order).toEqual(['reconciled', 'closed']);
  });

  it('a reconcile that checks the signal after an await does not act once stopped', async () => {
    const { informer: cache } = await setup('a');
    const acted: string[] = [];
    let entered = false;
    run(cache, async (key, signal) => {
      entered = true;
      await sleep(30);
      signal.throwIfAborted();
      acted.push(key);
      return DONE;
    });
    await until(() => entered);
    await running?.stop();
    running = undefined;
    expect(acted).toEqual([]);
  });
});

describe('startControllers', () => {
  it('starts workers only after every informer synced', async () => {
    const store = createMemoryStore({ admission: false });
    await store.create(cm('a'));
    const first = createInformer(store, CM);
    const second = createInformer(store, { apiVersion: 'v1', kind: 'Secret' });
    const syncedAtReconcile: boolean[] = [];
    const manager = await startControllers({
      informers: [first, second],
      controllers: [{ reconciler: { name: 't', reconcile: async () => (syncedAtReconcile.push(first.hasSynced() && second.hasSynced()), DONE) }, primary: primary(first) }],
      log,
    });
    await until(() => syncedAtReconcile.length === 1);
    expect(syncedAtReconcile).toEqual([true]);
    await manager.stop();
  });
});
