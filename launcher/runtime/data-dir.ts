/**
 * Where kvt keeps its state on this machine (the image store, volume files, caches, the local
 * store's journal, launcher logs): one data directory, chosen the same way by every entry point
 * and created (private) in one place.
 */
import { constants, type Stats } from 'node:fs';
import { access, chmod, chown, mkdir, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { KubevirtError } from '../../core/errors.js';
import { ensureUnprivilegedUser } from './unprivileged-user.js';

/** The facts the default depends on; tests pass their own. */
export interface DataDirFacts {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly uid: number;
  readonly home: string;
}

function hostFacts(): DataDirFacts {
  return { env: process.env, uid: process.getuid?.() ?? -1, home: homedir() };
}

/**
 * The default data directory: `$KVT_DATA_DIR` when set, else `/var/lib/kvt` for root, else
 * `~/.local/share/kvt`.
 * @default facts the current process's environment, uid and home directory
 */
export function defaultDataDir(facts: DataDirFacts = hostFacts()): string {
  const fromEnv = facts.env['KVT_DATA_DIR'];
  if (fromEnv !== undefined && fromEnv !== '') return resolve(fromEnv);
  if (facts.uid === 0) return '/var/lib/kvt';
  return join(facts.home, '.local', 'share', 'kvt');
}

/** The image store's root inside a data directory. */
export function imageStoreRoot(dataDir: string): string {
  return join(dataDir, 'images');
}

/** The data directory could not be created or used; the message says what to do. */
export class DataDirError extends KubevirtError {}

/** What {@link ensureDataDir} needs to know about the machine; tests pass their own. */
export interface DataDirOwner {
  /** Whether kvt runs as root (launchers then hand QEMU to an unprivileged user). */
  readonly root: boolean;
  /** The group of the unprivileged QEMU user (root only). */
  readonly qemuGroup: () => Promise<number>;
}

const hostOwner = (): DataDirOwner => ({ root: process.getuid?.() === 0, qemuGroup: async () => (await ensureUnprivilegedUser()).gid });

/**
 * The data directory's mode: as root 0750 with the QEMU user's group (QEMU runs as that user and
 * must pass through to its images and volumes; nobody else may), else 0700 (QEMU runs as the user).
 * It holds objects (Secrets among them), logs and disks: never world-readable.
 */
export const DATA_DIR_MODE = { root: 0o750, user: 0o700 } as const;

function dataDirProblem(dataDir: string, e: NodeJS.ErrnoException, doing: string): DataDirError {
  const instead = 'pick another with --data-dir or KVT_DATA_DIR';
  if (e.code === 'EROFS') return new DataDirError(`the data directory ${dataDir} is on a read-only filesystem: ${instead}, or mount it read-write`);
  if (e.code === 'EACCES' || e.code === 'EPERM') return new DataDirError(`no permission to ${doing} the data directory ${dataDir}: ${instead}, or run as its owner`);
  return new DataDirError(`cannot ${doing} the data directory ${dataDir} (${e.code ?? e.message}): ${instead}`);
}

/**
 * Creates the data directory (and its parents) or makes an existing one private, with
 * {@link DATA_DIR_MODE}: the one place that does, for every command that writes into it. Refuses
 * a path that is not a directory, one kvt may not write, and one on a read-only filesystem, each
 * with what to do.
 */
export async function ensureDataDir(dataDir: string, owner: DataDirOwner = hostOwner()): Promise<void> {
  const mode = owner.root ? DATA_DIR_MODE.root : DATA_DIR_MODE.user;
  if ((await existingDataDir(dataDir)) === undefined) {
    await mkdir(dataDir, { recursive: true, mode }).catch((e: NodeJS.ErrnoException) => { throw dataDirProblem(dataDir, e, 'create'); });
  }
  await access(dataDir, constants.R_OK | constants.W_OK | constants.X_OK).catch((e: NodeJS.ErrnoException) => { throw dataDirProblem(dataDir, e, 'write to'); });
  await makePrivate(dataDir, mode, owner);
}

/** The data directory when it exists (undefined when it does not), refused when it is no place for kvt's data. */
async function existingDataDir(dataDir: string): Promise<Stats | undefined> {
  const info = await stat(dataDir).catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'ENOENT' || e.code === 'ENOTDIR') return undefined;
    throw dataDirProblem(dataDir, e, 'use');
  });
  if (info === undefined) return undefined;
  if (!info.isDirectory()) throw new DataDirError(`the data directory ${dataDir} is not a directory: pick another with --data-dir or KVT_DATA_DIR`);
  // A shared directory like /tmp is never made private: kvt wants a directory of its own.
  if ((info.mode & 0o1000) !== 0) throw new DataDirError(`the data directory ${dataDir} is a shared directory (sticky, like /tmp): use a directory of its own inside it`);
  return info;
}

/** Gives the directory its mode (and, as root, the QEMU user's group) when it has others. */
async function makePrivate(dataDir: string, mode: number, owner: DataDirOwner): Promise<void> {
  const now = await stat(dataDir);
  const gid = owner.root ? await owner.qemuGroup() : now.gid;
  try {
    if (now.gid !== gid) await chown(dataDir, now.uid, gid);
    if ((now.mode & 0o7777) !== mode) await chmod(dataDir, mode);
  } catch (e) {
    throw dataDirProblem(dataDir, e as NodeJS.ErrnoException, 'make private');
  }
}
