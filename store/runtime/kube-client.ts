/**
 * The cluster implementation of the KubeApi port: REST calls to a real API server with the
 * credentials of a client-node KubeConfig. Resource paths come from a table (our kubevirt.io kinds
 * from crd-gen, the core kinds we use) or, for other kinds, from API discovery. Every failure is an
 * ApiError decoded from the server's Status object, so isNotFound/isConflict/isGone work.
 * @see https://kubernetes.io/docs/reference/using-api/api-concepts/
 */
import { KubeConfig } from '@kubernetes/client-node';
import { ApiError } from '../../core/errors.js';
import type { DeleteOptions, KubeApi, KubeObject, ListOptions, ObjectList, Patch, PatchTarget, PatchType, ResourceType, Watch, WatchEvent, WriteOptions } from '../../core/kube.js';
import { KINDS } from '../../crd-gen/index.js';
import { createHttpsTransport, type KubeResponse, type KubeTransport } from './kube-http.js';

/** Where a kind is served. */
export interface ResourceInfo {
  /** `pods`, `virtualmachines`. */
  readonly plural: string;
  readonly namespaced: boolean;
}

const CORE: Readonly<Record<string, ResourceInfo>> = {
  'v1/Pod': { plural: 'pods', namespaced: true },
  'v1/Node': { plural: 'nodes', namespaced: false },
  'v1/Namespace': { plural: 'namespaces', namespaced: false },
  'v1/ConfigMap': { plural: 'configmaps', namespaced: true },
  'v1/Secret': { plural: 'secrets', namespaced: true },
  'v1/PersistentVolumeClaim': { plural: 'persistentvolumeclaims', namespaced: true },
  'v1/Event': { plural: 'events', namespaced: true },
  'v1/ServiceAccount': { plural: 'serviceaccounts', namespaced: true },
  'v1/Service': { plural: 'services', namespaced: true },
  'coordination.k8s.io/v1/Lease': { plural: 'leases', namespaced: true },
  'apps/v1/ControllerRevision': { plural: 'controllerrevisions', namespaced: true },
  'authorization.k8s.io/v1/SubjectAccessReview': { plural: 'subjectaccessreviews', namespaced: false },
};

/** The known resource table: the core kinds above and every kind crd-gen serves. */
export const KNOWN_RESOURCES: Readonly<Record<string, ResourceInfo>> = {
  ...CORE,
  ...Object.fromEntries(Object.values(KINDS).map((k) => [`${k.apiVersion}/${k.kind}`, { plural: k.plural, namespaced: k.namespaced }])),
};

/** `/api/v1` or `/apis/<group>/<version>`. */
export function groupVersionPath(apiVersion: string): string {
  return apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
}

/** The REST path of a collection (`name` undefined) or an object, with an optional subresource. */
export function resourcePath(type: ResourceType, info: ResourceInfo, at: { readonly namespace?: string; readonly name?: string; readonly subresource?: string }): string {
  const ns = info.namespaced && at.namespace !== undefined && at.namespace !== '' ? `/namespaces/${encodeURIComponent(at.namespace)}` : '';
  const name = at.name === undefined ? '' : `/${encodeURIComponent(at.name)}`;
  const sub = at.subresource === undefined || at.name === undefined ? '' : `/${at.subresource}`;
  return `${groupVersionPath(type.apiVersion)}${ns}/${info.plural}${name}${sub}`;
}

/** `?a=b&…` of the defined entries, or ''. */
export function query(params: Readonly<Record<string, string | undefined>>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') q.set(k, v);
  const s = q.toString();
  return s === '' ? '' : `?${s}`;
}

interface StatusObject {
  kind?: string;
  status?: string;
  message?: string;
  reason?: string;
  code?: number;
  details?: { causes?: { reason?: string; field?: string; message?: string }[] };
}

const REASONS: Readonly<Record<number, string>> = {
  400: 'BadRequest', 401: 'Unauthorized', 403: 'Forbidden', 404: 'NotFound', 405: 'MethodNotAllowed', 409: 'Conflict',
  410: 'Gone', 415: 'UnsupportedMediaType', 422: 'Invalid', 429: 'TooManyRequests', 500: 'InternalError', 503: 'ServiceUnavailable', 504: 'Timeout',
};

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

const statusCode = (s: StatusObject, code: number): number => (typeof s.code === 'number' && s.code > 0 ? s.code : code);
const nonEmpty = (v: string | undefined): string | undefined => (v === '' ? undefined : v);

/** The ApiError of a Status object (or of a bare status code when the body is not one). */
export function statusError(code: number, status: unknown): ApiError {
  const s = (typeof status === 'object' && status !== null ? status : {}) as StatusObject;
  const httpCode = statusCode(s, code);
  const reason = nonEmpty(s.reason) ?? REASONS[httpCode] ?? 'Unknown';
  const causes = (s.details?.causes ?? []).map((c) => ({ type: c.reason ?? '', field: c.field ?? '', message: c.message ?? '' }));
  return new ApiError(httpCode, reason, s.message ?? `the server responded with ${httpCode}`, { causes });
}

function decode<T>(res: KubeResponse): T {
  const body = parseJson(res.body);
  if (res.status >= 200 && res.status < 300) return body as T;
  throw statusError(res.status, body);
}

const PATCH_CONTENT: Readonly<Record<PatchType, string>> = {
  json: 'application/json-patch+json',
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  apply: 'application/apply-patch+yaml',
};

function writeQuery(options: WriteOptions | undefined, patchType?: PatchType): string {
  const force = patchType === 'apply' && options?.force === true ? 'true' : undefined;
  return query({ fieldManager: options?.fieldManager, force, dryRun: options?.dryRun === true ? 'All' : undefined, fieldValidation: options?.fieldValidation });
}

/** A watch line's event, or the ApiError of an ERROR event. */
export function watchLine<T extends KubeObject>(line: string): WatchEvent<T> | ApiError | undefined {
  const data = (parseJson(line) ?? {}) as { type?: string; object?: unknown };
  switch (data.type) {
    case 'ERROR':
      return statusError(500, data.object);
    case 'BOOKMARK':
      return { type: 'BOOKMARK', resourceVersion: (data.object as KubeObject).metadata.resourceVersion ?? '' };
    case 'ADDED':
    case 'MODIFIED':
    case 'DELETED':
      return { type: data.type, object: data.object as T };
    default:
      return undefined;
  }
}

class KubeClient implements KubeApi {
  private readonly discovered = new Map<string, ResourceInfo>();

  constructor(private readonly http: KubeTransport) {}

  async get<T extends KubeObject>(type: ResourceType, namespace: string | undefined, name: string): Promise<T> {
    return decode<T>(await this.http.request({ method: 'GET', path: await this.path(type, { namespace, name }) }));
  }

  async list<T extends KubeObject>(type: ResourceType, options: ListOptions = {}): Promise<ObjectList<T>> {
    const path = (await this.path(type, { namespace: options.namespace })) + query({ labelSelector: options.labelSelector, fieldSelector: options.fieldSelector });
    const list = decode<{ items?: T[]; metadata?: { resourceVersion?: string } }>(await this.http.request({ method: 'GET', path }));
    // The server omits apiVersion/kind of list items; the port's objects always carry them.
    const items = (list.items ?? []).map((o) => ({ ...o, apiVersion: type.apiVersion, kind: type.kind }));
    return { items, resourceVersion: list.metadata?.resourceVersion ?? '' };
  }

  async watch<T extends KubeObject>(type: ResourceType, options: ListOptions & { readonly resourceVersion: string }, onEvent: (event: WatchEvent<T>) => void): Promise<Watch> {
    const q = query({ watch: 'true', allowWatchBookmarks: 'true', resourceVersion: options.resourceVersion, labelSelector: options.labelSelector, fieldSelector: options.fieldSelector });
    let failure: ApiError | undefined;
    let stopped = false;
    const stream = this.http.stream((await this.path(type, { namespace: options.namespace })) + q, (line) => {
      if (stopped || failure !== undefined) return;
      const event = watchLine<T>(line);
      if (event instanceof ApiError) {
        failure = event;
        stream.abort();
      } else if (event !== undefined) onEvent(event);
    });
    const first = await stream.response;
    if (first.status !== 200) throw statusError(first.status, parseJson(first.body));
    const done = stream.done.then((broken) => (stopped ? undefined : (failure ?? broken)));
    return {
      stop: () => {
        stopped = true;
        stream.abort();
      },
      done,
    };
  }

  async create<T extends KubeObject>(object: T, options?: WriteOptions): Promise<T> {
    const path = (await this.path(object, { namespace: object.metadata.namespace })) + writeQuery(options);
    return decode<T>(await this.http.request({ method: 'POST', path, body: object }));
  }

  async update<T extends KubeObject>(object: T, options?: WriteOptions): Promise<T> {
    const path = (await this.path(object, { namespace: object.metadata.namespace, name: object.metadata.name })) + writeQuery(options);
    return decode<T>(await this.http.request({ method: 'PUT', path, body: object }));
  }

  async updateStatus<T extends KubeObject>(object: T): Promise<T> {
    const path = await this.path(object, { namespace: object.metadata.namespace, name: object.metadata.name, subresource: 'status' });
    return decode<T>(await this.http.request({ method: 'PUT', path, body: object }));
  }

  async patch<T extends KubeObject>(type: ResourceType, target: PatchTarget, patch: Patch, options?: WriteOptions): Promise<T> {
    const path = (await this.path(type, target)) + writeQuery(options, patch.type);
    return decode<T>(await this.http.request({ method: 'PATCH', path, body: patch.body, contentType: PATCH_CONTENT[patch.type] }));
  }

  async delete(type: ResourceType, namespace: string | undefined, name: string, options: DeleteOptions = {}): Promise<void> {
    const preconditions = options.uid === undefined && options.resourceVersion === undefined ? undefined : { uid: options.uid, resourceVersion: options.resourceVersion };
    const body = { apiVersion: 'v1', kind: 'DeleteOptions', preconditions, propagationPolicy: options.propagationPolicy, gracePeriodSeconds: options.gracePeriodSeconds };
    decode<unknown>(await this.http.request({ method: 'DELETE', path: await this.path(type, { namespace, name }), body }));
  }

  private async path(type: ResourceType, at: { readonly namespace?: string; readonly name?: string; readonly subresource?: string }): Promise<string> {
    return resourcePath(type, await this.resolve(type), at);
  }

  /** The table entry of a kind, or what discovery says about it. */
  private async resolve(type: ResourceType): Promise<ResourceInfo> {
    const key = `${type.apiVersion}/${type.kind}`;
    const known = KNOWN_RESOURCES[key] ?? this.discovered.get(key);
    if (known !== undefined) return known;
    const list = decode<{ resources?: { name: string; kind: string; namespaced: boolean }[] }>(await this.http.request({ method: 'GET', path: groupVersionPath(type.apiVersion) }));
    const found = list.resources?.find((r) => r.kind === type.kind && !r.name.includes('/'));
    if (found === undefined) throw new ApiError(404, 'NotFound', `the server does not serve kind ${type.kind} in ${type.apiVersion}`);
    const info = { plural: found.name, namespaced: found.namespaced };
    this.discovered.set(key, info);
    return info;
  }
}

/** Options of {@link createKubeClient}. */
export interface KubeClientOptions {
  /** How to talk HTTP (default: node:https with the config's credentials). */
  readonly transport?: KubeTransport;
}

/** A KubeApi against the current context's cluster of `config`. */
export function createKubeClient(config: KubeConfig, options: KubeClientOptions = {}): KubeApi {
  return new KubeClient(options.transport ?? createHttpsTransport(config));
}

/** The kubeconfig of `kvt virt-controller --kubeconfig`: that file, else $KUBECONFIG, ~/.kube/config or the in-cluster service account. */
export function loadKubeConfig(options: { readonly kubeconfig?: string } = {}): KubeConfig {
  const config = new KubeConfig();
  if (options.kubeconfig !== undefined) config.loadFromFile(options.kubeconfig);
  else config.loadFromDefault();
  return config;
}
