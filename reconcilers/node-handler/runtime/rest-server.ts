/**
 * virt-handler's REST endpoint (core/virt-handler-endpoint.ts), what virt-api calls on the VMI's
 * node: `PUT …/pause|unpause` go to the node handler's `lifecycle` (the command travels over the
 * launcher connection it holds), `GET …/console` upgrades to a websocket joined to the launcher's
 * console socket, `GET …/portforward/{port}/{protocol}` upgrades to a websocket joined to one TCP
 * connection to that port at the VMI's pod-network address (core/port-forward.ts). Mutual TLS: a client must present a certificate of the component CA named as
 * virt-api's; `/healthz` alone is open (the kubelet's probe has no certificate). The VMI is the
 * handler's own (its informer's, on this node, of the uid virt-api names), never one from the request.
 * @see https://github.com/kubevirt/kubevirt/blob/main/pkg/virt-handler/rest/lifecycle.go
 */
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import { createWebSocketStream, WebSocketServer } from 'ws';
import type { Cache } from '../../../core/cache.js';
import type { Logger } from '../../../core/log.js';
import { joinStreams } from '../../../core/streams.js';
import { forwardAddressOf, parseHandlerPortForwardPath, type HandlerPortForward } from '../../../core/port-forward.js';
import { COMPONENT_CERT_NAMES, CONSOLE_SUBPROTOCOL, parseHandlerVmiPath, type HandlerVmiCall } from '../../../core/virt-handler-endpoint.js';
import type { VirtualMachineInstance } from '../../../crd-gen/index.js';
import type { NodeHandler } from '../reconciler.js';

/** The PEM material of the endpoint: its serving certificate and the CA its clients' certificates chain to. */
export interface RestTls {
  readonly cert: Buffer;
  readonly key: Buffer;
  readonly ca: Buffer;
}

/** What {@link createHandlerRestServer} needs. */
export interface HandlerRestOptions {
  readonly tls: RestTls;
  readonly nodeName: string;
  /** The handler's informer of its node's VMIs. */
  readonly vmis: Cache<VirtualMachineInstance>;
  readonly lifecycle: NodeHandler['lifecycle'];
  /** The console socket of a VMI's launcher. */
  readonly consoleSocketOf: (vmi: Readonly<VirtualMachineInstance>) => string;
  readonly log: Logger;
  /** How long a forward's TCP connect may take. @default 10000 */
  readonly connectTimeoutMs?: number;
}

/** At most this many port-forwards at once per handler; more are refused with 503. */
export const MAX_PORT_FORWARDS = 256;

/** The endpoint's server. */
export interface HandlerRestServer {
  listen(port: number, host?: string): Promise<AddressInfo>;
  /** Serves new connections with this material (a rotated Secret). */
  useTls(tls: RestTls): void;
  close(): Promise<void>;
}

interface Answer {
  readonly code: number;
  readonly reason: string;
  readonly message: string;
}

const statusBody = (a: Answer): string => JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: a.code < 300 ? 'Success' : 'Failure', message: a.message, reason: a.reason, code: a.code });

function send(res: ServerResponse, a: Answer): void {
  const body = statusBody(a);
  res.writeHead(a.code, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

function refuseUpgrade(socket: Duplex, a: Answer): void {
  const body = statusBody(a);
  socket.end(`HTTP/1.1 ${a.code} ${a.reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}

/** A frame larger than this from virt-api is refused (a terminal sends keystrokes). */
const MAX_CONSOLE_MESSAGE = 1024 * 1024;

function urlOf(req: IncomingMessage): URL {
  return new URL(req.url ?? '/', 'https://virt-handler.invalid');
}

/** Whether the client proved to be virt-api (chain checked by TLS, name checked here). */
function fromVirtApi(req: IncomingMessage): boolean {
  const tls = req.socket as TLSSocket;
  return tls.authorized && tls.getPeerCertificate().subject?.CN === COMPONENT_CERT_NAMES.apiClient;
}

const FORBIDDEN: Answer = { code: 403, reason: 'Forbidden', message: 'only virt-api may call virt-handler (a client certificate of the component CA named as virt-api)' };

/** Creates the endpoint's server (not yet listening). */
export function createHandlerRestServer(options: HandlerRestOptions): HandlerRestServer {
  const { log } = options;
  const sockets = new WebSocketServer({ noServer: true, maxPayload: MAX_CONSOLE_MESSAGE, handleProtocols: (offered) => (offered.has(CONSOLE_SUBPROTOCOL) ? CONSOLE_SUBPROTOCOL : false) });

  /** The VMI of a call when it is this node's (and of the uid asked for, if one is), or the answer why not. */
  const vmiOf = (call: HandlerVmiCall, uid: string | null): VirtualMachineInstance | Answer => {
    const vmi = options.vmis.get(`${call.namespace}/${call.name}`);
    if (vmi === undefined || vmi.status?.nodeName !== options.nodeName || (uid !== null && uid !== '' && vmi.metadata.uid !== uid)) {
      return { code: 404, reason: 'NotFound', message: `virtualmachineinstance.kubevirt.io "${call.name}" not found on node ${options.nodeName}` };
    }
    return vmi;
  };

  const serveLifecycle = async (res: ServerResponse, vmi: VirtualMachineInstance, action: 'pause' | 'unpause'): Promise<void> => {
    const answer = await options.lifecycle(vmi, action);
    send(res, answer.ok ? { code: 200, reason: '', message: `${action} sent` } : { code: answer.status, reason: answer.status === 404 ? 'NotFound' : 'InternalError', message: answer.message });
  };

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const url = urlOf(req);
    if (url.pathname === '/healthz') return send(res, { code: 200, reason: '', message: 'ok' });
    if (!fromVirtApi(req)) return send(res, FORBIDDEN);
    if (parseHandlerPortForwardPath(url.pathname) !== undefined) return send(res, { code: 400, reason: 'BadRequest', message: 'portforward is a websocket: send an upgrade request' });
    const call = parseHandlerVmiPath(url.pathname);
    if (call === undefined) return send(res, { code: 404, reason: 'NotFound', message: `no endpoint at ${url.pathname.slice(0, 300)}` });
    if (call.action === 'console') return send(res, { code: 400, reason: 'BadRequest', message: 'the console is a websocket: send an upgrade request' });
    if (req.method !== 'PUT') return send(res, { code: 405, reason: 'MethodNotAllowed', message: `${call.action} takes PUT` });
    const vmi = vmiOf(call, url.searchParams.get('uid'));
    if ('code' in vmi) return send(res, vmi);
    req.resume();
    serveLifecycle(res, vmi, call.action).catch((err: unknown) => {
      log.error({ err, namespace: call.namespace, name: call.name }, `Could not serve ${call.action} of VirtualMachineInstance`);
      if (!res.headersSent) send(res, { code: 500, reason: 'InternalError', message: 'internal error; see the virt-handler log' });
    });
  };

  const openSocket = (path: string): Promise<Socket> => new Promise((resolve, reject) => {
    const socket = connect(path, () => resolve(socket));
    socket.once('error', reject);
  });

  const connectTimeout = options.connectTimeoutMs ?? 10_000;
  /** A TCP connection to `host:port`, or the reason it could not be made (within the timeout). */
  const dial = (host: string, port: number): Promise<Socket> => new Promise((resolve, reject) => {
    const socket = connect({ host, port, timeout: connectTimeout }, () => {
      socket.setTimeout(0);
      socket.off('error', reject);
      resolve(socket);
    });
    socket.once('timeout', () => socket.destroy(new Error(`no answer within ${connectTimeout} ms`)));
    socket.once('error', reject);
  });

  let forwards = 0;
  const upgradeForward = (req: IncomingMessage, socket: Duplex, head: Buffer, call: HandlerPortForward): void => {
    const vmi = vmiOf({ namespace: call.namespace, name: call.name, action: 'console' }, urlOf(req).searchParams.get('uid'));
    if ('code' in vmi) return refuseUpgrade(socket, vmi);
    const host = forwardAddressOf(vmi);
    const what = `port ${call.port} of VMI ${call.namespace}/${call.name}`;
    if (host === undefined) return refuseUpgrade(socket, { code: 400, reason: 'BadRequest', message: `cannot forward to ${what}: it has no IP address on the pod network (yet)` });
    if (forwards >= MAX_PORT_FORWARDS) return refuseUpgrade(socket, { code: 503, reason: 'ServiceUnavailable', message: `virt-handler already forwards ${MAX_PORT_FORWARDS} connections; try again later` });
    forwards += 1;
    let counted = true;
    const release = (): void => { if (counted) { counted = false; forwards -= 1; } };
    dial(host, call.port).then((upstream) => {
      if (socket.destroyed) { release(); return void upstream.destroy(); }
      upstream.pause();
      sockets.handleUpgrade(req, socket, head, (ws) => {
        log.info({ namespace: call.namespace, name: call.name, port: call.port }, 'Opened port-forward of VirtualMachineInstance for virt-api');
        const stream = createWebSocketStream(ws);
        upstream.resume();
        void joinStreams(stream, upstream).then(release);
      });
    }, (err: unknown) => {
      release();
      const reason = err instanceof Error ? err.message : String(err);
      log.info({ namespace: call.namespace, name: call.name, port: call.port, reason }, 'Could not connect a port-forward of VirtualMachineInstance');
      refuseUpgrade(socket, { code: 502, reason: 'BadGateway', message: `could not connect to ${what} at ${host}: ${reason}` });
    });
  };

  const upgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    socket.on('error', () => socket.destroy());
    if (!fromVirtApi(req)) return refuseUpgrade(socket, FORBIDDEN);
    const url = urlOf(req);
    const forward = parseHandlerPortForwardPath(url.pathname);
    if (forward !== undefined) return upgradeForward(req, socket, head, forward);
    const call = parseHandlerVmiPath(url.pathname);
    if (call?.action !== 'console') return refuseUpgrade(socket, { code: 404, reason: 'NotFound', message: 'only the console and portforward are websockets' });
    const vmi = vmiOf(call, url.searchParams.get('uid'));
    if ('code' in vmi) return refuseUpgrade(socket, vmi);
    openSocket(options.consoleSocketOf(vmi)).then((console) => {
      if (socket.destroyed) return void console.destroy();
      sockets.handleUpgrade(req, socket, head, (ws) => {
        log.info({ namespace: call.namespace, name: call.name }, 'Opened console of VirtualMachineInstance for virt-api');
        void joinStreams(createWebSocketStream(ws), console);
      });
    }, (err: unknown) => {
      log.warn({ err, namespace: call.namespace, name: call.name }, 'Could not open the console socket of VirtualMachineInstance');
      refuseUpgrade(socket, { code: 500, reason: 'InternalError', message: `the console of VMI ${call.namespace}/${call.name} is not open: its launcher is not serving it` });
    });
  };

  const context = (tls: RestTls): { cert: Buffer; key: Buffer; ca: Buffer; minVersion: 'TLSv1.2' } => ({ cert: tls.cert, key: tls.key, ca: tls.ca, minVersion: 'TLSv1.2' });
  // A certificate is asked for, not required at the TLS layer: /healthz is open; every other path checks it.
  const server: Server = createServer({ ...context(options.tls), requestCert: true, rejectUnauthorized: false, headersTimeout: 10_000, requestTimeout: 30_000 }, handle);
  server.on('upgrade', upgrade);
  server.on('tlsClientError', (err: Error) => log.debug({ err }, 'Refused TLS connection'));

  return {
    listen: (port, host) => new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve(server.address() as AddressInfo);
      });
    }),
    useTls: (tls) => server.setSecureContext(context(tls)),
    close: () => new Promise((resolve) => {
      for (const client of sockets.clients) client.terminate();
      sockets.close();
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}
