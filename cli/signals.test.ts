// untilInterrupted: the io's signal ends a command (at once when already aborted); without one,
// the first SIGTERM or SIGINT does, and the listeners are gone afterwards.
import { describe, expect, it } from 'vitest';
import { untilInterrupted } from './signals.js';

const settled = async (p: Promise<void>): Promise<boolean> => {
  let done = false;
  void p.then(() => { done = true; });
  await new Promise((r) => setImmediate(r));
  return done;
};

describe('untilInterrupted', () => {
  it('resolves at once for an already aborted signal', async () => {
    expect(await settled(untilInterrupted({ signal: AbortSignal.abort() }))).toBe(true);
  });

  it('waits for the io\'s signal, then resolves', async () => {
    const stop = new AbortController();
    const until = untilInterrupted({ signal: stop.signal });
    expect(await settled(until)).toBe(false);
    stop.abort();
    expect(await settled(until)).toBe(true);
  });

  it.each(['SIGINT', 'SIGTERM'] as const)('without a signal, %s ends it and the listeners go', async (name) => {
    const before = { SIGINT: process.listenerCount('SIGINT'), SIGTERM: process.listenerCount('SIGTERM') };
    const until = untilInterrupted({});
    expect(await settled(until)).toBe(false);
    process.emit(name);
    expect(await settled(until)).toBe(true);
    expect({ SIGINT: process.listenerCount('SIGINT'), SIGTERM: process.listenerCount('SIGTERM') }).toEqual(before);
  });
});
