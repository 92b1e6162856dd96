import { describe, expect, it } from 'vitest';
import { formatQuantity, isNonZeroQuantity, parseQuantity, quantityInt } from './quantity.js';

describe('quantities', () => {
  it.each([
    ['128Mi', 134217728], ['2Gi', 2147483648], ['500m', 0.5], ['1e3', 1000], ['1.5k', 1500], ['64M', 64e6], [3, 3], ['0', 0],
  ])('%s is %d base units', (q, v) => {
    expect(parseQuantity(q)).toBe(v);
  });

  it.each(['12x', '', 'Mi', '1.2.3', '1 Gi'])('%s does not parse', (q) => {
    expect(parseQuantity(q)).toBeUndefined();
  });

  it('rounds the integer value up as Quantity.Value() does', () => {
    expect(quantityInt('500m')).toBe(1);
    expect(quantityInt('1500m')).toBe(2);
    expect(quantityInt('100m')).toBe(1);
    expect(quantityInt('2')).toBe(2);
  });

  it('tells zero from set', () => {
    expect(isNonZeroQuantity('0')).toBe(false);
    expect(isNonZeroQuantity(undefined)).toBe(false);
    expect(isNonZeroQuantity('1Mi')).toBe(true);
  });

  it('formats bytes in the shortest exact binary unit', () => {
    expect(formatQuantity(4 * 2 ** 30)).toBe('4Gi');
    expect(formatQuantity(1536 * 2 ** 20)).toBe('1536Mi');
    expect(formatQuantity(1000)).toBe('1000');
  });
});
