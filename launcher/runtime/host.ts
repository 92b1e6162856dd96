/**
 * What a launcher makes ready from the VMI's identity alone (the QEMU user, the reaper, the private
 * libvirtd), in a module of its own: a launcher pod's launcher loads it, and starts libvirtd, while
 * the rest of the launch machinery (converter, volumes, the libvirt binding) is still loading.
 */
import { join } from 'node:path';
import type { Logger } from '../../core/log.js';
import type { VmiIdentity } from '../identity.js';
import { defaultRunRoot, launcherDirs, type LauncherDirs } from './launcher-dirs.js';
import { startSessionLibvirtd, type SessionDaemon } from './libvirtd.js';
import { startReaper, type Reaper } from './reaper.js';
import { ensureUnprivilegedUser, type UnprivilegedUser } from './unprivileged-user.js';

/** Whether this process is root (then QEMU and libvirtd run as the unprivileged QEMU user). */
export const IS_ROOT = process.getuid?.() === 0;

/**
 * What a launcher makes ready from the VMI's identity alone: the QEMU user, the reaper and the
 * private libvirtd. A launcher pod's launcher does this while it waits for virt-handler's handover,
 * as KubeVirt's virt-launcher starts libvirtd before the VMI is synced, so the launch itself only
 * prepares volumes, defines and starts the domain.
 */
export interface LauncherHost {
  readonly identity: VmiIdentity;
  readonly dirs: LauncherDirs;
  readonly qemuUser: UnprivilegedUser | undefined;
  readonly reaper: Reaper;
  /** The private libvirtd, started or starting (a start failure rejects here, and fails the launch). */
  readonly daemon: Promise<SessionDaemon>;
  /** Whether that libvirtd has ended (it exits by itself after its idle timeout when no VMI came). */
  daemonEnded(): boolean;
  /** For a launcher that ends without launching: stops the libvirtd and disarms the reaper. */
  release(): Promise<void>;
}

/** Options of {@link prepareHost}: the launcher's log and directories. */
export interface HostOptions {
  readonly log: Logger;
  readonly dataDir: string;
  /** Root of the run directories. @default defaultRunRoot of this process */
  readonly runRoot?: string;
}

/** The directories of the launcher of `identity`. */
export function dirsOf(identity: VmiIdentity, opts: HostOptions): LauncherDirs {
  return launcherDirs(identity, { runRoot: opts.runRoot ?? defaultRunRoot(process.getuid?.() ?? -1, process.env), dataDir: opts.dataDir });
}

/** Starts a VMI's private libvirtd (as the QEMU user when root). */
export function daemonStarter(qemuUser: UnprivilegedUser | undefined, dataDir: string, log: Logger): (dirs: LauncherDirs) => Promise<SessionDaemon> {
  return (d) => startSessionLibvirtd({
    baseDir: d.daemonDir,
    ...(qemuUser === undefined ? {} : { user: qemuUser }),
    capabilitiesCacheDir: join(dataDir, 'cache', 'libvirt-capabilities'),
    log,
  });
}

/** The launcher's log: the process's, naming the VMI and the launcher. */
export function launcherLog(log: Logger, identity: VmiIdentity, dirs: LauncherDirs): Logger {
  return log.child({ namespace: identity.namespace, name: identity.name, launcher: dirs.id });
}

/** What every launcher host starts with, made ready ahead ({@link prepareHost}) or by the run itself (main.ts). */
export interface HostBase {
  readonly dirs: LauncherDirs;
  readonly log: Logger;
  /** The QEMU user, when this process is root. */
  readonly qemuUser: UnprivilegedUser | undefined;
  /** Armed on the daemon's directory, the run and state directories. */
  readonly reaper: Reaper;
}

/**
 * The launcher's directories and log, the unprivileged QEMU user (as root) and the dead-man reaper
 * armed on its directories: the first steps of a launcher's host, in this order, whether the host
 * is prepared ahead or by the run.
 */
export async function hostBase(identity: VmiIdentity, opts: HostOptions): Promise<HostBase> {
  const dirs = dirsOf(identity, opts);
  const log = launcherLog(opts.log, identity, dirs);
  const qemuUser = IS_ROOT ? await ensureUnprivilegedUser() : undefined;
  const reaper = await startReaper(dirs.daemonDir, [dirs.runDir, dirs.stateDir]);
  return { dirs, log, qemuUser, reaper };
}

/** Makes the host ready for the VMI `identity` ({@link LauncherHost}); libvirtd starts in the background. */
export async function prepareHost(identity: VmiIdentity, opts: HostOptions): Promise<LauncherHost> {
  const { dirs, log, qemuUser, reaper } = await hostBase(identity, opts);
  const daemon = daemonStarter(qemuUser, opts.dataDir, log)(dirs);
  // Whoever takes the daemon sees a failure; until then it must not count as unhandled.
  let ended = false;
  daemon.then((d) => d.exited).then(() => { ended = true; }, () => undefined);
  const release = async (): Promise<void> => {
    await daemon.then((d) => d.stop(), () => undefined);
    await reaper.disarm();
  };
  return { identity, dirs, qemuUser, reaper, daemon, daemonEnded: () => ended, release };
}
