import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { parseAnyCidr, type Cidr } from './cidr.js';
import { deleteRuleset, isNodeBridgeName, isSafeInterfaceName, nodeRuleset } from './nft-ruleset.js';

const cidr = parseAnyCidr('10.231.0.0/24') as Cidr;

describe('nodeRuleset', () => {
  it.each([
    ['host-only: nothing forwarded off the bridge or onto it, no NAT', { bridge: 'kvt0', cidr }, [
      'table inet kvt0',
      'delete table inet kvt0',
      'table inet kvt0 {',
      '  chain forward {',
      '    type filter hook forward priority filter; policy accept;',
      '    iifname "kvt0" oifname != "kvt0" drop',
      '    oifname "kvt0" iifname != "kvt0" drop',
      '  }',
      '}',
      '',
    ]],
    ['egress: the pods\' traffic out of the uplink and its replies back, masqueraded', { bridge: 'kvt0', cidr, egressUplink: 'eth0' }, [
      'table inet kvt0',
      'delete table inet kvt0',
      'table inet kvt0 {',
      '  chain forward {',
      '    type filter hook forward priority filter; policy accept;',
      '    iifname "kvt0" oifname "eth0" ip saddr 10.231.0.0/24 accept',
      '    iifname "eth0" oifname "kvt0" ip daddr 10.231.0.0/24 ct state established,related accept',
      '    iifname "kvt0" oifname != "kvt0" drop',
      '    oifname "kvt0" iifname != "kvt0" drop',
      '  }',
      '  chain postrouting {',
      '    type nat hook postrouting priority srcnat; policy accept;',
      '    oifname "eth0" ip saddr 10.231.0.0/24 masquerade',
      '  }',
      '}',
      '',
    ]],
  ])('%s', (_name, input, lines) => {
    expect(nodeRuleset(input).split('\n')).toEqual(lines);
  });

  it.each([
    ['kvt0', true], ['eth0', true], ['br-1a2b.10', true], ['enp0s31f6', true],
    ['', false], ['a"b', false], ['a b', false], ['x;drop', false], ['-eth0', false], ['abcdefghijklmnop', false], ['kvt0}', false],
  ])('interface name %j is safe: %s', (name, safe) => {
    expect(isSafeInterfaceName(name)).toBe(safe);
    if (!safe) expect(() => nodeRuleset({ bridge: 'kvt0', cidr, egressUplink: name })).toThrow('not an interface name');
  });

  it.each([['kvt0', true], ['kvt-test.1', true], ['kvtt12345', true], ['br0', false], ['kvt"', false], ['kvt0123456789abc', false]])('node bridge name %j: %s', (name, ok) => {
    expect(isNodeBridgeName(name)).toBe(ok);
    if (!ok) expect(() => nodeRuleset({ bridge: name, cidr })).toThrow('not a node bridge name');
  });

  it('is a ruleset nft accepts (checked with nft -c, nothing applied)', () => {
    for (const text of [nodeRuleset({ bridge: 'kvt0', cidr }), nodeRuleset({ bridge: 'kvt0', cidr, egressUplink: 'eth0' }), deleteRuleset('kvt0')]) {
      execFileSync('nft', ['-c', '-f', '-'], { input: text });
    }
  });
});
