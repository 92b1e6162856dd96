/**
 * Finding and ending every process of one private libvirtd: the daemon and the QEMUs it started.
 * QEMU daemonizes (its parent becomes PID 1), so the parent chain does not lead back to the daemon;
 * its environment does: libvirt gives it HOME and XDG directories inside the daemon's own ones.
 */
import { readdir, readFile } from 'node:fs/promises';
import { KubevirtError } from '../../core/errors.js';

/** Where cleanup warnings go (a pino logger fits). */
export interface ProcessLog {
  warn(obj: Record<string, unknown>, msg: string): void;
}

/** Some processes survived SIGKILL, or could not be signalled. */
export class ProcessCleanupError extends KubevirtError {
  /** The processes still alive. */
  readonly pids: readonly number[];

  constructor(pids: readonly number[], detail: string) {
    super(`Could not end processes ${pids.join(', ')}: ${detail}`);
    this.pids = pids;
  }
}

function errorCode(e: unknown): string | undefined {
  return typeof e === 'object' && e !== null && 'code' in e ? String((e as { code?: unknown }).code) : undefined;
}

/** Whether any `NAME=value` entry of an environment has a value equal to or inside one of the directories. */
export function environmentPointsInto(environ: string, dirs: readonly string[]): boolean {
  return environ.split('\0').some((entry) => {
    const value = entry.slice(entry.indexOf('=') + 1);
    return dirs.some((dir) => value === dir || value.startsWith(`${dir}/`));
  });
}

async function readEnviron(pid: number): Promise<string> {
  try {
    return await readFile(`/proc/${pid}/environ`, 'latin1');
  } catch (e: unknown) {
    // Gone meanwhile, or another user's process (then it cannot be one of ours).
    if (['ENOENT', 'ESRCH', 'EACCES', 'EPERM'].includes(errorCode(e) ?? '')) return '';
    throw e;
  }
}

/**
 * The live processes (not this one) whose environment points into one of `dirs`. Zombies and
 * exiting processes have an empty environment and are not listed.
 */
export async function findSessionProcesses(dirs: readonly string[]): Promise<number[]> {
  const pids = (await readdir('/proc')).filter((entry) => /^\d+$/.test(entry)).map(Number).filter((pid) => pid !== process.pid);
  const environs = await Promise.all(pids.map(async (pid) => ({ pid, environ: await readEnviron(pid) })));
  return environs.filter(({ environ }) => environ !== '' && environmentPointsInto(environ, dirs)).map(({ pid }) => pid);
}

/** Whether the process exists and is not a zombie (a zombie has ended; only its reaping is pending). */
export async function isProcessAlive(pid: number): Promise<boolean> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'latin1');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch (e: unknown) {
    if (errorCode(e) === 'ENOENT' || errorCode(e) === 'ESRCH') return false;
    throw e;
  }
}

/** Sends the signal to each process; returns the failures other than "no such process". */
function signalAll(pids: readonly number[], signal: NodeJS.Signals): string[] {
  const failures: string[] = [];
  for (const pid of pids) {
    try {
      process.kill(pid, signal);
    } catch (e: unknown) {
      if (errorCode(e) !== 'ESRCH') failures.push(`${signal} to ${pid}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  return failures;
}

const sleep = (ms: number): Promise<void> => new Promise((done) => setTimeout(done, ms));

/** Waits until none of the processes is alive or the time is up; returns the survivors. */
async function waitGone(pids: readonly number[], timeoutMs: number): Promise<number[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const alive = await Promise.all(pids.map(async (pid) => ((await isProcessAlive(pid)) ? [pid] : [])));
    const survivors = alive.flat();
    if (survivors.length === 0 || Date.now() >= deadline) return survivors;
    await sleep(20);
  }
}

/** Options of {@link terminateProcesses}. */
export interface TerminateOptions {
  /** Time between SIGTERM and SIGKILL. @default 3000 */
  readonly graceMs?: number;
  /** Time allowed after SIGKILL. @default 5000 */
  readonly killWaitMs?: number;
  readonly log?: ProcessLog | undefined;
  /** Lists processes that appeared meanwhile (a QEMU started while stopping); they are ended too. */
  readonly rescan?: () => Promise<number[]>;
}

async function endRound(pids: readonly number[], opts: TerminateOptions): Promise<void> {
  const failures = signalAll(pids, 'SIGTERM');
  let survivors = await waitGone(pids, opts.graceMs ?? 3000);
  if (survivors.length === 0) return;
  opts.log?.warn({ pids: survivors }, 'Processes outlived SIGTERM, sending SIGKILL');
  failures.push(...signalAll(survivors, 'SIGKILL'));
  survivors = await waitGone(survivors, opts.killWaitMs ?? 5000);
  if (survivors.length > 0) throw new ProcessCleanupError(survivors, failures.length > 0 ? failures.join('; ') : 'still alive after SIGKILL');
}

/**
 * Ends the processes: SIGTERM, then SIGKILL for those still alive after `graceMs`; with `rescan`,
 * repeats for processes that appeared meanwhile (up to three rounds). Throws a
 * {@link ProcessCleanupError} when any survives.
 */
export async function terminateProcesses(pids: readonly number[], opts: TerminateOptions = {}): Promise<void> {
  let targets = [...pids];
  for (let round = 0; round < 3; round += 1) {
    if (targets.length > 0) await endRound(targets, opts);
    targets = opts.rescan === undefined ? [] : await opts.rescan();
    if (targets.length === 0) return;
  }
  throw new ProcessCleanupError(targets, 'new processes kept appearing while stopping');
}
