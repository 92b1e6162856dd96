import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import { ApiError } from '../../core/errors.js';
import { runDirFor, vmiIdentity } from '../../launcher/identity.js';
import { CONSOLE_SOCKET } from '../../launcher/protocol/index.js';
import { attachConsole } from '../../local/runtime/console-client.js';
import { clusterTarget } from '../cluster-target.js';
import { type Command, type CommandIo } from '../command.js';
import { parseVmiTarget, runningVmi } from '../vmi-target.js';

/** The console to attach: a launcher's socket on this machine (through the daemon), or a stream through the cluster of `--kubeconfig`. */
async function openConsole(args: readonly string[], io: CommandIo): Promise<{ name: string; console: string | Duplex } | undefined> {
  const target = parseVmiTarget(args, 'console');
  const cluster = await clusterTarget(target.values);
  if (cluster === undefined) {
    const vmi = await runningVmi(target, io);
    return vmi === undefined ? undefined : { name: target.name, console: join(runDirFor(target.runRoot, vmiIdentity(vmi)), CONSOLE_SOCKET) };
  }
  try {
    return { name: target.name, console: await cluster.subresources.openConsole(cluster.namespace, target.name) };
  } catch (e) {
    io.err(`Error: ${e instanceof ApiError ? e.message : `could not connect to the console of ${target.name}: ${e instanceof Error ? e.message : String(e)}`}\n`);
    return undefined;
  }
}

async function consoleOf(args: readonly string[], io: CommandIo): Promise<number> {
  const opened = await openConsole(args, io);
  if (opened === undefined) return 1;
  const { name } = opened;
  io.err(`Successfully connected to ${name} console. The escape sequence is ^]\n`);
  const how = await attachConsole(opened.console, { input: process.stdin, output: process.stdout });
  // A paused pipe or terminal on stdin would keep the process alive after the session.
  process.stdin.destroy();
  io.err(how === 'escaped' ? '\n' : `\nThe console of ${name} closed (the guest stopped)\n`);
  return 0;
}

/** `kvt console VMI`: the VMI's serial console on this terminal until Ctrl-] (as virtctl console). */
export const consoleCommand: Command = {
  name: 'console',
  summary: 'connect this terminal to a running VMI\'s serial console (escape with Ctrl-])',
  usage: 'kvt console VMI [-n NS] [--run-root DIR] [--data-dir D | --socket S | --kubeconfig PATH [--context C]]',
  run: consoleOf,
};
