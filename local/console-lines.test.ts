import { describe, expect, it } from 'vitest';
import { ConsoleLines, cleanLine } from './console-lines.js';

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('ConsoleLines', () => {
  it('prefixes complete lines and keeps a partial one for later', () => {
    const c = new ConsoleLines('demo | ');
    expect(c.push(bytes('booting\r\nhel'))).toEqual(['demo | booting']);
    expect(c.push(bytes('lo\n'))).toEqual(['demo | hello']);
    expect(c.push(bytes('no end'))).toEqual([]);
    expect(c.flush()).toEqual(['demo | no end']);
    expect(c.flush()).toEqual([]);
  });
  it('decodes a UTF-8 character split across chunks', () => {
    const c = new ConsoleLines('> ');
    const all = bytes('grüße\n');
    expect(c.push(all.slice(0, 3))).toEqual([]);
    expect(c.push(all.slice(3))).toEqual(['> grüße']);
  });
  it.each([
    ['\x1b[1;32mgreen\x1b[0m', 'green'],
    ['a\x1b]0;title\x07b', 'ab'],
    ['tab\tkept\r', 'tab\tkept'],
    ['bell\x07 nul\x00', 'bell nul'],
  ])('cleans %j', (line, expected) => {
    expect(cleanLine(line)).toBe(expected);
  });
});
