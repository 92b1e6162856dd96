import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ConversionError } from '../../core/errors.js';
import { convertVmiToDomain } from '../../launcher/converter/index.js';
import { DEFAULT_SMBIOS, type ConverterContext } from '../../launcher/converter/context.js';
import { encodeDomain } from '../../launcher/domain/xml.js';
import { defaultDataDir, imageStoreRoot } from '../../launcher/runtime/data-dir.js';
import { findEfiFirmware } from '../../launcher/runtime/host-facts.js';
import { ImageStoreError, openImageStore } from '../../launcher/runtime/image-store.js';
import { defaultRunRoot, launcherDirs, vmiIdentity } from '../../launcher/runtime/launcher-dirs.js';
import { gatherImageFacts } from '../../launcher/runtime/volumes-images.js';
import { planVolumes } from '../../launcher/volumes/index.js';
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

/** The cluster mapping (tap networking, KVM unless --emulation) with the paths our launcher would use. */
async function contextFor(vmi: VirtualMachineInstance, options: DomxmlOptions): Promise<ConverterContext> {
  const dirs = launcherDirs(vmiIdentity(vmi), { runRoot: defaultRunRoot(process.getuid?.() ?? -1, process.env), dataDir: options.dataDir });
  const images = await gatherImageFacts(vmi, openImageStore(imageStoreRoot(options.dataDir)));
  const plan = planVolumes(vmi, { vmiDir: dirs.stateDir, volumeStore: join(options.dataDir, 'volumes'), hostDiskRoots: options.hostDiskRoots, images });
  const efi = await findEfiFirmware();
  return {
    architecture: 'x86_64',
    kvmUsable: !options.emulation,
    allowEmulation: options.emulation,
    volumes: plan.sources,
    ...(plan.kernelBoot === undefined ? {} : { kernelBoot: plan.kernelBoot }),
    ...(efi === undefined ? {} : { efi }),
    nvramPath: dirs.nvramPath,
    serialSocketPath: dirs.serialSocket,
    serialLogPath: dirs.serialLog,
    vncSocketPath: dirs.vncSocket,
    smbios: DEFAULT_SMBIOS,
    networkMode: 'tap',
    memBalloonStatsPeriod: 10,
    freePageReporting: true,
    serialConsoleLogDefault: true,
  };
}

function fieldProblem(e: unknown): string | undefined {
  if (e instanceof ConversionError) return e.message;
  if (e instanceof ImageStoreError) return `${e.message} (import it with \`kvt image import REF FILE|DIR\`)`;
  return undefined;
}

async function domxml(options: DomxmlOptions, io: CommandIo): Promise<number> {
  const input = await loadVmi(options.source, io);
  if (typeof input === 'number') return input;
  try {
    io.out(encodeDomain(convertVmiToDomain(input.vmi, await contextFor(input.vmi, options))));
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
    'Applies KubeVirt\'s admission defaults, then converts as KubeVirt\'s launcher does (KVM, tap',
    'networking: the cluster mapping), with the host paths this machine\'s launcher would use.',
    'containerDisk and kernel-boot images must be in the local image store (kvt image import).',
    'A manifest without a namespace is in `default`.',
    '',
    'Options:',
    '  --emulation             software emulation: domain type qemu instead of kvm',
    '  --data-dir D            where the image and volume stores live',
    '  --host-disk-root DIR    allow hostDisk volumes under DIR (repeatable)',
  ].join('\n'),
  run: (args, io) => domxml(parseOptions(args), io),
};
