import { describe, expect, it } from 'vitest';
import { describeRoute, formatIpv4, gatewayOf, isPodAddress, overlappingRoute, overlaps, parseAnyCidr, parseIpv4, parsePodCidr, podAddresses, type Cidr, type HostRoute } from './cidr.js';

const cidr = (text: string): Cidr => {
  const parsed = parseAnyCidr(text);
  if (parsed === undefined) throw new Error(text);
  return parsed;
};

describe('parseIpv4 / formatIpv4', () => {
  it.each([
    ['10.231.0.1', '10.231.0.1'], ['0.0.0.0', '0.0.0.0'], ['255.255.255.255', '255.255.255.255'],
    ['10.231.0', undefined], ['10.231.0.256', undefined], ['10.231.0.01', undefined], ['a.b.c.d', undefined], ['10.231.0.1.2', undefined], ['', undefined],
  ])('%s → %s', (text, back) => {
    const n = parseIpv4(text);
    expect(n === undefined ? undefined : formatIpv4(n)).toBe(back);
  });
});

describe('parsePodCidr', () => {
  it.each([
    ['10.231.0.0/24', { ok: true, cidr: { network: parseIpv4('10.231.0.0'), prefix: 24 } }],
    ['10.231.0.0/16', { ok: true, cidr: { network: parseIpv4('10.231.0.0'), prefix: 16 } }],
    ['10.231.0.8/29', { ok: true, cidr: { network: parseIpv4('10.231.0.8'), prefix: 29 } }],
    ['10.231.0.1/24', { ok: false, error: '--pod-cidr 10.231.0.1/24: host bits are set; the network is 10.231.0.0/24' }],
    ['10.231.0.0/30', { ok: false, error: '--pod-cidr 10.231.0.0/30: the prefix must be /16 to /29' }],
    ['10.0.0.0/8', { ok: false, error: '--pod-cidr 10.0.0.0/8: the prefix must be /16 to /29' }],
    ['10.231.0.0', { ok: false, error: '--pod-cidr "10.231.0.0": an IPv4 CIDR is needed, e.g. 10.231.0.0/24' }],
    ['fd00::/64', { ok: false, error: '--pod-cidr "fd00::/64": an IPv4 CIDR is needed, e.g. 10.231.0.0/24' }],
    ['10.231.0.0/24/1', { ok: false, error: '--pod-cidr "10.231.0.0/24/1": an IPv4 CIDR is needed, e.g. 10.231.0.0/24' }],
    ['10.231.0.0/x', { ok: false, error: '--pod-cidr "10.231.0.0/x": an IPv4 CIDR is needed, e.g. 10.231.0.0/24' }],
  ])('%s', (text, expected) => {
    expect(parsePodCidr(text, '--pod-cidr')).toEqual(expected);
  });
});

describe('gateway and pod addresses', () => {
  it.each([
    ['10.231.0.0/24', '10.231.0.1', '10.231.0.2', '10.231.0.254'],
    ['10.231.0.0/16', '10.231.0.1', '10.231.0.2', '10.231.255.254'],
    ['10.231.0.8/29', '10.231.0.9', '10.231.0.10', '10.231.0.14'],
  ])('%s: gateway %s, pods %s to %s', (text, gateway, first, last) => {
    const c = cidr(text);
    expect(formatIpv4(gatewayOf(c))).toBe(gateway);
    const range = podAddresses(c);
    expect([formatIpv4(range.first), formatIpv4(range.last)]).toEqual([first, last]);
    expect(isPodAddress(c, gatewayOf(c))).toBe(false);
    expect(isPodAddress(c, range.last + 1)).toBe(false);
    expect(isPodAddress(c, range.first)).toBe(true);
  });
});

describe('overlaps', () => {
  it.each([
    ['10.231.0.0/24', '10.231.0.0/24', true],
    ['10.231.0.0/24', '10.231.0.128/25', true],
    ['10.231.0.0/24', '10.0.0.0/8', true],
    ['10.231.0.0/24', '10.231.1.0/24', false],
    ['10.231.0.0/24', '10.230.255.255/32', false],
    ['10.231.0.0/24', '10.231.0.255/32', true],
  ])('%s and %s: %s', (a, b, expected) => {
    expect(overlaps(cidr(a), cidr(b))).toBe(expected);
    expect(overlaps(cidr(b), cidr(a))).toBe(expected);
  });
});

describe('overlappingRoute', () => {
  // This machine's routes, as `ip -j -4 route show table all` lists them, plus a Docker bridge and ours.
  const routes: HostRoute[] = [
    { dst: 'default', dev: 'eth0' },
    { dst: '192.0.2.0/24', dev: 'eth0' },
    { dst: '172.17.0.0/16', dev: 'docker0' },
    { dst: '10.231.0.0/24', dev: 'kvt0' },
    { dst: '127.0.0.0/8', dev: 'lo', table: 'local', type: 'local' },
    { dst: '192.0.2.2', dev: 'eth0', table: 'local', type: 'local' },
    { dst: 'fe80::/64', dev: 'eth0' },
  ];
  it.each([
    ['10.231.0.0/24', 'kvt0', undefined],
    ['10.231.0.0/24', 'kvt1', '10.231.0.0/24 dev kvt0'],
    ['10.231.0.0/16', 'kvt0', undefined],
    ['172.17.5.0/24', 'kvt0', '172.17.0.0/16 dev docker0'],
    ['192.0.2.0/29', 'kvt0', '192.0.2.0/24 dev eth0'],
    ['127.1.0.0/24', 'kvt0', 'local 127.0.0.0/8 dev lo (table local)'],
    ['10.232.0.0/24', 'kvt0', undefined],
  ])('%s on bridge %s → %s', (text, bridge, expected) => {
    const found = overlappingRoute(cidr(text), routes, bridge);
    expect(found === undefined ? undefined : describeRoute(found)).toBe(expected);
  });
});
