/**
 * Where things are in the image store: the canonical form and the directory name of a reference
 * (checked against docker's grammar, never escaping the store root), and the host path of a file
 * named inside an image (`kernelBoot.container.kernelPath`), checked as a path and then on disk.
 */
import { realpath, stat } from 'node:fs/promises';
import { posix } from 'node:path';
import { MAX_IMAGE_NAME_LENGTH, canonicalImageRef, imageDirName as dirNameOf, imageRefFault, type ImageRefFault } from '../../core/image-ref.js';
import { ImagePathError, ImageRefError } from './image-store-errors.js';

/** The store's wording of each grammar fault. */
function faultReason(fault: ImageRefFault): string {
  switch (fault.kind) {
    case 'empty': return 'it is empty';
    case 'absolute': return 'an image reference is not a path and must not start with "/"';
    case 'dot-segment': return 'it must not contain "." or ".." segments';
    case 'name-too-long': return `the repository name is longer than ${MAX_IMAGE_NAME_LENGTH} characters`;
    case 'empty-component': return 'a name component is empty (two "/" in a row or a trailing "/")';
    case 'host': return `"${fault.value}" is not a valid registry host`;
    case 'component': return `name component "${fault.value}" must be lowercase letters and digits, separated by ".", "_", "__" or "-"`;
    case 'tag': return `tag "${fault.value}" must be letters, digits, "_", "." or "-" (at most 128, not starting with "." or "-")`;
    case 'digest': return `digest "${fault.value}" must look like sha256:<64 hex digits>`;
  }
}

/**
 * Checks an image reference and returns its canonical form: `name` becomes `name:latest`, a host
 * such as `localhost/` is kept, nothing is prepended (the store plays the registry; there is no
 * docker.io default). Refuses anything malformed, including `..` segments and absolute paths.
 * @see https://github.com/distribution/reference/blob/main/reference.go
 */
export function normalizeImageRef(ref: string): string {
  const fault = imageRefFault(ref);
  if (fault !== undefined) throw new ImageRefError(ref, faultReason(fault));
  return canonicalImageRef(ref) ?? ref;
}

/**
 * The one directory name (inside the store root) of an image reference (core/image-ref.ts
 * `imageDirName`); a malformed reference is an ImageRefError. It never starts with "." (the store
 * keeps its own bookkeeping there) and so never escapes the root.
 */
export function imageDirName(ref: string): string {
  return dirNameOf(normalizeImageRef(ref));
}

/**
 * The host path of a file named by an absolute path inside an image (`/boot/vmlinuz`), for
 * `kernelBoot.container.kernelPath`/`initrdPath`. Pure: it refuses relative paths, `..` segments and
 * anything that would leave the image; whether the file exists (and whether a symlink in the image
 * leads out of it) is `locateImageFile`'s job.
 * @see https://kubevirt.io/user-guide/virtual_machines/boot_from_external_source/
 */
export function resolveImagePath(record: { readonly ref: string; readonly dir: string }, pathInImage: string): string {
  const refuse = (reason: string): never => {
    throw new ImagePathError(record.ref, pathInImage, reason);
  };
  if (pathInImage === '') refuse('it is empty');
  if (pathInImage.includes('\0')) refuse('it contains a NUL character');
  if (!pathInImage.startsWith('/')) refuse('it must be absolute, like /boot/vmlinuz');
  if (pathInImage.split('/').includes('..')) refuse('it must not contain ".." segments');
  const inside = posix.normalize(pathInImage).replace(/^\/+/, '').replace(/\/+$/, '');
  if (inside === '' || inside === '.') refuse('it names the image root, not a file');
  const root = record.dir.replace(/\/+$/, '');
  const full = posix.join(root, inside);
  if (!full.startsWith(`${root}/`)) refuse('it leads outside the image');
  return full;
}

function isErrno(e: unknown, code: string): boolean {
  return e instanceof Error && (e as NodeJS.ErrnoException).code === code;
}

/**
 * The host path of a file inside an image, checked on disk: it exists, is a regular file, and no
 * symlink in the image leads out of the image. Use it for kernelBoot.container kernelPath/initrdPath.
 */
export async function locateImageFile(record: { readonly ref: string; readonly dir: string }, pathInImage: string): Promise<string> {
  const full = resolveImagePath(record, pathInImage);
  let real: string;
  try {
    real = await realpath(full);
  } catch (e: unknown) {
    if (isErrno(e, 'ENOENT') || isErrno(e, 'ENOTDIR')) throw new ImagePathError(record.ref, pathInImage, 'no such file in the image');
    throw e;
  }
  const root = await realpath(record.dir);
  if (!real.startsWith(`${root}/`)) throw new ImagePathError(record.ref, pathInImage, 'a symlink in the image leads outside it');
  if (!(await stat(real)).isFile()) throw new ImagePathError(record.ref, pathInImage, 'it is not a regular file');
  return real;
}
