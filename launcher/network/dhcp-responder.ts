/**
 * What the launcher's DHCP server answers, as a pure function of one datagram and its lease: only
 * the guest's MAC is answered (KubeVirt's single-client server); DISCOVER gets an OFFER, REQUEST an
 * ACK for the leased address or a NAK for any other, INFORM an ACK with the options and no address;
 * RELEASE and DECLINE need no answer (the one address stays the guest's). A REQUEST naming another
 * server is not for us.
 */
import { DhcpOption, leaseOptions, type DhcpLease } from './dhcp-lease.js';
import { DhcpMessageType, encodeDhcpReply, parseDhcpRequest, type DhcpRequest } from './dhcp-packet.js';
import { normalizeMac } from './mac.js';

/** The server's answer to one datagram. */
export type DhcpAnswer =
  | { readonly kind: 'reply'; readonly what: 'offer' | 'ack' | 'nak'; readonly bytes: Uint8Array; readonly to: string; readonly request: DhcpRequest }
  | { readonly kind: 'ignore'; readonly reason: string };

const NO_ADDRESS = '0.0.0.0';
/** RFC 2131's BROADCAST flag: the client cannot take unicast before it has its address. */
const BROADCAST_FLAG = 0x8000;
const LEASE_ONLY = new Set<number>([DhcpOption.leaseTime]);
type Options = ReadonlyMap<number, readonly number[]>;

interface ReplySpec {
  readonly what: 'offer' | 'ack' | 'nak';
  readonly yiaddr: string;
  readonly options: Options;
  readonly to: string;
}

const TYPES = { offer: DhcpMessageType.offer, ack: DhcpMessageType.ack, nak: DhcpMessageType.nak } as const;

function reply(request: DhcpRequest, spec: ReplySpec): DhcpAnswer {
  return { kind: 'reply', what: spec.what, request, to: spec.to, bytes: encodeDhcpReply({ messageType: TYPES[spec.what], request, yiaddr: spec.yiaddr, options: spec.options }) };
}

function answerRequest(request: DhcpRequest, lease: DhcpLease, options: Options, to: string): DhcpAnswer {
  if (request.serverId !== undefined && request.serverId !== lease.serverIp) return { kind: 'ignore', reason: `a request for server ${request.serverId}` };
  const wanted = request.requestedIp ?? (request.ciaddr === NO_ADDRESS ? undefined : request.ciaddr);
  if (wanted !== undefined && wanted !== lease.clientIp) {
    const nak = new Map<number, readonly number[]>([[DhcpOption.serverId, options.get(DhcpOption.serverId) ?? []]]);
    return reply(request, { what: 'nak', yiaddr: NO_ADDRESS, options: nak, to: lease.broadcastAddress ?? lease.clientIp });
  }
  return reply(request, { what: 'ack', yiaddr: lease.clientIp, options, to });
}

/**
 * The answer to `datagram` under `lease`, with `options` from {@link leaseOptions} (computed once).
 * Replies go to the leased address, which the runtime pins to the guest's MAC with a permanent
 * neighbour entry, so a client without an address yet receives them (raw-socket clients:
 * udhcpc, dhclient, systemd-networkd); a client that already has its address gets them there too.
 * A client setting the BROADCAST flag, and a NAK, get the guest network's broadcast address when
 * the lease has one (RFC 2131 4.1).
 */
export function answerDhcp(datagram: Uint8Array, lease: DhcpLease, options: Options = leaseOptions(lease)): DhcpAnswer {
  const parsed = parseDhcpRequest(datagram);
  if (!parsed.ok) return { kind: 'ignore', reason: parsed.error };
  const request = parsed.message;
  if (request.chaddr !== normalizeMac(lease.clientMac)) return { kind: 'ignore', reason: `not our client (${request.chaddr})` };
  const unbound = (request.flags & BROADCAST_FLAG) !== 0 && lease.broadcastAddress !== undefined ? lease.broadcastAddress : lease.clientIp;
  const to = request.ciaddr !== NO_ADDRESS ? request.ciaddr : unbound;
  if (request.messageType === DhcpMessageType.discover) return reply(request, { what: 'offer', yiaddr: lease.clientIp, options, to: unbound });
  if (request.messageType === DhcpMessageType.request) return answerRequest(request, lease, options, to);
  if (request.messageType === DhcpMessageType.inform) {
    return reply(request, { what: 'ack', yiaddr: NO_ADDRESS, options: new Map([...options].filter(([code]) => !LEASE_ONLY.has(code))), to });
  }
  return { kind: 'ignore', reason: `message type ${request.messageType} needs no answer` };
}
