/**
 * Path and name safety for everything a VMI turns into a host path: paths inside an image or a
 * volume, host paths (hostDisk), and names that become path segments (volume names, claim names).
 * Pure and shared: the launcher refuses with a {@link ConversionError} naming the KubeVirt field,
 * and the admission webhook reuses the `…Problem` predicates for its rules, so both refuse the same
 * values with the same words.
 *
 * The checks are lexical: no symlink is followed here (this module does no IO). Callers that open
 * the path also compare real paths (image-store's `locateImageFile`, the launcher's host-disk
 * check), because a symlink under an allowed root may still lead out of it.
 * @see https://kubevirt.io/user-guide/storage/disks_and_volumes/#hostdisk
 */
import { posix } from 'node:path';
import { ConversionError } from './errors.js';

/** Longest path Linux accepts (PATH_MAX, with its NUL). */
const MAX_PATH = 4095;
/** Longest file name Linux accepts (NAME_MAX, in bytes). */
const MAX_SEGMENT = 255;
/** DNS-1123 label: what Kubernetes calls a label name (namespaces, volume names). */
export const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_LABEL_MAX = 63;
/** DNS-1123 subdomain: what Kubernetes calls an object name (claims, secrets, config maps). */
export const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS_SUBDOMAIN_MAX = 253;
const CONTROL = /[\x00-\x1f\x7f]/;

/** Why `value` is not a DNS-1123 label (Kubernetes' `IsDNS1123Label`), or undefined when it is one. */
export function dnsLabelProblem(value: string): string | undefined {
  if (value === '') return 'is empty';
  if (value.length > DNS_LABEL_MAX) return `is longer than ${DNS_LABEL_MAX} characters`;
  if (!DNS_LABEL.test(value)) return 'must consist of lower case letters, digits and "-", and start and end with a letter or digit (a DNS-1123 label)';
  return undefined;
}

/** Why `value` is not a DNS-1123 subdomain (Kubernetes' object names), or undefined when it is one. */
export function dnsSubdomainProblem(value: string): string | undefined {
  if (value === '') return 'is empty';
  if (value.length > DNS_SUBDOMAIN_MAX) return `is longer than ${DNS_SUBDOMAIN_MAX} characters`;
  if (!DNS_SUBDOMAIN.test(value)) return 'must consist of lower case letters, digits, "-" and ".", and start and end with a letter or digit (a DNS-1123 subdomain)';
  return undefined;
}

/** Problems every kind of path shares: empty, NUL and control characters, length, `..`, a trailing `/`. */
function commonProblem(path: string): string | undefined {
  if (path === '') return 'is empty';
  if (path.includes('\0')) return 'contains a NUL character';
  if (CONTROL.test(path)) return 'contains a control character';
  if (Buffer.byteLength(path) > MAX_PATH) return `is longer than ${MAX_PATH} bytes`;
  const segments = path.split('/');
  if (segments.includes('..')) return 'must not contain ".." segments';
  if (segments.some((s) => Buffer.byteLength(s) > MAX_SEGMENT)) return `has a segment longer than ${MAX_SEGMENT} bytes`;
  if (path.endsWith('/')) return 'ends with "/"; it must name a file';
  return undefined;
}

/** The path's segments with empty and `.` segments dropped (`/a//./b` → a, b). */
function segmentsOf(path: string): string[] {
  return path.split('/').filter((s) => s !== '' && s !== '.');
}

/**
 * Why `path` is not a safe file path inside an image, or undefined when it is. Image paths are
 * absolute within the image (`/boot/vmlinuz`, containerDisk `path`), as KubeVirt writes them.
 */
export function imagePathProblem(path: string): string | undefined {
  const common = commonProblem(path);
  if (common !== undefined) return common;
  if (!path.startsWith('/')) return 'must be absolute inside the image, like /boot/vmlinuz';
  return segmentsOf(path).length === 0 ? 'names the image root, not a file' : undefined;
}

/** Why `path` is not a safe relative file path inside a volume (downwardAPI `fields[].path`). */
export function volumePathProblem(path: string): string | undefined {
  const common = commonProblem(path);
  if (common !== undefined) return common;
  if (path.startsWith('/')) return 'must be relative to the volume, not absolute';
  return segmentsOf(path).length === 0 ? 'names the volume root, not a file' : undefined;
}

/** A safe path inside an image or volume, normalised and relative: `/boot//./vmlinuz` → `boot/vmlinuz`. */
export function normalizeInsidePath(path: string): string {
  return segmentsOf(path).join('/');
}

/** An absolute path with `.`, empty segments and trailing slashes removed; `/` stays `/`. */
export function normalizeHostPath(path: string): string {
  return `/${segmentsOf(path).join('/')}`;
}

/** Whether an allowed root is usable: absolute and without `..`, NUL or control characters. */
function usableRoot(root: string): boolean {
  return root.startsWith('/') && !root.split('/').includes('..') && !CONTROL.test(root);
}

/**
 * Whether the (normalised) `path` lies strictly below `root`, comparing whole segments: `/data2/x`
 * is not under `/data`, `/data` itself is not under `/data`, and a path with `..` is under nothing.
 * An unusable root matches nothing.
 */
export function isUnderRoot(path: string, root: string): boolean {
  if (!usableRoot(root) || !path.startsWith('/') || path.split('/').includes('..')) return false;
  const base = segmentsOf(root);
  const inside = segmentsOf(path);
  return inside.length > base.length && base.every((segment, i) => inside[i] === segment);
}

/**
 * Why `path` is not a usable host file path (a hostDisk), or undefined when it is: absolute,
 * without `..`, and strictly below one of `allowedRoots`. With no roots, no host path is allowed.
 */
export function hostPathProblem(path: string, allowedRoots: readonly string[]): string | undefined {
  const common = commonProblem(path);
  if (common !== undefined) return common;
  if (!path.startsWith('/')) return 'must be an absolute path';
  const roots = allowedRoots.filter(usableRoot).map(normalizeHostPath);
  if (roots.length === 0) return 'is not allowed: this host allows no host-disk paths (no allowed roots are configured)';
  if (!roots.some((root) => isUnderRoot(path, root))) return `is not under an allowed host-disk root (${roots.join(', ')})`;
  return undefined;
}

/** Throws a {@link ConversionError} on `field` when `problem` is set. */
function refuse(field: string, value: string, problem: string | undefined): void {
  if (problem !== undefined) throw new ConversionError(field, `${JSON.stringify(value)} ${problem}`);
}

/** `value` when it is a DNS-1123 label; a {@link ConversionError} on `field` otherwise. */
export function checkDnsLabel(field: string, value: string): string {
  refuse(field, value, dnsLabelProblem(value));
  return value;
}

/** `value` when it is a DNS-1123 subdomain; a {@link ConversionError} on `field` otherwise. */
export function checkDnsSubdomain(field: string, value: string): string {
  refuse(field, value, dnsSubdomainProblem(value));
  return value;
}

/** The normalised relative form of a safe image path; a {@link ConversionError} on `field` otherwise. */
export function checkImagePath(field: string, path: string): string {
  refuse(field, path, imagePathProblem(path));
  return normalizeInsidePath(path);
}

/** The normalised form of a safe relative volume path; a {@link ConversionError} on `field` otherwise. */
export function checkVolumePath(field: string, path: string): string {
  refuse(field, path, volumePathProblem(path));
  return normalizeInsidePath(path);
}

/** The normalised form of an allowed host path; a {@link ConversionError} on `field` otherwise. */
export function checkHostPath(field: string, path: string, allowedRoots: readonly string[]): string {
  refuse(field, path, hostPathProblem(path, allowedRoots));
  return normalizeHostPath(path);
}

/**
 * `root` joined with a normalised inside path (from {@link checkImagePath} or
 * {@link checkVolumePath}); throws when the result would not lie below `root`, which only a
 * caller that skipped the check can cause.
 */
export function joinInside(root: string, inside: string): string {
  const full = posix.join(root, inside);
  if (!isUnderRoot(full, root) || normalizeInsidePath(inside) !== inside) {
    throw new Error(`joinInside: ${JSON.stringify(inside)} is not a checked path inside ${root}`);
  }
  return full;
}
