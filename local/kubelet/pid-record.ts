/**
 * The pid file a local kubelet keeps in a launcher's run directory, and /proc/<pid>/stat parsing:
 * a pid plus its start time (clock ticks since boot) names one process, so a reused pid is not
 * mistaken for our launcher after a restart. Pure.
 */

/** The pid file's name in the run directory. */
export const PID_FILE = 'kubelet.pid.json';

/** One launcher process as the kubelet recorded it. */
export interface PidRecord {
  readonly pid: number;
  /** Field 22 of /proc/<pid>/stat. */
  readonly startTicks: string;
  /** The pod it runs for. */
  readonly podUid: string;
  /** ISO time it was started. */
  readonly startedAt: string;
  /** Which local control plane started it (its handler cleans up only its own orphans). */
  readonly owner?: string;
}

/** The start time (field 22) of a /proc/<pid>/stat line, or undefined if it is malformed. */
export function startTicksOf(stat: string): string | undefined {
  // The command name (field 2) is in parentheses and may hold spaces or parentheses: split after the last ')'.
  const close = stat.lastIndexOf(')');
  if (close < 0) return undefined;
  const rest = stat.slice(close + 1).trim().split(/\s+/);
  // rest[0] is field 3 (state), so field 22 is rest[19].
  const ticks = rest[19];
  return ticks !== undefined && /^\d+$/.test(ticks) ? ticks : undefined;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null;
}

/** Parses a pid file; undefined when it is not one (the caller treats that as no process). */
export function parsePidRecord(text: string): PidRecord | undefined {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isRecord(v)) return undefined;
  const { pid, startTicks, podUid, startedAt, owner } = v;
  if (typeof pid !== 'number' || !Number.isInteger(pid) || pid <= 0) return undefined;
  if (typeof startTicks !== 'string' || typeof podUid !== 'string' || typeof startedAt !== 'string') return undefined;
  return { pid, startTicks, podUid, startedAt, ...(typeof owner === 'string' ? { owner } : {}) };
}
