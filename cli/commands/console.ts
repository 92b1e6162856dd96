import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { isNotFound } from '../../core/errors.js';
import type { VirtualMachineInstance } from '../../crd-gen/index.js';
import { CONSOLE_SOCKET, runDirFor, vmiIdentity } from '../../launcher/identity.js';
import { defaultRunRoot } from '../../launcher/runtime/launcher-dirs.js';
import { attachConsole } from '../../local/runtime/console-client.js';
import { DAEMON_OPTIONS, withDaemon } from '../daemon-client.js';
import { UsageError, type Command, type CommandIo } from '../command.js';

const VMI = { apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachineInstance' } as const;

async function lookup(values: { readonly 'data-dir'?: string; readonly socket?: string }, namespace: string, name: string): Promise<VirtualMachineInstance | undefined> {
  return withDaemon(values, (kube) => kube.get<VirtualMachineInstance & { apiVersion: string; kind: string }>(VMI, namespace, name).catch((e: unknown) => {
    if (isNotFound(e)) return undefined;
    throw e;
  }));
}

function parseOptions(args: readonly string[]): { name: string; namespace: string; runRoot: string; values: { readonly 'data-dir'?: string; readonly socket?: string } } {
  const { values, positionals } = parseArgs({ args: [...args], options: { ...DAEMON_OPTIONS, 'run-root': { type: 'string' } }, allowPositionals: true, strict: true });
  const [name, ...extra] = positionals;
  if (name === undefined || extra.length > 0) throw new UsageError('name one VMI, e.g. `kvt console demo`');
  return { name, namespace: values.namespace ?? 'default', runRoot: values['run-root'] ?? defaultRunRoot(process.getuid?.() ?? 0, process.env), values };
}

async function consoleOf(args: readonly string[], io: CommandIo): Promise<number> {
  const { name, namespace, runRoot, values } = parseOptions(args);
  const vmi = await lookup(values, namespace, name);
  if (vmi?.status?.phase !== 'Running') {
    io.err(vmi === undefined ? `Error: virtualmachineinstance.kubevirt.io "${name}" not found\n` : `Error: VMI ${name} is not running (phase ${vmi.status?.phase ?? 'unset'})\n`);
    return 1;
  }
  io.err(`Successfully connected to ${name} console. The escape sequence is ^]\n`);
  const how = await attachConsole(join(runDirFor(runRoot, vmiIdentity(vmi)), CONSOLE_SOCKET), { input: process.stdin, output: process.stdout });
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
