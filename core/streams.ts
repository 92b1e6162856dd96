/**
 * Joining two byte streams into one conversation (a console relayed from one connection to the
 * next, a forwarded TCP connection): each side's bytes flow to the other with backpressure. When
 * one side's input ends, the other is ended gracefully (what was already relayed is still
 * delivered, then its end), and both are torn down once either closes or fails, or at the latest
 * a grace period after the first end, so no half of a relay outlives the other for long. No IO of
 * its own: the streams come in.
 */
import type { Duplex } from 'node:stream';

/** How long a relay may stay half-closed (one side ended, the other not yet closed) before both are torn down. */
export const HALF_CLOSE_GRACE_MS = 30_000;

/** Pipes `a` ↔ `b` until either goes away; resolves once both are closed. */
export function joinStreams(a: Duplex, b: Duplex, graceMs = HALF_CLOSE_GRACE_MS): Promise<void> {
  const closed = (s: Duplex): Promise<void> => new Promise((done) => {
    if (s.destroyed) done();
    else s.once('close', () => done());
  });
  const both = Promise.all([closed(a), closed(b)]).then(() => undefined);
  let grace: NodeJS.Timeout | undefined;
  const teardown = (): void => {
    clearTimeout(grace);
    a.destroy();
    b.destroy();
  };
  // An ended input ends the other side's output after what was piped to it (not a destroy, which would drop it).
  const ended = (other: Duplex) => (): void => {
    other.end();
    grace ??= setTimeout(teardown, graceMs).unref();
  };
  a.once('end', ended(b));
  b.once('end', ended(a));
  for (const s of [a, b]) {
    s.once('error', teardown);
    s.once('close', teardown);
  }
  a.pipe(b, { end: false });
  b.pipe(a, { end: false });
  return both;
}
