/**
 * Wires a real virt-launcher: the unprivileged QEMU user (when root), the per-launcher
 * directories and their reaper, host facts (KVM probe, OVMF), volume preparation over the local
 * image and volume stores, a private session libvirtd, and the libvirt binding. The only place the
 * real hypervisor is wired (docs/ARCHITECTURE.md, The launcher).
 */
import { join } from 'node:path';
import { DEFAULT_CLUSTER_CONFIG, type ClusterConfig } from '../../core/cluster-config.js';
import type { Logger } from '../../core/log.js';
import type { VirtualMachineInstance } from '../../crd-gen/index.js';
import { DEFAULT_SMBIOS, type EfiFirmware } from '../converter/context.js';
import { findEfiFirmware, probeKvm, type KvmVerdict } from './host-facts.js';
import { runLauncher, type LauncherDeps, type LauncherOutcome, type PreparedVolumes } from './launcher.js';
import { defaultRunRoot, launcherDirs, vmiIdentity, type LauncherDirs } from './launcher-dirs.js';
import { connectLibvirt } from './libvirt.js';
import type { ProtocolServer } from '../protocol/runtime/server.js';
import { startSessionLibvirtd, type SessionDaemon } from './libvirtd.js';
import { startReaper, type Reaper } from './reaper.js';
import { sameIdentity, type VmiIdentity } from '../identity.js';
import { ensureUnprivilegedUser, type UnprivilegedUser } from './unprivileged-user.js';

/** How the domain is accelerated: `auto` probes KVM and falls back to emulation when allowed. */
export type AccelChoice = 'auto' | 'kvm' | 'emulation';

/** Options of {@link launchVmi}. */
export interface LaunchOptions {
  readonly log: Logger;
  readonly dataDir: string;
  /** Root of the run directories. @default defaultRunRoot of this process */
  readonly runRoot?: string;
  /** @default "auto" */
  readonly accel?: AccelChoice;
  /** Cluster settings (emulation allowed, …). @default KubeVirt's defaults with emulation allowed */
  readonly cluster?: ClusterConfig;
  /** Where the guest's console bytes go, if anywhere. */
  readonly consoleOut?: (chunk: Buffer) => void;
  /** The protocol server already serving this VMI's socket (--await-vmi); the run takes it over. */
  readonly server?: ProtocolServer;
  /** Resolves when the launcher should stop the guest. */
  readonly stopRequested: Promise<void>;
  /** Prepares the VMI's volumes (launcher/runtime/volumes.ts, bound to the stores and objects). */
  prepareVolumes(vmi: Readonly<VirtualMachineInstance>, dirs: LauncherDirs, qemuUser: UnprivilegedUser | undefined): Promise<PreparedVolumes>;
  /** The host made ready ahead of the VMI ({@link prepareHost}), for this VMI's identity. */
  readonly host?: LauncherHost;
}

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

/** Options of {@link prepareHost}: {@link LaunchOptions}' log and directories. */
export type HostOptions = Pick<LaunchOptions, 'log' | 'dataDir' | 'runRoot'>;

function dirsOf(identity: VmiIdentity, opts: HostOptions): LauncherDirs {
  return launcherDirs(identity, { runRoot: opts.runRoot ?? defaultRunRoot(process.getuid?.() ?? -1, process.env), dataDir: opts.dataDir });
}

/** Makes the host ready for the VMI `identity` ({@link LauncherHost}); libvirtd starts in the background. */
export async function prepareHost(identity: VmiIdentity, opts: HostOptions): Promise<LauncherHost> {
  const dirs = dirsOf(identity, opts);
  const log = opts.log.child({ namespace: identity.namespace, name: identity.name, launcher: dirs.id });
  const qemuUser = IS_ROOT ? await ensureUnprivilegedUser() : undefined;
  const reaper = await startReaper(dirs.daemonDir, [dirs.runDir, dirs.stateDir]);
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

const IS_ROOT = process.getuid?.() === 0;

async function kvmVerdict(accel: AccelChoice, dataDir: string): Promise<KvmVerdict> {
  if (accel === 'emulation') return { usable: false, reason: 'emulation was asked for' };
  if (accel === 'kvm') return { usable: true, reason: 'KVM was asked for' };
  return probeKvm({ cacheDir: join(dataDir, 'cache') });
}

function baseContext(kvm: KvmVerdict, cluster: ClusterConfig, efi: EfiFirmware | undefined): LauncherDeps['context'] {
  return {
    architecture: 'x86_64',
    kvmUsable: kvm.usable,
    allowEmulation: cluster.useEmulation,
    ...(efi === undefined ? {} : { efi }),
    smbios: DEFAULT_SMBIOS,
    // A session libvirtd cannot create tap devices: the guest gets QEMU user-mode networking.
    networkMode: 'user',
    memBalloonStatsPeriod: 10,
    freePageReporting: true,
    serialConsoleLogDefault: true,
  };
}

function daemonStarter(qemuUser: UnprivilegedUser | undefined, dataDir: string, log: Logger): LauncherDeps['startDaemon'] {
  return (d) => startSessionLibvirtd({
    baseDir: d.daemonDir,
    ...(qemuUser === undefined ? {} : { user: qemuUser }),
    capabilitiesCacheDir: join(dataDir, 'cache', 'libvirt-capabilities'),
    log,
  });
}

function optionalDeps(opts: LaunchOptions): Pick<LauncherDeps, 'consoleOut' | 'server'> {
  return { ...(opts.consoleOut === undefined ? {} : { consoleOut: opts.consoleOut }), ...(opts.server === undefined ? {} : { server: opts.server }) };
}

/** The host a run uses: made ready ahead ({@link prepareHost}) or now, and how its libvirtd is started. */
interface RunHost {
  readonly dirs: LauncherDirs;
  readonly log: Logger;
  readonly qemuUser: UnprivilegedUser | undefined;
  readonly reaper: Reaper;
  readonly startDaemon: LauncherDeps['startDaemon'];
  /** Stops a prepared daemon the run never took (it stops one it took with everything else). */
  stopUntakenDaemon(): Promise<void>;
}

async function runHost(identity: VmiIdentity, opts: LaunchOptions): Promise<RunHost> {
  const given = opts.host;
  if (given === undefined) {
    const dirs = dirsOf(identity, opts);
    const log = opts.log.child({ namespace: identity.namespace, name: identity.name, launcher: dirs.id });
    const qemuUser = IS_ROOT ? await ensureUnprivilegedUser() : undefined;
    const reaper = await startReaper(dirs.daemonDir, [dirs.runDir, dirs.stateDir]);
    return { dirs, log, qemuUser, reaper, startDaemon: daemonStarter(qemuUser, opts.dataDir, log), stopUntakenDaemon: () => Promise.resolve() };
  }
  if (!sameIdentity(given.identity, identity)) throw new Error(`the host was prepared for VMI ${given.identity.namespace}/${given.identity.name}, not ${identity.namespace}/${identity.name}`);
  let taken = false;
  const log = opts.log.child({ namespace: identity.namespace, name: identity.name, launcher: given.dirs.id });
  return {
    dirs: given.dirs,
    log,
    qemuUser: given.qemuUser,
    reaper: given.reaper,
    startDaemon: (d) => {
      taken = true;
      return given.daemonEnded() ? daemonStarter(given.qemuUser, opts.dataDir, log)(d) : given.daemon;
    },
    stopUntakenDaemon: () => (taken ? Promise.resolve() : given.daemon.then((d) => d.stop(), () => undefined)),
  };
}

/** Runs the VMI to its end; see {@link runLauncher}. The reaper covers a launcher that dies. */
export async function launchVmi(vmi: Readonly<VirtualMachineInstance>, opts: LaunchOptions): Promise<LauncherOutcome> {
  const host = await runHost(vmiIdentity(vmi), opts);
  const { dirs, log, qemuUser } = host;
  const cluster = opts.cluster ?? { ...DEFAULT_CLUSTER_CONFIG, useEmulation: true };
  const [kvm, efi] = await Promise.all([kvmVerdict(opts.accel ?? 'auto', opts.dataDir), findEfiFirmware()]);
  log.info({ kvmUsable: kvm.usable, reason: kvm.reason }, kvm.usable ? 'Using KVM' : 'KVM is not usable here');
  const deps: LauncherDeps = {
    log,
    context: baseContext(kvm, cluster, efi),
    ...(qemuUser === undefined ? {} : { qemuUser }),
    prepareVolumes: (v, d) => opts.prepareVolumes(v, d, qemuUser),
    startDaemon: host.startDaemon,
    connect: (uri) => connectLibvirt(uri),
    stopRequested: opts.stopRequested,
    ...optionalDeps(opts),
  };
  const outcome = await runLauncher(vmi, dirs, deps);
  await host.stopUntakenDaemon();
  await host.reaper.disarm();
  return outcome;
}
