import { parseArgs } from 'node:util';
import { defaultDataDir } from '../../launcher/runtime/data-dir.js';
import { runDirFor, sameIdentity, vmiIdentity, type VmiIdentity } from '../../launcher/identity.js';
import { awaitVmiFile, servePending } from '../../launcher/runtime/await-vmi.js';
import { defaultRunRoot } from '../../launcher/runtime/launcher-dirs.js';
import type { AccelChoice } from '../../launcher/runtime/main.js';
import { parseHandedOverVmi } from '../../launcher/protocol/index.js';
import { UsageError, type Command, type CommandIo } from '../command.js';
import type { LauncherCliOptions } from '../launcher-launch.js';
import { stopSignal } from '../signals.js';

/** The launch machinery, loaded on use (see cli/launcher-launch.ts). */
const machinery = (): Promise<typeof import('../launcher-launch.js')> => import('../launcher-launch.js');

const ACCELS: readonly AccelChoice[] = ['auto', 'kvm', 'emulation'];

function checkPositionals(awaiting: boolean, count: number): void {
  if (awaiting && count > 0) throw new UsageError('--await-vmi takes no FILE: the VMI arrives as <runDir>/vmi.json');
  if (!awaiting && count !== 1) throw new UsageError('name one FILE (or - for stdin) holding the VirtualMachineInstance');
}

function runRootOf(value: string | undefined): string {
  return value ?? defaultRunRoot(process.getuid?.() ?? -1, process.env);
}

function awaitIdentityOf(values: { readonly namespace?: string | undefined; readonly name?: string | undefined; readonly uid?: string | undefined }): VmiIdentity {
  const { namespace, name, uid } = values;
  if (namespace === undefined || namespace === '') throw new UsageError('--await-vmi needs --namespace');
  if (name === undefined || name === '') throw new UsageError('--await-vmi needs --name');
  if (uid === undefined || uid === '') throw new UsageError('--await-vmi needs --uid');
  return { namespace, name, uid };
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
      'await-vmi': { type: 'boolean', default: false },
      namespace: { type: 'string' },
      name: { type: 'string' },
      uid: { type: 'string' },
      'grace-period-seconds': { type: 'string' },
      'run-root': { type: 'string' },
      'image-volumes': { type: 'string' },
      'pod-root': { type: 'string', default: '/' },
    },
    allowPositionals: true,
    strict: true,
  });
  const awaiting = values['await-vmi'];
  checkPositionals(awaiting, positionals.length);
  if (!ACCELS.includes(values.accel as AccelChoice)) throw new UsageError(`--accel must be one of ${ACCELS.join(', ')}, not ${JSON.stringify(values.accel)}`);
  return {
    source: positionals[0] ?? '-',
    dataDir: values['data-dir'] ?? defaultDataDir(),
    accel: values.accel as AccelChoice,
    console: values.console,
    logLevel: values['log-level'],
    hostDiskRoots: values['host-disk-root'],
    runRoot: runRootOf(values['run-root']),
    podRoot: values['pod-root'] === '' ? '/' : values['pod-root'],
    ...(values['image-volumes'] === undefined || values['image-volumes'] === '' ? {} : { imageVolumes: values['image-volumes'] }),
    ...(awaiting ? { awaitIdentity: awaitIdentityOf(values) } : {}),
  };
}

function describeIdentity(id: VmiIdentity): string {
  return `VMI ${id.namespace}/${id.name} uid ${id.uid}`;
}

/** --await-vmi: serve the socket (Pending) until `<runDir>/vmi.json` of this VMI arrives, then launch it. */
async function awaitAndLaunch(options: LauncherCliOptions, identity: VmiIdentity, io: CommandIo): Promise<number> {
  const runDir = runDirFor(options.runRoot, identity);
  const signal = stopSignal();
  const pending = await servePending(runDir, identity);
  // The machinery loads, and libvirtd starts, while virt-handler has not handed the VMI over yet.
  const loading = machinery();
  const log = import('../../core/log.js').then((m) => m.createLogger({ name: 'virt-launcher', level: options.logLevel }));
  // The host's module is small: libvirtd starts before the rest of the machinery has loaded.
  const preparing = Promise.all([import('../../launcher/runtime/host.js'), log]).then(([h, l]) => h.prepareHost(identity, { log: l, dataDir: options.dataDir, runRoot: options.runRoot }));
  preparing.catch(() => undefined);
  const release = (): Promise<void> => preparing.then((h) => h.release(), () => undefined);
  const waited = await awaitVmiFile(runDir, { stopRequested: Promise.race([signal, pending.stopCommanded]) });
  if (waited.kind === 'stopped') {
    await release();
    pending.server.publish({ type: 'phase', phase: 'Stopped', reason: 'StopRequested', message: 'Stopped before the VMI arrived', time: new Date().toISOString() });
    await pending.server.close();
    io.err('virt-launcher: Stopped (StopRequested): stopped before the VMI arrived\n');
    return 0;
  }
  const parsed = parseHandedOverVmi(waited.text);
  const mismatch = !parsed.ok
    ? `${waited.path} is not a valid VirtualMachineInstance: ${parsed.error}`
    : sameIdentity(vmiIdentity(parsed.message), identity) ? undefined : `${waited.path} holds ${describeIdentity(vmiIdentity(parsed.message))}, not ${describeIdentity(identity)}`;
  if (!parsed.ok || mismatch !== undefined) {
    await release();
    const message = mismatch ?? '';
    pending.server.publish({ type: 'phase', phase: 'Failed', reason: 'VmiMismatch', message, time: new Date().toISOString() });
    await pending.server.close();
    io.err(`virt-launcher: Failed (VmiMismatch): ${message}\n`);
    return 1;
  }
  // The launch takes the socket over (new hello, its command handler): it is served without a gap.
  try {
    const { launch } = await loading;
    return await launch({ ...options, source: waited.path }, io, { stopRequested: Promise.race([signal, pending.stopCommanded]), server: pending.server, handedOver: parsed.message, host: await preparing, log: await log });
  } finally {
    await pending.server.close();
  }
}

/** `kvt virt-launcher`: runs one VMI on this machine until its guest stops or the launcher is told to. */
export const virtLauncherCommand: Command = {
  name: 'virt-launcher',
  summary: 'Run one VirtualMachineInstance here in a private libvirtd until it stops',
  usage: [
    'kvt virt-launcher [--console] [--accel auto|kvm|emulation] [--data-dir D] [--host-disk-root DIR]... FILE|-',
    'kvt virt-launcher --await-vmi --namespace NS --name N --uid U [--grace-period-seconds G] [--run-root DIR] [--pod-root DIR] [options]',
    '',
    'Reads a VirtualMachineInstance (or a VirtualMachine, whose template is used), with any Secrets and',
    'ConfigMaps its volumes name, from FILE. Applies KubeVirt\'s admission defaults, prepares the volumes,',
    'starts the domain in a private session libvirtd (as an unprivileged user when run as root) and',
    'reports its states on a unix socket for the node handler (launcher/protocol/).',
    'On SIGTERM or SIGINT the guest is asked to shut down (ACPI) and destroyed after its',
    'terminationGracePeriodSeconds. Nothing it started or prepared outlives it.',
    'With --await-vmi (the launcher pod\'s mode) it serves its socket at once in phase Pending and waits',
    'for virt-handler to write <run-root>/<id>/vmi.json; a VMI other than NS/N/U there is refused (Failed,',
    'VmiMismatch). SIGTERM while waiting exits 0. The Secrets and ConfigMaps its volumes name are read from',
    'the pod\'s volumes, mounted under /var/run/kubevirt-private (secret/V, config-map/V, secret/V-udata, …).',
    'Exit status: 0 the guest stopped, 1 it failed, the VMI is invalid or unreadable, or the command line is wrong.',
    '',
    'Options:',
    '  --console               copy the guest\'s serial console to standard output',
    '  --accel MODE            auto (probe KVM, else emulate), kvm, or emulation   [auto]',
    '  --data-dir D            images, volumes and caches   [$KVT_DATA_DIR, /var/lib/kvt as root]',
    '  --host-disk-root DIR    allow hostDisk volumes under DIR (repeatable; none by default)',
    '  --run-root DIR          root of the launchers\' run directories   [/run/kvt as root, else $XDG_RUNTIME_DIR/kvt]',
    '  --image-volumes DIR     read containerDisk and kernel-boot images from DIR, where the launcher pod\'s',
    '                          image volumes are mounted (one per image), instead of the data dir\'s store',
    '  --pod-root DIR          with --await-vmi: the pod\'s volume mounts are under DIR (the local kubelet',
    '                          writes them there, having no mount namespace)   [/]',
    '  --grace-period-seconds G  accepted for the pod\'s args; the VMI\'s terminationGracePeriodSeconds governs',
    '  --log-level LEVEL       pino level for the JSON logs on standard error   [info]',
    '  --await-vmi             the launcher pod\'s mode: wait for virt-handler\'s vmi.json instead of reading FILE',
    '  --namespace NS          with --await-vmi: the namespace of the VMI to accept   (required)',
    '  --name N                with --await-vmi: the name of the VMI to accept   (required)',
    '  --uid U                 with --await-vmi: the UID of the VMI to accept   (required)',
  ].join('\n'),
  run: (args, io) => {
    const options = parseOptions(args);
    return options.awaitIdentity === undefined ? machinery().then((m) => m.launch(options, io, { stopRequested: stopSignal() })) : awaitAndLaunch(options, options.awaitIdentity, io);
  },
};
