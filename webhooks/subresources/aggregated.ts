/**
 * virt-api as an aggregated API server (`APIService v1.subresources.kubevirt.io`), the pure part:
 * which call an HTTP request is (discovery, a lifecycle PUT, a console stream), the discovery
 * documents the API server's aggregator and kubectl read, and the SubjectAccessReview that decides
 * whether the user the API server vouches for may make the call. The edge (webhooks/runtime/)
 * authenticates the front proxy, asks the review and executes the call.
 * @see https://github.com/kubevirt/kubevirt/blob/main/pkg/virt-api/api.go
 */
import { dnsLabelProblem, dnsSubdomainProblem } from '../../core/paths.js';
import { parseForwardPort, type ForwardPort } from '../../core/port-forward.js';
import { ApiGroups, ExternalGvk } from '../../crd-gen/index.js';
import type { RequestUser } from '../context.js';
import { SUBRESOURCES, type SubresourceRequest } from './request.js';

/** The one version served. */
export const SUBRESOURCE_VERSION = 'v1';

const GROUP_VERSION = `${ApiGroups.subresources}/${SUBRESOURCE_VERSION}`;
const GROUP_PATH = `/apis/${ApiGroups.subresources}`;
const VERSION_PATH = `${GROUP_PATH}/${SUBRESOURCE_VERSION}`;

/** `virtctl console VMI`: a websocket of the VMI's serial console. */
export interface ConsoleRequest {
  readonly resource: 'virtualmachineinstances';
  readonly namespace: string;
  readonly name: string;
  readonly subresource: 'console';
}

/**
 * `virtctl port-forward TYPE/NAME PORT`: a websocket joined to a TCP port of the VMI (a VM's is
 * its VMI's), `…/{resource}/{name}/portforward/{port}[/{protocol}]`.
 */
export interface PortForwardRequest extends ForwardPort {
  readonly resource: 'virtualmachineinstances' | 'virtualmachines';
  readonly namespace: string;
  readonly name: string;
  readonly subresource: 'portforward';
}

/** A refusal before anything is looked up: Kubernetes' status and reason. */
export interface RouteRefusal {
  readonly status: 400 | 404 | 405;
  readonly reason: 'BadRequest' | 'NotFound' | 'MethodNotAllowed';
  readonly message: string;
  /** The methods the path takes, for a 405. */
  readonly allow?: string;
}

/** What a request to virt-api is, as far as the aggregated API goes. */
export type AggregatedRoute =
  /** Not under `/apis`: the webhook server's own paths. */
  | { readonly kind: 'not-aggregated' }
  | { readonly kind: 'discovery'; readonly body: object }
  /** A lifecycle call; `start` reads its StartOptions from the body. */
  | { readonly kind: 'call'; readonly request: SubresourceRequest }
  | { readonly kind: 'console'; readonly request: ConsoleRequest }
  | { readonly kind: 'portforward'; readonly request: PortForwardRequest }
  | { readonly kind: 'refused'; readonly refusal: RouteRefusal };

interface ResourceEntry {
  readonly name: string;
  readonly kind: 'VirtualMachine' | 'VirtualMachineInstance';
  readonly verbs: readonly string[];
}

/** What the version serves, as its APIResourceList lists it. */
const RESOURCES: readonly ResourceEntry[] = [
  ...SUBRESOURCES.virtualmachines.map((s) => ({ name: `virtualmachines/${s}`, kind: 'VirtualMachine' as const, verbs: ['update'] })),
  ...SUBRESOURCES.virtualmachineinstances.map((s) => ({ name: `virtualmachineinstances/${s}`, kind: 'VirtualMachineInstance' as const, verbs: ['update'] })),
  { name: 'virtualmachineinstances/console', kind: 'VirtualMachineInstance', verbs: ['get'] },
  { name: 'virtualmachineinstances/portforward', kind: 'VirtualMachineInstance', verbs: ['get'] },
  { name: 'virtualmachines/portforward', kind: 'VirtualMachine', verbs: ['get'] },
];

const groupVersion = { groupVersion: GROUP_VERSION, version: SUBRESOURCE_VERSION };
const apiGroup = { kind: 'APIGroup', apiVersion: 'v1', name: ApiGroups.subresources, versions: [groupVersion], preferredVersion: groupVersion };

/** `/apis/subresources.kubevirt.io/v1`: what the aggregator's availability check and kubectl's discovery read. */
export const API_RESOURCE_LIST = {
  kind: 'APIResourceList',
  apiVersion: 'v1',
  groupVersion: GROUP_VERSION,
  resources: RESOURCES.map((r) => ({ name: r.name, singularName: '', namespaced: true, kind: r.kind, verbs: [...r.verbs] })),
};

const DISCOVERY: ReadonlyMap<string, object> = new Map<string, object>([
  ['/apis', { kind: 'APIGroupList', apiVersion: 'v1', groups: [apiGroup] }],
  [GROUP_PATH, apiGroup],
  [VERSION_PATH, API_RESOURCE_LIST],
]);

const refused = (refusal: RouteRefusal): AggregatedRoute => ({ kind: 'refused', refusal });
const notFound = (path: string): AggregatedRoute => refused({ status: 404, reason: 'NotFound', message: `the server could not find the requested resource (${path.slice(0, 300)})` });
const methodNotAllowed = (method: string, allow: string): AggregatedRoute =>
  refused({ status: 405, reason: 'MethodNotAllowed', message: `${method.slice(0, 16)} is not allowed here; use ${allow}`, allow });

const PORT_FORWARD_PATH = /^\/namespaces\/([^/]+)\/(virtualmachines|virtualmachineinstances)\/([^/]+)\/portforward\/([^/]+)(?:\/([^/]+))?$/;

/** The route of a `…/portforward/{port}[/{protocol}]` path (`rest` under the version's path), or undefined when it is not one. */
function portForwardRoute(method: string, rest: string, path: string): AggregatedRoute | undefined {
  const m = PORT_FORWARD_PATH.exec(rest);
  if (m === null) return undefined;
  const [namespace, resource, name] = [m[1] ?? '', m[2] === 'virtualmachines' ? 'virtualmachines' as const : 'virtualmachineinstances' as const, m[3] ?? ''];
  const problem = dnsLabelProblem(namespace) ?? dnsSubdomainProblem(name);
  if (problem !== undefined) return refused({ status: 400, reason: 'BadRequest', message: `invalid namespace or name in ${path.slice(0, 300)}: ${problem}` });
  const port = parseForwardPort(m[4] ?? '', m[5]);
  if (typeof port === 'string') return refused({ status: 400, reason: 'BadRequest', message: `invalid portforward path ${path.slice(0, 300)}: ${port}` });
  if (method !== 'GET') return methodNotAllowed(method, 'GET');
  return { kind: 'portforward', request: { resource, namespace, name, subresource: 'portforward', ...port } };
}

const OBJECT_PATH = /^\/namespaces\/([^/]+)\/(virtualmachines|virtualmachineinstances)\/([^/]+)\/([^/]+)$/;

/** The four segments of `/namespaces/{ns}/{resource}/{name}/{subresource}`, or undefined. */
function segments(rest: string): { namespace: string; resource: string; name: string; subresource: string } | undefined {
  const m = OBJECT_PATH.exec(rest);
  return m === null ? undefined : { namespace: m[1] ?? '', resource: m[2] ?? '', name: m[3] ?? '', subresource: m[4] ?? '' };
}

/** The call of `/namespaces/{ns}/{resource}/{name}/{subresource}` under the version's path. */
function objectRoute(method: string, rest: string, path: string): AggregatedRoute {
  const at = segments(rest);
  if (at === undefined) return notFound(path);
  const { namespace, resource, name, subresource } = at;
  const problem = dnsLabelProblem(namespace) ?? dnsSubdomainProblem(name);
  if (problem !== undefined) return refused({ status: 400, reason: 'BadRequest', message: `invalid namespace or name in ${path.slice(0, 300)}: ${problem}` });
  if (resource === 'virtualmachineinstances' && subresource === 'console') {
    return method === 'GET' ? { kind: 'console', request: { resource, namespace, name, subresource } } : methodNotAllowed(method, 'GET');
  }
  const request = lifecycleRequest(resource, { namespace, name }, subresource);
  if (request === undefined) return notFound(path);
  return method === 'PUT' ? { kind: 'call', request } : methodNotAllowed(method, 'PUT');
}

/** The lifecycle call of `resource`'s `subresource`, or undefined when there is none of that name. */
function lifecycleRequest(resource: string, at: { readonly namespace: string; readonly name: string }, subresource: string): SubresourceRequest | undefined {
  if (resource === 'virtualmachines') {
    const vm = SUBRESOURCES.virtualmachines.find((s) => s === subresource);
    return vm === undefined ? undefined : { resource, ...at, subresource: vm };
  }
  const vmi = SUBRESOURCES.virtualmachineinstances.find((s) => s === subresource);
  return vmi === undefined ? undefined : { resource: 'virtualmachineinstances', ...at, subresource: vmi };
}

/** What `method path` (path without its query) asks of virt-api's aggregated API. */
export function routeAggregated(method: string, path: string): AggregatedRoute {
  if (path !== '/apis' && !path.startsWith('/apis/')) return { kind: 'not-aggregated' };
  const document = DISCOVERY.get(path);
  if (document !== undefined) return method === 'GET' ? { kind: 'discovery', body: document } : methodNotAllowed(method, 'GET');
  if (!path.startsWith(`${VERSION_PATH}/`)) return notFound(path);
  const rest = path.slice(VERSION_PATH.length);
  return portForwardRoute(method, rest, path) ?? objectRoute(method, rest, path);
}

/** The StartOptions of a `start` body (virtctl sends `{"paused": true}` for `--paused`), or why it is not one. */
export function startOptions(body: unknown): { readonly paused: boolean } | string {
  if (body === undefined || body === null) return { paused: false };
  if (typeof body !== 'object' || Array.isArray(body)) return 'the body of start must be a StartOptions object';
  const paused = (body as Record<string, unknown>)['paused'];
  if (paused !== undefined && typeof paused !== 'boolean') return 'StartOptions.paused must be true or false';
  return { paused: paused === true };
}

/** The call an authorization is asked for. */
export type AuthorizedCall = SubresourceRequest | ConsoleRequest | PortForwardRequest;

/** The verb a call is reviewed for: `get` for the streams (console, portforward), `update` for the PUTs. */
export function verbOf(call: AuthorizedCall): 'get' | 'update' {
  return call.subresource === 'console' || call.subresource === 'portforward' ? 'get' : 'update';
}

/**
 * The SubjectAccessReview of `user` making `call`: verb `update` for the PUTs, `get` for the console,
 * on `{resource}/{subresource}` of the group, as KubeVirt's authorizer asks.
 */
export function accessReviewOf(user: RequestUser, call: AuthorizedCall): object {
  return {
    ...ExternalGvk.SubjectAccessReview,
    metadata: {},
    spec: {
      user: user.username,
      ...(user.groups === undefined ? {} : { groups: [...user.groups] }),
      ...(user.extra === undefined ? {} : { extra: Object.fromEntries(Object.entries(user.extra).map(([k, v]) => [k, [...v]])) }),
      resourceAttributes: {
        namespace: call.namespace,
        verb: verbOf(call),
        group: ApiGroups.subresources,
        version: SUBRESOURCE_VERSION,
        resource: call.resource,
        subresource: call.subresource,
        name: call.name,
      },
    },
  };
}

/** Whether a SubjectAccessReview's answer allows, and the reason it gives. */
export function accessAllowed(review: unknown): { readonly allowed: boolean; readonly reason: string } {
  const status = (typeof review === 'object' && review !== null ? (review as { status?: unknown }).status : undefined) as { allowed?: unknown; reason?: unknown } | undefined;
  return { allowed: status?.allowed === true, reason: typeof status?.reason === 'string' ? status.reason : '' };
}

/** Kubernetes' Forbidden message for a user refused a subresource. */
export function forbiddenMessage(user: RequestUser, call: AuthorizedCall, reason: string): string {
  const verb = verbOf(call);
  const base = `${call.resource}.${ApiGroups.subresources} "${call.name}" is forbidden: User "${user.username}" cannot ${verb} resource "${call.resource}/${call.subresource}" in API group "${ApiGroups.subresources}" in the namespace "${call.namespace}"`;
  return reason === '' ? base : `${base}: ${reason}`;
}
