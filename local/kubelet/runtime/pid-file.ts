/** Pid files of launcher processes and whether the recorded process is still the same one. */
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PID_FILE, parsePidRecord, startTicksOf, type PidRecord } from '../pid-record.js';

/** The start ticks of a live process, or undefined when there is no such process. */
export async function processStartTicks(pid: number): Promise<string | undefined> {
  try {
    return startTicksOf(await readFile(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return undefined;
  }
}

/** Writes `<runDir>/kubelet.pid.json` atomically. */
export async function writePidRecord(runDir: string, record: PidRecord): Promise<void> {
  const temp = join(runDir, `.${PID_FILE}.tmp`);
  await writeFile(temp, JSON.stringify(record), { mode: 0o600 });
  await rename(temp, join(runDir, PID_FILE));
}

/** The owner the pid file of `runDir` names, or undefined (no pid file, or none recorded). */
export async function recordedOwner(runDir: string): Promise<string | undefined> {
  const text = await readFile(join(runDir, PID_FILE), 'utf8').catch(() => '');
  return parsePidRecord(text)?.owner;
}

/** The recorded process if it still runs (same pid and start time), else undefined. */
export async function liveRecordedProcess(runDir: string): Promise<PidRecord | undefined> {
  let text: string;
  try {
    text = await readFile(join(runDir, PID_FILE), 'utf8');
  } catch {
    return undefined;
  }
  const record = parsePidRecord(text);
  if (record === undefined) return undefined;
  return (await processStartTicks(record.pid)) === record.startTicks ? record : undefined;
}

/**
 * Removes the run directory of a pod's launcher once that launcher is gone: a launcher removes its
 * own when it ends, but one killed (or dead while kvt was down) leaves it behind. Left alone when
 * its pid file names a live process or another pod. Resolves with whether it removed it.
 */
export async function removeDeadRunDir(runDir: string, podUid: string): Promise<boolean> {
  const text = await readFile(join(runDir, PID_FILE), 'utf8').catch((e: NodeJS.ErrnoException) => (e.code === 'ENOENT' ? undefined : ''));
  if (text === undefined) return false;
  const record = parsePidRecord(text);
  if (record !== undefined && record.podUid !== podUid) return false;
  if (record !== undefined && (await liveRecordedProcess(runDir)) !== undefined) return false;
  await rm(runDir, { recursive: true, force: true });
  return true;
}
