import { join } from 'node:path';
import { runDirFor, vmiIdentity } from '../../launcher/identity.js';
import { CONSOLE_SOCKET } from '../../launcher/protocol/index.js';
import { attachConsole } from '../../local/runtime/console-client.js';
import { type Command, type CommandIo } from '../command.js';
import { parseVmiTarget, runningVmi } from '../vmi-target.js';

async function consoleOf(args: readonly string[], io: CommandIo): Promise<number> {
  const target = parseVmiTarget(args, 'console');
  const vmi = await runningVmi(target, io);
  if (vmi === undefined) return 1;
  const { name } = target;
  io.err(`Successfully connected to ${name} console. The escape sequence is ^]\n`);
  const how = await attachConsole(join(runDirFor(target.runRoot, vmiIdentity(vmi)), CONSOLE_SOCKET), { input: process.stdin, output: process.stdout });
  // A paused pipe or terminal on stdin would keep the process alive after the session.
  process.stdin.destroy();
  io.err(how === 'escaped' ? '\n' : `\nThe console of ${name} closed (the guest stopped)\n`);
  return 0;
}

/** `kvt console VMI`: the VMI's serial console on this terminal until Ctrl-] (as virtctl console). */
export const consoleCommand: Command = {
  name: 'console',
  summary: 'connect this terminal to a running VMI\'s serial console (escape with Ctrl-])',
  usage: 'kvt console VMI [-n NS] [--run-root DIR] [--data-dir D | --socket S]',
  run: consoleOf,
};
