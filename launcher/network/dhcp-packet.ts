/**
 * DHCPv4 messages (RFC 2131 on BOOTP, RFC 951), as the launcher's DHCP server reads and writes
 * them: a bounded, defensive parser (anything malformed is refused with a reason and dropped, never
 * thrown) and the builder of its replies. Pure: bytes in, bytes out.
 */
import { DhcpOption } from './dhcp-lease.js';
import { ipv4Bytes } from './ipv4.js';

/** DHCP message types (option 53). */
export const DhcpMessageType = { discover: 1, offer: 2, request: 3, decline: 4, ack: 5, nak: 6, release: 7, inform: 8 } as const;

/** The BOOTP header (236 bytes) and the magic cookie. */
const HEADER = 236;
const MAGIC = [99, 130, 83, 99];
/** The largest datagram the server reads; anything longer is dropped unread. */
export const MAX_DHCP_PACKET = 4096;
/** RFC 1542: a BOOTP message is at least 300 bytes; some clients drop shorter replies. */
const MIN_REPLY = 300;

/** A client's message, with the fields the server uses. */
export interface DhcpRequest {
  readonly messageType: number;
  readonly xid: number;
  readonly flags: number;
  readonly ciaddr: string;
  readonly giaddr: string;
  /** The client's hardware address (Ethernet: six bytes), lower case with colons. */
  readonly chaddr: string;
  /** Option 50, when present. */
  readonly requestedIp?: string;
  /** Option 54, when present. */
  readonly serverId?: string;
  /** Every option, by code (repeated options concatenated, RFC 3396). */
  readonly options: ReadonlyMap<number, Uint8Array>;
}

/** A parse result: the message, or why the datagram was dropped. */
export type ParsedDhcp = { readonly ok: true; readonly message: DhcpRequest } | { readonly ok: false; readonly error: string };

const ip = (b: Uint8Array, at: number): string => [...b.subarray(at, at + 4)].join('.');
const hex = (b: Uint8Array): string => [...b].map((x) => x.toString(16).padStart(2, '0')).join(':');

function readOptions(b: Uint8Array): Map<number, Uint8Array> | string {
  const options = new Map<number, Uint8Array>();
  let at = HEADER + MAGIC.length;
  while (at < b.length) {
    const code = b[at] ?? DhcpOption.end;
    if (code === DhcpOption.end) return options;
    if (code === DhcpOption.pad) { at += 1; continue; }
    const len = b[at + 1];
    if (len === undefined || at + 2 + len > b.length) return `option ${code} runs past the end of the datagram`;
    const value = b.subarray(at + 2, at + 2 + len);
    const before = options.get(code);
    options.set(code, before === undefined ? value : Uint8Array.from([...before, ...value]));
    at += 2 + len;
  }
  return 'the options have no end marker';
}

function fourBytes(options: ReadonlyMap<number, Uint8Array>, code: number): string | undefined {
  const v = options.get(code);
  return v?.length === 4 ? ip(v, 0) : undefined;
}

function headerError(b: Uint8Array): string | undefined {
  if (b.length > MAX_DHCP_PACKET) return `${b.length} bytes, more than ${MAX_DHCP_PACKET}`;
  if (b.length < HEADER + MAGIC.length) return `${b.length} bytes, shorter than a DHCP message`;
  if (b[0] !== 1) return 'not a BOOTREQUEST';
  if (b[1] !== 1 || b[2] !== 6) return 'not an Ethernet client (htype 1, hlen 6)';
  if (MAGIC.some((m, i) => b[HEADER + i] !== m)) return 'no DHCP magic cookie (a plain BOOTP request)';
  return undefined;
}

const optional = (key: string, value: string | undefined): Record<string, string> => (value === undefined ? {} : { [key]: value });

/** Reads one datagram sent to the server; refuses replies, non-Ethernet clients and broken options. */
export function parseDhcpRequest(datagram: Uint8Array): ParsedDhcp {
  const b = datagram;
  const error = headerError(b);
  if (error !== undefined) return { ok: false, error };
  const options = readOptions(b);
  if (typeof options === 'string') return { ok: false, error: options };
  const type = options.get(DhcpOption.messageType);
  if (type?.length !== 1 || type[0] === undefined || type[0] < 1 || type[0] > 8) return { ok: false, error: 'no valid message type (option 53)' };
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  return {
    ok: true,
    message: {
      messageType: type[0], xid: view.getUint32(4), flags: view.getUint16(10), ciaddr: ip(b, 12), giaddr: ip(b, 24),
      chaddr: hex(b.subarray(28, 34)),
      ...optional('requestedIp', fourBytes(options, 50)),
      ...optional('serverId', fourBytes(options, DhcpOption.serverId)),
      options,
    },
  };
}

/** What a reply says besides its options. */
export interface DhcpReply {
  readonly messageType: number;
  readonly request: DhcpRequest;
  /** The address given (0.0.0.0 for a NAK and for an INFORM's ACK). */
  readonly yiaddr: string;
  /** Options other than the message type, in the order written. */
  readonly options: ReadonlyMap<number, readonly number[]>;
}

/** The bytes of a reply (BOOTREPLY): the request's xid, flags, ciaddr, giaddr and chaddr echoed. */
export function encodeDhcpReply(reply: DhcpReply): Uint8Array {
  const r = reply.request;
  const head = new Uint8Array(HEADER);
  const view = new DataView(head.buffer);
  head.set([2, 1, 6, 0]);
  view.setUint32(4, r.xid);
  view.setUint16(10, r.flags & 0x8000);
  head.set(reply.messageType === DhcpMessageType.nak ? [0, 0, 0, 0] : ipv4Bytes(r.ciaddr), 12);
  head.set(ipv4Bytes(reply.yiaddr), 16);
  head.set(ipv4Bytes(r.giaddr), 24);
  head.set(r.chaddr.split(':').map((x) => parseInt(x, 16)), 28);
  const body: number[] = [...MAGIC, DhcpOption.messageType, 1, reply.messageType];
  for (const [code, value] of reply.options) body.push(code, value.length, ...value);
  body.push(DhcpOption.end);
  const out = new Uint8Array(Math.max(MIN_REPLY, HEADER + body.length));
  out.set(head);
  out.set(body, HEADER);
  return out;
}
