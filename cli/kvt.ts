/**
 * `kvt`: the one command of kubevirt-ts. Each subcommand lives in cli/commands/; this module only
 * dispatches, prints help and turns failures into exit codes.
 */
import { ApiError } from '../core/errors.js';
import { UsageError, type Command, type CommandIo } from './command.js';

/**
 * Every subcommand by name, in the order `kvt --help` lists them, each loaded only when it runs:
 * `kvt version` reads no webhook, launcher or Kubernetes client module. The module owns the
 * command's summary and usage.
 */
export const COMMANDS: readonly (readonly [string, () => Promise<Command>])[] = [
  ['run', async (): Promise<Command> => (await import('./commands/run.js')).runCommand],
  ['daemon', async (): Promise<Command> => (await import('./commands/daemon.js')).daemonCommand],
  ['apply', async (): Promise<Command> => (await import('./commands/apply.js')).applyCommand],
  ['get', async (): Promise<Command> => (await import('./commands/get.js')).getCommand],
  ['describe', async (): Promise<Command> => (await import('./commands/describe.js')).describeCommand],
  ['delete', async (): Promise<Command> => (await import('./commands/delete.js')).deleteCommand],
  ['create', async (): Promise<Command> => (await import('./commands/manifest-writes.js')).createCommand],
  ['replace', async (): Promise<Command> => (await import('./commands/manifest-writes.js')).replaceCommand],
  ['patch', async (): Promise<Command> => (await import('./commands/patch.js')).patchCommand],
  ['edit', async (): Promise<Command> => (await import('./commands/edit.js')).editCommand],
  ['label', async (): Promise<Command> => (await import('./commands/label.js')).labelCommand],
  ['annotate', async (): Promise<Command> => (await import('./commands/label.js')).annotateCommand],
  ['wait', async (): Promise<Command> => (await import('./commands/wait.js')).waitCommand],
  ['explain', async (): Promise<Command> => (await import('./commands/explain.js')).explainCommand],
  ['api-resources', async (): Promise<Command> => (await import('./commands/api-resources.js')).apiResourcesCommand],
  ['logs', async (): Promise<Command> => (await import('./commands/logs.js')).logsCommand],
  ['start', async (): Promise<Command> => (await import('./commands/lifecycle.js')).startCommand],
  ['stop', async (): Promise<Command> => (await import('./commands/lifecycle.js')).stopCommand],
  ['restart', async (): Promise<Command> => (await import('./commands/lifecycle.js')).restartCommand],
  ['pause', async (): Promise<Command> => (await import('./commands/lifecycle.js')).pauseCommand],
  ['unpause', async (): Promise<Command> => (await import('./commands/lifecycle.js')).unpauseCommand],
  ['console', async (): Promise<Command> => (await import('./commands/console.js')).consoleCommand],
  ['vnc', async (): Promise<Command> => (await import('./commands/vnc.js')).vncCommand],
  ['port-forward', async (): Promise<Command> => (await import('./commands/port-forward.js')).portForwardCommand],
  ['ssh', async (): Promise<Command> => (await import('./commands/ssh.js')).sshCommand],
  ['scp', async (): Promise<Command> => (await import('./commands/ssh.js')).scpCommand],
  ['expose', async (): Promise<Command> => (await import('./commands/expose.js')).exposeCommand],
  ['guestosinfo', async (): Promise<Command> => (await import('./commands/guest-agent.js')).guestOsInfoCommand],
  ['userlist', async (): Promise<Command> => (await import('./commands/guest-agent.js')).userListCommand],
  ['fslist', async (): Promise<Command> => (await import('./commands/guest-agent.js')).fsListCommand],
  ['addvolume', async (): Promise<Command> => (await import('./commands/hotplug.js')).addVolumeCommand],
  ['removevolume', async (): Promise<Command> => (await import('./commands/hotplug.js')).removeVolumeCommand],
  ['scale', async (): Promise<Command> => (await import('./commands/scale.js')).scaleCommand],
  ['validate', async (): Promise<Command> => (await import('./commands/validate.js')).validateCommand],
  ['domxml', async (): Promise<Command> => (await import('./commands/domxml.js')).domxmlCommand],
  ['virt-launcher', async (): Promise<Command> => (await import('./commands/virt-launcher.js')).virtLauncherCommand],
  ['virt-handler', async (): Promise<Command> => (await import('./commands/virt-handler-cluster.js')).virtHandlerCommand],
  ['virt-api', async (): Promise<Command> => (await import('./commands/virt-api.js')).virtApiCommand],
  ['virt-controller', async (): Promise<Command> => (await import('./commands/virt-controller.js')).virtControllerCommand],
  ['node-agent', async (): Promise<Command> => (await import('./commands/node-agent.js')).nodeAgentCommand],
  ['pod-exec', async (): Promise<Command> => (await import('./commands/pod-exec.js')).podExecCommand],
  ['image', async (): Promise<Command> => (await import('./commands/image.js')).imageCommand],
  ['crds', async (): Promise<Command> => (await import('./commands/crds.js')).crdsCommand],
  ['completion', async (): Promise<Command> => (await import('./commands/completion.js')).completionCommand],
  ['version', async (): Promise<Command> => (await import('./commands/version.js')).versionCommand],
];

/**
 * The long-running commands (servers, the control plane, launchers): their process tells V8 to
 * favour memory over speed (`--optimize-for-size`: smaller young generation, earlier collection).
 * Measured on `kvt virt-api` after it compiled its schemas: 110 MB resident without, 76 MB with,
 * at the same admission throughput (bench/footprint.bench.ts). One-shot commands keep V8's default.
 */
export const LEAN_HEAP_COMMANDS: ReadonlySet<string> = new Set(['run', 'daemon', 'virt-launcher', 'virt-handler', 'virt-api', 'virt-controller', 'node-agent']);

/** Every subcommand, loaded (for `kvt --help`, and tests). */
export function loadCommands(): Promise<Command[]> {
  return Promise.all(COMMANDS.map(([, load]) => load()));
}

async function help(): Promise<string> {
  const commands = await loadCommands();
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    'kvt: KubeVirt (kubevirt.io/v1) virtual machines, on Kubernetes or on this machine',
    '',
    'Usage: kvt COMMAND [options]',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Run `kvt COMMAND --help` for a command\'s options.',
    '',
  ].join('\n');
}

function parseArgsCode(e: unknown): string | undefined {
  const code: unknown = e instanceof Error ? (e as Error & { code?: unknown }).code : undefined;
  return typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS') ? code : undefined;
}

const HELP_WORDS = new Set(['--help', '-h', 'help']);

/**
 * One `error: …` line as kubectl prints it: a message that already starts with `error:` (a module
 * that wrote its own prefix) keeps a single one.
 */
export function errorText(message: string): string {
  return `error: ${message.replace(/^(?:error:\s*)+/i, '')}`;
}

/** kubectl's hint under a command line it could not parse. */
function helpHint(name: string): string {
  return `See 'kvt ${name} --help' for usage.`;
}

/** The argument the user typed that holds the short flag `letter` (`-x`, or a group like `-wx`). */
function shorthandArgument(rest: readonly string[], letter: string): string {
  return rest.find((a) => /^-[^-]/.test(a) && a.includes(letter)) ?? `-${letter}`;
}

/** A value flag given without its value, or a boolean flag given one (`--console=yes`). */
function badFlagValue(e: Error, quoted: string, rest: readonly string[]): string {
  // "Option '-o, --output <value>' argument missing" or "Option '--console' does not take an argument".
  const long = /--[\w-]+/.exec(quoted)?.[0] ?? quoted;
  const short = /^-(\w),/.exec(quoted)?.[1];
  if (/argument missing/.test(e.message)) {
    return short !== undefined && !rest.includes(long) ? `flag needs an argument: '${short}' in -${short}` : `flag needs an argument: ${long}`;
  }
  const given = rest.find((a) => a.startsWith(`${long}=`));
  return `invalid argument ${JSON.stringify(given?.slice(long.length + 1) ?? '')} for "${long}" flag: it takes no value`;
}

/**
 * node:util parseArgs's refusals in cobra's (kubectl's) words: `unknown flag: --foo`,
 * `unknown shorthand flag: 'x' in -x`, `flag needs an argument: --output`.
 */
export function flagErrorMessage(e: Error, code: string, rest: readonly string[]): string {
  const quoted = /'([^']*)'/.exec(e.message)?.[1] ?? '';
  switch (code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return quoted.startsWith('--') ? `unknown flag: ${quoted}` : `unknown shorthand flag: '${quoted.slice(1)}' in ${shorthandArgument(rest, quoted.slice(1))}`;
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      return badFlagValue(e, quoted, rest);
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return `unexpected argument "${quoted}"`;
    default:
      return e.message;
  }
}

/** Edit distance (Levenshtein), for cobra's "Did you mean this?". */
function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) row.push(Math.min((previous[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1)));
    previous = row;
  }
  return previous[b.length] ?? 0;
}

/** cobra's unknown-command error: the names within two edits, or starting with what was typed. */
function unknownCommand(name: string): string {
  const near = COMMANDS.map(([n]) => n).filter((n) => distance(n, name) <= 2 || (name.length > 0 && n.startsWith(name)));
  return `error: unknown command "${name}" for "kvt"${near.length > 0 ? `\n\nDid you mean this?\n${near.map((n) => `\t${n}\n`).join('')}` : '\n'}`;
}

/** `kvt --foo`: kubectl's words for a flag before any command. */
function unknownTopLevelFlag(word: string): string {
  const what = word.startsWith('--') ? `flag: ${word.split('=')[0] ?? word}` : `shorthand flag: '${word.charAt(1)}' in ${word}`;
  return `error: unknown ${what}\nSee 'kvt --help' for usage.\n`;
}

/**
 * Runs kvt with the given arguments; returns the exit code. As kubectl: 0 when it worked (help
 * included), 1 for any error: a command line it cannot parse, a refusal of the server, failed work.
 * Only `kvt validate` keeps a third code, 2, for input it cannot read or parse (its documented
 * contract, so scripts tell invalid objects from unreadable files).
 */
export async function runKvt(argv: readonly string[], io: CommandIo): Promise<number> {
  const [name, ...rest] = argv;
  // `kvt help get`, as `kubectl help get`: the command's help.
  if (name === 'help' && rest[0] !== undefined) return runKvt([rest[0], '--help'], io);
  if (name === undefined || HELP_WORDS.has(name)) {
    io.out(await help());
    return 0;
  }
  const entry = COMMANDS.find(([n]) => n === (name === '--version' ? 'version' : name));
  if (entry === undefined) {
    io.err(name.startsWith('-') ? unknownTopLevelFlag(name) : unknownCommand(name));
    return 1;
  }
  const command = await entry[1]();
  if (rest.includes('--help') || rest.includes('-h')) {
    io.out(`${command.summary}\n\nUsage: ${command.usage}\n`);
    return 0;
  }
  return dispatch(command, rest, io);
}

/** What kvt prints for a failure a command threw: kubectl's words, never a stack. */
function failureText(e: unknown, command: Command, rest: readonly string[]): string {
  const parseCode = parseArgsCode(e);
  if (parseCode !== undefined && e instanceof Error) return `${errorText(flagErrorMessage(e, parseCode, rest))}\n${helpHint(command.name)}\n`;
  if (e instanceof UsageError) return `${errorText(e.message)}\n\nUsage: ${command.usage.split('\n')[0] ?? ''}\n${helpHint(command.name)}\n`;
  // The API's refusals and a daemon that is not running read like kubectl's errors, not a crash.
  if (e instanceof ApiError) return e.status === 503 ? `${errorText(e.message)}\n` : `Error from server (${e.reason}): ${e.message}\n`;
  return unexpectedFailureText(e);
}

/** Anything else a command did not expect is still one `error:` line (kubectl never shows a stack); KVT_DEBUG=1 adds the stack. */
function unexpectedFailureText(e: unknown): string {
  if (!(e instanceof Error)) return `${errorText(String(e))}\n`;
  return `${errorText(e.message)}\n${process.env.KVT_DEBUG === '1' && e.stack !== undefined ? `${e.stack}\n` : ''}`;
}

async function dispatch(command: Command, rest: readonly string[], io: CommandIo): Promise<number> {
  try {
    return await command.run(rest, io);
  } catch (e: unknown) {
    io.err(failureText(e, command, rest));
    return 1;
  }
}
