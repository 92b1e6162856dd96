/** Change detection: the directory watch, the polling fallback, and one reload at a time. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { watchForChanges, type ChangeWatcher } from './file-watch.js';
import { collectingLogger } from './server.testing.js';

const until = async (cond: () => boolean, ms = 3000): Promise<boolean> => {
  const end = Date.now() + ms;
  while (!cond() && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
  return cond();
};

let watcher: ChangeWatcher | undefined;
afterEach(() => watcher?.close());

describe('watchForChanges', () => {
  it('notices a change by polling alone', async () => {
    let value = 'a';
    let changes = 0;
    watcher = watchForChanges({ dirs: [], initial: 'a', fingerprint: async () => value, onChange: async () => { changes += 1; }, pollMs: 20, log: collectingLogger().log });
    await new Promise((r) => setTimeout(r, 100));
    expect(changes).toBe(0);
    value = 'b';
    expect(await until(() => changes === 1)).toBe(true);
    await new Promise((r) => setTimeout(r, 100));
    expect(changes).toBe(1);
  });

  it('notices a file written into a watched directory without waiting for the poll', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kvt-watch-'));
    try {
      let changes = 0;
      const fingerprint = async (): Promise<string> => (await import('node:fs/promises')).readdir(dir).then((n) => n.join(','));
      watcher = watchForChanges({ dirs: [dir], initial: '', fingerprint, onChange: async () => { changes += 1; }, pollMs: 600_000, log: collectingLogger().log });
      writeFileSync(join(dir, 'x.yaml'), 'a: 1\n');
      expect(await until(() => changes === 1)).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('never runs two reloads at once and sees a change made during one', async () => {
    let value = 1;
    let active = 0;
    let maxActive = 0;
    let seen: number[] = [];
    watcher = watchForChanges({
      dirs: [], initial: '1', fingerprint: async () => String(value), pollMs: 600_000, log: collectingLogger().log,
      onChange: async () => {
        active += 1;
        maxActive = Math.max(maxActive, active);
        seen = [...seen, value];
        await new Promise((r) => setTimeout(r, 30));
        active -= 1;
      },
    });
    value = 2;
    const first = watcher.check();
    const second = watcher.check();
    value = 3;
    await Promise.all([first, second, watcher.check()]);
    expect(maxActive).toBe(1);
    expect(seen.at(-1)).toBe(3);
  });

  it('logs a directory it cannot watch and keeps polling', async () => {
    const { log, lines } = collectingLogger();
    let value = 'a';
    let changes = 0;
    watcher = watchForChanges({ dirs: ['/nonexistent-kvt-dir'], initial: 'a', fingerprint: async () => value, onChange: async () => { changes += 1; }, pollMs: 20, log });
    expect(lines).toContainEqual(expect.objectContaining({ level: 40, msg: 'Could not watch directory; polling instead', dir: '/nonexistent-kvt-dir' }));
    value = 'b';
    expect(await until(() => changes === 1)).toBe(true);
  });
});
