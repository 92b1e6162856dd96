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
  ['start', async (): Promise<Command> => (await import('./commands/lifecycle.js')).startCommand],
  ['stop', async (): Promise<Command> => (await import('./commands/lifecycle.js')).stopCommand],
  ['restart', async (): Promise<Command> => (await import('./commands/lifecycle.js')).restartCommand],
  ['pause', async (): Promise<Command> => (await import('./commands/lifecycle.js')).pauseCommand],
  ['unpause', async (): Promise<Command> => (await import('./commands/lifecycle.js')).unpauseCommand],
  ['console', async (): Promise<Command> => (await import('./commands/console.js')).consoleCommand],
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

function isParseArgsError(e: unknown): e is Error {
  const code: unknown = e instanceof Error ? (e as Error & { code?: unknown }).code : undefined;
  return typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS');
}

const HELP_WORDS = new Set(['--help', '-h', 'help']);

/** Runs kvt with the given arguments; returns the exit code. */
export async function runKvt(argv: readonly string[], io: CommandIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || HELP_WORDS.has(name)) {
    io.out(await help());
    return name === undefined ? 2 : 0;
  }
  const entry = COMMANDS.find(([n]) => n === (name === '--version' ? 'version' : name));
  if (entry === undefined) {
    io.err(`error: unknown command "${name}" for "kvt"\n\n${await help()}`);
    return 2;
  }
  const command = await entry[1]();
  if (rest.includes('--help') || rest.includes('-h')) {
    io.out(`${command.summary}\n\nUsage: ${command.usage}\n`);
    return 0;
  }
  return dispatch(command, rest, io);
}

async function dispatch(command: Command, rest: readonly string[], io: CommandIo): Promise<number> {
  try {
    return await command.run(rest, io);
  } catch (e: unknown) {
    if (e instanceof UsageError || isParseArgsError(e)) {
      io.err(`error: ${e.message}\n\nUsage: ${command.usage.split('\n')[0]}\n`);
      return 2;
    }
    // The API's refusals and a daemon that is not running read like kubectl's errors, not a crash.
    if (e instanceof ApiError) {
      io.err(e.status === 503 ? `error: ${e.message}\n` : `Error from server (${e.reason}): ${e.message}\n`);
      return 1;
    }
    throw e;
  }
}
