/**
 * The image reference grammar of github.com/distribution/reference (docker's and CRI-O's):
 * `[host[:port]/]path[:tag][@digest]`, lowercase path components. One checker, shared by the local
 * image store (which resolves references) and admission (which refuses what the store would), each
 * wording the fault its own way.
 * @see https://github.com/distribution/reference/blob/main/reference.go
 */
import { createHash } from 'node:crypto';

const HOST_PART = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const HOST = new RegExp(`^${HOST_PART}(?:\\.${HOST_PART})*(?::[0-9]+)?$`);
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^\w[\w.-]{0,127}$/;
const DIGEST = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-fA-F0-9]{32,}$/;

/** Longest repository name the grammar allows. */
export const MAX_IMAGE_NAME_LENGTH = 255;

/** A reference split into its parts (not yet checked). */
export interface ImageRefParts {
  readonly name: string;
  readonly tag?: string;
  readonly digest?: string;
}

/** What is wrong with a reference; `value` is the offending part. */
export type ImageRefFault =
  | { readonly kind: 'empty' | 'absolute' | 'dot-segment' | 'name-too-long' | 'empty-component' }
  | { readonly kind: 'host' | 'component' | 'tag' | 'digest'; readonly value: string };

/** Splits `name[:tag][@digest]`; a `:` before the last `/` belongs to a host port. */
export function splitImageRef(ref: string): ImageRefParts {
  const at = ref.indexOf('@');
  const rest = at === -1 ? ref : ref.slice(0, at);
  const digest = at === -1 ? undefined : ref.slice(at + 1);
  const colon = rest.lastIndexOf(':');
  if (colon <= rest.lastIndexOf('/')) return digest === undefined ? { name: rest } : { name: rest, digest };
  return { name: rest.slice(0, colon), tag: rest.slice(colon + 1), ...(digest === undefined ? {} : { digest }) };
}

/** Whether the first of several components names a registry host, as docker decides it. */
function looksLikeHost(component: string): boolean {
  return component.includes('.') || component.includes(':') || component === 'localhost' || component !== component.toLowerCase();
}

function escapeFault(ref: string): ImageRefFault | undefined {
  if (ref === '') return { kind: 'empty' };
  if (ref.startsWith('/')) return { kind: 'absolute' };
  return ref.split(/[/:@]/).some((s) => s === '.' || s === '..') ? { kind: 'dot-segment' } : undefined;
}

function nameFault(name: string): ImageRefFault | undefined {
  if (name.length > MAX_IMAGE_NAME_LENGTH) return { kind: 'name-too-long' };
  const components = name.split('/');
  const first = components[0] ?? '';
  const hasHost = components.length > 1 && looksLikeHost(first);
  if (hasHost && !HOST.test(first)) return { kind: 'host', value: first };
  const bad = (hasHost ? components.slice(1) : components).find((c) => !PATH_COMPONENT.test(c));
  if (bad === undefined) return undefined;
  return bad === '' ? { kind: 'empty-component' } : { kind: 'component', value: bad };
}

/** The first fault of `ref`, or undefined when it is a well-formed reference. */
export function imageRefFault(ref: string): ImageRefFault | undefined {
  const escape = escapeFault(ref);
  if (escape !== undefined) return escape;
  const { name, tag, digest } = splitImageRef(ref);
  const fault = nameFault(name);
  if (fault !== undefined) return fault;
  if (tag !== undefined && !TAG.test(tag)) return { kind: 'tag', value: tag };
  if (digest !== undefined && !DIGEST.test(digest)) return { kind: 'digest', value: digest };
  return undefined;
}

/**
 * The canonical form of a well-formed reference: `name` becomes `name:latest`, a host such as
 * `localhost/` is kept, nothing is prepended (there is no docker.io default); undefined when the
 * reference is malformed (imageRefFault says why).
 */
export function canonicalImageRef(ref: string): string | undefined {
  if (imageRefFault(ref) !== undefined) return undefined;
  const { name, tag, digest } = splitImageRef(ref);
  const withTag = tag === undefined && digest === undefined ? `${name}:latest` : name + (tag === undefined ? '' : `:${tag}`);
  return digest === undefined ? withTag : `${withTag}@${digest}`;
}

/** Longest encoded directory name kept readable; longer ones are hashed (filenames stop at 255 bytes). */
const MAX_DIR_NAME = 200;

/**
 * The one directory name of an image reference, in an image store and wherever an image is
 * mounted by reference (a launcher pod's image volumes). Readable and reversible
 * (`decodeURIComponent`) for ordinary references; a hash (`h-<sha256>`) for very long ones. It never
 * contains "/" and never starts with ".", so it never escapes its parent. Throws on a malformed
 * reference (callers check references first: admission, the store's normalizeImageRef).
 */
export function imageDirName(ref: string): string {
  const canonical = canonicalImageRef(ref);
  if (canonical === undefined) throw new Error(`imageDirName: ${JSON.stringify(ref)} is not a valid image reference`);
  const encoded = encodeURIComponent(canonical).replace(/[!'()*~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  if (encoded.length <= MAX_DIR_NAME) return encoded;
  return `h-${createHash('sha256').update(canonical).digest('hex')}`;
}

/**
 * KubeVirt's default `imagePullPolicy` of a containerDisk or kernel-boot image that names none (its
 * VMI mutating webhook's rule, literally): `Always` for an image ending in `:latest` or holding
 * neither ":" nor "@", else `IfNotPresent`. Shared by admission's defaults and the puller.
 */
export function defaultImagePullPolicy(image: string): 'Always' | 'IfNotPresent' {
  return image.endsWith(':latest') || !/[:@]/.test(image) ? 'Always' : 'IfNotPresent';
}

/**
 * Kubernetes' default `imagePullPolicy` of a container, and `pullPolicy` of an image volume, that
 * names none (the API server's defaulting): `Always` when the tag is `latest` (a reference with
 * neither tag nor digest means `:latest`), else `IfNotPresent`. Unlike KubeVirt's literal rule
 * (defaultImagePullPolicy), a registry port is not a tag: `host:5000/disk` is `Always`. Shared by
 * the node agent's image volumes and whatever else pulls for a pod.
 * @see https://kubernetes.io/docs/concepts/containers/images/#imagepullpolicy-defaulting
 */
export function defaultPodImagePullPolicy(image: string): 'Always' | 'IfNotPresent' {
  const { tag, digest } = splitImageRef(image);
  return tag === 'latest' || (tag === undefined && digest === undefined) ? 'Always' : 'IfNotPresent';
}
