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
import { startSessionLibvirtd } from './libvirtd.js';
import { startReaper } from './reaper.js';
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

/** Runs the VMI to its end; see {@link runLauncher}. The reaper covers a launcher that dies. */
export async function launchVmi(vmi: Readonly<VirtualMachineInstance>, opts: LaunchOptions): Promise<LauncherOutcome> {
  const identity = vmiIdentity(vmi);
  const dirs = launcherDirs(identity, { runRoot: opts.runRoot ?? defaultRunRoot(process.getuid?.() ?? -1, process.env), dataDir: opts.dataDir });
  const log = opts.log.child({ namespace: identity.namespace, name: identity.name, launcher: dirs.id });
  const qemuUser = IS_ROOT ? await ensureUnprivilegedUser() : undefined;
  const reaper = await startReaper(dirs.daemonDir, [dirs.runDir, dirs.stateDir]);
  const cluster = opts.cluster ?? { ...DEFAULT_CLUSTER_CONFIG, useEmulation: true };
  const [kvm, efi] = await Promise.all([kvmVerdict(opts.accel ?? 'auto', opts.dataDir), findEfiFirmware()]);
  log.info({ kvmUsable: kvm.usable, reason: kvm.reason }, kvm.usable ? 'Using KVM' : 'KVM is not usable here');
  const deps: LauncherDeps = {
    log,
    context: baseContext(kvm, cluster, efi),
    ...(qemuUser === undefined ? {} : { qemuUser }),
    prepareVolumes: (v, d) => opts.prepareVolumes(v, d, qemuUser),
    startDaemon: daemonStarter(qemuUser, opts.dataDir, log),
    connect: (uri) => connectLibvirt(uri),
    stopRequested: opts.stopRequested,
    ...optionalDeps(opts),
  };
  const outcome = await runLauncher(vmi, dirs, deps);
  await reaper.disarm();
  return outcome;
}
