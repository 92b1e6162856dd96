/**
 * Where an image reference is pulled from: its registry host, repository and tag or digest (docker's
 * rules: a first component with a "." or ":", or `localhost`, is a host; otherwise the image is on
 * Docker Hub, `library/` prefixed for one-component names), and the base URL the puller talks to
 * (a configured mirror first; plain HTTP only for loopback hosts, as containerd allows; TLS
 * everywhere else). Pure.
 * @see https://github.com/distribution/reference/blob/main/normalize.go
 * @see https://github.com/containerd/containerd/blob/main/docs/hosts.md
 */
import { canonicalImageRef, splitImageRef } from '../../core/image-ref.js';
import { KubevirtError } from '../../core/errors.js';

/** An image reference split for a registry request. */
export interface RegistryRef {
  /** The reference as the store names it (`canonicalImageRef`): the user's name, with `:latest` added. */
  readonly canonical: string;
  /** The registry host as the reference names it (`quay.io`, `127.0.0.1:5000`, `docker.io`). */
  readonly registry: string;
  /** The repository inside it (`kubevirt/cirros-container-disk-demo`, `library/alpine`). */
  readonly repository: string;
  /** The tag, when the reference pins no digest (`latest` when it names neither). */
  readonly tag?: string;
  /** `sha256:<hex>`, when the reference names one. */
  readonly digest?: string;
}

/** A reference, a mirror option or a mirror URL that the puller cannot use. */
export class RegistryRefError extends KubevirtError {}

const DOCKER_HUB = 'docker.io';
const DOCKER_HUB_ALIASES = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io']);

/** A registry host with Docker Hub's aliases (`index.docker.io`, `registry-1.docker.io`) folded into `docker.io`. */
export function canonicalRegistryHost(host: string): string {
  return DOCKER_HUB_ALIASES.has(host) ? DOCKER_HUB : host;
}

/** Docker's split of a name into registry host and repository, Docker Hub's aliases folded. */
function splitHost(name: string): { registry: string; repository: string } {
  const slash = name.indexOf('/');
  const first = slash === -1 ? '' : name.slice(0, slash);
  const hasHost = first.includes('.') || first.includes(':') || first === 'localhost';
  if (hasHost && !DOCKER_HUB_ALIASES.has(first)) return { registry: first, repository: name.slice(slash + 1) };
  const repository = hasHost ? name.slice(slash + 1) : name;
  return { registry: DOCKER_HUB, repository: repository.includes('/') ? repository : `library/${repository}` };
}

/** Splits a reference for pulling; throws RegistryRefError on a malformed one. */
export function parseRegistryRef(ref: string): RegistryRef {
  const canonical = canonicalImageRef(ref);
  if (canonical === undefined) throw new RegistryRefError(`invalid image reference ${JSON.stringify(ref)}`);
  const { name, tag, digest } = splitImageRef(canonical);
  const { registry, repository } = splitHost(name);
  return { canonical, registry, repository, ...(digest === undefined ? { tag: tag ?? 'latest' } : { digest }) };
}

/** What a manifest request names: the digest when pinned, else the tag. */
export function manifestReference(ref: RegistryRef): string {
  return ref.digest ?? ref.tag ?? 'latest';
}

/** Registry host → base URL (`quay.io` → `http://127.0.0.1:5000`), as `--registry-mirror` gives them. */
export type RegistryMirrors = ReadonlyMap<string, string>;

/** Whether a host (with or without port) is this machine's loopback, which may be spoken to over plain HTTP. */
export function isLoopbackHost(host: string): boolean {
  const bare = host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : host.replace(/:\d+$/, '');
  return bare === 'localhost' || bare === '[::1]' || /^127(?:\.\d{1,3}){3}$/.test(bare);
}

/** Checks a mirror URL: http only to loopback, https anywhere, no path, query or credentials. */
function checkMirrorUrl(host: string, url: string): string {
  const parsed = URL.canParse(url) ? new URL(url) : undefined;
  if (parsed === undefined) throw new RegistryRefError(`registry mirror for ${host}: ${JSON.stringify(url)} is not a URL (like http://127.0.0.1:5000)`);
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw new RegistryRefError(`registry mirror for ${host}: ${url} must be http:// or https://`);
  if (parsed.protocol === 'http:' && !isLoopbackHost(parsed.host)) throw new RegistryRefError(`registry mirror for ${host}: plain http is allowed only to localhost, 127.0.0.1 or [::1], not ${parsed.host}; use https://`);
  const extras = [parsed.username, parsed.password, parsed.search, parsed.hash, parsed.pathname.replace(/^\/$/, '')];
  if (extras.some((part) => part !== '')) {
    throw new RegistryRefError(`registry mirror for ${host}: ${url} must be a scheme, host and port only`);
  }
  return `${parsed.protocol}//${parsed.host}`;
}

/**
 * Parses mirror options: `HOST=URL` items, separated by commas or new lines (`#` starts a comment
 * line), as `--registry-mirror` and `$KVT_REGISTRY_MIRRORS` give them; a later item for a host wins.
 */
export function parseRegistryMirrors(items: readonly string[]): RegistryMirrors {
  const mirrors = new Map<string, string>();
  for (const item of items.flatMap((i) => i.split(/[,\n]/))) {
    const text = item.trim();
    if (text === '' || text.startsWith('#')) continue;
    const eq = text.indexOf('=');
    if (eq <= 0) throw new RegistryRefError(`registry mirror ${JSON.stringify(text)} must be HOST=URL, like quay.io=http://127.0.0.1:5000`);
    const host = text.slice(0, eq).trim().toLowerCase();
    if (!/^(?:[a-z0-9-]+(?:\.[a-z0-9-]+)*|\[[0-9a-f:]+\])(?::\d+)?$/.test(host)) throw new RegistryRefError(`registry mirror ${JSON.stringify(text)}: ${JSON.stringify(host)} is not a registry host`);
    mirrors.set(canonicalRegistryHost(host), checkMirrorUrl(host, text.slice(eq + 1).trim()));
  }
  return mirrors;
}

/** Where the puller sends a registry's requests. */
export interface RegistryEndpoint {
  /** `https://quay.io`, `http://127.0.0.1:5000`. */
  readonly baseUrl: string;
  /** The mirror's URL when one stands in for the registry. */
  readonly mirror?: string;
}

/** The base URL of a registry: its mirror, else http for loopback, Docker Hub's API host, https otherwise. */
export function registryEndpoint(registry: string, mirrors: RegistryMirrors = new Map()): RegistryEndpoint {
  const mirror = mirrors.get(registry);
  if (mirror !== undefined) return { baseUrl: mirror, mirror };
  if (registry === DOCKER_HUB) return { baseUrl: 'https://registry-1.docker.io' };
  return { baseUrl: `${isLoopbackHost(registry) ? 'http' : 'https'}://${registry}` };
}

/**
 * The hosts a registry's pull credentials are looked up under, in order: the registry itself, then
 * its mirror's host (`127.0.0.1:5000` of `http://127.0.0.1:5000`) when one stands in for it, since
 * a docker config or a pull Secret may hold the login under either. `kvt image pull` and a launcher
 * pod's pulls both try them in this order, so the same credentials serve both.
 */
export function credentialHosts(registry: string, mirrors: RegistryMirrors = new Map()): string[] {
  const mirror = registryEndpoint(registry, mirrors).mirror?.replace(/^[a-z]+:\/\//, '');
  return mirror === undefined ? [registry] : [registry, mirror];
}
