import { describe, expect, it } from 'vitest';
import { splitAtEscape } from './console-escape.js';

describe('splitAtEscape', () => {
  it.each([
    [[0x6c, 0x73, 0x0d], [0x6c, 0x73, 0x0d], false],
    [[0x6c, 0x1d, 0x73], [0x6c], true],
    [[0x1d], [], true],
    [[], [], false],
  ])('%j → sends %j, escaped %s', (input, send, escaped) => {
    const out = splitAtEscape(Uint8Array.from(input));
    expect([...out.send]).toEqual(send);
    expect(out.escaped).toBe(escaped);
  });
});
