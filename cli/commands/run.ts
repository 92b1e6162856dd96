import { parseArgs } from 'node:util';
import { createLogger } from '../../core/log.js';
import { defaultDataDir } from '../../launcher/runtime/data-dir.js';
import { defaultRunRoot } from '../../launcher/runtime/launcher-dirs.js';
import { LOCAL_NODE, startFailure, startLocalControlPlane, type LocalControlPlane } from '../../local/runtime/control-plane.js';
import { runSession, type RunOutcome } from '../../local/runtime/run-session.js';
import { checkLogLevel, UsageError, type Command, type CommandIo } from '../command.js';
import { Screen } from '../screen.js';
import { stopSignal } from '../signals.js';
import { manifestObjects } from './apply.js';
import { REGISTRY_MIRROR_FLAGS, REGISTRY_MIRROR_USAGE, registryMirrorsOf, useRegistryMirrors } from '../registry-mirror-flags.js';
import { POD_NETWORK_FLAGS, POD_NETWORK_USAGE, podNetworkOf } from '../pod-network-flags.js';
import type { LocalNetworkOptions } from '../../local/runtime/control-plane.js';

/** The parsed command line of `kvt run`. */
export interface RunCliOptions {
  readonly files: readonly string[];
  readonly recursive: boolean;
  readonly namespace: string;
  readonly console: boolean;
  readonly waitFor?: RegExp;
  readonly timeoutMs?: number;
  readonly dataDir: string;
  readonly logLevel: string;
  readonly network: LocalNetworkOptions;
  /** `--registry-mirror` items, checked. */
  readonly registryMirrors: readonly string[];
}

function seconds(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!/^\d+(\.\d+)?$/.test(text) || !(value > 0)) throw new UsageError(`--timeout must be a positive number of seconds, not ${JSON.stringify(text)}`);
  return value * 1000;
}

function pattern(text: string | undefined): RegExp | undefined {
  if (text === undefined) return undefined;
  try {
    return new RegExp(text);
  } catch (e) {
    throw new UsageError(`--wait-for-console is not a valid regular expression: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** Parses `kvt run`'s arguments; a bad line is a UsageError naming the flag. */
export function parseRunArgs(args: readonly string[]): RunCliOptions {
  const { values, positionals } = parseArgs({
    args: [...args],
    options: {
      filename: { type: 'string', short: 'f', multiple: true },
      recursive: { type: 'boolean', short: 'R', default: false },
      namespace: { type: 'string', short: 'n', default: 'default' },
      console: { type: 'boolean', default: false },
      'wait-for-console': { type: 'string' },
      timeout: { type: 'string' },
      'data-dir': { type: 'string' },
      'log-level': { type: 'string', default: 'warn' },
      ...POD_NETWORK_FLAGS,
      ...REGISTRY_MIRROR_FLAGS,
    },
    allowPositionals: true,
    strict: true,
  });
  if (positionals.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(positionals[0])} (name manifests with -f)`);
  const files = values.filename ?? [];
  if (files.length === 0) throw new UsageError('name what to run with -f FILE|DIR (repeatable; - for stdin)');
  checkLogLevel(values['log-level']);
  const waitFor = pattern(values['wait-for-console']);
  const timeoutMs = seconds(values.timeout);
  return {
    files, recursive: values.recursive, namespace: values.namespace, console: values.console,
    dataDir: values['data-dir'] ?? defaultDataDir(), logLevel: values['log-level'], network: podNetworkOf(values),
    registryMirrors: registryMirrorsOf(values),
    ...optional('waitFor', waitFor), ...optional('timeoutMs', timeoutMs),
  };
}

function optional<K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, V>);
}

async function startPlane(options: RunCliOptions, runRoot: string, io: CommandIo): Promise<LocalControlPlane | undefined> {
  try {
    return await startLocalControlPlane({ dataDir: options.dataDir, runRoot, log: createLogger({ name: 'kvt', level: options.logLevel }), persist: false, owner: `kvt-run:${process.pid}`, network: options.network });
  } catch (e) {
    io.err(`${startFailure(e)}\n`);
    return undefined;
  }
}

function report(outcome: RunOutcome, io: CommandIo): number {
  const code = outcome.code === 0 && !outcome.clean ? 1 : outcome.code;
  const text = `${code === 0 ? 'Done' : 'Failed'}: ${outcome.reason}${outcome.clean ? '; every guest shut down' : '; some guests did not shut down in time'}\n`;
  if (code === 0) io.out(text);
  else io.err(text);
  return code;
}

async function run(args: readonly string[], io: CommandIo): Promise<number> {
  const options = parseRunArgs(args);
  useRegistryMirrors(options.registryMirrors);
  const { objects, errors } = await manifestObjects(options.files, { recursive: options.recursive, namespace: options.namespace });
  for (const e of errors) io.err(`${e}\n`);
  if (errors.length > 0) return 1;
  if (objects.length === 0) {
    io.err('error: no objects passed to run\n');
    return 1;
  }
  const runRoot = defaultRunRoot(process.getuid?.() ?? 0, process.env);
  const plane = await startPlane(options, runRoot, io);
  if (plane === undefined) return 1;
  const screen = new Screen(process.stdout);
  const line = (text: string): void => screen.line(text);
  line(`Local control plane up (node ${LOCAL_NODE}, data dir ${options.dataDir}); applying ${objects.length} object(s)`);
  screen.spin(options.waitFor === undefined ? 'running (Ctrl-C stops every guest and exits)' : `waiting for a console line matching ${String(options.waitFor)}`);
  const stopRequested = stopSignal().then(() => line('Stop requested (again: exit at once, guests may keep running)'));
  try {
    const outcome = await runSession({
      plane, runRoot, objects, showConsole: options.console, stopRequested, line,
      problem: (text) => { screen.stop(); io.err(`${text}\n`); },
      ...optional('waitFor', options.waitFor), ...optional('timeoutMs', options.timeoutMs),
    });
    screen.stop();
    return report(outcome, io);
  } finally {
    screen.stop();
    await plane.stop();
  }
}

/** `kvt run -f`: the local control plane in the foreground, for the objects of the manifests. */
export const runCommand: Command = {
  name: 'run',
  summary: 'run manifests on this machine: the local control plane in the foreground, with progress and consoles',
  usage: [
    'kvt run -f FILE|DIR [-f ...] [-R] [-n NS] [--console] [--wait-for-console REGEX] [--timeout SECONDS] [--data-dir D] [--log-level L] [--pod-cidr CIDR] [--pod-bridge NAME] [--egress] [--registry-mirror HOST=URL]',
    '',
    'Starts the local control plane (API server with admission, controllers, node handler, launchers),',
    'applies the objects, prints each object\'s phase changes with the time since start, and with',
    '--console every guest\'s serial console, each line prefixed by its VMI\'s name. Ctrl-C or SIGTERM',
    'deletes the objects (every guest gets an ACPI shutdown, destroyed past its grace period) and exits.',
    'Each launcher pod runs in its own network namespace on the node bridge (host-only unless --egress);',
    'the bridge goes when the run ends unless another control plane uses it. Root is needed.',
    '',
    'Options:',
    '  -f, --filename F          manifest file or directory (repeatable; - for stdin)',
    '  -R, --recursive           read directories recursively',
    '  -n, --namespace NS        namespace of objects that name none   [default]',
    '  --console                 print the guests\' serial consoles',
    '  --wait-for-console REGEX  end (exit 0) once a console line matches, after shutting every guest down',
    '  --timeout SECONDS         end after this long: exit 1 when still waiting for --wait-for-console, else 0',
    '  --data-dir D              images, volumes and launcher logs   [$KVT_DATA_DIR, /var/lib/kvt as root, ~/.local/share/kvt]',
    '  --log-level L             the components\' logs on stderr: fatal … trace, silent   [warn]',
    ...POD_NETWORK_USAGE,
    ...REGISTRY_MIRROR_USAGE,
    '',
    'Exit status: 0 done, 1 a VMI failed, an object was refused, the wait timed out, the input is unreadable',
    'or the command line is wrong, 130 interrupted while waiting for --wait-for-console.',
  ].join('\n'),
  run,
};
