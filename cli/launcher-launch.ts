/**
 * The launch machinery of `kvt virt-launcher`: the VMI's input (a user's FILE through admission, or
 * virt-handler's handover), its volumes and objects, and the run in a private libvirtd. Loaded apart
 * from the command (about 150 ms of modules), so that a launcher pod's launcher serves its socket
 * first and loads this while it waits for the handover.
 */
import { join } from 'node:path';
import { createLogger, type Logger } from '../core/log.js';
import type { VirtualMachineInstance } from '../crd-gen/index.js';
import type { VmiIdentity } from '../launcher/identity.js';
import type { ProtocolServer } from '../launcher/protocol/runtime/server.js';
import { imageStoreRoot } from '../launcher/runtime/data-dir.js';
import { ensureVmiImages } from '../launcher/runtime/image-ensure.js';
import { readPullReport } from '../launcher/runtime/image-pod-pull.js';
import { openImageStore } from '../launcher/runtime/image-store.js';
import { loadRegistryMirrors } from '../launcher/runtime/registry-config.js';
import type { LauncherHost } from '../launcher/runtime/host.js';
import { launchVmi, type AccelChoice } from '../launcher/runtime/main.js';
import { mountedObjectSource } from '../launcher/runtime/mounted-objects.js';
import { prepareVolumes } from '../launcher/runtime/volumes.js';
import type { CommandIo } from './command.js';
import { manifestObjectSource } from './objects.js';

/** `kvt virt-launcher`'s options. */
export interface LauncherCliOptions {
  readonly source: string;
  readonly dataDir: string;
  readonly accel: AccelChoice;
  readonly console: boolean;
  readonly logLevel: string;
  readonly hostDiskRoots: readonly string[];
  readonly runRoot: string;
  /** `--image-volumes DIR`: the boot images are mounted there (a launcher pod's image volumes), not read from the data dir's store. */
  readonly imageVolumes?: string;
  /** Set with --await-vmi: wait for virt-handler's `<runDir>/vmi.json` of this VMI. */
  readonly awaitIdentity?: VmiIdentity;
  /** `--pod-root DIR`: the launcher pod's volume mounts are under DIR (the local kubelet's layout), not under `/`. */
  readonly podRoot: string;
}

/** The launcher's JSON log on standard error. */
export function launcherLog(options: LauncherCliOptions): Logger {
  return createLogger({ name: 'virt-launcher', level: options.logLevel });
}

/** The VMI of a launch: from the user's FILE through admission, or virt-handler's admitted VMI as it is. */
type LaunchInput = { readonly vmi: VirtualMachineInstance; readonly objects: readonly Record<string, unknown>[] };

/** How the launch was asked for: from the user's FILE, or by virt-handler's handover on the socket it already serves. */
export interface LaunchFrom {
  readonly stopRequested: Promise<void>;
  readonly server?: ProtocolServer;
  readonly handedOver?: VirtualMachineInstance;
  /** The host made ready while the launcher waited for the handover. */
  readonly host?: LauncherHost;
  readonly log?: Logger;
}

/** The VMI to launch, or the exit code when the user's FILE holds none (virt-handler's was checked on arrival). */
async function inputOf(options: LauncherCliOptions, io: CommandIo, handedOver: VirtualMachineInstance | undefined): Promise<LaunchInput | number> {
  if (handedOver !== undefined) return { vmi: handedOver, objects: [] };
  // Admission is loaded only for a user's FILE: a launcher pod's launcher never needs it.
  return (await import('./vmi-input.js')).loadVmi(options.source, io);
}

/** Runs the VMI to its end; returns the exit code. */
export async function launch(options: LauncherCliOptions, io: CommandIo, from: LaunchFrom): Promise<number> {
  const { stopRequested, server, host } = from;
  const input = await inputOf(options, io, from.handedOver);
  if (typeof input === 'number') return input;
  const log = from.log ?? launcherLog(options);
  // A launcher pod's image volumes are laid out as a store (one directory per image, by its store name).
  const imageStore = openImageStore(options.imageVolumes ?? imageStoreRoot(options.dataDir));
  // A launcher pod's launcher reads its Secrets and ConfigMaps from its pod volumes, as KubeVirt's
  // does; `kvt virt-launcher FILE` from the objects beside the VMI in FILE.
  const objectSource = options.awaitIdentity === undefined ? manifestObjectSource(input.objects) : mountedObjectSource(input.vmi, options.podRoot);
  const outcome = await launchVmi(input.vmi, {
    log,
    dataDir: options.dataDir,
    runRoot: options.runRoot,
    accel: options.accel,
    stopRequested,
    // A persistent TPM's state is kept with the VM's data where the local control plane removes it
    // with the VM: a handed-over VMI on this machine's store (not `kvt virt-launcher FILE`, not a cluster's image volumes).
    keepPersistentState: options.awaitIdentity !== undefined && options.imageVolumes === undefined,
    ...(server === undefined ? {} : { server }),
    ...(host === undefined ? {} : { host }),
    ...(options.console ? { consoleOut: (chunk: Buffer) => { process.stdout.write(chunk); } } : {}),
    prepareVolumes: async (vmi, dirs, qemuUser) => {
      // A launcher that reads the data dir's store pulls what the VMI's pull policies ask for; a
      // launcher pod's image volumes are the node's business.
      // Under the local kubelet the pod's network may reach no registry: the kubelet pulled, and left its report in the pod root.
      if (options.imageVolumes === undefined) {
        const report = options.awaitIdentity === undefined ? undefined : await readPullReport(options.podRoot);
        await ensureVmiImages(vmi, imageStore, { objects: objectSource, mirrors: await loadRegistryMirrors(options.dataDir), log, ...(report === undefined ? {} : { report }) });
      }
      return prepareVolumes(vmi, {
        vmiDir: dirs.stateDir,
        volumeStore: join(options.dataDir, 'volumes'),
        hostDiskRoots: options.hostDiskRoots,
        imageStore,
        objects: objectSource,
        ...(qemuUser === undefined ? {} : { qemuUser }),
      });
    },
  });
  io.err(`virt-launcher: ${outcome.phase} (${outcome.reason}): ${outcome.message}\n`);
  return outcome.phase === 'Stopped' ? 0 : 1;
}

