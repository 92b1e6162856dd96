/**
 * The VMI a command reaches through its launcher's socket (`kvt console`): one name, its namespace
 * and the launchers' run root from the command line, and the VMI itself from the daemon, which must
 * be Running for its launcher to be there. (`kvt pause|unpause` go through the daemon's virt-api.)
 */
import { parseArgs } from 'node:util';
import { isNotFound } from '../core/errors.js';
import type { KubeApi } from '../core/kube.js';
import { Gvk, type VirtualMachineInstance } from '../crd-gen/index.js';
import { defaultRunRoot } from '../launcher/runtime/launcher-dirs.js';
import { CLUSTER_OPTIONS } from './cluster-target.js';
import { DAEMON_OPTIONS, withDaemon } from './daemon-client.js';
import { UsageError, type CommandIo } from './command.js';

const VMI = Gvk.VirtualMachineInstance;

/** A parsed `kvt VERB VMI [-n NS] [--run-root DIR] [--data-dir D | --socket S | --kubeconfig PATH [--context C]]`. */
export interface VmiTarget {
  readonly name: string;
  readonly namespace: string;
  readonly runRoot: string;
  readonly values: { readonly 'data-dir'?: string; readonly socket?: string; readonly kubeconfig?: string; readonly context?: string; readonly namespace?: string };
}

/** Parses the arguments of `kvt VERB VMI`; anything but one name is a UsageError naming `verb`. */
export function parseVmiTarget(args: readonly string[], verb: string): VmiTarget {
  const { values, positionals } = parseArgs({ args: [...args], options: { ...DAEMON_OPTIONS, ...CLUSTER_OPTIONS, 'run-root': { type: 'string' } }, allowPositionals: true, strict: true });
  const [name, ...extra] = positionals;
  if (name === undefined || extra.length > 0) throw new UsageError(`name one VMI, e.g. \`kvt ${verb} demo\``);
  return { name, namespace: values.namespace ?? 'default', runRoot: values['run-root'] ?? defaultRunRoot(process.getuid?.() ?? 0, process.env), values };
}

/** The VMI, or undefined when there is none. */
async function currentVmi(kube: KubeApi, namespace: string, name: string): Promise<VirtualMachineInstance | undefined> {
  try {
    return await kube.get<VirtualMachineInstance & { apiVersion: string; kind: string }>(VMI, namespace, name);
  } catch (e) {
    if (isNotFound(e)) return undefined;
    throw e;
  }
}

/** The target VMI when it is Running; otherwise says why not (as kubectl/virtctl do) and gives undefined. */
export async function runningVmi(target: VmiTarget, io: CommandIo): Promise<VirtualMachineInstance | undefined> {
  const vmi = await withDaemon(target.values, (kube) => currentVmi(kube, target.namespace, target.name));
  if (vmi?.status?.phase === 'Running') return vmi;
  io.err(vmi === undefined ? `Error: virtualmachineinstance.kubevirt.io "${target.name}" not found\n` : `Error: VMI ${target.name} is not running (phase ${vmi.status?.phase ?? 'unset'})\n`);
  return undefined;
}
