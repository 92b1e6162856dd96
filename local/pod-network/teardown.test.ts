import { describe, expect, it } from 'vitest';
import { SANDBOX_DRAIN_MS, sandboxTeardown } from './teardown.js';

const NOW = new Date('2026-12-02T20:00:00Z');

describe('sandboxTeardown', () => {
  const at = (ms: number): string => new Date(NOW.getTime() + ms).toISOString();
  it.each<[string, number, string | undefined, 'remove' | 'wait' | 'kill']>([
    ['nothing left: remove', 0, at(-60_000), 'remove'],
    ['the reaper still ending QEMU, within the drain time: wait', 2, at(-SANDBOX_DRAIN_MS + 1000), 'wait'],
    ['before the deadline: wait', 1, at(10_000), 'wait'],
    ['past the drain time: kill', 2, at(-SANDBOX_DRAIN_MS), 'kill'],
    ['a pod deleted at once (no deadline): kill', 1, undefined, 'kill'],
    ['an exited launcher\'s sandbox, its reaper within the drain time: wait', 1, at(-1000), 'wait'],
  ])('%s', (_what, left, deadline, step) => {
    expect(sandboxTeardown(left, deadline, NOW)).toBe(step);
  });
});
