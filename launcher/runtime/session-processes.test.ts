import { describe, expect, it } from 'vitest';
import { environmentPointsInto, isProcessAlive } from './session-processes.js';

describe('environmentPointsInto', () => {
  const dirs = ['/run/kvt/a/run', '/run/kvt/a/data'];
  it.each([
    ['HOME=/run/kvt/a/data\0PATH=/usr/bin\0', true],
    ['XDG_CACHE_HOME=/run/kvt/a/run/libvirt/x\0', true],
    ['HOME=/run/kvt/a/database\0', false], // a sibling with the same prefix is not inside
    ['HOME=/root\0OLDPWD=/run/kvt/b/run\0', false],
    ['', false],
  ])('%j → %s', (environ, expected) => {
    expect(environmentPointsInto(environ, dirs)).toBe(expected);
  });
});

describe('isProcessAlive', () => {
  it('sees this process and not a pid that cannot exist', async () => {
    expect(await isProcessAlive(process.pid)).toBe(true);
    expect(await isProcessAlive(2 ** 22 + 1)).toBe(false);
  });
});
