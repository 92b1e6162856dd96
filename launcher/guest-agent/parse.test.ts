import { describe, expect, it } from 'vitest';
import { MAX_AGENT_ADDRESSES, MAX_AGENT_INTERFACES, MAX_AGENT_STRING } from '../protocol/agent.js';
import { parseGuestInfo, parseHostName, parseNetworkInterfaces, parseOsInfo, parseTimezone } from './parse.js';

const reply = (value: unknown): string => JSON.stringify({ return: value });
const addr = (ip: string, type = 'ipv4'): unknown => ({ 'ip-address-type': type, 'ip-address': ip, prefix: 24 });

describe('parseNetworkInterfaces', () => {
  it.each<[string, string, unknown]>([
    ['a guest NIC with IPv4 and IPv6, loopback left out', reply([
      { name: 'lo', 'hardware-address': '00:00:00:00:00:00', 'ip-addresses': [addr('127.0.0.1')] },
      { name: 'enp1s0', 'hardware-address': '02:AA:bb:cc:dd:01', 'ip-addresses': [addr('10.0.2.2'), addr('fe80::1', 'ipv6')], statistics: {} },
    ]), [{ interfaceName: 'enp1s0', mac: '02:aa:bb:cc:dd:01', ipAddresses: ['10.0.2.2', 'fe80::1'] }]],
    ['a NIC without addresses or MAC', reply([{ name: 'wg0' }]), [{ interfaceName: 'wg0', ipAddresses: [] }]],
    ['entries that are no NIC are dropped', reply([null, 7, 'eth0', { 'hardware-address': 'x' }, { name: 3 }, { name: 'eth1', 'ip-addresses': [{ 'ip-address': 5 }, null, addr('10.1.1.1')] }]),
      [{ interfaceName: 'eth1', ipAddresses: ['10.1.1.1'] }]],
    ['an empty list', reply([]), []],
    ['not a list', reply({ name: 'eth0' }), undefined],
    ['no return member (an error reply)', JSON.stringify({ error: { class: 'CommandNotFound' } }), undefined],
    ['not JSON', 'error: Guest agent is not responding', undefined],
    ['JSON null', 'null', undefined],
  ])('%s', (_name, input, want) => {
    expect(parseNetworkInterfaces(input)).toEqual(want);
  });

  it('keeps at most the protocol bounds of NICs, addresses and characters', () => {
    const many = Array.from({ length: MAX_AGENT_INTERFACES + 5 }, (_, i) => ({
      name: `eth${i}`, 'ip-addresses': Array.from({ length: MAX_AGENT_ADDRESSES + 3 }, (_, j) => addr(`10.0.${i}.${j}`)),
    }));
    const parsed = parseNetworkInterfaces(reply(many)) ?? [];
    expect(parsed).toHaveLength(MAX_AGENT_INTERFACES);
    expect(parsed[0]?.ipAddresses).toHaveLength(MAX_AGENT_ADDRESSES);
    expect(parseNetworkInterfaces(reply([{ name: 'x'.repeat(10_000) }]))?.[0]?.interfaceName).toHaveLength(MAX_AGENT_STRING);
  });
});

describe('parseOsInfo', () => {
  it.each<[string, string, unknown]>([
    ['Debian 12', reply({
      name: 'Debian GNU/Linux', 'kernel-release': '6.1.0-28-cloud-amd64', version: '12 (bookworm)', 'pretty-name': 'Debian GNU/Linux 12 (bookworm)',
      'version-id': '12', 'kernel-version': '#1 SMP PREEMPT_DYNAMIC Debian 6.1.119-1', machine: 'x86_64', id: 'debian',
    }), {
      name: 'Debian GNU/Linux', kernelRelease: '6.1.0-28-cloud-amd64', version: '12 (bookworm)', prettyName: 'Debian GNU/Linux 12 (bookworm)',
      versionId: '12', kernelVersion: '#1 SMP PREEMPT_DYNAMIC Debian 6.1.119-1', machine: 'x86_64', id: 'debian',
    }],
    ['fields of the wrong kind are left out', reply({ id: 'debian', name: 7, version: null, machine: '' }), { id: 'debian' }],
    ['not an object', reply(['debian']), undefined],
    ['not JSON', '{"return": ', undefined],
  ])('%s', (_name, input, want) => {
    expect(parseOsInfo(input)).toEqual(want);
  });
});

describe('the small answers', () => {
  it.each<[string, unknown, unknown]>([
    ['guest-info with a version', parseGuestInfo(reply({ version: '7.2.0', supported_commands: [] })), { version: '7.2.0' }],
    ['guest-info without a version still proves the agent', parseGuestInfo(reply({})), {}],
    ['guest-info that is no object', parseGuestInfo(reply(1)), undefined],
    ['host name', parseHostName(reply({ 'host-name': 'debian-guest' })), 'debian-guest'],
    ['host name of the wrong kind', parseHostName(reply({ 'host-name': 1 })), undefined],
    ['time zone', parseTimezone(reply({ zone: 'UTC', offset: 0 })), 'UTC, 0'],
    ['time zone east of UTC', parseTimezone(reply({ zone: 'CET', offset: 3600 })), 'CET, 3600'],
    ['time zone without an offset', parseTimezone(reply({ zone: 'UTC' })), undefined],
  ])('%s', (_name, got, want) => {
    expect(got).toEqual(want);
  });
});
