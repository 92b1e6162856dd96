/**
 * KubeVirt's `portforward` subresource, the pure facts its three parties share: the port and
 * protocol a path names (`…/portforward/{port}[/{protocol}]`, tcp by default), virt-handler's path
 * for it, and the address a VMI's port is reached at on its node (the launcher pod's IP: masquerade
 * DNATs its ports to the guest, a bridge-bound guest holds it). virt-api routes with the first,
 * calls the handler with the second; the handler dials the third. Pure.
 * @see https://kubevirt.io/user-guide/user_workloads/accessing_virtual_machines/
 */
import type { VirtualMachineInstance } from '../crd-gen/index.js';
import { dnsLabelProblem, dnsSubdomainProblem } from './paths.js';

/** The protocols forwarded: KubeVirt's default, tcp (udp is KubeVirt's too, not served here). */
export const FORWARD_PROTOCOLS = ['tcp'] as const;

/** One of {@link FORWARD_PROTOCOLS}. */
export type ForwardProtocol = (typeof FORWARD_PROTOCOLS)[number];

/** A port of a VMI to forward to. */
export interface ForwardPort {
  readonly port: number;
  readonly protocol: ForwardProtocol;
}

/** The port and protocol of the path's words, or why they are not one (naming the bad word). */
export function parseForwardPort(portWord: string, protocolWord: string | undefined): ForwardPort | string {
  const port = /^[0-9]{1,5}$/.test(portWord) ? Number(portWord) : NaN;
  if (!(port >= 1 && port <= 65535)) return `port ${JSON.stringify(portWord.slice(0, 64))} must be a number in 1-65535`;
  if (protocolWord === undefined) return { port, protocol: 'tcp' };
  const protocol = FORWARD_PROTOCOLS.find((p) => p === protocolWord);
  if (protocol === undefined) return `protocol ${JSON.stringify(protocolWord.slice(0, 64))} is not forwarded; only ${FORWARD_PROTOCOLS.join(', ')}`;
  return { port, protocol };
}

/** A port-forward of one VMI on its handler. */
export interface HandlerPortForward extends ForwardPort {
  readonly namespace: string;
  readonly name: string;
}

/** virt-handler's path of a forward: `/v1/namespaces/{ns}/virtualmachineinstances/{name}/portforward/{port}/{protocol}`. */
export function handlerPortForwardPath(call: HandlerPortForward): string {
  return `/v1/namespaces/${encodeURIComponent(call.namespace)}/virtualmachineinstances/${encodeURIComponent(call.name)}/portforward/${call.port}/${call.protocol}`;
}

const HANDLER_PATH = /^\/v1\/namespaces\/([^/]+)\/virtualmachineinstances\/([^/]+)\/portforward\/([^/]+)\/([^/]+)$/;

/** The forward a handler path names, or undefined (a bad namespace, name, port or protocol included). */
export function parseHandlerPortForwardPath(path: string): HandlerPortForward | undefined {
  const m = HANDLER_PATH.exec(path);
  if (m === null) return undefined;
  const [namespace, name] = [m[1] ?? '', m[2] ?? ''];
  const port = parseForwardPort(m[3] ?? '', m[4] ?? '');
  if (typeof port === 'string' || dnsLabelProblem(namespace) !== undefined || dnsSubdomainProblem(name) !== undefined) return undefined;
  return { namespace, name, ...port };
}

/**
 * Where the VMI's ports are reached on its node: the IP of its pod-network interface as the
 * handler reports it (the launcher pod's IP, `podInterfaceName` set), else the first interface's.
 */
export function forwardAddressOf(vmi: Readonly<VirtualMachineInstance>): string | undefined {
  const interfaces = vmi.status?.interfaces ?? [];
  const pod = interfaces.find((i) => (i.podInterfaceName ?? '') !== '' && (i.ipAddress ?? '') !== '');
  const address = pod?.ipAddress ?? interfaces[0]?.ipAddress;
  return address === '' ? undefined : address;
}
