/**
 * `kvt start|stop|restart VM` and `kvt pause|unpause VMI`: virt-api's subresource calls, made as
 * virtctl makes them, to `kvt daemon`. The daemon plans and writes the VM change as virt-api does,
 * or, for pause/unpause, checks the VMI as virt-api does and relays the call to its virt-handler,
 * which tells the VMI's launcher over the connection it holds; the handler then reports the Paused
 * condition from the domain. This command decides nothing itself: it names the call and prints the
 * answer.
 */
import { parseArgs } from 'node:util';
import { ApiError } from '../../core/errors.js';
import { describeApiError } from '../../local/apply.js';
import type { VmiSubresourceRequest, VmSubresourceRequest } from '../../webhooks/index.js';
import { DAEMON_OPTIONS, withDaemon } from '../daemon-client.js';
import { UsageError, type Command, type CommandIo } from '../command.js';

type VmVerb = VmSubresourceRequest['subresource'];
type VmiVerb = VmiSubresourceRequest['subresource'];

function oneName(positionals: readonly string[], example: string): string {
  const [name, ...extra] = positionals;
  if (name === undefined || extra.length > 0) throw new UsageError(`name one ${example}`);
  return name;
}

/** virt-api's own answer about the VM (it is not there, or the state change is refused): one `Error:` line. */
function isVmRefusal(e: unknown): e is ApiError {
  return e instanceof ApiError && (e.status === 404 || (e.status === 409 && e.reason === 'Conflict'));
}

async function changeVm(verb: VmVerb, args: readonly string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parseArgs({ args: [...args], options: { ...DAEMON_OPTIONS, paused: { type: 'boolean', default: false } }, allowPositionals: true, strict: true });
  const name = oneName(positionals, `VM, e.g. \`kvt ${verb} demo\``);
  const request: VmSubresourceRequest = { resource: 'virtualmachines', namespace: values.namespace ?? 'default', name, subresource: verb, ...(verb === 'start' && values.paused ? { paused: true } : {}) };
  return withDaemon(values, async (kube) => {
    try {
      await kube.subresource(request);
      io.out(`VM ${name} was scheduled to ${verb}\n`);
      return 0;
    } catch (e) {
      io.err(isVmRefusal(e) ? `Error: ${e.message}\n` : `${describeApiError(e, `${verb === 'stop' ? 'stopping' : `${verb}ing`} VM`, name)}\n`);
      return 1;
    }
  });
}

async function pauseVmi(verb: VmiVerb, args: readonly string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parseArgs({ args: [...args], options: DAEMON_OPTIONS, allowPositionals: true, strict: true });
  const name = oneName(positionals, `VMI, e.g. \`kvt ${verb} demo\``);
  const request: VmiSubresourceRequest = { resource: 'virtualmachineinstances', namespace: values.namespace ?? 'default', name, subresource: verb };
  return withDaemon(values, async (kube) => {
    try {
      await kube.subresource(request);
      io.out(`VMI ${name} was scheduled to ${verb}\n`);
      return 0;
    } catch (e) {
      // A daemon that went away reads as every command's 'no daemon' line (cli/kvt.ts).
      if (!(e instanceof ApiError) || e.status === 503) throw e;
      io.err(`Error: ${e.message.replace(/\s*\n\s*/g, ' ')}\n`);
      return 1;
    }
  });
}

const vmUsage = (verb: VmVerb): string => `kvt ${verb} VM [-n NS]${verb === 'start' ? ' [--paused]' : ''} [--data-dir D | --socket S]`;
const vmiUsage = (verb: VmiVerb): string => `kvt ${verb} VMI [-n NS] [--data-dir D | --socket S]`;

/** `kvt start VM`. */
export const startCommand: Command = { name: 'start', summary: 'start a VirtualMachine (as virtctl start)', usage: vmUsage('start'), run: (a, io) => changeVm('start', a, io) };
/** `kvt stop VM`. */
export const stopCommand: Command = { name: 'stop', summary: 'stop a VirtualMachine gracefully (as virtctl stop)', usage: vmUsage('stop'), run: (a, io) => changeVm('stop', a, io) };
/** `kvt restart VM`. */
export const restartCommand: Command = { name: 'restart', summary: 'restart a VirtualMachine (as virtctl restart)', usage: vmUsage('restart'), run: (a, io) => changeVm('restart', a, io) };
/** `kvt pause VMI`. */
export const pauseCommand: Command = { name: 'pause', summary: 'pause a running VMI (as virtctl pause vmi)', usage: vmiUsage('pause'), run: (a, io) => pauseVmi('pause', a, io) };
/** `kvt unpause VMI`. */
export const unpauseCommand: Command = { name: 'unpause', summary: 'resume a paused VMI (as virtctl unpause vmi)', usage: vmiUsage('unpause'), run: (a, io) => pauseVmi('unpause', a, io) };
