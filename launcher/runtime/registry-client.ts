/**
 * The pull half of the OCI distribution protocol over Node's fetch: manifests and blobs of one
 * repository, with Basic and Bearer-token auth (a 401's WWW-Authenticate challenge answered once,
 * the token kept for the repository). Every failure is a RegistryError saying which kind it is
 * (unreachable, auth, not found, other) and naming the URL; digests are the caller's business
 * (image-pull.ts verifies every byte).
 * @see https://github.com/opencontainers/distribution-spec/blob/main/spec.md
 */
import { createHash } from 'node:crypto';
import { parseChallenge, tokenUrl, type AuthChallenge, type RegistryCredentials } from '../images/registry-auth.js';
import { MANIFEST_MEDIA_TYPES } from '../images/manifest.js';
import type { RegistryEndpoint } from '../images/registry-ref.js';
import { ImageStoreError } from './image-store-errors.js';

/** Why a registry request failed. */
export type RegistryFailure = 'unreachable' | 'auth' | 'not-found' | 'protocol';

/** A registry request that failed; `failure` says how. */
export class RegistryError extends ImageStoreError {
  readonly failure: RegistryFailure;

  constructor(failure: RegistryFailure, message: string, options?: ErrorOptions) {
    super(message, options);
    this.failure = failure;
  }
}

/** A manifest as fetched: its bytes as text, its media type and the sha256 of its bytes. */
export interface FetchedManifest {
  readonly text: string;
  readonly contentType: string | undefined;
  readonly digest: string;
}

/** The longest manifest or config accepted (distribution's own limit is 4 MiB). */
export const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;

/** What a client needs; tests may pass their own fetch. */
export interface RegistryClientOptions {
  readonly endpoint: RegistryEndpoint;
  readonly repository: string;
  readonly credentials?: RegistryCredentials;
  readonly fetch?: typeof fetch;
  readonly signal?: AbortSignal;
  /** How long a request may wait for its answer (a manifest's or token's whole body; a blob's headers). @default 60000 */
  readonly timeoutMs?: number;
}

function errorCodes(body: string): string {
  try {
    const parsed = JSON.parse(body) as { errors?: { code?: unknown; message?: unknown }[] };
    return (parsed.errors ?? []).map((e) => [e.code, e.message].filter((x) => typeof x === 'string').join(': ')).join('; ');
  } catch {
    return body.slice(0, 200).trim();
  }
}

/** Reads a response body, refusing more than `max` bytes. */
export async function readLimited(res: Response, max: number, what: string): Promise<Buffer> {
  const declared = Number(res.headers.get('content-length') ?? '0');
  if (declared > max) throw new RegistryError('protocol', `${what} is ${declared} bytes, more than the ${max} allowed`);
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of res.body ?? []) {
    total += (chunk as Uint8Array).length;
    if (total > max) throw new RegistryError('protocol', `${what} is more than the ${max} bytes allowed`);
    chunks.push(Buffer.from(chunk as Uint8Array));
  }
  return Buffer.concat(chunks);
}

/** The `token` (or OAuth2 `access_token`) of a token service's answer. */
function tokenOf(text: string): string | undefined {
  try {
    const body = JSON.parse(text) as { token?: unknown; access_token?: unknown };
    const token = typeof body.token === 'string' ? body.token : body.access_token;
    return typeof token === 'string' && token !== '' ? token : undefined;
  } catch {
    return undefined;
  }
}

/** A client of one repository of one registry (or its mirror). */
export class RegistryClient {
  private authorization: string | undefined;
  private readonly fetchImpl: typeof fetch;

  constructor(private readonly options: RegistryClientOptions) {
    this.fetchImpl = options.fetch ?? fetch;
  }

  /** `GET /v2/<repo>/manifests/<reference>`, accepting OCI and Docker manifests and indexes. */
  async manifest(reference: string): Promise<FetchedManifest> {
    const url = this.url(`manifests/${reference}`);
    const { res, done } = await this.get(url, MANIFEST_MEDIA_TYPES.join(', '));
    let body: Buffer;
    try {
      body = await readLimited(res, MAX_MANIFEST_BYTES, `the manifest ${reference}`);
    } catch (e: unknown) {
      if (e instanceof RegistryError) throw e;
      throw new RegistryError('unreachable', `${url}: the manifest's body did not arrive: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
    } finally {
      done();
    }
    return { text: body.toString('utf8'), contentType: res.headers.get('content-type') ?? undefined, digest: `sha256:${createHash('sha256').update(body).digest('hex')}` };
  }

  /** `GET /v2/<repo>/blobs/<digest>`: the response, its body unread (redirects to blob storage followed). */
  async blob(digest: string): Promise<Response> {
    const { res, done } = await this.get(this.url(`blobs/${digest}`), '*/*');
    done();
    return res;
  }

  private url(path: string): string {
    return `${this.options.endpoint.baseUrl}/v2/${this.options.repository}/${path}`;
  }

  /** The answer of a GET, authenticated when challenged; `done` ends its timeout (once its body is read, or at once to stream it). */
  private async get(url: string, accept: string): Promise<{ res: Response; done: () => void }> {
    let sent = await this.send(url, accept);
    if (sent.res.status === 401) {
      sent.done();
      if (await this.authenticate(sent.res)) sent = await this.send(url, accept);
    }
    const { res } = sent;
    if (res.ok) return sent;
    sent.done();
    const detail = errorCodes(await res.text().catch(() => ''));
    const said = `${res.status} ${res.statusText}${detail === '' ? '' : ` (${detail})`}`;
    if (res.status === 401 || res.status === 403) {
      const how = this.options.credentials === undefined ? 'no credentials were given (imagePullSecret, ~/.docker/config.json or $REGISTRY_AUTH_FILE)' : `the credentials of user ${JSON.stringify(this.options.credentials.username)} were refused`;
      throw new RegistryError('auth', `${url}: ${said}: ${how}`);
    }
    if (res.status === 404) throw new RegistryError('not-found', `${url}: ${said}`);
    throw new RegistryError('protocol', `${url}: ${said}`);
  }

  /** A signal that aborts after the timeout (or with the caller's), and the function that ends the timeout. */
  private deadline(): { signal: AbortSignal; done: () => void } {
    const ms = this.options.timeoutMs ?? 60_000;
    const controller = new AbortController();
    const timer = setTimeout(() => { controller.abort(new Error(`no answer within ${ms / 1000} s`)); }, ms);
    const signals = this.options.signal === undefined ? [controller.signal] : [controller.signal, this.options.signal];
    return { signal: AbortSignal.any(signals), done: () => { clearTimeout(timer); } };
  }

  private async send(url: string, accept: string): Promise<{ res: Response; done: () => void }> {
    const headers: Record<string, string> = { accept };
    if (this.authorization !== undefined) headers['authorization'] = this.authorization;
    const { signal, done } = this.deadline();
    try {
      return { res: await this.fetchImpl(url, { headers, redirect: 'follow', signal }), done };
    } catch (e: unknown) {
      done();
      const cause = e instanceof Error && e.cause instanceof Error ? e.cause.message : e instanceof Error ? e.message : String(e);
      throw new RegistryError('unreachable', `cannot reach ${url}: ${cause}`, { cause: e });
    }
  }

  /** Answers a 401's challenge; false when there is nothing to answer it with. */
  private async authenticate(res: Response): Promise<boolean> {
    await res.body?.cancel().catch(() => undefined);
    const challenge = parseChallenge(res.headers.get('www-authenticate'));
    const creds = this.options.credentials;
    const basic = creds === undefined ? undefined : `Basic ${Buffer.from(`${creds.username}:${creds.password}`).toString('base64')}`;
    if (challenge?.scheme === 'basic') this.authorization = basic;
    else if (challenge?.scheme === 'bearer') this.authorization = `Bearer ${await this.token(challenge, basic)}`;
    else return false;
    return this.authorization !== undefined;
  }

  /** A token from the challenge's realm (the distribution token protocol), asked with Basic credentials when there are any. */
  private async token(challenge: Extract<AuthChallenge, { scheme: 'bearer' }>, basic: string | undefined): Promise<string> {
    const url = tokenUrl(challenge, this.options.repository);
    const { signal, done } = this.deadline();
    let text: string;
    try {
      const tokenRes = await this.fetchImpl(url, { headers: basic === undefined ? {} : { authorization: basic }, signal });
      if (!tokenRes.ok) throw new RegistryError('auth', `the token service ${challenge.realm} answered ${tokenRes.status} ${tokenRes.statusText}`);
      text = (await readLimited(tokenRes, 1024 * 1024, 'the token answer')).toString('utf8');
    } catch (e: unknown) {
      if (e instanceof RegistryError) throw e;
      throw new RegistryError('unreachable', `cannot reach the token service ${challenge.realm}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
    } finally {
      done();
    }
    const token = tokenOf(text);
    if (token === undefined) throw new RegistryError('auth', `the token service ${challenge.realm} gave no token`);
    return token;
  }
}
