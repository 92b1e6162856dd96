// findProgram: the first directory holding the program wins; empty entries are skipped.
import { describe, expect, it } from 'vitest';
import { findProgram } from './program-path.js';

// 'swtpm' alone is what an empty entry would join to: found only if empty entries were not skipped.
const files = new Set(['/usr/sbin/nft', '/usr/bin/ip', '/sbin/ip', '/bin/swtpm', 'swtpm']);
const probe = (file: string): Promise<boolean> => Promise.resolve(files.has(file));

describe('findProgram', () => {
  it.each([
    ['found in the only directory holding it', 'nft', ['/usr/bin', '/usr/sbin'], '/usr/sbin/nft'],
    ['the first of two directories wins', 'ip', ['/usr/bin', '/sbin'], '/usr/bin/ip'],
    ['order decides, not the directory', 'ip', ['/sbin', '/usr/bin'], '/sbin/ip'],
    ['empty entries are skipped (not the working directory)', 'swtpm', ['', '/bin'], '/bin/swtpm'],
    ['absent everywhere', 'swtpm_setup', ['/usr/bin', '/bin'], undefined],
    ['no directories', 'ip', [], undefined],
    ['only empty entries', 'ip', ['', ''], undefined],
  ])('%s', async (_what, program, dirs, expected) => {
    expect(await findProgram(program, dirs, probe)).toBe(expected);
  });

  it('stops probing at the first hit', async () => {
    const probed: string[] = [];
    await findProgram('ip', ['/usr/bin', '/sbin'], (f) => { probed.push(f); return probe(f); });
    expect(probed).toEqual(['/usr/bin/ip']);
  });
});
