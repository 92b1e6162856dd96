/**
 * OCI and Docker v2 manifests and indexes as the puller reads them: parsed field by field (a
 * registry's answer is never cast), the platform of a multi-arch index chosen for this host, and
 * each layer's compression. Pure.
 * @see https://github.com/opencontainers/image-spec/blob/main/manifest.md
 * @see https://github.com/opencontainers/image-spec/blob/main/image-index.md
 */
import { KubevirtError } from '../../core/errors.js';

/** The manifest media types the puller asks for, most specific first. */
export const MANIFEST_MEDIA_TYPES = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
] as const;

const INDEX_TYPES = new Set<string>([MANIFEST_MEDIA_TYPES[0], MANIFEST_MEDIA_TYPES[1]]);
const IMAGE_TYPES = new Set<string>([MANIFEST_MEDIA_TYPES[2], MANIFEST_MEDIA_TYPES[3]]);

/** A content descriptor: what a manifest or index points at. */
export interface Descriptor {
  readonly mediaType: string;
  readonly digest: string;
  readonly size: number;
  readonly platform?: Platform;
}

/** An OCI platform (`linux`/`amd64`). */
export interface Platform {
  readonly os: string;
  readonly architecture: string;
  readonly variant?: string;
}

/** A parsed manifest document: an index of per-platform manifests, or one image's manifest. */
export type ManifestDocument =
  | { readonly kind: 'index'; readonly manifests: readonly Descriptor[] }
  | { readonly kind: 'image'; readonly config: Descriptor; readonly layers: readonly Descriptor[] };

/** A manifest or index the puller cannot use. */
export class ManifestError extends KubevirtError {}

const DIGEST = /^sha256:[0-9a-f]{64}$/;

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

function platformOf(value: unknown): Platform | undefined {
  const p = record(value);
  if (p === undefined || typeof p['os'] !== 'string' || typeof p['architecture'] !== 'string') return undefined;
  return { os: p['os'], architecture: p['architecture'], ...(typeof p['variant'] === 'string' ? { variant: p['variant'] } : {}) };
}

function descriptor(value: unknown, where: string): Descriptor {
  const d = record(value);
  if (d === undefined) throw new ManifestError(`${where} is not an object`);
  const { mediaType, digest, size } = d;
  if (typeof mediaType !== 'string') throw new ManifestError(`${where}.mediaType is missing`);
  if (typeof digest !== 'string' || !DIGEST.test(digest)) throw new ManifestError(`${where}.digest ${JSON.stringify(digest)} is not a sha256 digest`);
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) throw new ManifestError(`${where}.size is not a byte count`);
  const platform = platformOf(d['platform']);
  return { mediaType, digest, size, ...(platform === undefined ? {} : { platform }) };
}

function mediaTypeOf(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0]?.trim() ?? '';
}

function documentKind(doc: Record<string, unknown>, mediaType: string): 'index' | 'image' | undefined {
  if (INDEX_TYPES.has(mediaType) || (mediaType === '' && Array.isArray(doc['manifests']))) return 'index';
  if (IMAGE_TYPES.has(mediaType) || (mediaType === '' && Array.isArray(doc['layers']))) return 'image';
  return undefined;
}

/**
 * Parses a manifest or index. The media type is the document's own `mediaType`, else the
 * response's Content-Type; schema 1 manifests (long deprecated) and other types are refused.
 */
export function parseManifest(text: string, contentType: string | undefined): ManifestDocument {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new ManifestError('the manifest is not JSON');
  }
  const doc = record(parsed);
  if (doc === undefined) throw new ManifestError('the manifest is not a JSON object');
  if (doc['schemaVersion'] !== 2) throw new ManifestError(`manifest schemaVersion ${JSON.stringify(doc['schemaVersion'])} is not supported (only 2)`);
  const mediaType = typeof doc['mediaType'] === 'string' ? doc['mediaType'] : mediaTypeOf(contentType);
  const kind = documentKind(doc, mediaType);
  if (kind === 'index') {
    if (!Array.isArray(doc['manifests'])) throw new ManifestError('the index has no manifests list');
    return { kind: 'index', manifests: doc['manifests'].map((m, i) => descriptor(m, `manifests[${i}]`)) };
  }
  if (kind === 'image') {
    if (!Array.isArray(doc['layers'])) throw new ManifestError('the manifest has no layers list');
    return { kind: 'image', config: descriptor(doc['config'], 'config'), layers: doc['layers'].map((l, i) => descriptor(l, `layers[${i}]`)) };
  }
  throw new ManifestError(`media type ${JSON.stringify(mediaType)} is not an image manifest or index`);
}

/** Node's `process.arch` as OCI names it (`x64` → `amd64`); undefined for one OCI has no name for. */
export function ociArchitecture(nodeArch: string): string | undefined {
  const names: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64', loong64: 'loong64', mips: 'mips', mipsel: 'mipsle' };
  return names[nodeArch];
}

/** How a platform reads in messages: `linux/arm64/v8`. */
export function formatPlatform(p: Platform | undefined): string {
  if (p === undefined) return 'unknown';
  return [p.os, p.architecture, ...(p.variant === undefined ? [] : [p.variant])].join('/');
}

/**
 * The image manifest of an index for `want` (os and architecture must match; among several, one
 * without a variant or the first). Entries without a platform (attestations, `unknown/unknown`)
 * never match. Undefined when none does: the caller names the platforms the index offers.
 */
export function selectPlatform(manifests: readonly Descriptor[], want: Platform): Descriptor | undefined {
  const matching = manifests.filter((m) => IMAGE_TYPES.has(m.mediaType) && m.platform?.os === want.os && m.platform.architecture === want.architecture);
  return matching.find((m) => want.variant === undefined ? true : m.platform?.variant === want.variant) ?? matching[0];
}

/** The platforms an index offers, for the wrong-architecture message. */
export function offeredPlatforms(manifests: readonly Descriptor[]): string[] {
  return [...new Set(manifests.filter((m) => m.platform !== undefined && m.platform.os !== 'unknown').map((m) => formatPlatform(m.platform)))];
}

/** A layer's compression, from its media type; undefined for a type that is not a filesystem layer. */
export function layerCompression(mediaType: string): 'gzip' | 'zstd' | 'none' | undefined {
  switch (mediaType) {
    case 'application/vnd.oci.image.layer.v1.tar+gzip':
    case 'application/vnd.docker.image.rootfs.diff.tar.gzip':
    case 'application/vnd.oci.image.layer.nondistributable.v1.tar+gzip':
      return 'gzip';
    case 'application/vnd.oci.image.layer.v1.tar+zstd':
      return 'zstd';
    case 'application/vnd.oci.image.layer.v1.tar':
      return 'none';
    default:
      return undefined;
  }
}

/** The architecture an image's config declares (`architecture`, `os`), for a single-platform manifest. */
export function configPlatform(text: string): Platform | undefined {
  try {
    return platformOf(JSON.parse(text));
  } catch {
    return undefined;
  }
}
