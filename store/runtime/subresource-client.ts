/**
 * virtctl's calls against a cluster, with the credentials of a client-node KubeConfig: the lifecycle
 * PUTs of `subresources.kubevirt.io`, the console websocket and the portforward one, through the API server (which
 * proxies them to virt-api, the aggregated API server). A refusal is the ApiError of the Status the
 * server sent, so the command prints the server's own words.
 * @see https://kubevirt.io/user-guide/user_workloads/accessing_virtual_machines/
 */
import type { Duplex } from 'node:stream';
import type { KubeConfig } from '@kubernetes/client-node';
import { createWebSocketStream, WebSocket, type ClientOptions } from 'ws';
import { CONSOLE_SUBPROTOCOL } from '../../core/virt-handler-endpoint.js';
import { subresourcePath, type SubresourceRequest } from '../../webhooks/subresources/request.js';
import { createHttpsTransport } from './kube-http.js';
import { statusError } from './kube-client.js';

/** The subresource calls of one cluster. */
export interface ClusterSubresources {
  /** PUTs the call; resolves when the server accepted it. */
  call(request: SubresourceRequest): Promise<void>;
  /** Opens the serial console of a VMI, a stream of its raw bytes. */
  openConsole(namespace: string, name: string): Promise<Duplex>;
  /** Opens a TCP connection to `port` of a VMI (or of a VM's VMI), a stream of its bytes. */
  openPortForward(resource: 'virtualmachineinstances' | 'virtualmachines', namespace: string, name: string, port: number): Promise<Duplex>;
}

function parsed(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return { message: text.trim() === '' ? undefined : text.trim().slice(0, 1000) };
  }
}

/** A websocket to `path` of the current context's cluster, as a byte stream; a refusal is the ApiError of its Status. */
async function openStream(config: KubeConfig, path: string): Promise<Duplex> {
  const cluster = config.getCurrentCluster();
  if (cluster === null) throw new Error('kubeconfig: no current cluster');
  const url = new URL(path, cluster.server);
  url.protocol = url.protocol === 'http:' ? 'ws:' : 'wss:';
  const options: ClientOptions = { handshakeTimeout: 30_000, maxPayload: 1024 * 1024 };
  await config.applyToHTTPSOptions(options);
  const ws = new WebSocket(url, [CONSOLE_SUBPROTOCOL], options);
  return new Promise<Duplex>((resolve, reject) => {
    // A refusal's Status is read to its end before the connection is dropped; the drop's own error says less.
    let refused = false;
    ws.once('open', () => resolve(createWebSocketStream(ws)));
    ws.once('unexpected-response', (req, res) => {
      refused = true;
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => { if (text.length < 64 * 1024) text += c; });
      res.on('end', () => {
        reject(statusError(res.statusCode ?? 0, parsed(text)));
        req.destroy();
      });
    });
    ws.on('error', (e) => { if (!refused) reject(e); });
  });
}

/** The calls against the current context's cluster of `config`. */
export function clusterSubresources(config: KubeConfig): ClusterSubresources {
  const http = createHttpsTransport(config);
  return {
    async call(request) {
      const body = request.resource === 'virtualmachines' && request.subresource === 'start' && request.paused === true ? { paused: true } : undefined;
      const res = await http.request({ method: 'PUT', path: subresourcePath(request), ...(body === undefined ? {} : { body }) });
      if (res.status < 200 || res.status >= 300) throw statusError(res.status, parsed(res.body));
    },
    openConsole: (namespace, name) => openStream(config, subresourcePath({ resource: 'virtualmachineinstances', namespace, name, subresource: 'console' })),
    openPortForward: (resource, namespace, name, port) => openStream(config, subresourcePath({ resource, namespace, name, subresource: `portforward/${port}` })),
  };
}
