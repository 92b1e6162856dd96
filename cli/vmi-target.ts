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
export function parseVmiTarget(args: readonly string[], verb: string): VmiTarget & { readonly timeout?: string } {
  const { values, positionals } = parseArgs({ args: [...args], options: { ...DAEMON_OPTIONS, ...CLUSTER_OPTIONS, 'run-root': { type: 'string' }, timeout: { type: 'string' } }, allowPositionals: true, strict: true });
  const [name, ...extra] = positionals;
  if (name === undefined || extra.length > 0) throw new UsageError(`name one VMI, e.g. \`kvt ${verb} demo\``);
  return {
    name, namespace: values.namespace ?? 'default', runRoot: values['run-root'] ?? defaultRunRoot(process.getuid?.() ?? 0, process.env), values,
    ...(values.timeout === undefined ? {} : { timeout: values.timeout }),
  };
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

/** What waiting for a VMI to run decides at one look: go on, keep waiting, or give up with a line. */
export type RunWait = { readonly state: 'running' } | { readonly state: 'wait' } | { readonly state: 'fail'; readonly line: string };

/**
 * One look at the VMI while `kvt console` waits for it to run, as virtctl waits (pure): Running goes
 * on; missing or final fails at once; any other phase waits until `timedOut`, then fails with
 * virtctl's timeout message.
 */
export function runWaitStep(name: string, vmi: Readonly<VirtualMachineInstance> | undefined, timedOut: boolean): RunWait {
  if (vmi === undefined) return { state: 'fail', line: `Error: virtualmachineinstance.kubevirt.io "${name}" not found` };
  const phase = vmi.status?.phase;
  if (phase === 'Running') return { state: 'running' };
  if (phase === 'Succeeded' || phase === 'Failed') return { state: 'fail', line: `Error: VMI ${name} is not running (phase ${phase})` };
  return timedOut ? { state: 'fail', line: 'Error: Timeout trying to connect to the virtual machine instance' } : { state: 'wait' };
}

/** How often a waiting `kvt console` looks at the VMI again. */
const WAIT_POLL_MS = 500;

/**
 * The target VMI once it is Running, waiting up to `timeoutMs` for it (0: one look); otherwise says
 * why not (as virtctl does) and gives undefined.
 */
export async function runningVmi(target: VmiTarget, io: CommandIo, timeoutMs = 0): Promise<VirtualMachineInstance | undefined> {
  const deadline = Date.now() + timeoutMs;
  return withDaemon(target.values, async (kube) => {
    for (;;) {
      const vmi = await currentVmi(kube, target.namespace, target.name);
      const step = runWaitStep(target.name, vmi, Date.now() >= deadline);
      if (step.state === 'running') return vmi;
      if (step.state === 'fail') {
        io.err(`${step.line}\n`);
        return undefined;
      }
      await new Promise((resolve) => setTimeout(resolve, Math.min(WAIT_POLL_MS, Math.max(1, deadline - Date.now()))));
    }
  });
}
