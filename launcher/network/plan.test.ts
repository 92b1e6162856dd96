import { describe, expect, it } from 'vitest';
import type { Interface, VirtualMachineInstance } from '../../crd-gen/index.js';
import { newVmi, withInterface, withSpec } from '../../test/builders/vmi.js';
import { masqueradeAddresses, planPodNetwork, podInterfaceOf } from './plan.js';
import { masqueradeRuleset } from './nftables.js';
import type { PodNetworkFacts } from './pod-facts.js';
import { generatedMac } from './mac.js';

const FACTS: PodNetworkFacts = {
  name: 'eth0', ip: '10.244.0.7', prefix: 24, mac: '0a:58:0a:f4:00:07', mtu: 1450, gateway: '10.244.0.1',
  routes: [{ destination: '0.0.0.0/0', gateway: '10.244.0.1' }, { destination: '10.96.0.0/12', gateway: '10.244.0.1' }],
  nameservers: ['10.96.0.10'], searchDomains: ['mynamespace.svc.cluster.local', 'svc.cluster.local', 'cluster.local'],
};
const OWNER = { uid: 107, gid: 107 };
const plan = (iface: Interface, pod: { vmNetworkCIDR?: string } = {}, ...more: ((v: VirtualMachineInstance) => void)[]) =>
  planPodNetwork({ vmi: newVmi(withInterface(iface, { pod }), ...more), facts: FACTS, tapOwner: OWNER, queues: 1 });

describe('planPodNetwork: masquerade', () => {
  it('builds k6t-eth0 with the gateway, tap0 for the QEMU user, the guest pinned to its MAC, forwarding, NAT and the lease', () => {
    const p = plan({ name: 'default', masquerade: {}, ports: [{ port: 8080 }] });
    const mac = generatedMac('f4686d2c-6e8d-4335-b8fd-81bee22f4814/default');
    expect(p).toMatchObject({
      binding: 'masquerade', podInterface: 'eth0', bridge: 'k6t-eth0',
      nic: { interfaceName: 'default', tap: 'tap0', mac, mtu: 1450 },
      commands: [
        ['ip', 'link', 'add', 'name', 'k6t-eth0', 'address', generatedMac('f4686d2c-6e8d-4335-b8fd-81bee22f4814/k6t-eth0'), 'mtu', '1450', 'type', 'bridge'],
        ['ip', 'address', 'add', '10.0.2.1/24', 'dev', 'k6t-eth0'],
        ['ip', 'tuntap', 'add', 'dev', 'tap0', 'mode', 'tap', 'vnet_hdr', 'user', '107', 'group', '107'],
        ['ip', 'link', 'set', 'dev', 'tap0', 'mtu', '1450', 'master', 'k6t-eth0', 'up'],
        ['ip', 'link', 'set', 'dev', 'k6t-eth0', 'up'],
        ['ip', 'neigh', 'replace', '10.0.2.2', 'lladdr', mac, 'dev', 'k6t-eth0', 'nud', 'permanent'],
      ],
      sysctls: [{ key: 'net/ipv4/ip_forward', value: '1' }, { key: 'net/ipv4/conf/k6t-eth0/route_localnet', value: '1' }],
      undo: [['ip', 'link', 'del', 'dev', 'tap0'], ['ip', 'link', 'del', 'dev', 'k6t-eth0']],
      nftables: masqueradeRuleset({ podInterface: 'eth0', bridge: 'k6t-eth0', guestIp: '10.0.2.2', gatewayIp: '10.0.2.1', ports: [{ port: 8080 }] }),
      lease: {
        clientMac: mac, clientIp: '10.0.2.2', prefix: 24, serverIp: '10.0.2.1', router: '10.0.2.1', routes: [], mtu: 1450, broadcastAddress: '10.0.2.255',
        dnsServers: ['10.96.0.10'], searchDomains: FACTS.searchDomains, hostname: 'testvmi',
      },
      status: { name: 'default', mac, ipAddress: '10.244.0.7', ipAddresses: ['10.244.0.7'], infoSource: 'domain', podInterfaceName: 'eth0', queueCount: 1 },
    });
    expect(mac).toMatch(/^02(:[0-9a-f]{2}){5}$/);
  });

  it.each([
    ['the user MAC (dashes, upper case)', { name: 'default', masquerade: {}, macAddress: 'DE-AD-00-00-BE-EF' }, {}, 'nic', { mac: 'de:ad:00:00:be:ef' }],
    ['a vmNetworkCIDR', { name: 'default', masquerade: {} }, { vmNetworkCIDR: '192.168.100.0/28' }, 'lease', { clientIp: '192.168.100.2', serverIp: '192.168.100.1', prefix: 28, broadcastAddress: '192.168.100.15' }],
    ['multi-queue makes a multi_queue tap', { name: 'default', masquerade: {} }, {}, 'commands', undefined],
  ] as const)('%s', (what, iface, pod, key, expected) => {
    if (key === 'commands') {
      const p = planPodNetwork({ vmi: newVmi(withInterface(iface as Interface, { pod })), facts: FACTS, queues: 4 });
      expect(p?.commands[2]).toEqual(['ip', 'tuntap', 'add', 'dev', 'tap0', 'mode', 'tap', 'vnet_hdr', 'multi_queue']);
      expect(p?.status.queueCount).toBe(4);
      return;
    }
    expect(plan(iface as Interface, pod)?.[key], what).toMatchObject(expected as object);
  });

  it('puts the subdomain service domain first and takes the hostname, as the pod would have them', () => {
    const p = plan({ name: 'default', masquerade: {} }, {}, withSpec((s) => { s.hostname = 'web'; s.subdomain = 'sub'; }));
    expect(p?.lease.hostname).toBe('web');
    expect(p?.lease.searchDomains).toEqual(['sub.mynamespace.svc.cluster.local', ...FACTS.searchDomains]);
  });

  it.each([
    ['a /31', '10.0.0.0/31', 'spec.networks[0].pod.vmNetworkCIDR: "10.0.0.0/31" has fewer than 4 addresses'],
    ['not a CIDR', '10.0.0/24', 'spec.networks[0].pod.vmNetworkCIDR: "10.0.0/24" is not an IPv4 CIDR'],
  ])('refuses %s', (_w, cidr, message) => {
    expect(() => plan({ name: 'default', masquerade: {} }, { vmNetworkCIDR: cidr })).toThrow(message);
  });

  it('refuses a protocol nftables cannot forward, naming the port', () => {
    expect(() => plan({ name: 'default', masquerade: {}, ports: [{ port: 53, protocol: 'SCTP' }] })).toThrow('spec.domain.devices.interfaces[0].ports[0].protocol: "SCTP" is not TCP or UDP');
  });

  it.each([
    ['10.0.2.0/24', { gateway: '10.0.2.1', guest: '10.0.2.2', prefix: 24 }],
    ['10.0.2.77/24', { gateway: '10.0.2.1', guest: '10.0.2.2', prefix: 24 }],
    ['172.16.0.8/30', { gateway: '172.16.0.9', guest: '172.16.0.10', prefix: 30 }],
  ])('masquerade addresses of %s', (cidr, expected) => {
    expect(masqueradeAddresses(cidr, 'f')).toEqual(expected);
  });
});

describe('planPodNetwork: bridge', () => {
  it('moves the pod IP and MAC to the guest, the bridge gets the link-local address, the lease the pod routes', () => {
    const p = plan({ name: 'default', bridge: {} });
    const podMac = generatedMac('f4686d2c-6e8d-4335-b8fd-81bee22f4814/default/pod');
    expect(p).toMatchObject({
      binding: 'bridge', nic: { tap: 'tap0', mac: FACTS.mac, mtu: 1450 },
      commands: [
        ['ip', '-4', 'address', 'flush', 'dev', 'eth0'],
        ['ip', 'link', 'set', 'dev', 'eth0', 'down'],
        ['ip', 'link', 'set', 'dev', 'eth0', 'address', podMac],
        ['ip', 'link', 'add', 'name', 'k6t-eth0', 'address', generatedMac('f4686d2c-6e8d-4335-b8fd-81bee22f4814/k6t-eth0'), 'mtu', '1450', 'type', 'bridge'],
        ['ip', 'link', 'set', 'dev', 'eth0', 'master', 'k6t-eth0', 'up'],
        ['ip', 'address', 'add', '169.254.75.10/32', 'dev', 'k6t-eth0'],
        ['ip', 'tuntap', 'add', 'dev', 'tap0', 'mode', 'tap', 'vnet_hdr', 'user', '107', 'group', '107'],
        ['ip', 'link', 'set', 'dev', 'tap0', 'mtu', '1450', 'master', 'k6t-eth0', 'up'],
        ['ip', 'link', 'set', 'dev', 'k6t-eth0', 'up'],
        ['ip', 'route', 'replace', '10.244.0.7/32', 'dev', 'k6t-eth0'],
        ['ip', 'neigh', 'replace', '10.244.0.7', 'lladdr', FACTS.mac, 'dev', 'k6t-eth0', 'nud', 'permanent'],
      ],
      sysctls: [],
      undo: [
        ['ip', 'link', 'del', 'dev', 'tap0'],
        ['ip', 'link', 'del', 'dev', 'k6t-eth0'],
        ['ip', 'link', 'set', 'dev', 'eth0', 'down'],
        ['ip', 'link', 'set', 'dev', 'eth0', 'address', FACTS.mac],
        ['ip', 'address', 'add', '10.244.0.7/24', 'dev', 'eth0'],
        ['ip', 'link', 'set', 'dev', 'eth0', 'up'],
        ['ip', 'route', 'replace', '10.96.0.0/12', 'via', '10.244.0.1', 'dev', 'eth0'],
        ['ip', 'route', 'replace', '0.0.0.0/0', 'via', '10.244.0.1', 'dev', 'eth0'],
      ],
      lease: { clientMac: FACTS.mac, clientIp: '10.244.0.7', prefix: 24, serverIp: '169.254.75.10', router: '10.244.0.1', routes: FACTS.routes },
      status: { ipAddress: '10.244.0.7', mac: FACTS.mac },
    });
    expect(p?.nftables).toBeUndefined();
  });

  it('uses the index of the interface for the link-local address, and the user MAC', () => {
    const vmi = newVmi(withInterface({ name: 'default', bridge: {}, macAddress: '02:00:00:00:00:09' }, { pod: {} }));
    vmi.spec.domain.devices.interfaces = [{ name: 'gone', bridge: {}, state: 'absent' }, ...(vmi.spec.domain.devices.interfaces ?? [])];
    const p = planPodNetwork({ vmi, facts: FACTS, queues: 1 });
    expect(p?.lease.serverIp).toBe('169.254.75.11');
    expect(p?.nic.mac).toBe('02:00:00:00:00:09');
  });
});

describe('podInterfaceOf', () => {
  it('is undefined without a pod network interface', () => {
    const vmi = newVmi(withSpec((s) => { s.domain.devices.autoattachPodInterface = false; }));
    expect(podInterfaceOf(vmi)).toBeUndefined();
    expect(planPodNetwork({ vmi, facts: FACTS, queues: 1 })).toBeUndefined();
  });
});
