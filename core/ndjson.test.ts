import { describe, expect, it } from 'vitest';
import { createLineFramer, encodeLine, jsonObjectOf } from './ndjson.js';

/** Feeds chunks one by one; collects the lines and whether (and after which chunk) the limit tripped. */
function frame(chunks: readonly string[], max = 20): { lines: string[]; tooLongAt?: number } {
  const framer = createLineFramer(max);
  const lines: string[] = [];
  for (const [i, chunk] of chunks.entries()) {
    const out = framer.push(chunk);
    lines.push(...out.lines);
    if (out.tooLong) return { lines, tooLongAt: i };
  }
  return { lines };
}

describe('createLineFramer', () => {
  it.each<[string, string[], { lines: string[]; tooLongAt?: number }]>([
    ['one line in one chunk', ['{"a":1}\n'], { lines: ['{"a":1}'] }],
    ['a line split across chunks', ['{"a"', ':1', '}\n'], { lines: ['{"a":1}'] }],
    ['the newline alone in the next chunk', ['{"a":1}', '\n'], { lines: ['{"a":1}'] }],
    ['several lines in one chunk', ['1\n2\n3\n'], { lines: ['1', '2', '3'] }],
    ['lines and a partial one', ['1\n2\n3', '4\n'], { lines: ['1', '2', '34'] }],
    ['an unterminated line is not a line yet', ['1\n2'], { lines: ['1'] }],
    ['CRLF', ['1\r\n2\r', '\n'], { lines: ['1', '2'] }],
    ['a CR inside a line stays', ['a\rb\n'], { lines: ['a\rb'] }],
    ['empty and blank lines are skipped', ['\n\n1\n \n\t\r\n2\n'], { lines: ['1', '2'] }],
    ['an empty chunk', ['', '1\n', ''], { lines: ['1'] }],
    ['a line exactly at the limit', [`${'x'.repeat(20)}\n`], { lines: ['x'.repeat(20)] }],
    ['a complete line over the limit, after a good one', [`ok\n${'x'.repeat(21)}\nlater\n`], { lines: ['ok'], tooLongAt: 0 }],
    ['an open line growing past the limit', ['ok\n', 'x'.repeat(15), 'x'.repeat(6)], { lines: ['ok'], tooLongAt: 2 }],
    ['an open line past the limit in one chunk', ['x'.repeat(25)], { lines: [], tooLongAt: 0 }],
  ])('%s', (_name, chunks, expected) => {
    expect(frame(chunks)).toEqual(expected);
  });

  it('stays refused after a line too long: nothing later is trusted', () => {
    const framer = createLineFramer(4);
    expect(framer.push('12345')).toEqual({ lines: [], tooLong: true });
    expect(framer.push('\n1\n')).toEqual({ lines: [], tooLong: true });
  });

  it('keeps multi-byte characters whole (the edges decode UTF-8 before framing)', () => {
    expect(frame(['{"s":"grüß', ' 🙂"}\n'], 100).lines).toEqual(['{"s":"grüß 🙂"}']);
  });
});

describe('encodeLine', () => {
  it.each<[string, unknown, string]>([
    ['an object', { type: 'synced' }, '{"type":"synced"}\n'],
    ['a string with newlines', { m: 'a\nb\r\n' }, '{"m":"a\\nb\\r\\n"}\n'],
    ['null', null, 'null\n'],
    ['undefined', undefined, 'null\n'],
  ])('%s', (_name, value, line) => {
    expect(encodeLine(value)).toBe(line);
  });

  it('round-trips through the framer', () => {
    const value = { id: 1, text: 'line one\nline two' };
    const framer = createLineFramer(1000);
    const { lines } = framer.push(encodeLine(value) + encodeLine(value));
    expect(lines.map((l) => JSON.parse(l) as unknown)).toEqual([value, value]);
  });
});

describe('jsonObjectOf', () => {
  it.each<[string, unknown]>([
    ['{"a":1}', { a: 1 }],
    ['{}', {}],
    ['[]', undefined],
    ['null', undefined],
    ['"text"', undefined],
    ['42', undefined],
    ['not json', undefined],
    ['{"a":', undefined],
  ])('%s', (line, expected) => {
    expect(jsonObjectOf(line)).toEqual(expected);
  });
});
