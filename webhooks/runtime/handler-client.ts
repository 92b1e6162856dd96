/**
 * virt-api's client of the virt-handler REST endpoints (core/virt-handler-endpoint.ts): it finds the
 * handler pod of a VMI's node (by label, in the install's namespace, by `spec.nodeName`), and calls
 * it over mutual TLS: virt-api presents its component client certificate, and accepts only a server
 * certificate of the component CA with virt-handler's name (the pod is reached by IP, so the name is
 * checked instead of a host name). pause/unpause are PUTs; the console and a port-forward are websockets.
 */
import { request as httpsRequest } from 'node:https';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import type { PeerCertificate } from 'node:tls';
import { createWebSocketStream, WebSocket, type ClientOptions } from 'ws';
import { KubevirtError } from '../../core/errors.js';
import type { KubeApi, KubeObject } from '../../core/kube.js';
import { handlerPortForwardPath, type ForwardPort } from '../../core/port-forward.js';
import { COMPONENT_CERT_NAMES, CONSOLE_SUBPROTOCOL, handlerVmiPath, VIRT_HANDLER_REST_PORT, type HandlerVmiAction } from '../../core/virt-handler-endpoint.js';
import { ExternalGvk, type VirtualMachineInstance } from '../../crd-gen/index.js';
import type { HandlerAnswer, VirtHandlerEndpoint } from '../subresources/api.js';

/** Where virt-handler pods are and how virt-api proves itself to them. */
export interface HandlerClientOptions {
  /** The API as virt-api's service account (it lists the handler pods). */
  readonly kube: KubeApi;
  /** The namespace of the handler pods (the install's). */
  readonly namespace: string;
  /** The label selector of the handler pods. */
  readonly selector: string;
  /** A directory with `tls.crt`, `tls.key` (the client certificate) and `ca.crt` (the component CA); read at every call, so a rotated Secret takes effect. */
  readonly certDir: string;
  /** @default VIRT_HANDLER_REST_PORT */
  readonly port?: number;
  /** How long a call or a console connection may take to be answered. @default 10000 */
  readonly timeoutMs?: number;
}

/** How much longer than a call virt-api waits for a port-forward's handshake (the handler's connect to the VMI's port). */
const PORT_FORWARD_CONNECT_MS = 10_000;

/** A handler could not be reached, or answered outside its contract. */
export class HandlerCallError extends KubevirtError {}

interface PodLike extends KubeObject {
  status?: { phase?: string; podIP?: string };
}

interface TlsMaterial {
  readonly cert: Buffer;
  readonly key: Buffer;
  readonly ca: Buffer;
  readonly checkServerIdentity: (host: string, cert: PeerCertificate) => Error | undefined;
}

/** Accepts only virt-handler's certificate name (the chain was already checked against the CA). */
function handlerIdentity(_host: string, cert: PeerCertificate): Error | undefined {
  return cert.subject?.CN === COMPONENT_CERT_NAMES.handlerServer ? undefined : new Error(`the peer's certificate names ${JSON.stringify(cert.subject?.CN)}, not virt-handler`);
}

/** virt-api's calls to virt-handlers. */
export interface HandlerClient {
  /** The endpoint of `nodeName`'s handler (its pod is looked up at each call). */
  endpointOf(nodeName: string): VirtHandlerEndpoint;
  /** Opens the serial console of `vmi` on its node's handler, as a byte stream. */
  openConsole(vmi: Readonly<VirtualMachineInstance>): Promise<Duplex>;
  /** Opens a connection to `port` of `vmi` on its node's handler, as a byte stream. */
  openPortForward(vmi: Readonly<VirtualMachineInstance>, port: ForwardPort): Promise<Duplex>;
}

/** Creates the client. */
export function createHandlerClient(options: HandlerClientOptions): HandlerClient {
  const port = options.port ?? VIRT_HANDLER_REST_PORT;
  const timeout = options.timeoutMs ?? 10_000;

  const tls = async (): Promise<TlsMaterial> => {
    const [cert, key, ca] = await Promise.all(['tls.crt', 'tls.key', 'ca.crt'].map((f) => readFile(join(options.certDir, f))));
    return { cert: cert ?? Buffer.alloc(0), key: key ?? Buffer.alloc(0), ca: ca ?? Buffer.alloc(0), checkServerIdentity: handlerIdentity };
  };

  /** The IP of the running handler pod on `nodeName`. */
  const handlerAddress = async (nodeName: string): Promise<string> => {
    const pods = await options.kube.list<PodLike>(ExternalGvk.Pod, { namespace: options.namespace, labelSelector: options.selector, fieldSelector: `spec.nodeName=${nodeName}` });
    const ip = pods.items.find((p) => p.status?.phase === 'Running' && (p.status.podIP ?? '') !== '')?.status?.podIP;
    if (ip === undefined) throw new HandlerCallError(`no running virt-handler pod on node ${JSON.stringify(nodeName)}`);
    return ip;
  };

  const base = async (vmi: Readonly<VirtualMachineInstance>, action: HandlerVmiAction | ForwardPort, scheme: 'https' | 'wss'): Promise<string> => {
    const host = await handlerAddress(vmi.status?.nodeName ?? '');
    const at = { namespace: vmi.metadata.namespace ?? '', name: vmi.metadata.name ?? '' };
    const path = typeof action === 'string' ? handlerVmiPath({ ...at, action }) : handlerPortForwardPath({ ...at, ...action });
    return `${scheme}://${host.includes(':') ? `[${host}]` : host}:${port}${path}?uid=${encodeURIComponent(vmi.metadata.uid ?? '')}`;
  };

  const put = async (url: string): Promise<{ status: number; body: string }> => {
    const material = await tls();
    return new Promise((resolve, reject) => {
      const call = httpsRequest(url, { method: 'PUT', ...material, timeout }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => { if (body.length < 64 * 1024) body += c; });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        res.on('error', reject);
      });
      call.on('timeout', () => call.destroy(new HandlerCallError(`virt-handler did not answer within ${timeout} ms`)));
      call.on('error', reject);
      call.end();
    });
  };

  const messageOf = (body: string): string => {
    try {
      const m = (JSON.parse(body) as { message?: unknown }).message;
      return typeof m === 'string' ? m : body;
    } catch {
      return body;
    }
  };

  /** A websocket to the handler at `url`, as a byte stream; `what` names it in a refusal. */
  const openStream = async (url: string, what: string, handshakeTimeout = timeout): Promise<Duplex> => {
    const material = await tls();
    // ws hands TLS options to https.request, whose checkServerIdentity returns an Error (ws's typing is of another era).
    const ws = new WebSocket(url, [CONSOLE_SUBPROTOCOL], { ...material, handshakeTimeout, maxPayload: 1024 * 1024 } as unknown as ClientOptions);
    return new Promise<Duplex>((resolve, reject) => {
      // A refusal's Status is read to its end before the connection is dropped; the drop's own error says less.
      let refused = false;
      ws.once('open', () => resolve(createWebSocketStream(ws)));
      ws.once('unexpected-response', (req, res) => {
        refused = true;
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => { if (body.length < 64 * 1024) body += c; });
        res.on('end', () => {
          reject(new HandlerCallError(`virt-handler refused ${what} (${res.statusCode ?? 0}): ${messageOf(body)}`));
          req.destroy();
        });
      });
      ws.on('error', (e) => { if (!refused) reject(new HandlerCallError(`could not reach virt-handler: ${e.message}`, { cause: e })); });
    });
  };

  return {
    endpointOf: (nodeName) => ({
      lifecycle: async (vmi, action): Promise<HandlerAnswer> => {
        let answer: { status: number; body: string };
        try {
          answer = await put(await base({ ...vmi, status: { ...vmi.status, nodeName } }, action, 'https'));
        } catch (e) {
          return { ok: false, status: 500, message: `could not reach virt-handler on node ${nodeName}: ${e instanceof Error ? e.message : String(e)}` };
        }
        if (answer.status >= 200 && answer.status < 300) return { ok: true };
        return { ok: false, status: answer.status === 404 ? 404 : 500, message: messageOf(answer.body) };
      },
    }),
    openConsole: async (vmi) => openStream(await base(vmi, 'console', 'wss'), 'the console'),
    // The handler answers a port-forward only once its TCP connect to the VMI succeeded or gave up
    // (its own timeout, 10 s by default): wait longer than that, so its answer, not ours, says why.
    openPortForward: async (vmi, port) => openStream(await base(vmi, port, 'wss'), `the port-forward to port ${port.port}`, timeout + PORT_FORWARD_CONNECT_MS),
  };
}
