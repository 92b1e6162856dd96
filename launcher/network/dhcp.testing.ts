/**
 * Builds client datagrams for the DHCP tests, byte by byte as RFC 2131 lays them out, so the
 * parser is tested against bytes it did not write.
 */

/** A client message's fields. */
export interface ClientMessage {
  readonly type: number;
  readonly mac: string;
  readonly xid?: number;
  readonly ciaddr?: readonly number[];
  readonly requested?: readonly number[];
  readonly serverId?: readonly number[];
  readonly broadcast?: boolean;
  /** Raw option bytes appended before the end marker. */
  readonly extra?: readonly number[];
  /** Leave out the end marker. */
  readonly noEnd?: boolean;
}

/** The datagram a client sends. */
export function clientDatagram(m: ClientMessage): Uint8Array {
  const head = new Uint8Array(236);
  head.set([1, 1, 6, 0]);
  new DataView(head.buffer).setUint32(4, m.xid ?? 0x1234abcd);
  if (m.broadcast === true) head[10] = 0x80;
  head.set(m.ciaddr ?? [0, 0, 0, 0], 12);
  head.set(m.mac.split(':').map((x) => parseInt(x, 16)), 28);
  const opts = [99, 130, 83, 99, 53, 1, m.type];
  if (m.requested) opts.push(50, 4, ...m.requested);
  if (m.serverId) opts.push(54, 4, ...m.serverId);
  opts.push(55, 4, 1, 3, 6, 15, ...(m.extra ?? []));
  if (m.noEnd !== true) opts.push(255);
  return Uint8Array.from([...head, ...opts]);
}

/** The options of a reply, by code (for assertions). */
export function replyOptions(reply: Uint8Array): Map<number, number[]> {
  const out = new Map<number, number[]>();
  let at = 240;
  while (at < reply.length && reply[at] !== 255) {
    const code = reply[at] ?? 0;
    if (code === 0) { at += 1; continue; }
    const len = reply[at + 1] ?? 0;
    out.set(code, [...reply.subarray(at + 2, at + 2 + len)]);
    at += 2 + len;
  }
  return out;
}
