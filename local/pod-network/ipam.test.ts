import { describe, expect, it } from 'vitest';
import { parseAnyCidr, type Cidr } from './cidr.js';
import { chooseAddress, leaseText, orphanLeases, parseLease, type Lease } from './ipam.js';

const cidr = (text: string): Cidr => parseAnyCidr(text) as Cidr;

describe('lease files', () => {
  it.each([
    [{ podUid: 'uid-1', owner: 'kvt-daemon:/var/lib/kvt' }],
    [{ podUid: 'uid-2' }],
  ])('%j round-trips', (lease) => {
    expect(parseLease(leaseText(lease))).toEqual(lease);
  });
  it.each([
    ['3f2a-uid\n', { podUid: '3f2a-uid' }],
    ['', undefined],
    ['{"podUid":', undefined],
    ['{"owner":"x"}', undefined],
    ['{"podUid":""}', undefined],
    ['two words', undefined],
  ])('%j reads as %j', (text, lease) => {
    expect(parseLease(text)).toEqual(lease);
  });
});

describe('chooseAddress', () => {
  const leases = (entries: Record<string, Lease | undefined>): Map<string, Lease | undefined> => new Map(Object.entries(entries));
  it.each([
    ['a fresh network gives the first pod address', '10.231.0.0/24', {}, 'a', { kind: 'free', first: '10.231.0.2', count: 253 }],
    ['a pod keeps the address it holds', '10.231.0.0/24', { '10.231.0.7': { podUid: 'a' } }, 'a', { kind: 'held', address: '10.231.0.7' }],
    ['taken addresses and unreadable leases are skipped', '10.231.0.0/24', { '10.231.0.2': { podUid: 'b' }, '10.231.0.3': undefined }, 'a', { kind: 'free', first: '10.231.0.4', count: 251 }],
    ['files that are not addresses are not held', '10.231.0.0/24', { lock: { podUid: 'a' } }, 'a', { kind: 'free', first: '10.231.0.2', count: 253 }],
    ['a full network', '10.231.0.8/29', Object.fromEntries(['10', '11', '12', '13', '14'].map((h) => [`10.231.0.${h}`, { podUid: h }])), 'a', { kind: 'full' }],
  ])('%s', (_name, text, entries, uid, expected) => {
    const choice = chooseAddress(cidr(text), leases(entries as Record<string, Lease | undefined>), uid);
    const summary = choice.kind === 'free' ? { kind: 'free', first: choice.candidates[0], count: choice.candidates.length } : choice;
    expect(summary).toEqual(expected);
  });

  // A /29's pod addresses: .10 (gateway .9) … .14.
  const small = cidr('10.231.0.8/29');
  it.each<[string, Record<string, Lease | undefined>, string | undefined, string[]]>([
    ['no last address: from the first', {}, undefined, ['10.231.0.10', '10.231.0.11', '10.231.0.12', '10.231.0.13', '10.231.0.14']],
    ['after the last handed out, wrapping to the first', {}, '10.231.0.12', ['10.231.0.13', '10.231.0.14', '10.231.0.10', '10.231.0.11', '10.231.0.12']],
    ['an address just freed comes last', { '10.231.0.10': { podUid: 'b' } }, '10.231.0.11', ['10.231.0.12', '10.231.0.13', '10.231.0.14', '10.231.0.11']],
    ['the last address of the range: wraps', {}, '10.231.0.14', ['10.231.0.10', '10.231.0.11', '10.231.0.12', '10.231.0.13', '10.231.0.14']],
    ['a last address outside the range (the CIDR changed): from the first', {}, '10.231.1.40', ['10.231.0.10', '10.231.0.11', '10.231.0.12', '10.231.0.13', '10.231.0.14']],
    ['an unreadable last address: from the first', {}, 'garbage', ['10.231.0.10', '10.231.0.11', '10.231.0.12', '10.231.0.13', '10.231.0.14']],
  ])('round robin, as host-local: %s', (_name, entries, lastReserved, candidates) => {
    expect(chooseAddress(small, leases(entries), 'a', lastReserved)).toEqual({ kind: 'free', candidates });
  });
});

describe('orphanLeases', () => {
  it('finds this owner\'s leases of pods that are gone, and no one else\'s', () => {
    const leases = new Map<string, Lease | undefined>([
      ['10.231.0.2', { podUid: 'kept', owner: 'me' }],
      ['10.231.0.3', { podUid: 'gone', owner: 'me' }],
      ['10.231.0.4', { podUid: 'theirs', owner: 'other' }],
      ['10.231.0.5', { podUid: 'agent' }],
      ['10.231.0.6', undefined],
    ]);
    expect(orphanLeases(leases, 'me', new Set(['kept']))).toEqual([{ address: '10.231.0.3', podUid: 'gone' }]);
  });
});
