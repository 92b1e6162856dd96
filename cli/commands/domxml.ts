import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ConversionError } from '../../core/errors.js';
import { convertVmiToDomain } from '../../launcher/converter/index.js';
import { DEFAULT_SMBIOS, type ConverterContext } from '../../launcher/converter/context.js';
import { encodeDomain } from '../../launcher/domain/xml.js';
import { defaultDataDir, imageStoreRoot } from '../../launcher/runtime/data-dir.js';
import { findEfiFirmware } from '../../launcher/runtime/host-facts.js';
import { ensureVmiImages } from '../../launcher/runtime/image-ensure.js';
import { openImageStore } from '../../launcher/runtime/image-store.js';
import { ImageStoreError } from '../../launcher/runtime/image-store-errors.js';
import { loadRegistryMirrors } from '../../launcher/runtime/registry-config.js';
import { createLogger } from '../../core/log.js';
import { manifestObjectSource } from '../objects.js';
import { defaultRunRoot, launcherDirs, vmiIdentity } from '../../launcher/runtime/launcher-dirs.js';
import { gatherImageFacts } from '../../launcher/runtime/volumes-images.js';
import { planVolumes } from '../../launcher/volumes/index.js';
import { CLUSTER_EFI, clusterKernelBootFiles, clusterVmiPaths, clusterVolumeSources } from '../../launcher/volumes/cluster-layout.js';
import { FIRMWARE_UUID_NAMESPACE, uuidV5 } from '../../core/uuid.js';
import type { VirtualMachineInstance } from '../../crd-gen/index.js';
import { UsageError, type Command, type CommandIo } from '../command.js';
import { loadVmi } from '../vmi-input.js';

interface DomxmlOptions {
  readonly source: string;
  readonly dataDir: string;
  readonly emulation: boolean;
  readonly hostDiskRoots: readonly string[];
}

function parseOptions(args: readonly string[]): DomxmlOptions {
  const { values, positionals } = parseArgs({
    args: [...args],
    options: {
      emulation: { type: 'boolean', default: false },
      'data-dir': { type: 'string' },
      'host-disk-root': { type: 'string', multiple: true, default: [] },
    },
    allowPositionals: true,
    strict: true,
  });
  if (positionals.length !== 1) throw new UsageError('name one FILE (or - for stdin)');
  return { source: positionals[0] ?? '-', dataDir: values['data-dir'] ?? defaultDataDir(), emulation: values.emulation, hostDiskRoots: values['host-disk-root'] };
}

/** Host facts both mappings share: KubeVirt's cluster defaults for SMBIOS, balloon and console logging. */
const CLUSTER_DEFAULTS = {
  architecture: 'x86_64', smbios: DEFAULT_SMBIOS, networkMode: 'tap', memBalloonStatsPeriod: 10, freePageReporting: true, serialConsoleLogDefault: true,
} as const;

/**
 * KubeVirt's cluster mapping: KVM, tap networking and the launcher pod's own paths (containerDisks
 * under /var/run/kubevirt/container-disks, cloud-init under the ephemeral-disk directory, the
 * sockets under /var/run/kubevirt-private/<uid>). Nothing of this machine is read: no image store,
 * no firmware files. A VMI without a uid (a manifest) gets a stable one derived from its name.
 */
function clusterContext(vmi: VirtualMachineInstance): ConverterContext {
  const uid = vmi.metadata.uid ?? uuidV5(`uid/${vmi.metadata.namespace ?? 'default'}/${vmi.metadata.name ?? ''}`, FIRMWARE_UUID_NAMESPACE);
  const kernelBoot = clusterKernelBootFiles(vmi);
  return {
    ...CLUSTER_DEFAULTS,
    kvmUsable: true,
    allowEmulation: false,
    volumes: clusterVolumeSources(vmi),
    ...(kernelBoot === undefined ? {} : { kernelBoot }),
    efi: CLUSTER_EFI,
    ...clusterVmiPaths(vmi, uid),
  };
}

/**
 * The local mapping of --emulation: this machine's launcher paths, its image store and firmware
 * files, TCG. The VMI's images are made present first as a launcher here would (pulled by their
 * pull policies; only warnings reach stderr); one that is absent and cannot be pulled is named.
 */
async function localContext(vmi: VirtualMachineInstance, objects: readonly Record<string, unknown>[], options: DomxmlOptions): Promise<ConverterContext> {
  const dirs = launcherDirs(vmiIdentity(vmi), { runRoot: defaultRunRoot(process.getuid?.() ?? -1, process.env), dataDir: options.dataDir });
  const store = openImageStore(imageStoreRoot(options.dataDir));
  const log = createLogger({ name: 'kvt-domxml', level: 'warn' });
  await ensureVmiImages(vmi, store, { objects: manifestObjectSource(objects), mirrors: await loadRegistryMirrors(options.dataDir), log });
  const images = await gatherImageFacts(vmi, store);
  const plan = planVolumes(vmi, { vmiDir: dirs.stateDir, volumeStore: join(options.dataDir, 'volumes'), hostDiskRoots: options.hostDiskRoots, images });
  const efi = await findEfiFirmware();
  return {
    ...CLUSTER_DEFAULTS,
    kvmUsable: false,
    allowEmulation: true,
    volumes: plan.sources,
    ...(plan.kernelBoot === undefined ? {} : { kernelBoot: plan.kernelBoot }),
    ...(efi === undefined ? {} : { efi }),
    nvramPath: dirs.nvramPath,
    serialSocketPath: dirs.serialSocket,
    serialLogPath: dirs.serialLog,
    vncSocketPath: dirs.vncSocket,
  };
}

function fieldProblem(e: unknown): string | undefined {
  if (e instanceof ConversionError) return e.message;
  if (e instanceof ImageStoreError) return `${e.message} (--emulation maps the local store's images; without it kvt domxml prints the cluster mapping, which needs none)`;
  return undefined;
}

async function domxml(options: DomxmlOptions, io: CommandIo): Promise<number> {
  const input = await loadVmi(options.source, io);
  if (typeof input === 'number') return input;
  try {
    const ctx = options.emulation ? await localContext(input.vmi, input.objects, options) : clusterContext(input.vmi);
    io.out(encodeDomain(convertVmiToDomain(input.vmi, ctx)));
    return 0;
  } catch (e: unknown) {
    const problem = fieldProblem(e);
    if (problem === undefined) throw e;
    io.err(`VirtualMachineInstance/${input.vmi.metadata.name ?? ''}: ${problem}\n`);
    return 1;
  }
}

/** `kvt domxml`: the libvirt domain XML a VMI (or a VM's template) becomes, after admission defaults. */
export const domxmlCommand: Command = {
  name: 'domxml',
  summary: 'Print the libvirt domain XML of a VirtualMachineInstance or VirtualMachine',
  usage: [
    'kvt domxml [--emulation] [--data-dir D] [--host-disk-root DIR]... FILE|-',
    '',
    'Applies KubeVirt\'s admission defaults, then converts as KubeVirt\'s launcher does in a launcher',
    'pod (the cluster mapping: KVM, tap networking, KubeVirt\'s in-pod paths such as',
    '/var/run/kubevirt/container-disks/disk_0.img). Nothing local is needed: no image store, no',
    'firmware files. A containerDisk\'s format, which KubeVirt reads from the image, is written as',
    'qcow2 (the format of KubeVirt\'s demo images). A manifest without a namespace is in `default`.',
    '',
    'Options:',
    '  --emulation             the local mapping instead: software emulation (type qemu) with the',
    '                          paths, images and firmware of this machine\'s launcher; containerDisk',
    '                          and kernel-boot images are pulled into the local image store by their',
    '                          imagePullPolicy, as kvt run does (an image that is absent and cannot be',
    '                          pulled is named)',
    '  --data-dir D            where the image and volume stores live (--emulation)',
    '  --host-disk-root DIR    allow hostDisk volumes under DIR (repeatable; --emulation)',
  ].join('\n'),
  run: (args, io) => domxml(parseOptions(args), io),
};
