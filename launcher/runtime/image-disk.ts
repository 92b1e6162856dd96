/**
 * An image's file system filled from an import source, and its disk found: a disk image file
 * becomes `/disk/disk.img` (raw, written sparse) or `/disk/disk.qcow2`; a tree is copied as is and
 * its disk is the first regular file under `/disk/` (KubeVirt's containerDisk convention, which a
 * pulled image follows too). Disks are inspected with `qemu-img info`: only standalone raw or
 * qcow2 images are accepted.
 */
import { execFile } from 'node:child_process';
import { copyFile, cp, readdir, stat } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { promisify } from 'node:util';
import { ImageImportError, ImageStoreError } from './image-store-errors.js';
import type { DiskFormat, ImageDisk } from './image-record.js';

const execFileAsync = promisify(execFile);

function isErrno(e: unknown, code: string): boolean {
  return e instanceof Error && (e as NodeJS.ErrnoException).code === code;
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
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

/** Whether an import source is a disk image file or an image tree; anything else is refused. */
export async function sourceKind(ref: string, source: string): Promise<'file' | 'dir'> {
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

/** Fills and inspects image file systems with one `qemu-img`; every failure is an ImageImportError. */
export class ImageDisks {
  constructor(private readonly qemuImg: string) {}

  /** A disk image file becomes `/disk/disk.img` (raw, written sparse) or `/disk/disk.qcow2`. */
  async importDiskFile(ref: string, source: string, rootfs: string): Promise<ImageDisk> {
    const info = await this.inspectDisk(ref, source);
    const path = info.format === 'raw' ? 'disk/disk.img' : 'disk/disk.qcow2';
    if (info.format === 'raw') await this.run(ref, source, ['convert', '-U', '-f', 'raw', '-O', 'raw', source, join(rootfs, path)]);
    else await copyFile(source, join(rootfs, path));
    return { path, format: info.format, virtualSize: info.virtualSize };
  }

  /** An image filesystem tree is copied as is; its disk is the first file under `/disk/`. */
  async importTree(ref: string, source: string, rootfs: string): Promise<ImageDisk | undefined> {
    try {
      await cp(source, rootfs, { recursive: true, verbatimSymlinks: true, preserveTimestamps: true, force: true });
    } catch (e: unknown) {
      throw new ImageImportError(ref, source, `copying the tree failed: ${message(e)}`, { cause: e });
    }
    return this.findDisk(ref, rootfs);
  }

  /** KubeVirt's containerDisk convention: the image's disk is the first regular file under `/disk/`. */
  async findDisk(ref: string, rootfs: string): Promise<ImageDisk | undefined> {
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
