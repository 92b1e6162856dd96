/**
 * The launcher's DHCP server for its guest only (KubeVirt's single-client server): a udp4 socket on
 * 0.0.0.0:67 inside the pod's namespace; every datagram is answered (or not) by the pure
 * launcher/network/dhcp-responder.ts, and replies go to the guest's address on port 68, which the
 * plan pinned to the guest's MAC with a permanent neighbour entry, so they reach a client that has
 * no address yet. A datagram is handled as it comes, nothing is queued or kept: no input can grow it.
 */
import { createSocket, type Socket } from 'node:dgram';
import type { Logger } from '../../core/log.js';
import { leaseOptions, type DhcpLease } from '../network/dhcp-lease.js';
import { answerDhcp } from '../network/dhcp-responder.js';
import { MAX_DHCP_PACKET } from '../network/dhcp-packet.js';

const SERVER_PORT = 67;
const CLIENT_PORT = 68;

/** A running DHCP server. */
export interface DhcpServer {
  /** How many replies it sent (for logs and tests). */
  replies(): number;
  close(): Promise<void>;
}

/** Starts the server for `lease` (its options are checked here, before the socket opens). */
export async function startDhcpServer(lease: DhcpLease, log: Logger, port = SERVER_PORT): Promise<DhcpServer> {
  const options = leaseOptions(lease);
  const socket: Socket = createSocket({ type: 'udp4', reuseAddr: true });
  let sent = 0;
  socket.on('message', (datagram, from) => {
    if (datagram.length > MAX_DHCP_PACKET) return;
    const answer = answerDhcp(datagram, lease, options);
    if (answer.kind === 'ignore') {
      log.debug({ from: from.address, reason: answer.reason }, 'Ignored a DHCP datagram');
      return;
    }
    socket.send(answer.bytes, CLIENT_PORT, answer.to, (err) => {
      if (err) log.warn({ err, to: answer.to }, 'Could not send a DHCP reply');
      else {
        sent += 1;
        log.info({ what: answer.what, ip: lease.clientIp, mac: lease.clientMac }, 'Answered the guest\'s DHCP request');
      }
    });
  });
  socket.on('error', (err) => log.warn({ err }, 'DHCP server socket error'));
  await new Promise<void>((done, fail) => {
    socket.once('error', fail);
    socket.bind({ port, address: '0.0.0.0', exclusive: true }, () => { socket.off('error', fail); done(); });
  });
  socket.setBroadcast(true);
  let closing: Promise<void> | undefined;
  return {
    replies: () => sent,
    close: () => (closing ??= new Promise<void>((done) => socket.close(() => done()))),
  };
}
