/**
 * An image's record in the store (`.blobs/<id>/image.json`): what it says (reference, digest, disk,
 * where a pulled image came from), written once at commit and read back, a damaged one refused
 * with a message saying how to recover.
 */
import { readFile, realpath } from 'node:fs/promises';
import { join } from 'node:path';
import { ImageStoreError } from './image-store-errors.js';

/** Disk formats the launcher can put a qcow2 overlay on. */
export type DiskFormat = 'raw' | 'qcow2';

/** An image's disk: a path (relative to the rootfs in the record file, absolute in an ImageRecord), its format and size. */
export interface ImageDisk {
  readonly path: string;
  readonly format: DiskFormat;
  readonly virtualSize: number;
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

/** One image in the store. */
export interface ImageRecord {
  /** The canonical reference (`normalizeImageRef`). */
  readonly ref: string;
  /** The image's filesystem root on the host; stable until the reference is re-imported or removed. */
  readonly dir: string;
  /** The image's disk (containerDisk convention: the first file under `/disk/`), if it has one. */
  readonly disk?: ImageDisk;
  /** When it was imported (ISO 8601). */
  readonly importedAt: string;
  /** `sha256:<hex>`: a pulled image's manifest digest; an imported one's source digest (file contents, or the tree's paths, types and contents). The store always sets it. */
  readonly digest?: string;
  /** Where a pulled image came from; absent for an imported one. */
  readonly source?: PulledSource;
}

/** The record file's content: the disk's path is relative to the image's rootfs. */
export interface StoredRecord {
  readonly ref: string;
  readonly importedAt: string;
  readonly digest: string;
  readonly source?: PulledSource;
  readonly disk?: ImageDisk;
}

/** The record file in a blob directory. */
export const RECORD_FILE = 'image.json';
/** The image's file system in a blob directory. */
export const ROOTFS = 'rootfs';

function isErrno(e: unknown, code: string): boolean {
  return e instanceof Error && (e as NodeJS.ErrnoException).code === code;
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

/** The record file's text. */
export function recordText(record: StoredRecord): string {
  return `${JSON.stringify(record, null, 2)}\n`;
}

/**
 * The record behind `link` (a reference's symlink to its blob), its paths made absolute; undefined
 * when there is none. A damaged record is an ImageStoreError.
 */
export async function readRecord(link: string): Promise<ImageRecord | undefined> {
  let blob: string;
  let text: string;
  try {
    blob = await realpath(link);
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
