import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createLogger } from '../../core/log.js';
import { defaultDataDir, imageStoreRoot } from '../../launcher/runtime/data-dir.js';
import { openImageStore } from '../../launcher/runtime/image-store.js';
import { launchVmi, type AccelChoice } from '../../launcher/runtime/main.js';
import { prepareVolumes } from '../../launcher/runtime/volumes.js';
import { UsageError, type Command, type CommandIo } from '../command.js';
import { manifestObjectSource } from '../objects.js';
import { loadVmi } from '../vmi-input.js';
import { stopSignal } from '../signals.js';

const ACCELS: readonly AccelChoice[] = ['auto', 'kvm', 'emulation'];

interface LauncherCliOptions {
  readonly source: string;
  readonly dataDir: string;
  readonly accel: AccelChoice;
  readonly console: boolean;
  readonly logLevel: string;
  readonly hostDiskRoots: readonly string[];
}

function parseOptions(args: readonly string[]): LauncherCliOptions {
  const { values, positionals } = parseArgs({
    args: [...args],
    options: {
      'data-dir': { type: 'string' },
      accel: { type: 'string', default: 'auto' },
      console: { type: 'boolean', default: false },
      'log-level': { type: 'string', default: 'info' },
      'host-disk-root': { type: 'string', multiple: true, default: [] },
    },
    allowPositionals: true,
    strict: true,
  });
  if (positionals.length !== 1) throw new UsageError('name one FILE (or - for stdin) holding the VirtualMachineInstance');
  if (!ACCELS.includes(values.accel as AccelChoice)) throw new UsageError(`--accel must be one of ${ACCELS.join(', ')}, not ${JSON.stringify(values.accel)}`);
  return {
    source: positionals[0] ?? '-',
    dataDir: values['data-dir'] ?? defaultDataDir(),
    accel: values.accel as AccelChoice,
    console: values.console,
    logLevel: values['log-level'],
    hostDiskRoots: values['host-disk-root'],
  };
}

async function launch(options: LauncherCliOptions, io: CommandIo): Promise<number> {
  const input = await loadVmi(options.source, io);
  if (typeof input === 'number') return input;
  const log = createLogger({ name: 'virt-launcher', level: options.logLevel });
  const imageStore = openImageStore(imageStoreRoot(options.dataDir));
  const objectSource = manifestObjectSource(input.objects);
  const outcome = await launchVmi(input.vmi, {
    log,
    dataDir: options.dataDir,
    accel: options.accel,
    stopRequested: stopSignal(),
    ...(options.console ? { consoleOut: (chunk: Buffer) => { process.stdout.write(chunk); } } : {}),
    prepareVolumes: (vmi, dirs, qemuUser) => prepareVolumes(vmi, {
      vmiDir: dirs.stateDir,
      volumeStore: join(options.dataDir, 'volumes'),
      hostDiskRoots: options.hostDiskRoots,
      imageStore,
      objects: objectSource,
      ...(qemuUser === undefined ? {} : { qemuUser }),
    }),
  });
  io.err(`virt-launcher: ${outcome.phase} (${outcome.reason}): ${outcome.message}\n`);
  return outcome.phase === 'Stopped' ? 0 : 1;
}

/** `kvt virt-launcher`: runs one VMI on this machine until its guest stops or the launcher is told to. */
export const virtLauncherCommand: Command = {
  name: 'virt-launcher',
  summary: 'Run one VirtualMachineInstance here in a private libvirtd until it stops',
  usage: [
    'kvt virt-launcher [--console] [--accel auto|kvm|emulation] [--data-dir D] [--host-disk-root DIR]... FILE|-',
    '',
    'Reads a VirtualMachineInstance (or a VirtualMachine, whose template is used), with any Secrets and',
    'ConfigMaps its volumes name, from FILE. Applies KubeVirt\'s admission defaults, prepares the volumes,',
    'starts the domain in a private session libvirtd (as an unprivileged user when run as root) and',
    'reports its states on a unix socket for the node handler (launcher/protocol.ts).',
    'On SIGTERM or SIGINT the guest is asked to shut down (ACPI) and destroyed after its',
    'terminationGracePeriodSeconds. Nothing it started or prepared outlives it.',
    'Exit status: 0 the guest stopped, 1 it failed or the VMI is invalid, 2 usage or unreadable input.',
    '',
    'Options:',
    '  --console               copy the guest\'s serial console to standard output',
    '  --accel MODE            auto (probe KVM, else emulate), kvm, or emulation   [auto]',
    '  --data-dir D            images, volumes and caches   [$KVT_DATA_DIR, /var/lib/kvt as root]',
    '  --host-disk-root DIR    allow hostDisk volumes under DIR (repeatable; none by default)',
    '  --log-level LEVEL       pino level for the JSON logs on standard error   [info]',
  ].join('\n'),
  run: (args, io) => launch(parseOptions(args), io),
};
