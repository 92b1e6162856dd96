import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import { ApiError } from '../../core/errors.js';
import { runDirFor, vmiIdentity } from '../../launcher/identity.js';
import { CONSOLE_SOCKET } from '../../launcher/protocol/index.js';
import { attachConsole } from '../../local/runtime/console-client.js';
import { clusterTarget } from '../cluster-target.js';
import { UsageError, type Command, type CommandIo } from '../command.js';
import { parseVmiTarget, runningVmi } from '../vmi-target.js';

/** virtctl console's --timeout: minutes to wait for the VMI to run. */
const DEFAULT_TIMEOUT_MINUTES = 5;

/** `--timeout` in milliseconds: a whole number of minutes (virtctl's unit), 5 when absent. */
export function consoleTimeoutMs(raw: string | undefined): number {
  if (raw === undefined) return DEFAULT_TIMEOUT_MINUTES * 60_000;
  if (!/^\d+$/.test(raw)) throw new UsageError(`--timeout must be a whole number of minutes, not ${JSON.stringify(raw)}`);
  return Number(raw) * 60_000;
}

/** Whether a refusal of the cluster's console call may pass once the VMI runs (virt-api: not running yet). */
function mayRetry(e: unknown): boolean {
  return e instanceof ApiError && (e.status === 400 || e.status === 409);
}

/** The cluster's console stream, retried while virt-api says the VMI does not run yet, up to `timeoutMs`. */
async function clusterConsole(open: () => Promise<Duplex>, name: string, timeoutMs: number, io: CommandIo): Promise<Duplex | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await open();
    } catch (e) {
      if (mayRetry(e) && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 1000));
        continue;
      }
      const timedOut = mayRetry(e) && timeoutMs > 0;
      io.err(`Error: ${timedOut ? 'Timeout trying to connect to the virtual machine instance' : e instanceof ApiError ? e.message : `could not connect to the console of ${name}: ${e instanceof Error ? e.message : String(e)}`}\n`);
      return undefined;
    }
  }
}

/** The console to attach: a launcher's socket on this machine (through the daemon), or a stream through the cluster of `--kubeconfig`. */
async function openConsole(args: readonly string[], io: CommandIo): Promise<{ name: string; console: string | Duplex } | undefined> {
  const target = parseVmiTarget(args, 'console');
  const timeoutMs = consoleTimeoutMs(target.timeout);
  const cluster = await clusterTarget(target.values);
  if (cluster === undefined) {
    const vmi = await runningVmi(target, io, timeoutMs);
    return vmi === undefined ? undefined : { name: target.name, console: join(runDirFor(target.runRoot, vmiIdentity(vmi)), CONSOLE_SOCKET) };
  }
  const stream = await clusterConsole(() => cluster.subresources.openConsole(cluster.namespace, target.name), target.name, timeoutMs, io);
  return stream === undefined ? undefined : { name: target.name, console: stream };
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
  usage: [
    'kvt console VMI [--timeout MINUTES] [-n NS] [--run-root DIR] [--data-dir D | --socket S | --kubeconfig PATH [--context C]]',
    '',
    'Waits for the VMI to run (as virtctl console does), then joins this terminal to its serial console.',
    'A VMI that is missing, or has stopped, is an error at once; one still starting is waited for.',
    '',
    'Options:',
    '      --timeout MINUTES  minutes to wait for the VMI to run (default 5, as virtctl)',
    '  -n, --namespace NS     the namespace (default: default, or the context\'s with --kubeconfig)',
    '      --run-root DIR     where the launchers\' run directories are (default /run/kvt as root)',
    '      --data-dir D       the daemon of this data directory',
    '      --socket S         the daemon listening on this socket',
    '      --kubeconfig PATH  a cluster instead of the daemon',
    '      --context C        the kubeconfig context',
  ].join('\n'),
  run: consoleOf,
};
