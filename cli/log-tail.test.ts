import { describe, expect, it } from 'vitest';
import { lastLines } from './log-tail.js';

describe('lastLines', () => {
  it.each<[string, number, string]>([
    ['a\nb\nc\n', -1, 'a\nb\nc\n'],
    ['a\nb\nc\n', 2, 'b\nc\n'],
    ['a\nb\nc', 2, 'b\nc\n'],
    ['a\nb\nc\n', 10, 'a\nb\nc\n'],
    ['a\nb\nc\n', 0, ''],
    ['', 3, ''],
  ])('%j --tail %d', (text, tail, expected) => expect(lastLines(text, tail)).toBe(expected));
});
