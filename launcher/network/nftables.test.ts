import { describe, expect, it } from 'vitest';
import { deleteRuleset, masqueradeRuleset } from './nftables.js';

const BASE = { podInterface: 'eth0', bridge: 'k6t-eth0', guestIp: '10.0.2.2', gatewayIp: '10.0.2.1' };

describe('masqueradeRuleset', () => {
  it('forwards the declared ports only (tcp by default, udp when asked), and 127.0.0.1 for a port-forward', () => {
    expect(masqueradeRuleset({ ...BASE, ports: [{ port: 8080 }, { port: 53, protocol: 'UDP', name: 'dns' }] })).toBe(`table ip kvt_nat
delete table ip kvt_nat
table ip kvt_nat {
  chain prerouting {
    type nat hook prerouting priority -100; policy accept;
    iifname "eth0" counter jump KUBEVIRT_PREINBOUND
  }
  chain input {
    type nat hook input priority 100; policy accept;
  }
  chain output {
    type nat hook output priority -100; policy accept;
    ip daddr { 127.0.0.1 } tcp dport 8080 counter dnat to 10.0.2.2
    ip daddr { 127.0.0.1 } udp dport 53 counter dnat to 10.0.2.2
  }
  chain postrouting {
    type nat hook postrouting priority 100; policy accept;
    ip saddr 10.0.2.2 counter masquerade
    oifname "k6t-eth0" counter jump KUBEVIRT_POSTINBOUND
  }
  chain KUBEVIRT_PREINBOUND {
    tcp dport { 8080 } counter dnat to 10.0.2.2
    udp dport { 53 } counter dnat to 10.0.2.2
  }
  chain KUBEVIRT_POSTINBOUND {
    tcp dport 8080 ip saddr { 127.0.0.1 } counter snat to 10.0.2.1
    udp dport 53 ip saddr { 127.0.0.1 } counter snat to 10.0.2.1
  }
}
`);
  });

  it('forwards every port when none is declared', () => {
    const text = masqueradeRuleset({ ...BASE, ports: [] });
    expect(text).toContain('  chain KUBEVIRT_PREINBOUND {\n    counter dnat to 10.0.2.2\n  }');
    expect(text).toContain('  chain KUBEVIRT_POSTINBOUND {\n    ip saddr { 127.0.0.1 } counter snat to 10.0.2.1\n  }');
    expect(text).toContain('    ip daddr { 127.0.0.1 } counter dnat to 10.0.2.2\n');
  });

  it('deletes only our table', () => {
    expect(deleteRuleset()).toBe('table ip kvt_nat\ndelete table ip kvt_nat\n');
  });
});
