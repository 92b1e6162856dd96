/**
 * `kvt start|stop|restart VM` and `kvt pause|unpause VMI`: virt-api's subresource calls, made as
 * virtctl makes them, to `kvt daemon`, or with `--kubeconfig` to a cluster's API server, which
 * proxies them to virt-api. virt-api plans and writes the VM change, or, for pause/unpause, checks
 * the VMI and relays the call to its virt-handler, which tells the VMI's launcher over the
 * connection it holds; the handler then reports the Paused condition from the domain. This command
 * decides nothing itself: it names the call and prints the answer.
 */
import { parseArgs } from 'node:util';
import { ApiError } from '../../core/errors.js';
import { describeApiError } from '../../local/apply.js';
import { Gvk, type VirtualMachine } from '../../crd-gen/index.js';
import type { SubresourceRequest, VmiSubresourceRequest, VmSubresourceRequest } from '../../webhooks/index.js';
import { CLUSTER_OPTIONS, clusterTarget } from '../cluster-target.js';
import { DAEMON_OPTIONS, withDaemon } from '../daemon-client.js';
import { UsageError, type Command, type CommandIo } from '../command.js';

const OPTIONS = { ...DAEMON_OPTIONS, ...CLUSTER_OPTIONS } as const;

type Values = { readonly 'data-dir'?: string; readonly socket?: string; readonly namespace?: string; readonly kubeconfig?: string; readonly context?: string };

/** Makes the call `requestIn(namespace)` to the cluster of `--kubeconfig`, else to the daemon. */
async function call(values: Values, requestIn: (namespace: string) => SubresourceRequest): Promise<void> {
  const cluster = await clusterTarget(values);
  if (cluster !== undefined) return cluster.subresources.call(requestIn(cluster.namespace));
  return withDaemon(values, (kube) => kube.subresource(requestIn(values.namespace ?? 'default')));
}

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
  const { values, positionals } = parseArgs({ args: [...args], options: verb === 'start' ? { ...OPTIONS, paused: { type: 'boolean', default: false } } : OPTIONS, allowPositionals: true, strict: true });
  const name = oneName(positionals, `VM, e.g. \`kvt ${verb} demo\``);
  const requestIn = (namespace: string): VmSubresourceRequest => ({ resource: 'virtualmachines', namespace, name, subresource: verb, ...('paused' in values && values.paused === true ? { paused: true } : {}) });
  try {
    await call(values, requestIn);
    io.out(`VM ${name} was scheduled to ${verb}\n`);
    return 0;
  } catch (e) {
    if (e instanceof UsageError) throw e;
    io.err(isVmRefusal(e) ? `Error: ${e.message}\n` : `${describeApiError(e, `${verb === 'stop' ? 'stopping' : `${verb}ing`} VM`, name)}\n`);
    return 1;
  }
}

/** virtctl's resource words of `pause|unpause vm|vmi NAME`. */
const VM_WORDS: ReadonlySet<string> = new Set(['vm', 'vms', 'virtualmachine', 'virtualmachines']);
const VMI_WORDS: ReadonlySet<string> = new Set(['vmi', 'vmis', 'virtualmachineinstance', 'virtualmachineinstances']);

/** What `kvt pause|unpause` names: virtctl's `vm|vmi NAME`, or the older `NAME` (a VMI). */
export interface PauseTarget {
  readonly kind: 'vm' | 'vmi';
  readonly name: string;
}

/** Parses the positionals of `kvt pause|unpause` (pure). */
export function parsePauseTarget(verb: VmiVerb, positionals: readonly string[]): PauseTarget {
  const [first, second, ...extra] = positionals;
  if (first !== undefined && second === undefined && !VM_WORDS.has(first) && !VMI_WORDS.has(first)) return { kind: 'vmi', name: first };
  if (first === undefined || second === undefined || extra.length > 0) throw new UsageError(`name a VM or VMI, e.g. \`kvt ${verb} vm demo\` or \`kvt ${verb} vmi demo\``);
  const word = first.toLowerCase();
  if (VM_WORDS.has(word)) return { kind: 'vm', name: second };
  if (VMI_WORDS.has(word)) return { kind: 'vmi', name: second };
  throw new UsageError(`unsupported resource type ${JSON.stringify(first)}: use vm or vmi`);
}

/** The VM of `kvt pause|unpause vm NAME` from the daemon (virtctl reads it first), or the line saying why not. */
async function vmOf(values: Values, name: string): Promise<VirtualMachine | string> {
  try {
    return await withDaemon(values, (kube) => kube.get<VirtualMachine & { apiVersion: string; kind: string }>(Gvk.VirtualMachine, values.namespace ?? 'default', name));
  } catch (e) {
    if (!(e instanceof ApiError) || e.status === 503) throw e;
    return `Error getting VirtualMachine ${name}: ${e.message}`;
  }
}

/**
 * virtctl's line for a VMI pause of a VM that has none: its VM is Halted ("not set to run"), or the
 * VMI is not there (pkg/virtctl/pause: handleNotFoundError).
 */
export function vmNotRunningLine(vm: Readonly<VirtualMachine> | undefined, name: string): string {
  const halted = vm !== undefined && (vm.spec.runStrategy === 'Halted' || (vm.spec.runStrategy === undefined && vm.spec.running !== true));
  return halted ? `Error pausing VirtualMachineInstance ${name}. VirtualMachine ${name} is not set to run` : `Error pausing VirtualMachineInstance ${name}, it was not found`;
}

/** virtctl's one line for a refused pause/unpause. */
function refusalLine(verb: VmiVerb, target: PauseTarget, vm: VirtualMachine | undefined, e: ApiError): string {
  if (target.kind === 'vm' && verb === 'pause' && e.status === 404) return vmNotRunningLine(vm, target.name);
  return `Error ${verb === 'pause' ? 'pausing' : 'unpausing'} VirtualMachineInstance ${target.name}: ${e.message.replace(/\s*\n\s*/g, ' ')}`;
}

async function pauseVmi(verb: VmiVerb, args: readonly string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parseArgs({ args: [...args], options: OPTIONS, allowPositionals: true, strict: true });
  const target = parsePauseTarget(verb, positionals);
  const { name } = target;
  const vm = target.kind === 'vm' && values.kubeconfig === undefined ? await vmOf(values, name) : undefined;
  if (typeof vm === 'string') {
    io.err(`${vm}\n`);
    return 1;
  }
  // The VMI of a VM has the VM's name.
  const requestIn = (namespace: string): VmiSubresourceRequest => ({ resource: 'virtualmachineinstances', namespace, name, subresource: verb });
  try {
    await call(values, requestIn);
    io.out(`VMI ${name} was scheduled to ${verb}\n`);
    return 0;
  } catch (e) {
    // A daemon that went away reads as every command's 'no daemon' line (cli/kvt.ts).
    if (!(e instanceof ApiError) || (e.status === 503 && values.kubeconfig === undefined)) throw e;
    io.err(`${refusalLine(verb, target, vm, e)}\n`);
    return 1;
  }
}

/** The options every lifecycle command takes, as its usage lists them. */
const COMMON_OPTION_LINES = [
  '  -n, --namespace NS     the namespace (default: default, or the context\'s with --kubeconfig)',
  '      --data-dir D       the daemon of this data directory',
  '      --socket S         the daemon listening on this socket',
  '      --kubeconfig PATH  a cluster instead of the daemon',
  '      --context C        the kubeconfig context',
];

const vmUsage = (verb: VmVerb): string => [
  `kvt ${verb} VM [-n NS]${verb === 'start' ? ' [--paused]' : ''} [--data-dir D | --socket S | --kubeconfig PATH [--context C]]`,
  '',
  'virt-api\'s VM subresource: a refusal is one `Error: …` line with KubeVirt\'s message, exit 1.',
  '',
  'Options:',
  ...(verb === 'start' ? ['      --paused           start the VMI paused (virtctl start --paused)'] : []),
  ...COMMON_OPTION_LINES,
].join('\n');
const vmiUsage = (verb: VmiVerb): string => [
  `kvt ${verb} vm|vmi NAME [-n NS] [--data-dir D | --socket S | --kubeconfig PATH [--context C]]`,
  `kvt ${verb} NAME         (the older form: NAME is a VMI)`,
  '',
  verb === 'pause'
    ? 'Pauses the VMI (of the VM, which has the VM\'s name): virt-api checks it and relays the call to its node\'s virt-handler. Pausing a paused VMI is refused.'
    : 'Resumes the paused VMI (of the VM, which has the VM\'s name). Unpausing a VMI that is not paused is refused.',
  'A refusal is one line with KubeVirt\'s message; exit 1.',
  '',
  'Options:',
  ...COMMON_OPTION_LINES,
].join('\n');

/** `kvt start VM`. */
export const startCommand: Command = { name: 'start', summary: 'start a VirtualMachine (as virtctl start)', usage: vmUsage('start'), run: (a, io) => changeVm('start', a, io) };
/** `kvt stop VM`. */
export const stopCommand: Command = { name: 'stop', summary: 'stop a VirtualMachine gracefully (as virtctl stop)', usage: vmUsage('stop'), run: (a, io) => changeVm('stop', a, io) };
/** `kvt restart VM`. */
export const restartCommand: Command = { name: 'restart', summary: 'restart a VirtualMachine (as virtctl restart)', usage: vmUsage('restart'), run: (a, io) => changeVm('restart', a, io) };
/** `kvt pause VMI`. */
export const pauseCommand: Command = { name: 'pause', summary: 'pause a running VM or VMI (as virtctl pause vm|vmi)', usage: vmiUsage('pause'), run: (a, io) => pauseVmi('pause', a, io) };
/** `kvt unpause VMI`. */
export const unpauseCommand: Command = { name: 'unpause', summary: 'resume a paused VM or VMI (as virtctl unpause vm|vmi)', usage: vmiUsage('unpause'), run: (a, io) => pauseVmi('unpause', a, io) };
