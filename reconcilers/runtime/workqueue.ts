/**
 * The work queue controllers drain: client-go's rate-limiting, delaying queue. A key is held once
 * while queued, never handed to two workers at once, and a key re-added while it is being processed
 * is queued again when its worker calls `done`.
 * @see https://pkg.go.dev/k8s.io/client-go/util/workqueue
 */

/** The clock and timers the queue schedules with; tests pass a manual one. */
export interface QueueTimers {
  /** Milliseconds, monotonic enough for backoff arithmetic. */
  now(): number;
  /** Runs `fn` after `ms`; returns a handle for {@link QueueTimers.cancel}. */
  schedule(fn: () => void, ms: number): unknown;
  cancel(handle: unknown): void;
}

/** Real timers. */
export const REAL_TIMERS: QueueTimers = {
  now: () => performance.now(),
  schedule: (fn, ms) => setTimeout(fn, ms),
  cancel: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/** The rate limiter's settings: the max of a per-key exponential backoff and an overall token bucket. */
export interface RateLimit {
  /** First per-key delay. @default 5 */
  readonly baseDelayMs: number;
  /** Per-key delay cap. @default 1_000_000 (1000 s) */
  readonly maxDelayMs: number;
  /** Overall tokens per second. @default 10 */
  readonly qps: number;
  /** Overall bucket size. @default 100 */
  readonly burst: number;
}

/** client-go's `DefaultControllerRateLimiter`. */
export const DEFAULT_RATE_LIMIT: RateLimit = Object.freeze({ baseDelayMs: 5, maxDelayMs: 1_000_000, qps: 10, burst: 100 });

/** Options of {@link WorkQueue}. */
export interface WorkQueueOptions {
  /** @default REAL_TIMERS */
  readonly timers?: QueueTimers;
  /** @default DEFAULT_RATE_LIMIT */
  readonly rateLimit?: Partial<RateLimit>;
}

/** A token bucket that, like Go's `rate.Limiter.Reserve`, may go into debt: the debt is the wait. */
class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly limit: RateLimit,
    private readonly now: () => number,
  ) {
    this.tokens = limit.burst;
    this.last = now();
  }

  /** Takes one token; returns how long to wait for it (0 when one was available). */
  reserve(): number {
    const t = this.now();
    this.tokens = Math.min(this.limit.burst, this.tokens + ((t - this.last) / 1000) * this.limit.qps);
    this.last = t;
    this.tokens -= 1;
    return this.tokens >= 0 ? 0 : (-this.tokens / this.limit.qps) * 1000;
  }
}

/** client-go's rate-limiting delaying FIFO of string keys. */
export class WorkQueue {
  private readonly timers: QueueTimers;
  private readonly limit: RateLimit;
  private readonly bucket: TokenBucket;
  private readonly queue: string[] = [];
  private head = 0;
  /** Keys that need processing (queued, or re-added while processing). */
  private readonly dirty = new Set<string>();
  private readonly processing = new Set<string>();
  private readonly waiting = new Map<string, { readonly at: number; readonly handle: unknown }>();
  private readonly failures = new Map<string, number>();
  private readonly getters: ((key: string | undefined) => void)[] = [];
  private shuttingDown = false;

  constructor(options: WorkQueueOptions = {}) {
    this.timers = options.timers ?? REAL_TIMERS;
    this.limit = { ...DEFAULT_RATE_LIMIT, ...options.rateLimit };
    this.bucket = new TokenBucket(this.limit, () => this.timers.now());
  }

  /** Queues `key` unless it is already queued; a key being processed is queued again on its `done`. */
  add(key: string): void {
    if (this.shuttingDown || this.dirty.has(key)) return;
    this.dirty.add(key);
    if (this.processing.has(key)) return;
    this.push(key);
  }

  /** Adds `key` after `ms`; of several pending delays for one key the earliest wins. */
  addAfter(key: string, ms: number): void {
    if (this.shuttingDown) return;
    if (ms <= 0) {
      this.add(key);
      return;
    }
    const at = this.timers.now() + ms;
    const pending = this.waiting.get(key);
    if (pending !== undefined) {
      if (pending.at <= at) return;
      this.timers.cancel(pending.handle);
    }
    const handle = this.timers.schedule(() => {
      this.waiting.delete(key);
      this.add(key);
    }, ms);
    this.waiting.set(key, { at, handle });
  }

  /** Adds `key` after its rate-limited delay: max(per-key 5 ms·2^failures up to 1000 s, token bucket). */
  addRateLimited(key: string): void {
    this.addAfter(key, this.when(key));
  }

  /** The delay {@link addRateLimited} uses; counts one more failure of `key`. */
  when(key: string): number {
    const failures = this.failures.get(key) ?? 0;
    this.failures.set(key, failures + 1);
    const backoff = Math.min(this.limit.maxDelayMs, this.limit.baseDelayMs * 2 ** failures);
    return Math.max(backoff, this.bucket.reserve());
  }

  /** Clears `key`'s failure count (its next backoff starts again at the base delay). */
  forget(key: string): void {
    this.failures.delete(key);
  }

  /** How many rate-limited re-adds `key` has had since its last `forget`. */
  numRequeues(key: string): number {
    return this.failures.get(key) ?? 0;
  }

  /** The next key to process (marked as processing until `done`); undefined once the queue shut down. */
  get(): Promise<string | undefined> {
    if (this.shuttingDown) return Promise.resolve(undefined);
    const key = this.pop();
    if (key !== undefined) return Promise.resolve(key);
    return new Promise((resolve) => this.getters.push(resolve));
  }

  /** Ends processing of `key`; requeues it if it was added meanwhile. */
  done(key: string): void {
    this.processing.delete(key);
    if (this.dirty.has(key) && !this.shuttingDown) this.push(key);
  }

  /** Stops handing out keys: pending and future `get`s resolve to undefined; delayed adds are dropped. */
  shutDown(): void {
    this.shuttingDown = true;
    for (const { handle } of this.waiting.values()) this.timers.cancel(handle);
    this.waiting.clear();
    for (const getter of this.getters.splice(0)) getter(undefined);
  }

  /** Whether {@link shutDown} was called. */
  isShuttingDown(): boolean {
    return this.shuttingDown;
  }

  /** Keys queued and not being processed (delayed adds not counted). */
  len(): number {
    return this.queue.length - this.head;
  }

  private push(key: string): void {
    const getter = this.getters.shift();
    if (getter === undefined) {
      this.queue.push(key);
      return;
    }
    this.take(key);
    getter(key);
  }

  private pop(): string | undefined {
    if (this.head === this.queue.length) return undefined;
    const key = this.queue[this.head] as string;
    this.head += 1;
    // Compact now and then so a long-lived queue does not keep every key it ever held.
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue.splice(0, this.head);
      this.head = 0;
    }
    this.take(key);
    return key;
  }

  private take(key: string): void {
    this.dirty.delete(key);
    this.processing.add(key);
  }
}
