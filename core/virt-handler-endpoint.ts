/**
 * virt-handler's REST endpoint, the one virt-api calls on the VMI's node (KubeVirt's port 8186): its
 * port, its paths, and the names in the two certificates of the mutual TLS between them. Three
 * parties share these facts: synth issues the certificates and opens the port, virt-handler serves
 * and checks the client's name, virt-api calls and checks the server's name. Pure.
 * @see https://github.com/kubevirt/kubevirt/blob/main/pkg/virt-handler/rest/console.go
 */
import { dnsLabelProblem, dnsSubdomainProblem } from './paths.js';

/** The port virt-handler's REST endpoint listens on, in its pod (KubeVirt's). */
export const VIRT_HANDLER_REST_PORT = 8186;

/**
 * The common names of the component certificates (KubeVirt's): virt-handler serves with the first,
 * virt-api presents the second as its client certificate; each side accepts only the other's.
 */
export const COMPONENT_CERT_NAMES = {
  handlerServer: 'kubevirt.io:system:node:virt-handler',
  apiClient: 'kubevirt.io:system:client:virt-api',
} as const;

/** What virt-api asks of a VMI on the handler: the lifecycle calls (PUT) and the serial console (GET, a websocket). */
export const HANDLER_VMI_ACTIONS = ['pause', 'unpause', 'console'] as const;

/** One of {@link HANDLER_VMI_ACTIONS}. */
export type HandlerVmiAction = (typeof HANDLER_VMI_ACTIONS)[number];

/** A call for one VMI on the handler. */
export interface HandlerVmiCall {
  readonly namespace: string;
  readonly name: string;
  readonly action: HandlerVmiAction;
}

/** The path of a call: `/v1/namespaces/{ns}/virtualmachineinstances/{name}/{action}`. */
export function handlerVmiPath(call: HandlerVmiCall): string {
  return `/v1/namespaces/${encodeURIComponent(call.namespace)}/virtualmachineinstances/${encodeURIComponent(call.name)}/${call.action}`;
}

const PATH = /^\/v1\/namespaces\/([^/]+)\/virtualmachineinstances\/([^/]+)\/([^/]+)$/;

/** The call a request path names, or undefined when it names none (a bad namespace or name included). */
export function parseHandlerVmiPath(path: string): HandlerVmiCall | undefined {
  const m = PATH.exec(path);
  if (m === null) return undefined;
  const [namespace, name, action] = [m[1] ?? '', m[2] ?? '', m[3] ?? ''];
  const known = HANDLER_VMI_ACTIONS.find((a) => a === action);
  if (known === undefined || dnsLabelProblem(namespace) !== undefined || dnsSubdomainProblem(name) !== undefined) return undefined;
  return { namespace, name, action: known };
}

/** The websocket subprotocol of a console stream: raw serial bytes in binary messages (virtctl's). */
export const CONSOLE_SUBPROTOCOL = 'plain.kubevirt.io';
