import { describe, expect, it } from 'vitest';
import { DhcpOption, encodeClasslessRoutes, encodeSearchDomains, leaseOptions, LEASE_SECONDS, type DhcpLease } from './dhcp-lease.js';
import { DhcpMessageType, MAX_DHCP_PACKET, parseDhcpRequest } from './dhcp-packet.js';
import { answerDhcp } from './dhcp-responder.js';
import { clientDatagram, replyOptions } from './dhcp.testing.js';

const MAC = '02:aa:bb:cc:dd:ee';
const LEASE: DhcpLease = {
  clientMac: MAC, clientIp: '10.0.2.2', prefix: 24, serverIp: '10.0.2.1', router: '10.0.2.1',
  dnsServers: ['10.96.0.10'], searchDomains: ['ns.svc.cluster.local', 'svc.cluster.local'], hostname: 'vm1', mtu: 1450, routes: [],
};
const ascii = (s: string): number[] => [...Buffer.from(s)];

describe('DHCP option encodings', () => {
  it.each([
    ['one domain', ['example.com'], [7, ...ascii('example'), 3, ...ascii('com'), 0]],
    ['two domains, uncompressed', ['a.b', 'c'], [1, 97, 1, 98, 0, 1, 99, 0]],
    ['none', [], []],
  ])('RFC 3397 search domains: %s', (_w, domains, bytes) => {
    expect(encodeSearchDomains(domains)).toEqual(bytes);
  });

  it.each([
    ['an upper-case domain', ['Example.com'], 'is not a valid domain name'],
    ['a label of 64 characters', [`${'a'.repeat(64)}.com`], 'is not a valid domain name'],
    ['more than 255 bytes', Array.from({ length: 30 }, (_, i) => `domain${i}.example`), 'more than a DHCP option holds'],
  ])('refuses %s', (_w, domains, message) => {
    expect(() => encodeSearchDomains(domains)).toThrow(message);
  });

  it.each([
    ['RFC 3442 example, default last', [{ destination: '0.0.0.0/0', gateway: '10.1.2.1' }, { destination: '10.0.0.0/8', gateway: '10.1.2.3' }, { destination: '192.168.1.0/24', gateway: '192.168.2.3' }],
      [8, 10, 10, 1, 2, 3, 24, 192, 168, 1, 192, 168, 2, 3, 0, 10, 1, 2, 1]],
    ['a /25 takes four octets, a route without gateway 0.0.0.0', [{ destination: '10.1.2.128/25' }], [25, 10, 1, 2, 128, 0, 0, 0, 0]],
  ])('classless routes: %s', (_w, routes, bytes) => {
    expect(encodeClasslessRoutes(routes)).toEqual(bytes);
  });

  it('puts every option of the lease in, dhcpOptions as KubeVirt maps them', () => {
    const options = leaseOptions({ ...LEASE, routes: [{ destination: '0.0.0.0/0', gateway: '10.0.2.1' }], dhcpOptions: {
      bootFileName: 'pxe.0', tftpServerName: 'tftp.local', ntpServers: ['10.0.0.5', '10.0.0.6'],
      privateOptions: [{ option: 240, value: 'extra' }, { option: 100, value: 'ignored' }],
    } });
    expect(Object.fromEntries(options)).toEqual({
      [DhcpOption.serverId]: [10, 0, 2, 1],
      [DhcpOption.leaseTime]: [0x05, 0x25, 0x0a, 0x80],
      [DhcpOption.subnetMask]: [255, 255, 255, 0],
      [DhcpOption.router]: [10, 0, 2, 1],
      [DhcpOption.dnsServers]: [10, 96, 0, 10],
      [DhcpOption.interfaceMtu]: [0x05, 0xaa],
      [DhcpOption.classlessRoutes]: [0, 10, 0, 2, 1],
      [DhcpOption.domainSearch]: encodeSearchDomains(LEASE.searchDomains),
      [DhcpOption.hostName]: ascii('vm1'),
      [DhcpOption.domainName]: ascii('ns.svc.cluster.local'),
      [DhcpOption.bootFileName]: ascii('pxe.0'),
      [DhcpOption.tftpServerName]: ascii('tftp.local'),
      [DhcpOption.ntpServers]: [10, 0, 0, 5, 10, 0, 0, 6],
      240: ascii('extra'),
    });
    expect(LEASE_SECONDS).toBe(86_313_600);
  });

  it.each([
    ['an NTP server that is not IPv4', { ntpServers: ['ntp.example'] }, 'spec.x.dhcpOptions.ntpServers[0]: "ntp.example" is not an IPv4 address'],
    ['a private option over 255 bytes', { privateOptions: [{ option: 250, value: 'x'.repeat(256) }] }, 'DHCP option 250 would be 256 bytes long'],
  ])('refuses %s', (_w, dhcpOptions, message) => {
    expect(() => leaseOptions({ ...LEASE, dhcpOptions }, 'spec.x.dhcpOptions')).toThrow(message);
  });
});

describe('parseDhcpRequest', () => {
  it('reads a DISCOVER', () => {
    const parsed = parseDhcpRequest(clientDatagram({ type: 1, mac: MAC, xid: 0xdeadbeef, broadcast: true, requested: [10, 0, 2, 2] }));
    expect(parsed.ok && parsed.message).toMatchObject({ messageType: 1, xid: 0xdeadbeef, flags: 0x8000, ciaddr: '0.0.0.0', chaddr: MAC, requestedIp: '10.0.2.2' });
  });

  const good = clientDatagram({ type: 1, mac: MAC });
  it.each([
    ['an empty datagram', new Uint8Array(0), 'shorter than a DHCP message'],
    ['a datagram cut inside the header', good.subarray(0, 100), 'shorter than a DHCP message'],
    ['a datagram cut inside an option', good.subarray(0, 245), 'runs past the end'],
    ['options without an end marker', clientDatagram({ type: 1, mac: MAC, noEnd: true }), 'no end marker'],
    ['an option whose length runs past the end', clientDatagram({ type: 1, mac: MAC, extra: [12, 200, 1, 2] }), 'option 12 runs past the end'],
    ['an oversized datagram', Uint8Array.from([...good, ...new Uint8Array(MAX_DHCP_PACKET)]), 'more than 4096'],
    ['a BOOTREPLY', Uint8Array.from([2, ...good.subarray(1)]), 'not a BOOTREQUEST'],
    ['a non-Ethernet client', Uint8Array.from([1, 6, ...good.subarray(2)]), 'not an Ethernet client'],
    ['no magic cookie', Uint8Array.from([...good.subarray(0, 236), 1, 2, 3, 4, ...good.subarray(240)]), 'no DHCP magic cookie'],
    ['no message type', Uint8Array.from([...good.subarray(0, 240), 255]), 'no valid message type'],
    ['an unknown message type', clientDatagram({ type: 99, mac: MAC }), 'no valid message type'],
  ])('drops %s', (_w, bytes, error) => {
    const parsed = parseDhcpRequest(bytes);
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.error).toContain(error);
  });

  it('never throws on random bytes and truncations', () => {
    let seed = 7;
    const rand = (): number => { seed = (seed * 1103515245 + 12345) % 2 ** 31; return seed % 256; };
    for (let n = 0; n < 2000; n++) {
      const bytes = Uint8Array.from({ length: rand() * 3 }, rand);
      expect(() => answerDhcp(bytes, LEASE)).not.toThrow();
      const cut = good.subarray(0, rand() + 100);
      expect(() => answerDhcp(cut, LEASE)).not.toThrow();
    }
  });
});

describe('answerDhcp', () => {
  const answer = (m: Parameters<typeof clientDatagram>[0]) => answerDhcp(clientDatagram(m), LEASE);

  it.each([
    ['DISCOVER → OFFER of the leased address', { type: DhcpMessageType.discover, mac: MAC }, 'offer', DhcpMessageType.offer, '10.0.2.2', '10.0.2.2'],
    ['REQUEST of the leased address → ACK', { type: DhcpMessageType.request, mac: MAC, requested: [10, 0, 2, 2], serverId: [10, 0, 2, 1] }, 'ack', DhcpMessageType.ack, '10.0.2.2', '10.0.2.2'],
    ['a renewing REQUEST (ciaddr set) → ACK to ciaddr', { type: DhcpMessageType.request, mac: MAC, ciaddr: [10, 0, 2, 2] }, 'ack', DhcpMessageType.ack, '10.0.2.2', '10.0.2.2'],
    ['REQUEST of another address → NAK', { type: DhcpMessageType.request, mac: MAC, requested: [10, 0, 2, 9] }, 'nak', DhcpMessageType.nak, '0.0.0.0', '10.0.2.2'],
    ['INFORM → ACK without an address', { type: DhcpMessageType.inform, mac: MAC, ciaddr: [10, 0, 2, 2] }, 'ack', DhcpMessageType.ack, '0.0.0.0', '10.0.2.2'],
  ] as const)('%s', (_w, message, what, type, yiaddr, to) => {
    const a = answer(message);
    expect(a.kind).toBe('reply');
    if (a.kind !== 'reply') return;
    expect([a.what, a.to]).toEqual([what, to]);
    expect(a.bytes[0]).toBe(2);
    expect([...a.bytes.subarray(4, 8)]).toEqual([0x12, 0x34, 0xab, 0xcd]);
    expect([...a.bytes.subarray(16, 20)].join('.')).toBe(yiaddr);
    expect([...a.bytes.subarray(28, 34)].map((b) => b.toString(16).padStart(2, '0')).join(':')).toBe(MAC);
    expect(a.bytes.length).toBeGreaterThanOrEqual(300);
    const options = replyOptions(a.bytes);
    expect(options.get(53)).toEqual([type]);
    expect(options.get(54)).toEqual([10, 0, 2, 1]);
    if (what === 'nak') expect([...options.keys()].sort()).toEqual([53, 54]);
    else expect(options.get(1)).toEqual([255, 255, 255, 0]);
    expect(options.has(51)).toBe(what !== 'nak' && message.type !== DhcpMessageType.inform);
  });

  it.each([
    ['a DISCOVER with the BROADCAST flag → the network broadcast', { type: DhcpMessageType.discover, mac: MAC, broadcast: true }, '10.0.2.255'],
    ['a REQUEST with the BROADCAST flag → the network broadcast', { type: DhcpMessageType.request, mac: MAC, broadcast: true, requested: [10, 0, 2, 2] }, '10.0.2.255'],
    ['a NAK → the network broadcast', { type: DhcpMessageType.request, mac: MAC, requested: [10, 0, 2, 3] }, '10.0.2.255'],
    ['a renewal (ciaddr) → ciaddr, whatever the flag', { type: DhcpMessageType.request, mac: MAC, broadcast: true, ciaddr: [10, 0, 2, 2] }, '10.0.2.2'],
  ] as const)('with a broadcast address in the lease, %s', (_w, message, to) => {
    const a = answerDhcp(clientDatagram(message), { ...LEASE, broadcastAddress: '10.0.2.255' });
    expect(a.kind === 'reply' && a.to).toBe(to);
  });

  it('without a broadcast address (bridge binding) answers the BROADCAST flag by unicast to the pinned address', () => {
    const a = answerDhcp(clientDatagram({ type: DhcpMessageType.discover, mac: MAC, broadcast: true }), LEASE);
    expect(a.kind === 'reply' && a.to).toBe('10.0.2.2');
  });

  it.each([
    ['another MAC', { type: DhcpMessageType.discover, mac: '02:00:00:00:00:01' }, 'not our client'],
    ['a REQUEST for another server', { type: DhcpMessageType.request, mac: MAC, serverId: [10, 0, 2, 254] }, 'a request for server 10.0.2.254'],
    ['RELEASE', { type: DhcpMessageType.release, mac: MAC, ciaddr: [10, 0, 2, 2] }, 'needs no answer'],
    ['DECLINE', { type: DhcpMessageType.decline, mac: MAC }, 'needs no answer'],
  ] as const)('ignores %s', (_w, message, reason) => {
    const a = answer(message);
    expect(a.kind === 'ignore' && a.reason).toContain(reason);
  });
});
