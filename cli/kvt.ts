/**
 * `kvt`: the one command of kubevirt-ts. Each subcommand lives in cli/commands/; this module only
 * dispatches, prints help and turns failures into exit codes.
 */
import { applyCommand } from './commands/apply.js';
import { consoleCommand } from './commands/console.js';
import { crdsCommand } from './commands/crds.js';
import { daemonCommand } from './commands/daemon.js';
import { deleteCommand } from './commands/delete.js';
import { describeCommand } from './commands/describe.js';
import { getCommand } from './commands/get.js';
import { pauseCommand, restartCommand, startCommand, stopCommand, unpauseCommand } from './commands/lifecycle.js';
import { scaleCommand } from './commands/scale.js';
import { runCommand } from './commands/run.js';
import { domxmlCommand } from './commands/domxml.js';
import { imageCommand } from './commands/image.js';
import { validateCommand } from './commands/validate.js';
import { virtApiCommand } from './commands/virt-api.js';
import { virtControllerCommand } from './commands/virt-controller.js';
import { virtLauncherCommand } from './commands/virt-launcher.js';
import { nodeAgentCommand } from './commands/node-agent.js';
import { podExecCommand } from './commands/pod-exec.js';
import { virtHandlerCommand } from './commands/virt-handler-cluster.js';
import { versionCommand } from './commands/version.js';
import { ApiError } from '../core/errors.js';
import { UsageError, type Command, type CommandIo } from './command.js';

/** Every subcommand, in the order `kvt --help` lists them. */
export const COMMANDS: readonly Command[] = [
  runCommand, daemonCommand, applyCommand, getCommand, describeCommand, deleteCommand, startCommand, stopCommand, restartCommand,
  pauseCommand, unpauseCommand, consoleCommand, scaleCommand, validateCommand, domxmlCommand, virtLauncherCommand, virtHandlerCommand, virtApiCommand, virtControllerCommand, nodeAgentCommand, podExecCommand, imageCommand, crdsCommand, versionCommand];

function help(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    'kvt: KubeVirt (kubevirt.io/v1) virtual machines, on Kubernetes or on this machine',
    '',
    'Usage: kvt COMMAND [options]',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
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
    io.out(help());
    return name === undefined ? 2 : 0;
  }
  const command = COMMANDS.find((c) => c.name === name || (name === '--version' && c === versionCommand));
  if (command === undefined) {
    io.err(`error: unknown command "${name}" for "kvt"\n\n${help()}`);
    return 2;
  }
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
