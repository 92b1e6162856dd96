/**
 * The disk steps of volume preparation, with qemu-img (Debian qemu-utils): qcow2 overlays over a
 * read-only base (`-F <format> -b <base>`, so the base is only ever opened for reading), sparse
 * empty disks, and the checks on files that must already exist (a claim's volume-store file, a
 * host disk). Failures that the VMI causes are {@link ConversionError}s naming its field.
 * @see https://www.qemu.org/docs/master/tools/qemu-img.html
 */
import { execFile } from 'node:child_process';
import { lstat, open, realpath, rm, stat } from 'node:fs/promises';
import { promisify } from 'node:util';
import { ConversionError, KubevirtError } from '../../core/errors.js';
import { isUnderRoot, normalizeHostPath } from '../../core/paths.js';
import { toolFailureText } from '../../core/tool-failure.js';
import type { PrepareStep } from '../volumes/index.js';
import { isWithin } from './volumes-access.js';

const run = promisify(execFile);

/** Disk tools the steps run. */
export interface DiskTools {
  /** @default 'qemu-img' */
  readonly qemuImg?: string;
}

/** The qemu-img invocation failed or the tool is missing. */
export class QemuImgError extends KubevirtError {}

function errnoOf(e: unknown): string | undefined {
  return e instanceof Error ? (e as NodeJS.ErrnoException).code : undefined;
}

async function qemuImg(tools: DiskTools, args: readonly string[]): Promise<void> {
  const tool = tools.qemuImg ?? 'qemu-img';
  try {
    await run(tool, args, { timeout: 120_000, maxBuffer: 4 * 1024 * 1024 });
  } catch (e: unknown) {
    const reason = errnoOf(e) === 'ENOENT' ? `${tool} was not found: install qemu-utils` : toolFailureText(e);
    throw new QemuImgError(`qemu-img ${args[0] ?? ''} failed: ${reason}`, { cause: e });
  }
}

/** Stat that says undefined for a missing path. */
async function statIfAny(path: string): Promise<Awaited<ReturnType<typeof stat>> | undefined> {
  try {
    return await stat(path);
  } catch (e: unknown) {
    if (errnoOf(e) === 'ENOENT' || errnoOf(e) === 'ENOTDIR') return undefined;
    throw e;
  }
}

/** Checks that an overlay's base is an existing regular file; a missing claim names the field. */
export async function checkBase(step: Extract<PrepareStep, { kind: 'overlay' }>): Promise<void> {
  const info = await statIfAny(step.base.path);
  if (info === undefined) throw new ConversionError(step.field, `${step.base.what} has no disk on this host: ${step.base.path} does not exist`);
  if (!info.isFile()) throw new ConversionError(step.field, `${step.base.what}: ${step.base.path} is not a regular file`);
}

/** `qemu-img create -f qcow2 -F <format> -b <base> <path>`, replacing any stale file at `path`. */
export async function createOverlay(step: Extract<PrepareStep, { kind: 'overlay' }>, tools: DiskTools): Promise<void> {
  await rm(step.path, { force: true });
  await qemuImg(tools, ['create', '-q', '-f', 'qcow2', '-F', step.base.format, '-b', step.base.path, step.path]);
}

/** `qemu-img create -f qcow2 <path> <size>`: a sparse qcow2, replacing any stale file. */
export async function createEmptyDisk(step: Extract<PrepareStep, { kind: 'empty-disk' }>, tools: DiskTools): Promise<void> {
  await rm(step.path, { force: true });
  await qemuImg(tools, ['create', '-q', '-f', 'qcow2', step.path, String(step.size)]);
}

/** Checks that a claim's volume-store file exists, is a regular file and really lies in the store. */
export async function checkVolumeStoreFile(step: Extract<PrepareStep, { kind: 'volume-store-file' }>, volumeStore: string): Promise<void> {
  const info = await statIfAny(step.path);
  if (info === undefined) {
    throw new ConversionError(step.field, `${step.what} has no volume in the local volume store: ${step.path} does not exist (the launcher does not invent data)`);
  }
  if (!info.isFile()) throw new ConversionError(step.field, `${step.what}: ${step.path} is not a regular file`);
  const [real, root] = await Promise.all([realpath(step.path), realpath(volumeStore)]);
  if (!isWithin(real, root)) throw new ConversionError(step.field, `${step.what}: ${step.path} leads outside the volume store ${volumeStore}`);
}

async function realRoots(roots: readonly string[]): Promise<string[]> {
  const found: string[] = [];
  for (const root of roots) {
    try {
      found.push(await realpath(normalizeHostPath(root)));
    } catch (e: unknown) {
      if (errnoOf(e) !== 'ENOENT') throw e;
    }
  }
  return found;
}

/** The nearest existing ancestor of `path` (itself when it exists), and its real path. */
async function nearestExisting(path: string): Promise<string> {
  for (let current = path; ; current = current.slice(0, current.lastIndexOf('/')) || '/') {
    try {
      return await realpath(current);
    } catch (e: unknown) {
      if (errnoOf(e) !== 'ENOENT' || current === '/') throw e;
    }
  }
}

/**
 * Checks a host disk against the allowed roots by real path (a symlink under a root may lead out
 * of it) and returns whether the file exists; a missing `Disk` is an error, a missing
 * `DiskOrCreate` is for {@link createHostDisk}.
 */
export async function checkHostDisk(step: Extract<PrepareStep, { kind: 'host-disk' }>, allowedRoots: readonly string[]): Promise<boolean> {
  const field = `${step.field}.path`;
  const info = await statIfAny(step.path);
  // An existing disk must lie strictly below a real root; a missing one's nearest existing directory may be the root itself.
  const real = await nearestExisting(step.path);
  const roots = await realRoots(allowedRoots);
  if (!roots.some((root) => (info === undefined ? isWithin(real, root) : isUnderRoot(real, root)))) {
    throw new ConversionError(field, `${step.path} leads outside the allowed host-disk roots (through a symlink, or a root that does not exist)`);
  }
  if (info !== undefined && !info.isFile()) throw new ConversionError(field, `${step.path} is not a regular file`);
  if (info === undefined && step.createSize === undefined) {
    throw new ConversionError(field, `${step.path} does not exist; hostDisk type Disk needs an existing file (DiskOrCreate creates one)`);
  }
  return info !== undefined;
}

/** A sparse raw file of `createSize` bytes, created only if nothing is there (never follows a link). */
export async function createHostDisk(step: Extract<PrepareStep, { kind: 'host-disk' }>): Promise<void> {
  const handle = await open(step.path, 'wx', 0o600);
  try {
    await handle.truncate(step.createSize ?? 0);
  } finally {
    await handle.close();
  }
  const info = await lstat(step.path);
  if (!info.isFile()) throw new Error(`${step.path} is not the file just created`);
}
