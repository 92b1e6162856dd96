/**
 * Starts a launcher pod's compute process: this Node binary with our CLI entry (bin/kvt.js), never a
 * shell, detached in its own process group so it outlives the kubelet; output to a log file; a pid
 * file in its run directory. Given the pod's sandbox, it starts inside that network namespace
 * (`ip netns exec NS node …`, which execs in place: the pid is the launcher's), so the private
 * libvirtd, QEMU and the reaper the launcher starts are in it too; its unix sockets are files and
 * work from the host as before.
 */
import { spawn } from 'node:child_process';
import { mkdir, open } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { packageRoot } from '../../../core/package-root.js';
import type { PidRecord } from '../pid-record.js';
import { processStartTicks, writePidRecord } from './pid-file.js';
import { formatKubeTime } from '../../../core/time.js';
import { toolPath } from '../../pod-network/runtime/tools.js';

/** Our CLI entry. */
export const KVT_ENTRY = join(packageRoot(import.meta.url, 3), 'bin', 'kvt.js');

/** What {@link spawnLauncher} needs. */
export interface SpawnRequest {
  readonly argv: readonly string[];
  readonly dataDir: string;
  /** The launcher's run directory (the pid file goes there). */
  readonly runDir: string;
  readonly logFile: string;
  readonly podUid: string;
  /** Recorded in the pid file: the control plane starting it. */
  readonly owner?: string;
  /** The pod's network namespace (its sandbox) to start it in; none: the host's. */
  readonly netns?: string;
}

/** A started launcher: its record, and its exit while this process is its parent. */
export interface SpawnedLauncher {
  readonly record: PidRecord;
  readonly exited: Promise<{ readonly exitCode: number; readonly signal?: number }>;
}

const SIGNALS: Readonly<Record<string, number>> = { SIGHUP: 1, SIGINT: 2, SIGKILL: 9, SIGSEGV: 11, SIGTERM: 15, SIGABRT: 6 };

/** Spawns the launcher and records it; rejects when it cannot be spawned. */
export async function spawnLauncher(req: SpawnRequest): Promise<SpawnedLauncher> {
  await mkdir(req.runDir, { recursive: true, mode: 0o711 });
  // Launcher logs hold what the guest prints: only kvt reads them.
  await mkdir(resolve(req.logFile, '..'), { recursive: true, mode: 0o700 });
  const log = await open(req.logFile, 'a', 0o600);
  try {
    const command = [process.execPath, KVT_ENTRY, ...req.argv];
    const [program = '', ...args] = req.netns === undefined ? command : [await toolPath('ip'), 'netns', 'exec', req.netns, ...command];
    const child = spawn(program, args, {
      detached: true, stdio: ['ignore', log.fd, log.fd], env: { ...process.env, KVT_DATA_DIR: req.dataDir },
    });
    const pid = await new Promise<number>((done, fail) => {
      child.once('spawn', () => done(child.pid ?? 0));
      child.once('error', fail);
    });
    const exited = new Promise<{ exitCode: number; signal?: number }>((done) => child.once('exit', (code, signal) => {
      const number = signal === null ? undefined : SIGNALS[signal] ?? 0;
      done(number === undefined ? { exitCode: code ?? 0 } : { exitCode: 128 + number, signal: number });
    }));
    child.unref();
    const record: PidRecord = { pid, startTicks: (await processStartTicks(pid)) ?? '', podUid: req.podUid, startedAt: formatKubeTime(new Date()), ...(req.owner === undefined ? {} : { owner: req.owner }) };
    await writePidRecord(req.runDir, record);
    return { record, exited };
  } finally {
    await log.close();
  }
}

/** The log file of a pod's launcher under the data dir. */
export function launcherLogFile(dataDir: string, namespace: string, name: string): string {
  return join(dataDir, 'logs', `${namespace}_${name}.log`);
}
