import { describe, expect, it } from 'vitest';
import { parsePidRecord, startTicksOf } from './pid-record.js';

const fields = (comm: string): string => `4242 (${comm}) S 1 4242 4242 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 987654 12345678 300`;

describe('startTicksOf', () => {
  it.each([
    ['a plain name', fields('node'), '987654'],
    ['a name with spaces and parentheses', fields('kvt (virt) launcher'), '987654'],
    ['no parenthesis', '4242 node S 1', undefined],
    ['too short', '4242 (node) S 1 2', undefined],
  ])('%s', (_what, stat, ticks) => {
    expect(startTicksOf(stat)).toBe(ticks);
  });
});

describe('parsePidRecord', () => {
  const good = { pid: 4242, startTicks: '987654', podUid: 'p1', startedAt: '2026-12-02T20:00:00Z' };
  it.each([
    ['a record', JSON.stringify(good), good],
    ['a record with its owner', JSON.stringify({ ...good, owner: 'kvt-run:7' }), { ...good, owner: 'kvt-run:7' }],
    ['a non-string owner (dropped)', JSON.stringify({ ...good, owner: 7 }), good],
    ['not JSON', '4242', undefined],
    ['a negative pid', JSON.stringify({ ...good, pid: -1 }), undefined],
    ['a numeric start time', JSON.stringify({ ...good, startTicks: 987654 }), undefined],
    ['no pod uid', JSON.stringify({ pid: 1, startTicks: '1', startedAt: 'x' }), undefined],
    ['null', 'null', undefined],
  ])('%s', (_what, text, record) => {
    expect(parsePidRecord(text)).toEqual(record);
  });
});
