/**
 * The unprivileged user that libvirtd and QEMU run as when kvt itself runs as root (CI does), and
 * the helpers that hand it the files it needs: each prepared file is readable (or writable) by that
 * user and by nobody else but root. KubeVirt's launcher likewise runs libvirt and QEMU non-root.
 * @see https://kubevirt.io/user-guide/cluster_admin/unprivileged_vmis/ (non-root launcher)
 */
import { execFile } from 'node:child_process';
import { chmod, chown, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { promisify } from 'node:util';
import { KubevirtError } from '../../core/errors.js';

const run = promisify(execFile);

/** A local user account as `getent passwd` reports it. */
export interface UnprivilegedUser {
  readonly name: string;
  readonly uid: number;
  readonly gid: number;
  readonly home: string;
}

/** The account could not be found, created or used as an unprivileged user. */
export class UnprivilegedUserError extends KubevirtError {}

/** A file or directory is out of the user's reach (an ancestor directory it cannot enter). */
export class PathNotReachableError extends KubevirtError {
  /** The path that was checked. */
  readonly path: string;

  constructor(path: string, message: string) {
    super(message);
    this.path = path;
  }
}

/** The default account name: the QEMU user of kvt's launchers. */
export const DEFAULT_QEMU_USER = 'kvt-qemu';

// POSIX portable user names as useradd accepts them by default (Debian NAME_REGEX).
const USER_NAME = /^[a-z_][a-z0-9_-]{0,30}\$?$/;
// getent's exit status when the key is not in the database.
const GETENT_NOT_FOUND = 2;
// useradd's exit status when the name is already taken (another process created it first).
const USERADD_NAME_IN_USE = 9;

function exitCode(e: unknown): number | string | undefined {
  return typeof e === 'object' && e !== null && 'code' in e ? (e as { code?: number | string }).code : undefined;
}

function parsePasswd(line: string, name: string): UnprivilegedUser {
  const fields = line.trim().split(':');
  const uid = Number(fields[2]);
  const gid = Number(fields[3]);
  if (fields.length < 7 || !Number.isInteger(uid) || !Number.isInteger(gid)) {
    throw new UnprivilegedUserError(`Could not read user "${name}": unexpected passwd entry "${line.trim()}"`);
  }
  return { name, uid, gid, home: fields[5] ?? '' };
}

/** Looks a user up by name; undefined when there is no such user. */
export async function lookupUser(name: string): Promise<UnprivilegedUser | undefined> {
  try {
    const { stdout } = await run('getent', ['passwd', '--', name], { encoding: 'utf8' });
    return parsePasswd(stdout, name);
  } catch (e: unknown) {
    if (exitCode(e) === GETENT_NOT_FOUND) return undefined;
    throw new UnprivilegedUserError(`Could not look up user "${name}" with getent`, { cause: e });
  }
}

async function createSystemUser(name: string): Promise<void> {
  const args = ['--system', '--user-group', '--no-create-home', '--home-dir', '/nonexistent', '--shell', '/usr/sbin/nologin', '--', name];
  try {
    await run('useradd', args, { encoding: 'utf8' });
  } catch (e: unknown) {
    if (exitCode(e) === USERADD_NAME_IN_USE) return;
    throw new UnprivilegedUserError(`Could not create system user "${name}" with useradd`, { cause: e });
  }
}

function checkUnprivileged(user: UnprivilegedUser): UnprivilegedUser {
  if (user.uid === 0 || user.gid === 0) {
    throw new UnprivilegedUserError(`User "${user.name}" has uid ${user.uid} and gid ${user.gid}: it must not be root or in group root`);
  }
  return user;
}

/**
 * Returns the unprivileged account that libvirtd and QEMU run as, creating it (a system user with
 * its own group, no home and no login shell) when it is missing. Idempotent, and safe when several
 * launchers call it at once. Creating the account needs root; otherwise a missing account is an
 * {@link UnprivilegedUserError}.
 * @default name "kvt-qemu"
 */
export async function ensureUnprivilegedUser(name: string = DEFAULT_QEMU_USER): Promise<UnprivilegedUser> {
  if (!USER_NAME.test(name)) throw new UnprivilegedUserError(`"${name}" is not a valid user name (expected ${USER_NAME.source})`);
  const existing = await lookupUser(name);
  if (existing !== undefined) return checkUnprivileged(existing);
  if (process.getuid?.() !== 0) {
    throw new UnprivilegedUserError(`User "${name}" does not exist and only root can create it: run the set-up as root or create it with useradd --system`);
  }
  await createSystemUser(name);
  const created = await lookupUser(name);
  if (created === undefined) throw new UnprivilegedUserError(`User "${name}" is still missing after useradd`);
  return checkUnprivileged(created);
}

/** The owner and group a granted path gets. */
export interface FileOwner {
  readonly uid: number;
  readonly gid: number;
}

async function grant(path: string, owner: FileOwner, modes: { readonly file: number; readonly dir: number }): Promise<void> {
  const info = await stat(path);
  // chown first: between the two calls the path is the new owner's with its old (narrower or
  // equal) mode, never widened for someone else.
  await chown(path, owner.uid, owner.gid);
  await chmod(path, info.isDirectory() ? modes.dir : modes.file);
}

/**
 * Gives a prepared file (or directory, not recursively) to the user, read-only: owner `user`,
 * mode 0400 (directories 0500). Only that user and root can read it. Its parent directories must
 * still let the user through ({@link assertReachable}).
 */
export async function grantRead(path: string, user: FileOwner): Promise<void> {
  await grant(path, user, { file: 0o400, dir: 0o500 });
}

/**
 * Gives a prepared file (or directory, not recursively) to the user, read-write: owner `user`,
 * mode 0600 (directories 0700). QEMU opens a disk read-write unless it is `<readonly/>`.
 */
export async function grantWrite(path: string, user: FileOwner): Promise<void> {
  await grant(path, user, { file: 0o600, dir: 0o700 });
}

function canSearch(mode: number, dirOwner: FileOwner, user: FileOwner): boolean {
  if (dirOwner.uid === user.uid) return (mode & 0o100) !== 0;
  if (dirOwner.gid === user.gid) return (mode & 0o010) !== 0;
  return (mode & 0o001) !== 0;
}

/**
 * Checks that the user may enter every ancestor directory of `path` (the search bit), so a
 * granted file is really usable; throws a {@link PathNotReachableError} naming the first directory
 * that stops it. Supplementary groups and ACLs are not considered (the daemon runs without them).
 */
export async function assertReachable(path: string, user: FileOwner): Promise<void> {
  const absolute = resolve(path);
  const ancestors: string[] = [];
  for (let dir = dirname(absolute); ; dir = dirname(dir)) {
    ancestors.unshift(dir);
    if (dir === dirname(dir)) break;
  }
  for (const dir of ancestors) {
    const info = await stat(dir);
    if (!canSearch(info.mode, { uid: info.uid, gid: info.gid }, user)) {
      const mode = (info.mode & 0o777).toString(8).padStart(4, '0');
      throw new PathNotReachableError(absolute, `uid ${user.uid} cannot reach ${absolute}: ${dir} is mode ${mode}, owner ${info.uid}:${info.gid}`);
    }
  }
}
