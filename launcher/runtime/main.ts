/**
 * Wires a real virt-launcher: the unprivileged QEMU user (when root), the per-launcher
 * directories and their reaper, host facts (KVM probe, OVMF), volume preparation over the local
 * image and volume stores, a private session libvirtd, and the libvirt binding. The only place the
 * real hypervisor is wired (docs/ARCHITECTURE.md, The launcher).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_CLUSTER_CONFIG, type ClusterConfig } from '../../core/cluster-config.js';
import type { Logger } from '../../core/log.js';
import type { VirtualMachineInstance } from '../../crd-gen/index.js';
import { DEFAULT_SMBIOS, type EfiFirmware } from '../converter/context.js';
import { findEfiFirmware, probeKvm, type KvmVerdict } from './host-facts.js';
import { runLauncher, type LauncherDeps, type LauncherOutcome, type PreparedVolumes } from './launcher.js';
import { vmiIdentity, type LauncherDirs } from './launcher-dirs.js';
import { connectLibvirt } from './libvirt.js';
import type { ProtocolServer } from '../protocol/runtime/server.js';
import { daemonStarter, hostBase, launcherLog, type LauncherHost } from './host.js';
import type { Reaper } from './reaper.js';
import { assertSwtpmInstalled, linkTpmState, prepareTpmState } from './tpm-state.js';
import { hasTpmDevice } from '../../core/tpm.js';
import { stateOwnerOf } from '../vm-state.js';
import { sameIdentity, type VmiIdentity } from '../identity.js';
import type { UnprivilegedUser } from './unprivileged-user.js';
import { preparePodNetwork } from './pod-network.js';

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
  /** The host made ready ahead of the VMI (host.ts's prepareHost), for this VMI's identity. */
  readonly host?: LauncherHost;
  /**
   * Keep a persistent TPM's state with the VM's data in `<dataDir>/vm-state` (tpm-state.ts), for a
   * launcher whose VMs something removes again (the local control plane, on deletion). @default false
   */
  readonly keepPersistentState?: boolean;
}


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
    // Without a pod network (pod-network.ts finds none) the guest gets QEMU user-mode networking:
    // a session libvirtd cannot create tap devices itself.
    networkMode: 'user',
    memBalloonStatsPeriod: 10,
    freePageReporting: true,
    serialConsoleLogDefault: true,
  };
}

function optionalDeps(opts: LaunchOptions): Pick<LauncherDeps, 'consoleOut' | 'server'> {
  return { ...(opts.consoleOut === undefined ? {} : { consoleOut: opts.consoleOut }), ...(opts.server === undefined ? {} : { server: opts.server }) };
}

/** Keeps a persistent TPM's state in the VM's state directory, when this launcher is asked to. */
function tpmStateDeps(opts: LaunchOptions, qemuUser: UnprivilegedUser | undefined, log: Logger): Pick<LauncherDeps, 'keepTpmState'> {
  if (opts.keepPersistentState !== true) return {};
  return {
    keepTpmState: async (vmi, daemonDir, domainUuid) => {
      const swtpmDir = await prepareTpmState(stateOwnerOf(vmi), { dataDir: opts.dataDir, ...(qemuUser === undefined ? {} : { qemuUser }) });
      await linkTpmState(daemonDir, domainUuid, swtpmDir, qemuUser);
      log.info({ swtpmDir, domainUuid }, 'Kept the persistent TPM state with the VM\'s data');
    },
  };
}

/** The host a run uses: made ready ahead (host.ts's prepareHost) or now, and how its libvirtd is started. */
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
    const base = await hostBase(identity, opts);
    return { ...base, startDaemon: daemonStarter(base.qemuUser, opts.dataDir, base.log), stopUntakenDaemon: () => Promise.resolve() };
  }
  if (!sameIdentity(given.identity, identity)) throw new Error(`the host was prepared for VMI ${given.identity.namespace}/${given.identity.name}, not ${identity.namespace}/${identity.name}`);
  let taken = false;
  const log = launcherLog(opts.log, identity, given.dirs);
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
    prepareNetwork: async (v) => {
      const network = await preparePodNetwork(v, qemuUser, log);
      // Multi-queue NICs use vhost-net only where the host has it (QEMU's own backend otherwise).
      return { ...network, context: { ...network.context, vhostNet: existsSync('/dev/vhost-net') } };
    },
    startDaemon: host.startDaemon,
    connect: (uri) => connectLibvirt(uri),
    stopRequested: opts.stopRequested,
    requireHostTools: async (v) => { if (hasTpmDevice(v.spec)) await assertSwtpmInstalled(); },
    ...optionalDeps(opts),
    ...tpmStateDeps(opts, qemuUser, log),
  };
  const outcome = await runLauncher(vmi, dirs, deps);
  await host.stopUntakenDaemon();
  await host.reaper.disarm();
  return outcome;
}
