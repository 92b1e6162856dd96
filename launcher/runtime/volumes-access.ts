/**
 * Who may touch the files volume preparation makes or uses, when kvt runs as root and QEMU runs as
 * the unprivileged QEMU user:
 * - a prepared file (overlay, empty disk, ISO) becomes that user's, 0600 when QEMU writes it and
 *   0400 when it only reads it (`grantWrite`/`grantRead`);
 * - a directory we create stays root's, group the QEMU user's group, mode 0750: QEMU can enter and
 *   read it but never add, rename or replace an entry (a directory it owned would let a compromised
 *   QEMU plant a symlink where root is about to write);
 * - a shared read-only file in a store (an image's disk or kernel, an ephemeral volume's base) keeps
 *   its owner; it and the directories leading to it from the store root get the QEMU user's group,
 *   read-only for the file and search-only for the directories, so QEMU can open exactly that file
 *   and can never write it.
 * Without a QEMU user (kvt and QEMU are the same unprivileged user) files are 0600/0400 and
 * directories 0700.
 */
import { chmod, chown, mkdir, readdir, realpath, stat } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import type { Access } from '../volumes/index.js';
import { assertReachable, grantRead, grantWrite, type FileOwner } from './unprivileged-user.js';

/** Mode of the directories volume preparation creates (group: the QEMU user's). */
export const PREPARED_DIR_MODE = 0o750;
/** Mode of those directories without a QEMU user. */
export const PRIVATE_DIR_MODE = 0o700;

/** Gives a prepared file to QEMU: read-write or read-only, by how QEMU opens it. */
export async function grantPrepared(path: string, access: Access, user: FileOwner | undefined): Promise<void> {
  if (user === undefined) {
    await chmod(path, access === 'write' ? 0o600 : 0o400);
    return;
  }
  await (access === 'write' ? grantWrite(path, user) : grantRead(path, user));
}

/** Gives an existing file the QEMU user will open read-write (a claim's file, a host disk). */
export async function grantExisting(path: string, user: FileOwner | undefined): Promise<void> {
  if (user !== undefined) await grantWrite(path, user);
}

/** Makes a directory we create reachable by QEMU and by nobody else (see the module comment). */
export async function restrictDir(path: string, user: FileOwner | undefined): Promise<void> {
  if (user === undefined) {
    await chmod(path, PRIVATE_DIR_MODE);
    return;
  }
  const info = await stat(path);
  await chown(path, info.uid, user.gid);
  await chmod(path, PREPARED_DIR_MODE);
}

/**
 * Creates each missing directory from `top` (exclusive, which must exist) down to `dir`, restricted
 * as {@link restrictDir} says; returns the directories it created, outermost first. Directories
 * that already exist are left as they are (they may be a user's, on the way to a host disk).
 * `onCreated` hears of each one as soon as it exists, so a failure part-way can still remove it.
 */
export async function makeDirs(top: string, dir: string, user: FileOwner | undefined, onCreated?: (dir: string) => void): Promise<string[]> {
  const rel = relative(top, dir);
  if (rel === '') return [];
  if (rel.startsWith('..') || rel.startsWith(sep)) throw new Error(`makeDirs: ${dir} is not below ${top}`);
  const created: string[] = [];
  let current = top;
  for (const part of rel.split(sep)) {
    current = `${current}${sep}${part}`;
    try {
      await mkdir(current, { mode: PRIVATE_DIR_MODE });
    } catch (e: unknown) {
      if (e instanceof Error && (e as NodeJS.ErrnoException).code === 'EEXIST') continue;
      throw e;
    }
    created.push(current);
    onCreated?.(current);
    await restrictDir(current, user);
  }
  return created;
}

/**
 * Gives `path` the group `gid` with exactly `bits` for the group; nothing is written when it has them already, so a file
 * prepared once (or served on a read-only mount, as a launcher pod's image volumes are) is left as is.
 */
async function addGroup(path: string, gid: number, bits: number): Promise<void> {
  const info = await stat(path);
  const mode = (info.mode & 0o7707) | bits;
  if (info.gid === gid && (info.mode & 0o7777) === mode) return;
  if (info.gid !== gid) await chown(path, info.uid, gid);
  await chmod(path, mode);
}

/** Whether `path` is `root` or below it (both real paths). */
export function isWithin(path: string, root: string): boolean {
  return path === root || path.startsWith(root.endsWith(sep) ? root : `${root}${sep}`);
}

/**
 * Lets the QEMU user read one file of a store, and nothing else of it: the file and each directory
 * from the store root down to it get the user's group, `r` for the file, `x` (search, no listing)
 * for the directories. The owner and its bits are kept. Both the file as named and its real path
 * (a symlink inside an image) are opened up. Throws when the file is not inside the store.
 */
export async function shareReadOnly(storeRoot: string, file: string, user: FileOwner | undefined): Promise<void> {
  if (user === undefined) return;
  const root = await realpath(storeRoot);
  const real = await realpath(file);
  if (!isWithin(real, root)) throw new Error(`${file} is not inside the store ${storeRoot}`);
  const named = await realpath(dirname(file));
  for (const dir of new Set([...chain(root, named), ...chain(root, dirname(real))])) await addGroup(dir, user.gid, 0o010);
  await addGroup(real, user.gid, 0o040);
  await assertReachable(file, user);
}

/**
 * Lets the QEMU user read every file of an image in a store (its disks, kernel, initrd), as
 * {@link shareReadOnly} does file by file: what a node does before it serves the image read-only
 * to a launcher pod, which can then change nothing on it.
 */
export async function shareImageFiles(storeRoot: string, imageDir: string, user: FileOwner): Promise<void> {
  const entries = await readdir(imageDir, { recursive: true, withFileTypes: true });
  for (const e of entries) if (e.isFile()) await shareReadOnly(storeRoot, join(e.parentPath, e.name), user);
}

/** `root` and every directory from it down to `dir` (when `dir` is inside `root`). */
function chain(root: string, dir: string): string[] {
  if (!isWithin(dir, root)) return [];
  const dirs = [root];
  const rel = relative(root, dir);
  let current = root;
  for (const part of rel === '' ? [] : rel.split(sep)) {
    current = `${current}${sep}${part}`;
    dirs.push(current);
  }
  return dirs;
}
