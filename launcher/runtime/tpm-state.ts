/**
 * A persistent TPM's state, kept with the VM's data instead of inside the launcher's libvirtd.
 *
 * libvirt starts swtpm itself for an `emulator` TPM backend (running it as the daemon's user, the
 * unprivileged QEMU user) and keeps its state in the session driver's swtpm directory,
 * `$XDG_CONFIG_HOME/libvirt/qemu/swtpm/<domain uuid>/tpm2/` (libvirt 9.0 has no element to place
 * it elsewhere). That directory dies with the launcher's private daemon, and the domain's uuid is
 * new on every define (KubeVirt's converter writes none). So, after the define and before the
 * start, the launcher links `<domain uuid>` to the VM's own swtpm directory
 * (`<dataDir>/vm-state/<namespace>/<name>/<uid>/swtpm`, launcher/vm-state.ts): swtpm_setup runs
 * only when that directory holds no state yet, and swtpm writes straight into it. libvirt keeps the
 * state of a `persistent_state="yes"` TPM when the domain is undefined; the link goes with the
 * daemon's directories. The local control plane removes the VM's directory when the VM is deleted.
 *
 * Access: `vm-state` and the directories down to `<uid>` are created as volume preparation
 * creates its directories (root's, group the QEMU user's, 0750, or 0700 without a QEMU user);
 * `swtpm` belongs to the QEMU user, 0700, since swtpm writes there. Nothing is world-readable.
 */
import { constants } from 'node:fs';
import { access, chmod, chown, lchown, lstat, mkdir, rm, rmdir, symlink } from 'node:fs/promises';
import { delimiter, dirname, join, relative, resolve, sep } from 'node:path';
import { KubevirtError } from '../../core/errors.js';
import { findProgram } from '../../core/program-path.js';
import { tpmStateDir, vmStateDir, vmStateRoot, type StateOwner } from '../vm-state.js';
import { sessionConfigHome } from './libvirtd.js';
import { assertReachable, type FileOwner } from './unprivileged-user.js';
import { makeDirs } from './volumes-access.js';

/** The TPM state could not be kept with the VM's data. */
export class TpmStateError extends KubevirtError {}

const isExecutable = (file: string): Promise<boolean> => access(file, constants.X_OK).then(() => true, () => false);

/** The programs libvirt runs for an emulated TPM, with the Debian package of each. */
const SWTPM_PROGRAMS: readonly (readonly [string, string])[] = [['swtpm', 'swtpm'], ['swtpm_setup', 'swtpm-tools']];

/**
 * Refuses to go on without swtpm and swtpm_setup on `path` (the PATH libvirtd inherits), naming the
 * Debian packages, rather than leave the failure to libvirt's start.
 * @param path @default $PATH
 */
export async function assertSwtpmInstalled(path = process.env['PATH'] ?? ''): Promise<void> {
  const missing: string[] = [];
  for (const [program, pkg] of SWTPM_PROGRAMS) {
    if (await findProgram(program, path.split(delimiter), isExecutable) === undefined) missing.push(`${program} (Debian: ${pkg})`);
  }
  if (missing.length > 0) throw new TpmStateError(`an emulated TPM (spec.domain.devices.tpm) needs ${missing.join(' and ')}: install them with \`apt-get install swtpm swtpm-tools\` (scripts/launcher-deps.sh does)`);
}

/** Where the state goes and who uses it. */
export interface TpmStateOptions {
  readonly dataDir: string;
  /** The account libvirtd, QEMU and swtpm run as, when this process is root. */
  readonly qemuUser?: FileOwner;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** libvirt's session swtpm directory of a private daemon whose base directory is `daemonDir`. */
export function sessionSwtpmDir(daemonDir: string): string {
  return join(sessionConfigHome(daemonDir), 'libvirt', 'qemu', 'swtpm');
}

function isMissing(e: unknown): boolean {
  return (e as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
}

/** Creates `dir` (or takes an existing one) as a real directory of the QEMU user, mode 0700. */
async function ownedByQemu(dir: string, user: FileOwner | undefined): Promise<void> {
  await mkdir(dir, { mode: 0o700 }).catch((e: unknown) => {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  });
  const info = await lstat(dir);
  if (!info.isDirectory()) throw new TpmStateError(`${dir} is not a directory (a ${info.isSymbolicLink() ? 'symbolic link' : 'file'}): refusing to keep TPM state there`);
  if (user !== undefined && (info.uid !== user.uid || info.gid !== user.gid)) await chown(dir, user.uid, user.gid);
  if ((info.mode & 0o7777) !== 0o700) await chmod(dir, 0o700);
}

/**
 * Creates (or reuses) the owner's swtpm state directory and returns its path. Its parents are
 * checked to be real directories, so a link planted on the way is refused, not followed.
 */
export async function prepareTpmState(owner: StateOwner, opts: TpmStateOptions): Promise<string> {
  const dataDir = resolve(opts.dataDir);
  const stateDir = vmStateDir(dataDir, owner);
  await makeDirs(dataDir, stateDir, opts.qemuUser);
  for (let dir = stateDir; dir !== dataDir && dir !== dirname(dir); dir = dirname(dir)) {
    const info = await lstat(dir);
    if (!info.isDirectory()) throw new TpmStateError(`${dir} is not a directory: refusing to keep TPM state below it`);
  }
  const swtpm = tpmStateDir(stateDir);
  await ownedByQemu(swtpm, opts.qemuUser);
  if (opts.qemuUser !== undefined) await assertReachable(join(swtpm, 'tpm2'), opts.qemuUser);
  return swtpm;
}

/**
 * Points the daemon's swtpm directory of the domain `domainUuid` at `swtpmDir`, so libvirt finds
 * (or creates) the TPM's state there. Call after the define, before the start.
 */
export async function linkTpmState(daemonDir: string, domainUuid: string, swtpmDir: string, user: FileOwner | undefined): Promise<void> {
  if (!UUID.test(domainUuid)) throw new TpmStateError(`libvirt gave the domain the uuid ${JSON.stringify(domainUuid)}, not a lower-case UUID`);
  const storage = sessionSwtpmDir(daemonDir);
  const config = sessionConfigHome(daemonDir);
  let dir = config;
  for (const part of relative(config, storage).split(sep)) {
    dir = join(dir, part);
    await ownedByQemu(dir, user);
  }
  const link = join(storage, domainUuid);
  await symlink(swtpmDir, link, 'dir');
  if (user !== undefined) await lchown(link, user.uid, user.gid);
}

/**
 * Removes everything kept for `owner` (its TPM state among it) and the name and namespace
 * directories it leaves empty; returns whether there was anything. Never follows a link.
 */
export async function removeVmState(dataDir: string, owner: StateOwner): Promise<boolean> {
  const stateDir = vmStateDir(resolve(dataDir), owner);
  const existed = await lstat(stateDir).then(() => true, (e: unknown) => {
    if (isMissing(e)) return false;
    throw e;
  });
  await rm(stateDir, { recursive: true, force: true });
  const root = vmStateRoot(resolve(dataDir));
  for (let dir = dirname(stateDir); dir !== root && dir !== dirname(dir); dir = dirname(dir)) {
    const removed = await rmdir(dir).then(() => true, (e: unknown) => {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOTEMPTY' || code === 'EEXIST' || code === 'ENOENT') return false;
      throw e;
    });
    if (!removed) break;
  }
  return existed;
}
