/**
 * A private libvirtd per launcher: session mode, private XDG directories, running as an
 * unprivileged user when kvt runs as root. KubeVirt likewise runs one daemon per VM pod, non-root.
 * `stop()` leaves nothing behind: the daemon, every QEMU it started (QEMU daemonizes, so it
 * outlives a killed libvirtd) and the daemon's directories are gone when it resolves.
 * @see https://libvirt.org/daemons.html (session mode)
 */
import { execFile, spawn } from 'node:child_process';
import { chown, mkdir, open, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { findSessionProcesses, terminateProcesses, type ProcessLog } from './session-processes.js';
import { assertReachable } from './unprivileged-user.js';
import { KubevirtError } from '../../core/errors.js';

const run = promisify(execFile);

/** The account the daemon runs as (see `ensureUnprivilegedUser`). */
export interface SessionUser {
  readonly uid: number;
  readonly gid: number;
}

/** Where the daemon reports its lifecycle (a pino logger fits). */
export interface DaemonLogger extends ProcessLog {
  info(obj: Record<string, unknown>, msg: string): void;
}

/** Options of {@link startSessionLibvirtd}. */
export interface SessionDaemonOptions {
  /** The daemon's own directory; it becomes the user's, mode 0700. Keep it short (see {@link MAX_BASE_DIR_BYTES}). */
  readonly baseDir: string;
  /** Run the daemon as this user. Required when kvt runs as root. @default the current user */
  readonly user?: SessionUser;
  /** Receives "Started libvirtd", "Stopped libvirtd" and cleanup warnings. @default none */
  readonly log?: DaemonLogger;
  /** How long the daemon may take to answer. @default 15000 */
  readonly startTimeoutMs?: number;
  /** libvirtd's `--timeout`: it exits by itself when idle (no client, no running domain) this long. @default 600 */
  readonly idleTimeoutSeconds?: number;
  /**
   * A directory for libvirt's QEMU capabilities cache that daemons of the same user share. A fresh
   * daemon probes QEMU on its first define (about 1.7 s under TCG here); with a shared cache only
   * the first daemon pays. It becomes the user's, mode 0700.
   * @default none: each daemon probes QEMU itself
   */
  readonly capabilitiesCacheDir?: string;
  /** @default "libvirtd" */
  readonly libvirtd?: string;
  /** @default "virsh" */
  readonly virsh?: string;
}

/** How the daemon process ended. */
export interface DaemonExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** A running private libvirtd. */
export interface SessionDaemon {
  /** The connection URI, e.g. `qemu:///session?socket=/run/kvt/x/run/libvirt/libvirt-sock`. */
  readonly uri: string;
  readonly socketPath: string;
  readonly pid: number;
  /** Resolves when the daemon process ends, for whatever reason (never rejects). */
  readonly exited: Promise<DaemonExit>;
  /** Kills the daemon and every QEMU it started (SIGTERM, then SIGKILL), then removes its directories. Idempotent. */
  stop(): Promise<void>;
}

/** The daemon could not be started or stopped; the message carries the daemon's last log lines. */
export class LibvirtdError extends KubevirtError {}

/**
 * The longest `baseDir` that works: QEMU's monitor socket lives at
 * `<baseDir>/cfg/libvirt/qemu/lib/domain-<id>-<name up to 20>/monitor.sock`, and a unix socket path
 * holds at most 107 bytes.
 */
export const MAX_BASE_DIR_BYTES = 107 - '/cfg/libvirt/qemu/lib/domain-9999-'.length - 20 - '/monitor.sock'.length;

const UNIX_PATH_MAX = 107;
const LOG_TAIL_BYTES = 4000;

interface SessionDirs {
  readonly base: string;
  readonly run: string;
  readonly config: string;
  readonly cache: string;
  readonly data: string;
  readonly socket: string;
  readonly logFile: string;
}

function sessionDirs(baseDir: string): SessionDirs {
  const base = resolve(baseDir);
  const runDir = join(base, 'run');
  return {
    base,
    run: runDir,
    config: join(base, 'cfg'),
    cache: join(base, 'cache'),
    data: join(base, 'data'),
    socket: join(runDir, 'libvirt', 'libvirt-sock'),
    logFile: join(base, 'libvirtd.log'),
  };
}

/**
 * The daemon's `$XDG_CONFIG_HOME`: libvirt's session driver keeps its per-domain state below it
 * (`libvirt/qemu/swtpm/<domain uuid>/` for an emulated TPM's swtpm state). Removed by `stop()`.
 */
export function sessionConfigHome(baseDir: string): string {
  return sessionDirs(baseDir).config;
}

/** The directories whose paths mark a process as this daemon's (in its environment). */
function markers(dirs: SessionDirs): string[] {
  return [dirs.run, dirs.config, dirs.cache, dirs.data];
}

/** The `qemu:///session` URI for a daemon listening on `socketPath`. */
export function sessionUri(socketPath: string): string {
  return `qemu:///session?socket=${encodeURIComponent(socketPath).replace(/%2F/g, '/')}`;
}

function checkOptions(dirs: SessionDirs, user: SessionUser | undefined): void {
  checkUser(user);
  const bytes = Buffer.byteLength(dirs.base);
  if (bytes > MAX_BASE_DIR_BYTES || Buffer.byteLength(dirs.socket) > UNIX_PATH_MAX) {
    throw new LibvirtdError(`baseDir ${dirs.base} is ${bytes} bytes: at most ${MAX_BASE_DIR_BYTES} bytes leave room for QEMU's unix sockets`);
  }
}

function checkUser(user: SessionUser | undefined): void {
  const euid = process.geteuid?.() ?? -1;
  if (user === undefined) {
    if (euid === 0) throw new LibvirtdError('Refusing to run libvirtd as root: pass opts.user (see ensureUnprivilegedUser)');
    return;
  }
  if (user.uid === 0 || user.gid === 0) {
    throw new LibvirtdError(`Refusing to run libvirtd as uid ${user.uid} gid ${user.gid}: the session daemon runs unprivileged`);
  }
  if (euid !== 0 && user.uid !== euid) {
    throw new LibvirtdError(`Cannot run libvirtd as uid ${user.uid}: only root can switch users (this process is uid ${euid})`);
  }
}

async function ownDir(path: string, user: SessionUser | undefined): Promise<void> {
  await mkdir(path, { recursive: true, mode: 0o700 });
  if (user !== undefined) await chown(path, user.uid, user.gid);
}

// No virtlogd: QEMU's stdout/stderr go to a plain file, so the daemon spawns no second daemon.
const QEMU_CONF = 'stdio_handler = "file"\n';

async function prepareDirs(dirs: SessionDirs, user: SessionUser | undefined): Promise<void> {
  await ownDir(dirs.base, user);
  if (user !== undefined) await assertReachable(dirs.run, user);
  for (const dir of markers(dirs)) await ownDir(dir, user);
  const libvirtConfig = join(dirs.config, 'libvirt');
  await ownDir(libvirtConfig, user);
  await writeFile(join(libvirtConfig, 'qemu.conf'), QEMU_CONF, { mode: 0o600 });
  if (user !== undefined) await chown(join(libvirtConfig, 'qemu.conf'), user.uid, user.gid);
}

/** Points the daemon's capabilities cache (`$XDG_CACHE_HOME/libvirt/qemu/cache/capabilities`) at the shared one. */
async function linkCapabilitiesCache(dirs: SessionDirs, shared: string, user: SessionUser | undefined): Promise<void> {
  // Its parent (<data dir>/cache) must be traversable by the QEMU user: made here first (the launcher
  // prepares libvirtd while the KVM probe runs), ownDir's 0700 would lock the user out of the link.
  await mkdir(dirname(resolve(shared)), { recursive: true, mode: 0o755 });
  await ownDir(resolve(shared), user);
  let parent = dirs.cache;
  for (const part of ['libvirt', 'qemu', 'cache']) {
    parent = join(parent, part);
    await ownDir(parent, user);
  }
  // libvirt replaces each cache file by rename inside this directory, so a link to it is enough.
  await symlink(resolve(shared), join(parent, 'capabilities'));
}

async function removeDirs(dirs: SessionDirs): Promise<void> {
  for (const path of [...markers(dirs), dirs.logFile]) await rm(path, { recursive: true, force: true });
}

/** Kills whatever a previous daemon in the same directory left behind (a crashed launcher), then wipes it. */
async function sweepLeftovers(dirs: SessionDirs, log: DaemonLogger | undefined): Promise<void> {
  const leftovers = await findSessionProcesses(markers(dirs));
  if (leftovers.length > 0) {
    log?.warn({ pids: leftovers, baseDir: dirs.base }, 'Found processes of an earlier libvirtd, killing them');
    await terminateProcesses(leftovers, { log, rescan: () => findSessionProcesses(markers(dirs)) });
  }
  await removeDirs(dirs);
}

function daemonEnv(dirs: SessionDirs): NodeJS.ProcessEnv {
  return {
    PATH: process.env['PATH'] ?? '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    HOME: dirs.data,
    LC_ALL: 'C',
    XDG_RUNTIME_DIR: dirs.run,
    XDG_CONFIG_HOME: dirs.config,
    XDG_CACHE_HOME: dirs.cache,
    XDG_DATA_HOME: dirs.data,
    LIBVIRT_AUTOSTART: '0',
  };
}

interface Spawned {
  readonly pid: number;
  readonly exited: Promise<DaemonExit>;
  readonly isRunning: () => boolean;
}

async function spawnDaemon(dirs: SessionDirs, opts: SessionDaemonOptions): Promise<Spawned> {
  const logHandle = await open(dirs.logFile, 'a', 0o600);
  try {
    const args = ['--timeout', String(opts.idleTimeoutSeconds ?? 600)];
    // detached: its own process group, so a Ctrl-C meant for the launcher does not kill libvirtd
    // before the launcher has shut the guest down.
    const child = spawn(opts.libvirtd ?? 'libvirtd', args, {
      cwd: dirs.data,
      env: daemonEnv(dirs),
      stdio: ['ignore', logHandle.fd, logHandle.fd],
      detached: true,
      ...(opts.user === undefined ? {} : { uid: opts.user.uid, gid: opts.user.gid }),
    });
    let running = true;
    const exited = new Promise<DaemonExit>((done) => {
      child.once('exit', (code, signal) => { running = false; done({ code, signal }); });
      child.once('error', () => { running = false; done({ code: null, signal: null }); });
    });
    const spawnError = await new Promise<Error | undefined>((done) => {
      child.once('spawn', () => done(undefined));
      child.once('error', (e) => done(e));
    });
    if (spawnError !== undefined || child.pid === undefined) {
      throw new LibvirtdError(`Could not start ${opts.libvirtd ?? 'libvirtd'}: ${spawnError?.message ?? 'no pid'}`, { cause: spawnError });
    }
    return { pid: child.pid, exited, isRunning: () => running };
  } finally {
    await logHandle.close();
  }
}

async function logTail(path: string): Promise<string> {
  try {
    const text = await readFile(path, 'utf8');
    return text.slice(-LOG_TAIL_BYTES).trim();
  } catch {
    return '(no libvirtd log)';
  }
}

function socketAccepts(path: string): Promise<boolean> {
  return new Promise((done) => {
    const socket = connect(path);
    socket.once('connect', () => { socket.destroy(); done(true); });
    socket.once('error', () => { socket.destroy(); done(false); });
  });
}

const sleep = (ms: number): Promise<void> => new Promise((done) => setTimeout(done, ms));

/** Waits until the daemon answers a real RPC (`virsh uri`): a listening socket alone may not be serving yet. */
async function waitReady(dirs: SessionDirs, daemon: Spawned, opts: SessionDaemonOptions): Promise<void> {
  const deadline = Date.now() + (opts.startTimeoutMs ?? 15_000);
  const uri = sessionUri(dirs.socket);
  let lastProbeError = 'its socket never accepted a connection';
  while (Date.now() < deadline) {
    if (!daemon.isRunning()) throw new LibvirtdError('libvirtd exited during start-up');
    const exists = await stat(dirs.socket).then(() => true, () => false);
    if (exists && (await socketAccepts(dirs.socket))) {
      const timeout = Math.max(100, deadline - Date.now());
      const env = { ...process.env, LC_ALL: 'C', LIBVIRT_AUTOSTART: '0' };
      // A failed probe is kept for the timeout's message; the daemon may still be initialising.
      const failure = await run(opts.virsh ?? 'virsh', ['-c', uri, 'uri'], { timeout, env }).then(() => undefined, (e: unknown) => e);
      if (failure === undefined) return;
      lastProbeError = `virsh uri failed: ${failure instanceof Error ? failure.message : String(failure)}`;
    }
    await sleep(25);
  }
  throw new LibvirtdError(`libvirtd did not answer on ${dirs.socket} within ${opts.startTimeoutMs ?? 15_000} ms (${lastProbeError})`);
}

async function stopDaemon(dirs: SessionDirs, daemon: Spawned, log: DaemonLogger | undefined): Promise<void> {
  const started = Date.now();
  const rescan = (): Promise<number[]> => findSessionProcesses(markers(dirs));
  const pids = new Set([...(daemon.isRunning() ? [daemon.pid] : []), ...(await rescan())]);
  await terminateProcesses([...pids], { log, rescan });
  await daemon.exited;
  await removeDirs(dirs);
  log?.info({ pid: daemon.pid, baseDir: dirs.base, killed: pids.size, ms: Date.now() - started }, 'Stopped libvirtd');
}

async function prepareAndSpawn(dirs: SessionDirs, opts: SessionDaemonOptions): Promise<Spawned> {
  try {
    await prepareDirs(dirs, opts.user);
    if (opts.capabilitiesCacheDir !== undefined) await linkCapabilitiesCache(dirs, opts.capabilitiesCacheDir, opts.user);
    return await spawnDaemon(dirs, opts);
  } catch (e: unknown) {
    await removeDirs(dirs);
    throw e;
  }
}

/**
 * Starts a private libvirtd in session mode under `baseDir` and waits until it answers. As root,
 * the daemon (and so QEMU) runs as `opts.user`; running it as root is refused. The daemon stays a
 * child of this process (no `-d`), and exits by itself after `idleTimeoutSeconds` without clients
 * or running domains, so an orphan does not linger forever.
 * @see https://libvirt.org/manpages/libvirtd.html
 */
export async function startSessionLibvirtd(opts: SessionDaemonOptions): Promise<SessionDaemon> {
  const dirs = sessionDirs(opts.baseDir);
  checkOptions(dirs, opts.user);
  const started = Date.now();
  await sweepLeftovers(dirs, opts.log);
  const daemon = await prepareAndSpawn(dirs, opts);
  let stopping: Promise<void> | undefined;
  // A failed stop (a process that survived SIGKILL) may be retried.
  const stop = (): Promise<void> => (stopping ??= stopDaemon(dirs, daemon, opts.log).catch((e: unknown) => {
    stopping = undefined;
    throw e;
  }));
  try {
    await waitReady(dirs, daemon, opts);
  } catch (e: unknown) {
    const tail = await logTail(dirs.logFile);
    await stop();
    throw new LibvirtdError(`${e instanceof Error ? e.message : String(e)}; libvirtd log:\n${tail}`, { cause: e });
  }
  opts.log?.info({ pid: daemon.pid, socketPath: dirs.socket, ms: Date.now() - started }, 'Started libvirtd');
  return { uri: sessionUri(dirs.socket), socketPath: dirs.socket, pid: daemon.pid, exited: daemon.exited, stop };
}
