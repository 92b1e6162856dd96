/**
 * Pulling an image into the local image store: the manifest (an index resolved to this host's
 * platform), the config and each layer, every one verified against its digest (and a by-digest
 * reference against the manifest's); layers the store holds are not fetched again; the image is
 * committed atomically under the reference the user wrote (`quay.io/...`, even when a mirror
 * served it). A failure names the reference and says which kind it is.
 */
import { createHash } from 'node:crypto';
import { formatPlatform, layerCompression, offeredPlatforms, ociArchitecture, parseManifest, selectPlatform, ManifestError, configPlatform, type Descriptor, type Platform } from '../images/manifest.js';
import type { RegistryCredentials } from '../images/registry-auth.js';
import { manifestReference, parseRegistryRef, registryEndpoint, RegistryRefError, type RegistryMirrors, type RegistryRef } from '../images/registry-ref.js';
import type { ImageRecord } from './image-record.js';
import { findImage, type ImageStore } from './image-store.js';
import { ImageStoreError } from './image-store-errors.js';
import { hasLayer, materializeLayers, storeLayer } from './image-layers.js';
import { readLimited, RegistryClient, RegistryError, MAX_MANIFEST_BYTES } from './registry-client.js';

/** A pull that failed; the message names the reference (and the registry or mirror asked). */
export class ImagePullError extends ImageStoreError {
  readonly ref: string;

  constructor(ref: string, reason: string, options?: ErrorOptions) {
    super(`cannot pull image ${ref}: ${reason}`, options);
    this.ref = ref;
  }
}

/** What a pull reports while it runs. */
export type PullEvent =
  | { readonly kind: 'resolved'; readonly ref: string; readonly digest: string; readonly from: string; readonly layers: readonly Descriptor[] }
  | { readonly kind: 'layer-start'; readonly digest: string; readonly size: number; readonly cached: boolean }
  | { readonly kind: 'layer-bytes'; readonly digest: string; readonly received: number; readonly size: number }
  | { readonly kind: 'layer-done'; readonly digest: string; readonly size: number; readonly cached: boolean }
  | { readonly kind: 'unchanged'; readonly ref: string; readonly digest: string };

/** How to pull. */
export interface PullOptions {
  readonly mirrors?: RegistryMirrors;
  /** Credentials for a registry host, or undefined for an anonymous pull. */
  readonly credentials?: RegistryCredentials;
  /** @default linux and this host's architecture */
  readonly platform?: Platform;
  readonly onEvent?: (event: PullEvent) => void;
  readonly fetch?: typeof fetch;
  readonly signal?: AbortSignal;
}

/** linux and this host's architecture, as OCI names it. */
export function hostPlatform(): Platform {
  return { os: 'linux', architecture: ociArchitecture(process.arch) ?? process.arch };
}

function sha256(data: Buffer | string): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

interface Resolved {
  readonly digest: string;
  readonly index?: string;
  readonly manifestSize: number;
  readonly config: Descriptor;
  readonly layers: readonly Descriptor[];
}

/** The image manifest for `platform`: through an index when the reference names one; digests checked. */
async function resolveManifest(client: RegistryClient, ref: RegistryRef, platform: Platform): Promise<Resolved> {
  const first = await client.manifest(manifestReference(ref));
  if (ref.digest !== undefined && first.digest !== ref.digest) throw new ManifestError(`the registry served a manifest whose digest is ${first.digest}, not ${ref.digest}`);
  const doc = parseManifest(first.text, first.contentType);
  if (doc.kind === 'image') return { digest: first.digest, manifestSize: first.text.length, config: doc.config, layers: doc.layers };
  const chosen = selectPlatform(doc.manifests, platform);
  if (chosen === undefined) {
    const offered = offeredPlatforms(doc.manifests);
    throw new ManifestError(`it has no image for ${formatPlatform(platform)} (this host's platform); its index offers ${offered.length === 0 ? 'no platform' : offered.join(', ')}`);
  }
  const inner = await client.manifest(chosen.digest);
  if (inner.digest !== chosen.digest) throw new ManifestError(`the registry served a manifest whose digest is ${inner.digest}, not ${chosen.digest} as the index says`);
  const image = parseManifest(inner.text, inner.contentType);
  if (image.kind !== 'image') throw new ManifestError(`the index entry ${chosen.digest} for ${formatPlatform(platform)} is not an image manifest`);
  return { digest: inner.digest, index: first.digest, manifestSize: first.text.length + inner.text.length, config: image.config, layers: image.layers };
}

/** The config blob, verified; a single-platform image built for another architecture is refused. */
async function checkConfig(client: RegistryClient, config: Descriptor, platform: Platform): Promise<void> {
  const body = await readLimited(await client.blob(config.digest), MAX_MANIFEST_BYTES, `the image config ${config.digest}`);
  if (sha256(body) !== config.digest) throw new ManifestError(`the image config's digest is ${sha256(body)}, not ${config.digest}`);
  const declared = configPlatform(body.toString('utf8'));
  if (declared !== undefined && (declared.architecture !== platform.architecture || declared.os !== platform.os)) {
    throw new ManifestError(`it is built for ${formatPlatform(declared)}; this host runs ${formatPlatform(platform)}`);
  }
}

async function fetchLayers(client: RegistryClient, store: ImageStore, layers: readonly Descriptor[], options: PullOptions): Promise<void> {
  for (const layer of layers) {
    if (layerCompression(layer.mediaType) === undefined) throw new ManifestError(`layer ${layer.digest} has media type ${layer.mediaType}, which is not a filesystem layer`);
    const cached = await hasLayer(store.root, layer.digest);
    options.onEvent?.({ kind: 'layer-start', digest: layer.digest, size: layer.size, cached });
    if (!cached) {
      const res = await client.blob(layer.digest);
      if (res.body === null) throw new RegistryError('protocol', `the blob ${layer.digest} has no body`);
      await storeLayer(store.root, layer, res.body, { progress: (received, size) => options.onEvent?.({ kind: 'layer-bytes', digest: layer.digest, received, size }) });
    }
    options.onEvent?.({ kind: 'layer-done', digest: layer.digest, size: layer.size, cached });
  }
}

function parseRef(ref: string): RegistryRef {
  try {
    return parseRegistryRef(ref);
  } catch (e: unknown) {
    if (e instanceof RegistryRefError) throw new ImagePullError(ref, e.message, { cause: e });
    throw e;
  }
}

/** A failure of the pull, as an ImagePullError naming the reference and where it was pulled from. */
function pullFailure(e: unknown, ref: string, from: string): unknown {
  if (e instanceof ImagePullError) return e;
  if (e instanceof RegistryError && e.failure === 'not-found') return new ImagePullError(ref, `not found at ${from}: ${e.message}`, { cause: e });
  if (e instanceof ImageStoreError || e instanceof ManifestError) return new ImagePullError(ref, `${e.message} (from ${from})`, { cause: e });
  return e;
}

/** Pulls `ref` into the store and returns its record; an unchanged image (same manifest digest) is kept as it is. */
export async function pullImage(store: ImageStore, ref: string, options: PullOptions = {}): Promise<ImageRecord> {
  const parsed = parseRef(ref);
  const endpoint = registryEndpoint(parsed.registry, options.mirrors);
  const from = endpoint.mirror === undefined ? endpoint.baseUrl : `${endpoint.baseUrl} (mirror of ${parsed.registry})`;
  const { credentials, fetch: fetchImpl, signal } = options;
  const client = new RegistryClient({ endpoint, repository: parsed.repository, ...(credentials === undefined ? {} : { credentials }), ...(fetchImpl === undefined ? {} : { fetch: fetchImpl }), ...(signal === undefined ? {} : { signal }) });
  try {
    return await pullWith(client, store, parsed, { ...options, from });
  } catch (e: unknown) {
    throw pullFailure(e, parsed.canonical, from);
  }
}

async function pullWith(client: RegistryClient, store: ImageStore, parsed: RegistryRef, options: PullOptions & { readonly from: string }): Promise<ImageRecord> {
  const platform = options.platform ?? hostPlatform();
  const resolved = await resolveManifest(client, parsed, platform);
  const before = await findImage(store, parsed.canonical);
  if (before?.source?.manifest === resolved.digest) {
    options.onEvent?.({ kind: 'unchanged', ref: parsed.canonical, digest: resolved.digest });
    return before;
  }
  options.onEvent?.({ kind: 'resolved', ref: parsed.canonical, digest: resolved.digest, from: options.from, layers: resolved.layers });
  await checkConfig(client, resolved.config, platform);
  await fetchLayers(client, store, resolved.layers, options);
  const layers = resolved.layers.map((l) => l.digest);
  const size = resolved.manifestSize + resolved.config.size + resolved.layers.reduce((n, l) => n + l.size, 0);
  const index = resolved.index === undefined ? {} : { index: resolved.index };
  return store.commit(parsed.canonical, (rootfs) => materializeLayers(store.root, layers, rootfs), {
    digest: resolved.digest,
    source: { manifest: resolved.digest, ...index, config: resolved.config.digest, layers, size, platform: formatPlatform(platform) },
  });
}
