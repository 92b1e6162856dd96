/**
 * A loopback HTTPS API server for the client-node adapter's tests: Kubernetes REST (discovery,
 * CRUD on namespaced and cluster paths, list selectors, the three patch content types, /status,
 * DELETE with DeleteOptions, chunked watches with 410 Gone as an ERROR event) translated onto an
 * in-memory store, which owns every storage semantic. ApiErrors go out as Status objects.
 */
import https from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import forge from 'node-forge';
import { ApiError } from '../../core/errors.js';
import type { DeleteOptions, FieldValidation, KubeApi, KubeObject, PatchType, ResourceType } from '../../core/kube.js';
import { groupVersionPath, KNOWN_RESOURCES } from '../../store/runtime/kube-client.js';
import { kindInfo } from '../../store/memory-kinds.js';

/** A running fake API server. */
export interface FakeApiServer {
  readonly url: string;
  /** A kubeconfig for it: its CA and a bearer token. */
  readonly kubeConfig: KubeConfig;
  close(): Promise<void>;
}

interface Served {
  readonly type: ResourceType;
  readonly plural: string;
  readonly namespaced: boolean;
}

const KNOWN: readonly Served[] = Object.entries(KNOWN_RESOURCES).map(([key, info]) => {
  const slash = key.lastIndexOf('/');
  return { type: { apiVersion: key.slice(0, slash), kind: key.slice(slash + 1) }, ...info };
});

/** A kind the store holds, as the in-memory store names and scopes it. */
const servedFromStore = (type: ResourceType): Served => {
  const info = kindInfo(type);
  return { type, plural: info.resource.split('.')[0]!, namespaced: info.namespaced };
};

let generated: { key: string; cert: string } | undefined;

/** One self-signed serving certificate per test process (RSA key generation in JS is slow). */
function selfSigned(): { key: string; cert: string } {
  generated ??= makeCert();
  return generated;
}

function makeCert(): { key: string; cert: string } {
  const keys = forge.pki.rsa.generateKeyPair({ bits: 2048, e: 0x10001 });
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = '01';
  cert.validity.notBefore = new Date(Date.now() - 60_000);
  cert.validity.notAfter = new Date(Date.now() + 24 * 3600_000);
  const attrs = [{ name: 'commonName', value: 'kvt-fake-apiserver' }];
  cert.setSubject(attrs);
  cert.setIssuer(attrs);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true },
    { name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }] },
  ]);
  cert.sign(keys.privateKey, forge.md.sha256.create());
  return { key: forge.pki.privateKeyToPem(keys.privateKey), cert: forge.pki.certificateToPem(cert) };
}

const statusOf = (e: unknown): object => {
  const err = e instanceof ApiError ? e : new ApiError(500, 'InternalError', e instanceof Error ? e.message : String(e));
  return {
    kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: err.message, reason: err.reason, code: err.status,
    ...(err.causes.length === 0 ? {} : { details: { causes: err.causes.map((c) => ({ reason: c.type, field: c.field, message: c.message })) } }),
  };
};

function send(res: ServerResponse, code: number, body: unknown): void {
  res.writeHead(code, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new ApiError(400, 'BadRequest', 'the request body is not JSON');
  }
}

function discovery(SERVED: readonly Served[], path: string): object | undefined {
  if (path === '/api') return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [] };
  if (path === '/apis') {
    const gvs = [...new Set(SERVED.map((s) => s.type.apiVersion).filter((v) => v.includes('/')))];
    const groups = gvs.map((gv) => ({ name: gv.split('/')[0], versions: [{ groupVersion: gv, version: gv.split('/')[1] }], preferredVersion: { groupVersion: gv, version: gv.split('/')[1] } }));
    return { kind: 'APIGroupList', apiVersion: 'v1', groups };
  }
  const inGv = SERVED.filter((s) => groupVersionPath(s.type.apiVersion) === path);
  if (inGv.length === 0) return undefined;
  const verbs = ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'];
  const resources = inGv.flatMap((s) => [
    { name: s.plural, singularName: '', namespaced: s.namespaced, kind: s.type.kind, verbs },
    { name: `${s.plural}/status`, singularName: '', namespaced: s.namespaced, kind: s.type.kind, verbs: ['get', 'patch', 'update'] },
  ]);
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: inGv[0]!.type.apiVersion, resources };
}

interface Target {
  readonly served: Served;
  readonly namespace?: string;
  readonly name?: string;
  readonly subresource?: 'status';
}

/** The resource a REST path names, or undefined. */
function route(SERVED: readonly Served[], path: string): Target | undefined {
  for (const served of SERVED) {
    const prefix = `${groupVersionPath(served.type.apiVersion)}/`;
    if (!path.startsWith(prefix)) continue;
    let rest = path.slice(prefix.length).split('/').map(decodeURIComponent);
    let namespace: string | undefined;
    if (served.namespaced && rest[0] === 'namespaces' && rest.length >= 3) {
      namespace = rest[1];
      rest = rest.slice(2);
    }
    if (rest[0] !== served.plural || rest.length > 3) continue;
    if (rest.length === 3 && rest[2] !== 'status') continue;
    return { served, namespace, name: rest[1], subresource: rest.length === 3 ? 'status' : undefined };
  }
  return undefined;
}

const PATCH_TYPES: Readonly<Record<string, PatchType>> = {
  'application/json-patch+json': 'json',
  'application/merge-patch+json': 'merge',
  'application/strategic-merge-patch+json': 'strategic',
  'application/apply-patch+yaml': 'apply',
};

/** The `fieldValidation` query parameter, when it is one of the API's values. */
function fieldValidationOf(q: URLSearchParams): FieldValidation | undefined {
  const v = q.get('fieldValidation');
  return v === 'Strict' || v === 'Warn' || v === 'Ignore' ? v : undefined;
}

function deleteOptions(body: unknown, q: URLSearchParams): DeleteOptions {
  const b = (body ?? {}) as { preconditions?: { uid?: string; resourceVersion?: string }; propagationPolicy?: DeleteOptions['propagationPolicy']; gracePeriodSeconds?: number };
  const grace = b.gracePeriodSeconds ?? (q.has('gracePeriodSeconds') ? Number(q.get('gracePeriodSeconds')) : undefined);
  const policy = b.propagationPolicy ?? (q.get('propagationPolicy') as DeleteOptions['propagationPolicy'] | null) ?? undefined;
  return { uid: b.preconditions?.uid, resourceVersion: b.preconditions?.resourceVersion, propagationPolicy: policy, gracePeriodSeconds: grace };
}

function watch(store: KubeApi, t: Target, q: URLSearchParams, res: ServerResponse): Promise<void> {
  res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
  res.flushHeaders();
  const line = (o: unknown): boolean => res.write(`${JSON.stringify(o)}\n`);
  const options = { namespace: t.namespace, labelSelector: q.get('labelSelector') ?? undefined, fieldSelector: q.get('fieldSelector') ?? undefined };
  const from = async (): Promise<string> => q.get('resourceVersion') ?? (await store.list(t.served.type, options)).resourceVersion;
  return from()
    .then((resourceVersion) =>
      store.watch(t.served.type, { ...options, resourceVersion }, (event) => {
        if (event.type === 'BOOKMARK') line({ type: 'BOOKMARK', object: { apiVersion: t.served.type.apiVersion, kind: t.served.type.kind, metadata: { resourceVersion: event.resourceVersion } } });
        else line(event);
      }),
    )
    .then(async (w) => {
      res.on('close', () => w.stop());
      const ended = await w.done;
      if (ended !== undefined) line({ type: 'ERROR', object: statusOf(ended) });
      res.end();
    })
    .catch((e: unknown) => {
      line({ type: 'ERROR', object: statusOf(e) });
      res.end();
    });
}

async function collection(store: KubeApi, t: Target, req: IncomingMessage, url: URL): Promise<unknown> {
  const q = url.searchParams;
  if (req.method === 'GET') {
    const list = await store.list(t.served.type, { namespace: t.namespace, labelSelector: q.get('labelSelector') ?? undefined, fieldSelector: q.get('fieldSelector') ?? undefined });
    return { apiVersion: t.served.type.apiVersion, kind: `${t.served.type.kind}List`, metadata: { resourceVersion: list.resourceVersion }, items: list.items };
  }
  if (req.method !== 'POST') throw new ApiError(405, 'MethodNotAllowed', `${req.method ?? ''} is not allowed on a collection`);
  const body = (await readBody(req)) as KubeObject;
  const object = t.namespace === undefined ? body : { ...body, metadata: { ...body.metadata, namespace: body.metadata.namespace ?? t.namespace } };
  return store.create(object, { fieldManager: q.get('fieldManager') ?? undefined, dryRun: q.get('dryRun') === 'All', fieldValidation: fieldValidationOf(q) });
}

async function item(store: KubeApi, t: Target & { name: string }, req: IncomingMessage, url: URL): Promise<unknown> {
  const q = url.searchParams;
  const { type } = t.served;
  const options = { fieldManager: q.get('fieldManager') ?? undefined, force: q.get('force') === 'true', dryRun: q.get('dryRun') === 'All', fieldValidation: fieldValidationOf(q) };
  switch (req.method) {
    case 'GET':
      return store.get(type, t.namespace, t.name);
    case 'PUT': {
      const body = (await readBody(req)) as KubeObject;
      return t.subresource === 'status' ? store.updateStatus(body) : store.update(body, options);
    }
    case 'PATCH': {
      const patchType = PATCH_TYPES[(req.headers['content-type'] ?? '').split(';')[0]!.trim()];
      if (patchType === undefined) throw new ApiError(415, 'UnsupportedMediaType', `the patch content type "${req.headers['content-type'] ?? ''}" is not supported`);
      return store.patch(type, { namespace: t.namespace, name: t.name, subresource: t.subresource }, { type: patchType, body: await readBody(req) }, options);
    }
    case 'DELETE':
      await store.delete(type, t.namespace, t.name, deleteOptions(await readBody(req), q));
      return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success' };
    default:
      throw new ApiError(405, 'MethodNotAllowed', `${req.method ?? ''} is not allowed`);
  }
}

async function handle(store: KubeApi, served: readonly Served[], req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'https://127.0.0.1');
  const found = discovery(served, url.pathname);
  if (found !== undefined && req.method === 'GET') return send(res, 200, found);
  const t = route(served, url.pathname);
  if (t === undefined) throw new ApiError(404, 'NotFound', `the server could not find the requested resource (${url.pathname})`);
  if (t.name === undefined && url.searchParams.get('watch') === 'true') return watch(store, t, url.searchParams, res);
  const result = t.name === undefined ? await collection(store, t, req, url) : await item(store, { ...t, name: t.name }, req, url);
  send(res, req.method === 'POST' ? 201 : 200, result);
}

/** Starts the server on 127.0.0.1 (a random port) in front of `store`; it serves the adapter's known kinds and `extraKinds`. */
export async function startFakeApiServer(store: KubeApi, extraKinds: readonly ResourceType[] = []): Promise<FakeApiServer> {
  const served = [...KNOWN, ...extraKinds.map(servedFromStore)];
  const { key, cert } = selfSigned();
  const server = https.createServer({ key, cert }, (req, res) => {
    handle(store, served, req, res).catch((e: unknown) => {
      if (!res.headersSent) send(res, e instanceof ApiError ? e.status : 500, statusOf(e));
      else res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromOptions({
    clusters: [{ name: 'fake', server: url, caData: Buffer.from(cert).toString('base64'), skipTLSVerify: false }],
    users: [{ name: 'fake', token: 'fake-token' }],
    contexts: [{ name: 'fake', cluster: 'fake', user: 'fake' }],
    currentContext: 'fake',
  });
  return {
    url,
    kubeConfig,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
