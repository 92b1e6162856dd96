import { describe, expect, it } from 'vitest';
import { parseIpAddrJson, parseIpRouteJson, parseResolvConf } from './pod-facts.js';
import { formatMask, parseCidr, parseIpv4 } from './ipv4.js';

const ADDR = JSON.stringify([
  { ifindex: 1, ifname: 'lo', mtu: 65536, address: '00:00:00:00:00:00', addr_info: [{ family: 'inet', local: '127.0.0.1', prefixlen: 8 }] },
  { ifindex: 2, ifname: 'eth0', mtu: 1450, address: '0a:58:0a:f4:00:07', addr_info: [
    { family: 'inet6', local: 'fe80::1', prefixlen: 64 }, { family: 'inet', local: '10.244.0.7', prefixlen: 24 }] },
]);

describe('pod facts', () => {
  it.each([
    ['eth0 with its IPv4 address', ADDR, 'eth0', { name: 'eth0', ip: '10.244.0.7', prefix: 24, mac: '0a:58:0a:f4:00:07', mtu: 1450 }],
    ['no such interface', ADDR, 'eth1', undefined],
    ['loopback only has no pod address', ADDR, 'lo', undefined],
    ['not JSON', 'Device "eth0" does not exist.', 'eth0', undefined],
    ['an interface without IPv4', JSON.stringify([{ ifname: 'eth0', mtu: 1500, address: '0a:58:0a:f4:00:07', addr_info: [] }]), 'eth0', undefined],
  ])('ip -j addr: %s', (_w, text, name, expected) => {
    expect(parseIpAddrJson(text, name)).toEqual(expected);
  });

  it('ip -j route: the default and other routes, not the connected one', () => {
    const text = JSON.stringify([
      { dst: 'default', gateway: '10.244.0.1', dev: 'eth0', flags: [] },
      { dst: '10.244.0.0/24', dev: 'eth0', protocol: 'kernel', scope: 'link', prefsrc: '10.244.0.7', flags: [] },
      { dst: '10.96.0.0/12', gateway: '10.244.0.1', dev: 'eth0', flags: [] },
      { dst: '192.168.1.1', dev: 'eth0', scope: 'link', flags: [] },
    ]);
    expect(parseIpRouteJson(text, '10.244.0.7')).toEqual([
      { destination: '0.0.0.0/0', gateway: '10.244.0.1' }, { destination: '10.96.0.0/12', gateway: '10.244.0.1' }, { destination: '192.168.1.1/32' },
    ]);
    expect(parseIpRouteJson('garbage', '10.244.0.7')).toEqual([]);
  });

  it.each([
    ['Kubernetes pod resolv.conf', 'search ns.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5\n',
      { nameservers: ['10.96.0.10'], searchDomains: ['ns.svc.cluster.local', 'svc.cluster.local', 'cluster.local'] }],
    ['comments, IPv6 servers skipped, the last search line wins', '# x\nnameserver ::1\nnameserver 1.1.1.1 # y\nsearch a\nsearch b. c\n',
      { nameservers: ['1.1.1.1'], searchDomains: ['b', 'c'] }],
    ['empty', '', { nameservers: [], searchDomains: [] }],
  ])('resolv.conf: %s', (_w, text, expected) => {
    expect(parseResolvConf(text)).toEqual(expected);
  });

  it.each([
    ['10.0.2.1', 0x0a000201], ['255.255.255.255', 0xffffffff], ['0.0.0.0', 0], ['256.0.0.1', undefined], ['01.2.3.4', undefined], ['1.2.3', undefined],
  ])('parseIpv4(%s)', (text, n) => {
    expect(parseIpv4(text)).toBe(n);
  });

  it('masks and CIDRs', () => {
    expect([formatMask(24), formatMask(0), formatMask(32), formatMask(28)]).toEqual(['255.255.255.0', '0.0.0.0', '255.255.255.255', '255.255.255.240']);
    expect(parseCidr('10.0.2.0/24', 'f')).toEqual({ address: 0x0a000200, prefix: 24 });
    expect(() => parseCidr('10.0.2.0/33', 'spec.x')).toThrow('spec.x: "10.0.2.0/33" is not an IPv4 CIDR');
  });
});
