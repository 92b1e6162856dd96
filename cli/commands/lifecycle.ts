/**
 * `kvt start|stop|restart VM` (virt-api's VM subresources, as `virtctl` calls them) and
 * `kvt pause|unpause VMI` (the VMI's launcher is told over its socket, as virt-handler relays
 * virtctl's pause in KubeVirt; the node handler then reports the Paused condition).
 */
import { connect } from 'node:net';
import { parseArgs } from 'node:util';
import { isNotFound } from '../../core/errors.js';
import type { VirtualMachine, VirtualMachineInstance } from '../../crd-gen/index.js';
import { runDirFor, vmiIdentity } from '../../launcher/identity.js';
import { PROTOCOL_SOCKET } from '../../launcher/protocol/index.js';
import type { LauncherEvent } from '../../launcher/protocol/index.js';
import { describeApiError } from '../../local/apply.js';
import { restartVm, startVm, stopVm, type StateChangeResult } from '../../webhooks/subresources/state-change.js';
import { DAEMON_OPTIONS, withDaemon } from '../daemon-client.js';
import { UsageError, type Command, type CommandIo } from '../command.js';
import { currentVmi, parseVmiTarget, runningVmi } from '../vmi-target.js';

const VM = { apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachine' } as const;

type Verb = 'start' | 'stop' | 'restart';

function planFor(verb: Verb, vm: VirtualMachine, vmi: VirtualMachineInstance | undefined, paused: boolean): StateChangeResult {
  if (verb === 'start') return startVm(vm, vmi, { paused });
  return verb === 'stop' ? stopVm(vm, vmi) : restartVm(vm, vmi);
}

async function changeVm(verb: Verb, args: readonly string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parseArgs({ args: [...args], options: { ...DAEMON_OPTIONS, paused: { type: 'boolean', default: false } }, allowPositionals: true, strict: true });
  const [name, ...extra] = positionals;
  if (name === undefined || extra.length > 0) throw new UsageError(`name one VM, e.g. \`kvt ${verb} demo\``);
  const namespace = values.namespace ?? 'default';
  return withDaemon(values, async (kube) => {
    try {
      const vm = await kube.get<VirtualMachine & { apiVersion: string; kind: string }>(VM, namespace, name);
      const plan = planFor(verb, vm, await currentVmi(kube, namespace, name), values.paused);
      if (!plan.ok) {
        io.err(`Error: ${plan.message}\n`);
        return 1;
      }
      await kube.patch(VM, { namespace, name, ...(plan.subresource === 'status' ? { subresource: 'status' as const } : {}) }, plan.patch, 'json');
      io.out(`VM ${name} was scheduled to ${verb}\n`);
      return 0;
    } catch (e) {
      io.err(isNotFound(e) ? `Error: virtualmachine.kubevirt.io "${name}" not found\n` : `${describeApiError(e, `${verb === 'stop' ? 'stopping' : `${verb}ing`} VM`, name)}\n`);
      return 1;
    }
  });
}

/** Sends one command to a launcher's socket and waits for its reply. */
export function sendLauncherCommand(socketPath: string, command: 'pause' | 'resume'): Promise<void> {
  return new Promise((done, failed) => {
    const socket = connect(socketPath, () => socket.write(`${JSON.stringify({ id: 'kvt-1', command })}\n`));
    let buffer = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      buffer += chunk;
      for (const line of buffer.split('\n').slice(0, -1)) {
        const event = JSON.parse(line) as LauncherEvent;
        if (event.type !== 'reply' || event.id !== 'kvt-1') continue;
        socket.end();
        if (event.ok) done();
        else failed(new Error(event.error ?? `${command} failed`));
      }
      buffer = buffer.slice(buffer.lastIndexOf('\n') + 1);
    });
    socket.once('error', (e) => failed(new Error(`the VMI's launcher does not answer at ${socketPath}: ${e.message}`, { cause: e })));
  });
}

async function pauseVmi(command: 'pause' | 'resume', args: readonly string[], io: CommandIo): Promise<number> {
  const target = parseVmiTarget(args, command === 'pause' ? 'pause' : 'unpause');
  const vmi = await runningVmi(target, io);
  if (vmi === undefined) return 1;
  await sendLauncherCommand(`${runDirFor(target.runRoot, vmiIdentity(vmi))}/${PROTOCOL_SOCKET}`, command);
  io.out(`VMI ${target.name} was scheduled to ${command === 'pause' ? 'pause' : 'unpause'}\n`);
  return 0;
}

const vmUsage = (verb: Verb): string => `kvt ${verb} VM [-n NS]${verb === 'start' ? ' [--paused]' : ''} [--data-dir D | --socket S]`;

/** `kvt start VM`. */
export const startCommand: Command = { name: 'start', summary: 'start a VirtualMachine (as virtctl start)', usage: vmUsage('start'), run: (a, io) => changeVm('start', a, io) };
/** `kvt stop VM`. */
export const stopCommand: Command = { name: 'stop', summary: 'stop a VirtualMachine gracefully (as virtctl stop)', usage: vmUsage('stop'), run: (a, io) => changeVm('stop', a, io) };
/** `kvt restart VM`. */
export const restartCommand: Command = { name: 'restart', summary: 'restart a VirtualMachine (as virtctl restart)', usage: vmUsage('restart'), run: (a, io) => changeVm('restart', a, io) };
/** `kvt pause VMI`. */
export const pauseCommand: Command = { name: 'pause', summary: 'pause a running VMI', usage: 'kvt pause VMI [-n NS] [--run-root DIR]', run: (a, io) => pauseVmi('pause', a, io) };
/** `kvt unpause VMI`. */
export const unpauseCommand: Command = { name: 'unpause', summary: 'resume a paused VMI', usage: 'kvt unpause VMI [-n NS] [--run-root DIR]', run: (a, io) => pauseVmi('resume', a, io) };
