/**
 * The local image store: a directory of images by reference, playing the container registry in
 * local mode. `containerDisk` and `firmware.kernelBoot.container` volumes resolve through it.
 *
 * Layout under the root (`<dataDir>/images`):
 *   .blobs/<id>/image.json     the record (ref, digest, disk, importedAt)
 *   .blobs/<id>/rootfs/        the image's filesystem (disk/disk.img, boot/vmlinuz, ...)
 *   .layers/sha256-<hex>/      one unpacked layer of a pulled image (image-layers.ts): a pulled
 *                              image's rootfs is hard links into its layers, so layers are stored once
 *   .tmp/<id>/                 an import or pull in progress
 *   <imageDirName(ref)>        a symlink to .blobs/<id>; replacing it (rename) is the atomic commit
 * Files are readable by their owner and group only; granting the unprivileged QEMU user access is
 * the launcher's business.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, copyFile, cp, lstat, mkdir, readdir, readFile, readlink, realpath, rename, rm, stat, symlink, unlink, writeFile } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { promisify } from 'node:util';
import { MAX_IMAGE_NAME_LENGTH, canonicalImageRef, imageDirName as dirNameOf, imageRefFault, type ImageRefFault } from '../../core/image-ref.js';
import { KubevirtError } from '../../core/errors.js';
import { digestSource } from './image-digest.js';

/** Re-exported: callers and tests import it from the store. */
export { digestSource };

const execFileAsync = promisify(execFile);

/** Base class of the image store's errors; `name` is the concrete class name. */
export class ImageStoreError extends KubevirtError {}

/** A reference that is not a well-formed image reference (docker's grammar) or tries to escape. */
export class ImageRefError extends ImageStoreError {
  readonly ref: string;

  constructor(ref: string, reason: string) {
    super(`invalid image reference ${JSON.stringify(ref)}: ${reason}`);
    this.ref = ref;
  }
}

/** A path inside an image (kernelBoot.container kernelPath/initrdPath) that is refused or missing. */
export class ImagePathError extends ImageStoreError {
  readonly ref: string;
  readonly path: string;

  constructor(ref: string, path: string, reason: string) {
    super(`path ${JSON.stringify(path)} in image ${ref}: ${reason}`);
    this.ref = ref;
    this.path = path;
  }
}

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

/** A reference that the store does not hold; the message says how to add it. */
export class ImageNotFoundError extends ImageStoreError {
  readonly ref: string;

  constructor(ref: string, root: string) {
    const hint = ref === DEMO_GUEST_REF
      ? `run \`npm run guest\` to build it (or \`kvt image import ${ref} FILE|DIR\`)`
      : `run \`kvt image import ${ref} FILE|DIR\` to add it`;
    super(`image ${ref} is not in the local image store ${root}: ${hint}`);
    this.ref = ref;
  }
}

/** An import source that cannot become an image (missing, not a disk format we run, unsafe). */
export class ImageImportError extends ImageStoreError {
  readonly ref: string;
  readonly source: string;

  constructor(ref: string, source: string, reason: string, options?: { cause?: unknown }) {
    super(`cannot import ${source} as ${ref}: ${reason}`, options);
    this.ref = ref;
    this.source = source;
  }
}

/** The demo guest's reference; `npm run guest` builds and imports it. */
export const DEMO_GUEST_REF = 'localhost/demo-guest:latest';

/** Disk formats the launcher can put a qcow2 overlay on. */
export type DiskFormat = 'raw' | 'qcow2';

/** One image in the store. */
export interface ImageRecord {
  /** The canonical reference (`normalizeImageRef`). */
  readonly ref: string;
  /** The image's filesystem root on the host; stable until the reference is re-imported or removed. */
  readonly dir: string;
  /** The image's disk (containerDisk convention: the first file under `/disk/`), if it has one. */
  readonly disk?: { readonly path: string; readonly format: DiskFormat; readonly virtualSize: number };
  /** When it was imported (ISO 8601). */
  readonly importedAt: string;
  /** `sha256:<hex>`: a pulled image's manifest digest; an imported one's source digest (file contents, or the tree's paths, types and contents). The store always sets it. */
  readonly digest?: string;
  /** Where a pulled image came from; absent for an imported one. */
  readonly source?: PulledSource;
}

/** What a pulled image is made of: the content a registry served, by digest. */
export interface PulledSource {
  /** The image manifest's digest (for a multi-arch image, the chosen platform's manifest). */
  readonly manifest: string;
  /** The index's digest, when the reference named a multi-arch index. */
  readonly index?: string;
  readonly config: string;
  /** Layer digests, lowest first. */
  readonly layers: readonly string[];
  /** Bytes as served: manifest, config and layers. */
  readonly size: number;
  /** `linux/amd64`. */
  readonly platform: string;
}

/** A directory of images by reference. */
export interface ImageStore {
  readonly root: string;
  /** Adds (or atomically replaces) `ref` from a disk image FILE or an image filesystem DIR. */
  import(ref: string, source: string): Promise<ImageRecord>;
  /** The record of `ref`; throws `ImageNotFoundError` when the store does not hold it. */
  resolve(ref: string): Promise<ImageRecord>;
  /** Every image, sorted by reference. */
  list(): Promise<ImageRecord[]>;
  /** Removes `ref`; throws `ImageNotFoundError` when the store does not hold it. */
  remove(ref: string): Promise<void>;
  /**
   * Adds (or atomically replaces) `ref` with the filesystem `fill` writes into a fresh root; its disk
   * is found as an imported tree's is (the first file under `/disk/`). What pulls use.
   */
  commit(ref: string, fill: (rootfs: string) => Promise<void>, meta: { readonly digest: string; readonly source?: PulledSource }): Promise<ImageRecord>;
}

/** What the store needs from its host; tests pass their own clock. */
export interface ImageStoreOptions {
  /** @default 'qemu-img' (Debian qemu-utils) */
  readonly qemuImg?: string;
  /** @default () => new Date() */
  readonly now?: () => Date;
}

interface StoredRecord {
  readonly ref: string;
  readonly importedAt: string;
  readonly digest: string;
  readonly source?: PulledSource;
  readonly disk?: { readonly path: string; readonly format: DiskFormat; readonly virtualSize: number };
}

const BLOBS = '.blobs';
const TMP = '.tmp';
const RECORD_FILE = 'image.json';
const ROOTFS = 'rootfs';
const BLOB_LINK = /^\.blobs\/[a-z0-9-]+$/;
const DIR_MODE = 0o750;

function isErrno(e: unknown, code: string): boolean {
  return e instanceof Error && (e as NodeJS.ErrnoException).code === code;
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** The store's record of `ref`, or undefined when it holds none; any other failure is thrown. */
export async function findImage(store: Pick<ImageStore, 'resolve'>, ref: string): Promise<ImageRecord | undefined> {
  try {
    return await store.resolve(ref);
  } catch (e: unknown) {
    if (e instanceof ImageNotFoundError) return undefined;
    throw e;
  }
}

/** Opens (without touching the disk) the store rooted at `root`, normally `<dataDir>/images`. */
export function openImageStore(root: string, options: ImageStoreOptions = {}): ImageStore {
  return new LocalImageStore(root, options.qemuImg ?? 'qemu-img', options.now ?? (() => new Date()));
}

class LocalImageStore implements ImageStore {
  constructor(
    readonly root: string,
    private readonly qemuImg: string,
    private readonly now: () => Date,
  ) {}

  async import(ref: string, source: string): Promise<ImageRecord> {
    const canonical = normalizeImageRef(ref);
    const kind = await sourceKind(canonical, source);
    const digest = await digestSource(source);
    return this.store(canonical, { digest }, async (rootfs) => {
      await mkdir(join(rootfs, ...(kind === 'file' ? ['disk'] : [])), { recursive: true });
      return kind === 'file' ? this.importDiskFile(canonical, source, rootfs) : this.importTree(canonical, source, rootfs);
    });
  }

  async commit(ref: string, fill: (rootfs: string) => Promise<void>, meta: { readonly digest: string; readonly source?: PulledSource }): Promise<ImageRecord> {
    const canonical = normalizeImageRef(ref);
    return this.store(canonical, meta, async (rootfs) => {
      await mkdir(rootfs, { recursive: true });
      await fill(rootfs);
      return this.findDisk(canonical, rootfs);
    });
  }

  /** Builds an image in `.tmp/<id>`, renames it into `.blobs/<id>` and points the reference at it (the atomic commit). */
  private async store(canonical: string, meta: { readonly digest: string; readonly source?: PulledSource }, build: (rootfs: string) => Promise<StoredRecord['disk']>): Promise<ImageRecord> {
    await this.ensureLayout();
    const id = `${this.now().getTime().toString(36)}-${randomBytes(6).toString('hex')}`;
    const tmp = join(this.root, TMP, id);
    try {
      const disk = await build(join(tmp, ROOTFS));
      const record: StoredRecord = { ref: canonical, importedAt: this.now().toISOString(), ...meta, ...(disk === undefined ? {} : { disk }) };
      await writeFile(join(tmp, RECORD_FILE), `${JSON.stringify(record, null, 2)}\n`);
      await restrictTree(tmp);
      await rename(tmp, join(this.root, BLOBS, id));
    } catch (e: unknown) {
      await rm(tmp, { recursive: true, force: true });
      throw e;
    }
    await this.link(imageDirName(canonical), id);
    return this.resolve(canonical);
  }

  async resolve(ref: string): Promise<ImageRecord> {
    const canonical = normalizeImageRef(ref);
    const record = await this.readRecord(imageDirName(canonical));
    if (record === undefined) throw new ImageNotFoundError(canonical, this.root);
    return record;
  }

  async list(): Promise<ImageRecord[]> {
    let names: string[];
    try {
      names = await readdir(this.root);
    } catch (e: unknown) {
      if (isErrno(e, 'ENOENT')) return [];
      throw e;
    }
    const records: ImageRecord[] = [];
    for (const name of names.filter((n) => !n.startsWith('.'))) {
      const record = await this.readRecord(name);
      if (record !== undefined) records.push(record);
    }
    return records.sort((a, b) => (a.ref < b.ref ? -1 : a.ref > b.ref ? 1 : 0));
  }

  async remove(ref: string): Promise<void> {
    const canonical = normalizeImageRef(ref);
    const link = join(this.root, imageDirName(canonical));
    const target = await readLinkIfAny(link);
    if (target === undefined) throw new ImageNotFoundError(canonical, this.root);
    await unlink(link);
    if (BLOB_LINK.test(target)) await rm(join(this.root, target), { recursive: true, force: true });
  }

  private async ensureLayout(): Promise<void> {
    for (const dir of [this.root, join(this.root, BLOBS), join(this.root, TMP)]) {
      await mkdir(dir, { recursive: true, mode: DIR_MODE });
    }
    await chmod(this.root, DIR_MODE);
  }

  /** Points the reference at blob `id` (rename of a fresh symlink: atomic), then drops the old blob. */
  private async link(dirName: string, id: string): Promise<void> {
    const link = join(this.root, dirName);
    const previous = await readLinkIfAny(link);
    const tmpLink = join(this.root, TMP, `${id}.link`);
    await symlink(posix.join(BLOBS, id), tmpLink);
    await rename(tmpLink, link);
    if (previous !== undefined && BLOB_LINK.test(previous)) await rm(join(this.root, previous), { recursive: true, force: true });
  }

  private async readRecord(dirName: string): Promise<ImageRecord | undefined> {
    let blob: string;
    let text: string;
    try {
      blob = await realpath(join(this.root, dirName));
      text = await readFile(join(blob, RECORD_FILE), 'utf8');
    } catch (e: unknown) {
      if (isErrno(e, 'ENOENT') || isErrno(e, 'ENOTDIR')) return undefined;
      throw e;
    }
    const stored = parseStoredRecord(text, join(blob, RECORD_FILE));
    const dir = join(blob, ROOTFS);
    const disk = stored.disk === undefined ? undefined : { ...stored.disk, path: join(dir, stored.disk.path) };
    return { ref: stored.ref, dir, importedAt: stored.importedAt, digest: stored.digest, ...(disk === undefined ? {} : { disk }), ...(stored.source === undefined ? {} : { source: stored.source }) };
  }

  /** A disk image file becomes `/disk/disk.img` (raw, written sparse) or `/disk/disk.qcow2`. */
  private async importDiskFile(ref: string, source: string, rootfs: string): Promise<NonNullable<StoredRecord['disk']>> {
    const info = await this.inspectDisk(ref, source);
    const path = info.format === 'raw' ? 'disk/disk.img' : 'disk/disk.qcow2';
    if (info.format === 'raw') await this.run(ref, source, ['convert', '-U', '-f', 'raw', '-O', 'raw', source, join(rootfs, path)]);
    else await copyFile(source, join(rootfs, path));
    return { path, format: info.format, virtualSize: info.virtualSize };
  }

  /** An image filesystem tree is copied as is; its disk is the first file under `/disk/`. */
  private async importTree(ref: string, source: string, rootfs: string): Promise<StoredRecord['disk']> {
    try {
      await cp(source, rootfs, { recursive: true, verbatimSymlinks: true, preserveTimestamps: true, force: true });
    } catch (e: unknown) {
      throw new ImageImportError(ref, source, `copying the tree failed: ${message(e)}`, { cause: e });
    }
    return this.findDisk(ref, rootfs);
  }

  /** KubeVirt's containerDisk convention: the image's disk is the first regular file under `/disk/`. */
  private async findDisk(ref: string, rootfs: string): Promise<StoredRecord['disk']> {
    const diskName = await firstDiskFile(join(rootfs, 'disk'));
    if (diskName === undefined) return undefined;
    const info = await this.inspectDisk(ref, join(rootfs, 'disk', diskName));
    return { path: posix.join('disk', diskName), ...info };
  }

  private async inspectDisk(ref: string, path: string): Promise<{ format: DiskFormat; virtualSize: number }> {
    const out = await this.run(ref, path, ['info', '-U', '--output=json', path]);
    const info = parseQemuImgInfo(out);
    if (info.format !== 'raw' && info.format !== 'qcow2') {
      throw new ImageImportError(ref, path, `its disk format is ${info.format}; import raw or qcow2 (qemu-img convert -O qcow2 converts it)`);
    }
    if (info.backingFile !== undefined) {
      throw new ImageImportError(ref, path, `it is a qcow2 overlay of ${info.backingFile}; import a standalone image (qemu-img convert flattens it)`);
    }
    return { format: info.format, virtualSize: info.virtualSize };
  }

  private async run(ref: string, source: string, args: readonly string[]): Promise<string> {
    try {
      const { stdout } = await execFileAsync(this.qemuImg, args, { maxBuffer: 16 * 1024 * 1024 });
      return stdout;
    } catch (e: unknown) {
      const reason = isErrno(e, 'ENOENT')
        ? `${this.qemuImg} was not found: install qemu-utils`
        : `qemu-img ${args[0] ?? ''} failed: ${message(e).trim()}`;
      throw new ImageImportError(ref, source, reason, { cause: e });
    }
  }
}

async function sourceKind(ref: string, source: string): Promise<'file' | 'dir'> {
  let info;
  try {
    info = await stat(source);
  } catch (e: unknown) {
    throw new ImageImportError(ref, source, isErrno(e, 'ENOENT') ? 'it does not exist' : message(e), { cause: e });
  }
  if (info.isDirectory()) return 'dir';
  if (info.isFile()) return 'file';
  throw new ImageImportError(ref, source, 'it is neither a regular file (a disk image) nor a directory (an image tree)');
}

async function readLinkIfAny(path: string): Promise<string | undefined> {
  try {
    return await readlink(path);
  } catch (e: unknown) {
    if (isErrno(e, 'ENOENT')) return undefined;
    throw e;
  }
}

async function firstDiskFile(dir: string): Promise<string | undefined> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (e: unknown) {
    if (isErrno(e, 'ENOENT')) return undefined;
    throw e;
  }
  return entries.filter((e) => e.isFile()).map((e) => e.name).sort()[0];
}

/** Owner and group only: directories 0750, files 0640 (0750 when executable). Symlinks are left alone. */
async function restrictTree(path: string): Promise<void> {
  const info = await lstat(path);
  if (info.isSymbolicLink()) return;
  if (!info.isDirectory()) {
    await chmod(path, (info.mode & 0o100) !== 0 ? 0o750 : 0o640);
    return;
  }
  await chmod(path, DIR_MODE);
  for (const name of await readdir(path)) await restrictTree(join(path, name));
}

/** Reads `qemu-img info --output=json`: format, virtual size and backing file. */
export function parseQemuImgInfo(json: string): { format: string; virtualSize: number; backingFile?: string } {
  const info = JSON.parse(json) as Record<string, unknown>;
  const format = info['format'];
  const size = info['virtual-size'];
  if (typeof format !== 'string' || typeof size !== 'number') throw new ImageStoreError(`qemu-img info printed no format or virtual-size: ${json.slice(0, 200)}`);
  const backing = info['backing-filename'];
  return { format, virtualSize: size, ...(typeof backing === 'string' ? { backingFile: backing } : {}) };
}

function isStoredDisk(disk: unknown): boolean {
  if (typeof disk !== 'object' || disk === null) return false;
  const d = disk as Record<string, unknown>;
  return typeof d['path'] === 'string' && !d['path'].split('/').includes('..')
    && (d['format'] === 'raw' || d['format'] === 'qcow2') && typeof d['virtualSize'] === 'number';
}

function parseStoredRecord(text: string, file: string): StoredRecord {
  const damaged = (cause?: unknown): ImageStoreError =>
    new ImageStoreError(`image record ${file} is damaged: remove the image and import it again`, { cause });
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e: unknown) {
    throw damaged(e);
  }
  const value = (typeof parsed === 'object' && parsed !== null ? parsed : {}) as Partial<StoredRecord>;
  const fieldsOk = typeof value.ref === 'string' && typeof value.importedAt === 'string' && typeof value.digest === 'string';
  if (!fieldsOk || (value.disk !== undefined && !isStoredDisk(value.disk))) throw damaged();
  return value as StoredRecord;
}

/**
 * The host path of a file inside an image, checked on disk: it exists, is a regular file, and no
 * symlink in the image leads out of the image. Use it for kernelBoot.container kernelPath/initrdPath.
 */
export async function locateImageFile(record: Pick<ImageRecord, 'ref' | 'dir'>, pathInImage: string): Promise<string> {
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
