/** Waiting in tests for what a controller does on its own time. */

/** Polls `probe` every 10 ms until it gives a value; throws naming `what` after `timeoutMs`. */
export async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/**
 * Probes every `intervalMs` until `ok` holds; after `timeoutMs` throws naming `what` and the last
 * value. For states a test reads from outside (a `kvt get`, /proc, the API) rather than being told.
 */
export async function untilOk<T>(what: string, probe: () => Promise<T> | T, ok: (v: T) => boolean, timeoutMs: number, intervalMs = 500): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (ok(v)) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(v)?.slice(0, 800)}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
