/**
 * Runs one controller: every source's changes enqueue primary keys, the primary kind's existing
 * objects are enqueued once at start, and workers reconcile keys from the work queue. Errors never
 * escape: a TerminalError (or a SyncError without requeue) is logged and dropped, a 409 Conflict is
 * retried at the first backoff step, anything else is retried with per-key exponential backoff.
 * Stopping aborts the signal every reconcile gets (a leader that lost its lease must stop writing),
 * and what a reconcile throws once aborted is not an error.
 * @see https://github.com/kubevirt/kubevirt/blob/main/pkg/virt-controller/watch/vmi.go
 */
import { isConflict, KubevirtError, SyncError, TerminalError } from '../../core/errors.js';
import type { Logger } from '../../core/log.js';
import type { KeySink } from '../sources.js';
import type { ControllerDefinition, ReconcileResult } from '../contract.js';
import { WorkQueue, type WorkQueueOptions } from './workqueue.js';

/** Options of {@link runController}. */
export interface RunControllerOptions {
  readonly log: Logger;
  /** Concurrent workers. @default the definition's `workers`, else 1 */
  readonly workers?: number;
  /** The queue's timers and rate limit (tests). */
  readonly queue?: WorkQueueOptions;
}

/** A running controller. */
export interface RunningController {
  /** Shuts the queue down, aborts the reconciles' signal, waits for in-flight reconciles, then closes the reconciler. Idempotent. */
  stop(): Promise<void>;
}

/** The reason of a reconcile's aborted signal: its controller was stopped. */
export class ControllerStoppedError extends KubevirtError {
  constructor(controller: string) {
    super(`controller ${controller} stopped`);
  }
}

/** What happens to a key after its reconcile threw. */
type Retry = 'drop' | 'now' | 'backoff';

function retryOf(err: unknown): Retry {
  if (err instanceof TerminalError) return 'drop';
  if (err instanceof SyncError && !err.requeue) return 'drop';
  return isConflict(err) ? 'now' : 'backoff';
}

function settle(queue: WorkQueue, key: string, result: ReconcileResult): void {
  queue.forget(key);
  if (result.requeueAfterMs !== undefined) queue.addAfter(key, result.requeueAfterMs);
}

function fail(queue: WorkQueue, key: string, err: unknown, log: Logger): void {
  const retry = retryOf(err);
  if (retry === 'drop') {
    queue.forget(key);
    log.error({ err, key }, 'Could not reconcile, not retrying');
    return;
  }
  // A conflict only means the cache was stale: retry at the first backoff step, not growing it.
  if (retry === 'now') queue.forget(key);
  const level = retry === 'now' ? 'debug' : 'error';
  log[level]({ err, key, requeues: queue.numRequeues(key) }, 'Could not reconcile, requeued');
  queue.addRateLimited(key);
}

async function work(definition: ControllerDefinition, queue: WorkQueue, log: Logger, signal: AbortSignal): Promise<void> {
  for (let key = await queue.get(); key !== undefined; key = await queue.get()) {
    try {
      settle(queue, key, await definition.reconciler.reconcile(key, signal));
    } catch (err: unknown) {
      if (signal.aborted) log.debug({ err, key }, 'Stopped reconcile with its controller');
      else fail(queue, key, err, log);
    } finally {
      queue.done(key);
    }
  }
}

/** Starts `definition`'s workers over its primary and secondary sources. */
export function runController(definition: ControllerDefinition, options: RunControllerOptions): RunningController {
  const log = options.log.child({ controller: definition.reconciler.name });
  const queue = new WorkQueue(options.queue);
  const sink: KeySink = {
    add: (key) => queue.add(key),
    failed: (err) => log.error({ err }, 'Could not map a changed object to keys'),
  };
  const unsubscribe = [definition.primary, ...(definition.secondary ?? [])].map((source) => source.start(sink));
  definition.primary.enqueueExisting(sink);
  const stopping = new AbortController();
  const workers = Math.max(1, options.workers ?? definition.workers ?? 1);
  const loops = Array.from({ length: workers }, () => work(definition, queue, log, stopping.signal));
  const stop = async (): Promise<void> => {
    for (const off of unsubscribe) off();
    queue.shutDown();
    stopping.abort(new ControllerStoppedError(definition.reconciler.name));
    await Promise.all(loops);
    await definition.reconciler.close?.();
  };
  let stopped: Promise<void> | undefined;
  // Idempotent: a second stop waits for the first, and the reconciler is closed once.
  return { stop: () => (stopped ??= stop()) };
}
