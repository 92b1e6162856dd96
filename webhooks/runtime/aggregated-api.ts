/**
 * virt-api's aggregated API (`/apis/subresources.kubevirt.io/v1/…`), the edge: the API server
 * proxies virtctl's calls here with its front-proxy client certificate and the user in headers. A
 * call is served only when the certificate chains to the request-header CA (checked by TLS), its
 * name is an allowed one, a user is named, and a SubjectAccessReview allows that user the call.
 * Lifecycle PUTs go to the subresource API (webhooks/subresources/api.ts); a console GET is upgraded
 * to a websocket and joined to the handler's console stream of the VMI, a portforward GET (of a VMI,
 * or of a VM: its VMI) to the handler's connection to that port of the VMI.
 * @see https://kubernetes.io/docs/tasks/extend-kubernetes/configure-aggregation-layer/
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import { createWebSocketStream, WebSocketServer } from 'ws';
import { ApiError, isNotFound } from '../../core/errors.js';
import type { KubeApi, KubeObject } from '../../core/kube.js';
import type { Logger } from '../../core/log.js';
import { joinStreams } from '../../core/streams.js';
import type { ForwardPort } from '../../core/port-forward.js';
import { CONSOLE_SUBPROTOCOL } from '../../core/virt-handler-endpoint.js';
import { VmiCondition } from '../../core/vmi-conditions.js';
import { Gvk, type VirtualMachine, type VirtualMachineInstance } from '../../crd-gen/index.js';
import type { RequestUser } from '../context.js';
import {
  accessAllowed, accessReviewOf, forbiddenMessage, routeAggregated, startOptions, type AggregatedRoute, type AuthorizedCall, type ConsoleRequest, type PortForwardRequest,
} from '../subresources/aggregated.js';
import type { SubresourceApi } from '../subresources/api.js';
import { frontProxyNameAllowed, frontProxyUser, type FrontProxyConfig } from '../subresources/front-proxy.js';
import type { SubresourceRequest } from '../subresources/request.js';
import { readBody, requestPath, sendJson, sendRefusal, type Refusal } from './http-io.js';

/** What {@link createAggregatedApi} needs. */
export interface AggregatedApiOptions {
  /** The API as virt-api's service account (reviews, VMIs). */
  readonly kube: KubeApi;
  readonly subresources: SubresourceApi;
  /** The API server's front-proxy settings as last read; undefined until they are. */
  readonly frontProxy: () => FrontProxyConfig | undefined;
  /** Opens the serial console of a Running VMI on its node's handler (a byte stream). */
  readonly openConsole: (vmi: Readonly<VirtualMachineInstance>) => Promise<Duplex>;
  /** Opens a connection to a port of a Running VMI through its node's handler (a byte stream). */
  readonly openPortForward: (vmi: Readonly<VirtualMachineInstance>, port: ForwardPort) => Promise<Duplex>;
  readonly log: Logger;
  /** Largest PUT body (StartOptions and the like are tiny). @default 65536 */
  readonly maxBodyBytes?: number;
}

/** The aggregated API's two entry points in the HTTPS server. */
export interface AggregatedApi {
  /** The route of a request; `not-aggregated` leaves it to the webhook server. */
  route(req: IncomingMessage): AggregatedRoute;
  /** Serves a request whose route is not `not-aggregated`. */
  serve(req: IncomingMessage, res: ServerResponse, route: AggregatedRoute): void;
  /** Serves an HTTP upgrade (the console's and portforward's websockets). */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  close(): void;
}

const VMI_TYPE = Gvk.VirtualMachineInstance;

/** A console frame larger than this from the client is refused (a terminal sends keystrokes). */
const MAX_CONSOLE_MESSAGE = 1024 * 1024;

const refusal = (code: number, reason: string, message: string): Refusal => ({ code, reason, message });

function asRefusal(e: unknown): Refusal | undefined {
  return e instanceof ApiError ? refusal(e.status, e.reason, e.message) : undefined;
}

/** Why `vmi` cannot be streamed to (not Running; paused, for a port-forward, as KubeVirt refuses), or undefined. */
function streamRefusal(vmi: VirtualMachineInstance, call: ConsoleRequest | PortForwardRequest): Refusal | undefined {
  const phase = vmi.status?.phase ?? '';
  if (phase !== 'Running') return refusal(400, 'BadRequest', `Unable to connect to VirtualMachineInstance because phase is ${phase === '' ? 'unset' : phase} instead of Running`);
  const paused = (vmi.status?.conditions ?? []).some((c) => c.type === VmiCondition.paused && c.status === 'True');
  return call.subresource === 'portforward' && paused
    ? refusal(409, 'Conflict', `Operation cannot be fulfilled on virtualmachineinstance.kubevirt.io "${call.name}": VMI is paused`)
    : undefined;
}

/** What a stream call is, in logs and messages. */
function streamName(call: ConsoleRequest | PortForwardRequest): string {
  return call.subresource === 'console' ? 'console' : `port-forward to port ${call.port}`;
}

/** Writes a Status answer on a socket whose upgrade is refused (no HTTP response object exists for it). */
function refuseUpgrade(socket: Duplex, r: Refusal): void {
  const body = JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: r.message, reason: r.reason, code: r.code });
  socket.end(`HTTP/1.1 ${r.code} ${r.reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}

/** The call with the options its body carries (`start`'s StartOptions), or the refusal of a bad body. */
function withOptions(call: SubresourceRequest, body: Buffer): SubresourceRequest | Refusal {
  if (call.resource !== 'virtualmachines' || call.subresource !== 'start') return call;
  let value: unknown;
  try {
    value = body.length === 0 ? undefined : (JSON.parse(body.toString('utf8')) as unknown);
  } catch {
    return refusal(400, 'BadRequest', 'the body of start is not JSON');
  }
  const parsed = startOptions(value);
  if (typeof parsed === 'string') return refusal(400, 'BadRequest', parsed);
  return parsed.paused ? { ...call, paused: true } : call;
}

/** Creates the aggregated API over `options`. */
export function createAggregatedApi(options: AggregatedApiOptions): AggregatedApi {
  const { log, kube } = options;
  const maxBody = options.maxBodyBytes ?? 64 * 1024;
  const sockets = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_CONSOLE_MESSAGE,
    handleProtocols: (offered) => (offered.has(CONSOLE_SUBPROTOCOL) ? CONSOLE_SUBPROTOCOL : false),
  });

  /** The front proxy's user, or the refusal of an unauthenticated request (KubeVirt answers 401 too). */
  const authenticate = (req: IncomingMessage): RequestUser | Refusal => {
    const config = options.frontProxy();
    if (config === undefined) return refusal(503, 'ServiceUnavailable', 'virt-api has not read the API server\'s front-proxy settings yet');
    const tls = req.socket as TLSSocket;
    const peer = tls.authorized ? tls.getPeerCertificate() : undefined;
    const commonName = typeof peer?.subject?.CN === 'string' ? peer.subject.CN : undefined;
    if (peer === undefined || !frontProxyNameAllowed(config, commonName)) {
      return refusal(401, 'Unauthorized', 'the request did not come through the API server (no front-proxy client certificate of an allowed name)');
    }
    return frontProxyUser(config, req.headersDistinct) ?? refusal(401, 'Unauthorized', 'the API server named no user');
  };

  const authorize = async (user: RequestUser, call: AuthorizedCall): Promise<Refusal | undefined> => {
    const review = await kube.create(accessReviewOf(user, call) as KubeObject);
    const { allowed, reason } = accessAllowed(review);
    return allowed ? undefined : refusal(403, 'Forbidden', forbiddenMessage(user, call, reason));
  };

  /** Authentication then authorization of a call: the user, or the refusal to send. */
  const admit = async (req: IncomingMessage, call: AuthorizedCall): Promise<RequestUser | Refusal> => {
    const user = authenticate(req);
    if ('code' in user) return user;
    return (await authorize(user, call)) ?? user;
  };

  const serveCall = async (req: IncomingMessage, res: ServerResponse, call: SubresourceRequest): Promise<void> => {
    const read = await readBody(req, maxBody);
    if (!read.ok) return read.reason === 'too-large' ? sendRefusal(res, refusal(413, 'RequestEntityTooLarge', `request body exceeds ${maxBody} bytes`), false) : undefined;
    const request = withOptions(call, read.body);
    if ('code' in request) return sendRefusal(res, request, false);
    const admitted = await admit(req, request);
    if ('code' in admitted) return sendRefusal(res, admitted, false);
    try {
      await options.subresources(request);
    } catch (e) {
      const known = asRefusal(e);
      if (known === undefined) throw e;
      return sendRefusal(res, known, false);
    }
    log.info({ user: admitted.username, resource: request.resource, namespace: request.namespace, name: request.name, subresource: request.subresource }, 'Served subresource call');
    // KubeVirt answers the VM lifecycle with 202 Accepted and pause/unpause with 200.
    res.writeHead(request.resource === 'virtualmachines' ? 202 : 200, { 'content-length': 0 });
    res.end();
  };

  /** The VMI named `name`, or the 404 (the VMI of a VM has the VM's name). */
  const getVmi = async (namespace: string, name: string, ofVm: boolean): Promise<VirtualMachineInstance | Refusal> => {
    try {
      return await kube.get<VirtualMachineInstance & KubeObject>(VMI_TYPE, namespace, name);
    } catch (e) {
      if (!isNotFound(e)) throw e;
      return ofVm
        ? refusal(409, 'Conflict', `Operation cannot be fulfilled on virtualmachine.kubevirt.io "${name}": VMI is not started`)
        : refusal(404, 'NotFound', `virtualmachineinstance.kubevirt.io "${name}" not found`);
    }
  };

  /** The VMI of a stream request (a VM's: its VMI) when it can be streamed to, or the refusal. */
  const streamVmi = async (call: ConsoleRequest | PortForwardRequest): Promise<VirtualMachineInstance | Refusal> => {
    const ofVm = call.resource === 'virtualmachines';
    if (ofVm) {
      try {
        await kube.get<VirtualMachine & KubeObject>(Gvk.VirtualMachine, call.namespace, call.name);
      } catch (e) {
        if (isNotFound(e)) return refusal(404, 'NotFound', `virtualmachine.kubevirt.io "${call.name}" not found`);
        throw e;
      }
    }
    const vmi = await getVmi(call.namespace, call.name, ofVm);
    return 'code' in vmi ? vmi : streamRefusal(vmi, call) ?? vmi;
  };

  /** The handler's stream of a call: the console, or a connection to the port. */
  const openHandlerStream = (vmi: VirtualMachineInstance, call: ConsoleRequest | PortForwardRequest): Promise<Duplex> =>
    (call.subresource === 'console' ? options.openConsole(vmi) : options.openPortForward(vmi, { port: call.port, protocol: call.protocol }));

  /** Upgrades a console or portforward request and joins its websocket to the handler's stream. */
  const serveStream = async (req: IncomingMessage, socket: Duplex, head: Buffer, call: ConsoleRequest | PortForwardRequest): Promise<void> => {
    const admitted = await admit(req, call);
    if ('code' in admitted) return refuseUpgrade(socket, admitted);
    const vmi = await streamVmi(call);
    if ('code' in vmi) return refuseUpgrade(socket, vmi);
    const what = streamName(call);
    let handler: Duplex;
    try {
      handler = await openHandlerStream(vmi, call);
    } catch (err: unknown) {
      log.warn({ err, namespace: call.namespace, name: call.name }, `Could not open the ${what} of VirtualMachineInstance on its virt-handler`);
      return refuseUpgrade(socket, asRefusal(err) ?? refusal(500, 'InternalError', `Internal error occurred: could not open the ${what} of VMI ${call.namespace}/${vmi.metadata.name ?? call.name} on its node: ${err instanceof Error ? err.message : String(err)}`));
    }
    if (socket.destroyed) return void handler.destroy();
    sockets.handleUpgrade(req, socket, head, (ws) => {
      log.info({ user: admitted.username, namespace: call.namespace, name: call.name }, `Opened ${what} of VirtualMachineInstance`);
      void joinStreams(createWebSocketStream(ws), handler).then(() => log.info({ namespace: call.namespace, name: call.name }, `Closed ${what} of VirtualMachineInstance`));
    });
  };

  const failed = (err: unknown, what: string): Refusal => {
    log.error({ err }, `Could not serve ${what}`);
    return asRefusal(err) ?? refusal(500, 'InternalError', 'internal error; see the virt-api log');
  };

  return {
    route: (req) => routeAggregated(req.method ?? 'GET', requestPath(req.url)),
    serve: (req, res, route) => {
      if (route.kind === 'discovery') {
        const who = authenticate(req);
        return 'code' in who ? sendRefusal(res, who, false) : sendJson(res, 200, JSON.stringify(route.body), false);
      }
      if (route.kind === 'refused') return sendRefusal(res, { code: route.refusal.status, reason: route.refusal.reason, message: route.refusal.message, ...(route.refusal.allow === undefined ? {} : { allow: route.refusal.allow }) }, false);
      if (route.kind === 'console' || route.kind === 'portforward') return sendRefusal(res, refusal(400, 'BadRequest', `${route.request.subresource} is a websocket: send an upgrade request`), false);
      if (route.kind !== 'call') return sendRefusal(res, refusal(404, 'NotFound', 'not found'), false);
      serveCall(req, res, route.request).catch((err: unknown) => {
        if (!res.headersSent) sendRefusal(res, failed(err, 'subresource call'), false);
        else res.destroy();
      });
    },
    upgrade: (req, socket, head) => {
      socket.on('error', () => socket.destroy());
      const route = routeAggregated(req.method ?? 'GET', requestPath(req.url));
      if (route.kind !== 'console' && route.kind !== 'portforward') {
        return refuseUpgrade(socket, route.kind === 'refused' ? refusal(route.refusal.status, route.refusal.reason, route.refusal.message) : refusal(400, 'BadRequest', 'only the console and portforward are websockets'));
      }
      serveStream(req, socket, head, route.request).catch((err: unknown) => refuseUpgrade(socket, failed(err, route.request.subresource)));
    },
    close: () => {
      for (const client of sockets.clients) client.terminate();
      sockets.close();
    },
  };
}
