/**
 * Joining two byte streams into one conversation (a console relayed from one connection to the
 * next): each side's bytes flow to the other with backpressure, and when either side ends, fails or
 * closes, both are torn down, so no half of a relay outlives the other. No IO of its own: the
 * streams come in.
 */
import type { Duplex } from 'node:stream';

/** Pipes `a` ↔ `b` until either goes away; resolves once both are closed. */
export function joinStreams(a: Duplex, b: Duplex): Promise<void> {
  const closed = (s: Duplex): Promise<void> => new Promise((done) => {
    if (s.destroyed) done();
    else s.once('close', () => done());
  });
  const both = Promise.all([closed(a), closed(b)]).then(() => undefined);
  const teardown = (): void => {
    a.destroy();
    b.destroy();
  };
  for (const s of [a, b]) {
    s.once('end', teardown);
    s.once('error', teardown);
    s.once('close', teardown);
  }
  a.pipe(b, { end: false });
  b.pipe(a, { end: false });
  return both;
}
