/**
 * Test scaffolding for the node handler's tests until they run on the controller runtime
 * (reconcilers/runtime): a list+watch VMI cache and a minimal driver that reconciles each source
 * change per key, one at a time, honouring requeueAfterMs and retrying errors.
 */
import type { Cache } from '../../../core/cache.js';
import { objectKey, type KubeApi, type Watch } from '../../../core/kube.js';
import { Gvk, type VirtualMachineInstance } from '../../../crd-gen/index.js';
import type { ControllerDefinition } from '../../contract.js';
import type { KeySink } from '../../sources.js';

const VMI_TYPE = Gvk.VirtualMachineInstance;

/** A list+watch cache of VMIs (test scaffolding until the runtime's informer is used here). */
export async function vmiCache(kube: KubeApi): Promise<Cache<VirtualMachineInstance> & { stop(): void }> {
  const items = new Map<string, VirtualMachineInstance>();
  const handlers = new Set<(o: VirtualMachineInstance, p: VirtualMachineInstance | undefined, d: boolean) => void>();
  const listed = await kube.list<VirtualMachineInstance>(VMI_TYPE);
  for (const v of listed.items) items.set(objectKey(v), v);
  const watch: Watch = await kube.watch<VirtualMachineInstance>(VMI_TYPE, { resourceVersion: listed.resourceVersion }, (e) => {
    if (e.type === 'BOOKMARK') return;
    const key = objectKey(e.object);
    const previous = items.get(key);
    if (e.type === 'DELETED') items.delete(key);
    else items.set(key, e.object);
    for (const h of handlers) h(e.object, previous, e.type === 'DELETED');
  });
  return {
    get: (key) => items.get(key),
    list: () => [...items.values()],
    controlledBy: () => [],
    uncontrolled: () => [],
    onChange: (h) => { handlers.add(h); return () => handlers.delete(h); },
    hasSynced: () => true,
    stop: () => watch.stop(),
  };
}

/** Runs a definition: each source change reconciles its keys, one at a time per key, honouring requeueAfterMs; stop aborts the reconciles' signal. */
export function drive(def: ControllerDefinition): { stop(): void; errors: unknown[] } {
  const chains = new Map<string, Promise<void>>();
  const timers = new Set<NodeJS.Timeout>();
  const errors: unknown[] = [];
  let stopped = false;
  const stopping = new AbortController();
  const run = (key: string): void => {
    if (stopped) return;
    const next = (chains.get(key) ?? Promise.resolve()).then(async () => {
      if (stopped) return;
      try {
        const result = await def.reconciler.reconcile(key, stopping.signal);
        if (result.requeueAfterMs !== undefined) {
          const t = setTimeout(() => { timers.delete(t); run(key); }, result.requeueAfterMs);
          timers.add(t);
        }
      } catch (e) {
        if (stopping.signal.aborted) return;
        errors.push(e);
        const t = setTimeout(() => { timers.delete(t); run(key); }, 20);
        timers.add(t);
      }
    });
    chains.set(key, next);
  };
  const sink: KeySink = { add: run, failed: (e) => errors.push(e) };
  const unsubscribes = [def.primary, ...(def.secondary ?? [])].map((source) => source.start(sink));
  def.primary.enqueueExisting(sink);
  return { errors, stop: () => { stopped = true; stopping.abort(); for (const u of unsubscribes) u(); for (const t of timers) clearTimeout(t); } };
}


/** Polls `probe` until it returns a value (not undefined); fails naming `what` after `timeoutMs`. */
export async function until<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 8000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((d) => setTimeout(d, 20));
  }
}
