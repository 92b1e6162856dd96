/**
 * The local image store: a directory of images by reference, playing the container registry in
 * local mode. `containerDisk` and `firmware.kernelBoot.container` volumes resolve through it.
 *
 * Layout under the root (`<dataDir>/images`):
 *   .blobs/<id>/image.json     the record (ref, digest, disk, importedAt): image-record.ts
 *   .blobs/<id>/rootfs/        the image's filesystem (disk/disk.img, boot/vmlinuz, ...)
 *   .layers/sha256-<hex>/      one unpacked layer of a pulled image (image-layers.ts): a pulled
 *                              image's rootfs is hard links into its layers, so layers are stored once
 *   .tmp/<id>/                 an import or pull in progress
 *   <imageDirName(ref)>        a symlink to .blobs/<id>; replacing it (rename) is the atomic commit
 * Files are readable by their owner and group only; granting the unprivileged QEMU user access is
 * the launcher's business. The parts: errors (image-store-errors.ts), references and paths inside
 * images (image-locations.ts), records (image-record.ts), import sources and disks (image-disk.ts).
 */
import { randomBytes } from 'node:crypto';
import { chmod, lstat, mkdir, readdir, readlink, rename, rm, symlink, unlink, writeFile } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { digestSource } from './image-digest.js';
import { ImageDisks, sourceKind } from './image-disk.js';
import { imageDirName, normalizeImageRef } from './image-locations.js';
import { readRecord, recordText, RECORD_FILE, ROOTFS, type ImageDisk, type ImageRecord, type PulledSource, type StoredRecord } from './image-record.js';
import { ImageNotFoundError } from './image-store-errors.js';

/** Re-exported: callers and tests import it from the store. */
export { digestSource };

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

const BLOBS = '.blobs';
const TMP = '.tmp';
const BLOB_LINK = /^\.blobs\/[a-z0-9-]+$/;
const DIR_MODE = 0o750;

function isErrno(e: unknown, code: string): boolean {
  return e instanceof Error && (e as NodeJS.ErrnoException).code === code;
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
  return new LocalImageStore(root, new ImageDisks(options.qemuImg ?? 'qemu-img'), options.now ?? (() => new Date()));
}

class LocalImageStore implements ImageStore {
  constructor(
    readonly root: string,
    private readonly disks: ImageDisks,
    private readonly now: () => Date,
  ) {}

  async import(ref: string, source: string): Promise<ImageRecord> {
    const canonical = normalizeImageRef(ref);
    const kind = await sourceKind(canonical, source);
    const digest = await digestSource(source);
    return this.store(canonical, { digest }, async (rootfs) => {
      await mkdir(join(rootfs, ...(kind === 'file' ? ['disk'] : [])), { recursive: true });
      return kind === 'file' ? this.disks.importDiskFile(canonical, source, rootfs) : this.disks.importTree(canonical, source, rootfs);
    });
  }

  async commit(ref: string, fill: (rootfs: string) => Promise<void>, meta: { readonly digest: string; readonly source?: PulledSource }): Promise<ImageRecord> {
    const canonical = normalizeImageRef(ref);
    return this.store(canonical, meta, async (rootfs) => {
      await mkdir(rootfs, { recursive: true });
      await fill(rootfs);
      return this.disks.findDisk(canonical, rootfs);
    });
  }

  /** Builds an image in `.tmp/<id>`, renames it into `.blobs/<id>` and points the reference at it (the atomic commit). */
  private async store(canonical: string, meta: { readonly digest: string; readonly source?: PulledSource }, build: (rootfs: string) => Promise<ImageDisk | undefined>): Promise<ImageRecord> {
    await this.ensureLayout();
    const id = `${this.now().getTime().toString(36)}-${randomBytes(6).toString('hex')}`;
    const tmp = join(this.root, TMP, id);
    try {
      const disk = await build(join(tmp, ROOTFS));
      const record: StoredRecord = { ref: canonical, importedAt: this.now().toISOString(), ...meta, ...(disk === undefined ? {} : { disk }) };
      await writeFile(join(tmp, RECORD_FILE), recordText(record));
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
    const record = await readRecord(join(this.root, imageDirName(canonical)));
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
      const record = await readRecord(join(this.root, name));
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
}

async function readLinkIfAny(path: string): Promise<string | undefined> {
  try {
    return await readlink(path);
  } catch (e: unknown) {
    if (isErrno(e, 'ENOENT')) return undefined;
    throw e;
  }
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
