/**
 * The privileged steps of the pod network, and only those, in one module: `ip` commands (bridge,
 * tap owned by the QEMU user, addresses, neighbour entries), `/proc/sys/net` switches and the
 * nftables script, all inside the launcher's pod namespace. KubeVirt runs these in virt-handler
 * (the launcher itself is unprivileged there); keeping them here, behind {@link applyPodNetwork}
 * and its undo, keeps that move a change of caller. It refuses to touch the host's namespace.
 */
import { execFile, spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { KubevirtError } from '../../core/errors.js';
import type { Logger } from '../../core/log.js';
import { toolStderr } from '../../core/tool-failure.js';
import { deleteRuleset } from '../network/nftables.js';
import type { PodNetworkPlan } from '../network/plan.js';
import { inPodNamespace, type DetectOptions } from './pod-network-detect.js';

const run = promisify(execFile);

/** A step of the pod network set-up failed; what ran before it has been undone. */
export class PodNetworkSetupError extends KubevirtError {}

async function command(argv: readonly string[]): Promise<void> {
  const [file, ...args] = argv;
  if (file === undefined) return;
  try {
    await run(file, args, { encoding: 'utf8' });
  } catch (e: unknown) {
    const stderr = toolStderr(e);
    throw new PodNetworkSetupError(`${argv.join(' ')} failed${stderr === '' ? '' : `: ${stderr}`}`, { cause: e });
  }
}

/** Runs `nft -f -` with the script on stdin (never through a shell). */
export function nftScript(script: string): Promise<void> {
  return new Promise((done, fail) => {
    const child = spawn('nft', ['-f', '-'], { stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (t: string) => { if (stderr.length < 4096) stderr += t; });
    child.once('error', (e) => fail(new PodNetworkSetupError(`nft could not run: ${e.message}`, { cause: e })));
    child.once('close', (code) => (code === 0 ? done() : fail(new PodNetworkSetupError(`nft -f - failed (exit ${String(code)}): ${stderr.trim()}`))));
    child.stdin.end(script);
  });
}

/** A binding in place; `undo` takes it down again (best effort, every step tried). */
export interface AppliedPodNetwork {
  undo(): Promise<void>;
}

async function undoPlan(plan: PodNetworkPlan, log: Logger): Promise<void> {
  const steps: (() => Promise<void>)[] = [
    ...(plan.nftables === undefined ? [] : [() => nftScript(deleteRuleset())]),
    ...plan.undo.map((argv) => () => command(argv)),
  ];
  for (const step of steps) await step().catch((err: unknown) => log.warn({ err }, 'Could not undo a step of the pod network'));
}

/**
 * Applies the plan in this process's network namespace (which must not be the host's): its
 * commands, its sysctls, its nftables script. On a failure it undoes what it did and throws a
 * {@link PodNetworkSetupError} naming the failed step, so nothing is left half-applied.
 */
export async function applyPodNetwork(plan: PodNetworkPlan, log: Logger, opts: DetectOptions = {}): Promise<AppliedPodNetwork> {
  if (!(await inPodNamespace(opts))) throw new PodNetworkSetupError('refusing to set up a pod network in the host\'s network namespace');
  try {
    for (const argv of plan.commands) await command(argv);
    for (const { key, value } of plan.sysctls) {
      await writeFile(`/proc/sys/${key}`, value).catch((e: unknown) => { throw new PodNetworkSetupError(`could not set ${key.replaceAll('/', '.')} to ${value}`, { cause: e }); });
    }
    if (plan.nftables !== undefined) await nftScript(plan.nftables);
  } catch (e: unknown) {
    await undoPlan(plan, log);
    throw e;
  }
  log.info({ binding: plan.binding, tap: plan.nic.tap, bridge: plan.bridge, mac: plan.nic.mac }, 'Bound the VMI interface to the pod network');
  return { undo: () => undoPlan(plan, log) };
}
