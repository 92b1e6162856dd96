/**
 * After a (re)start, virt-handler cleans up launchers whose VMI no longer exists
 * (kubevirt/controllers.md §5): every launcher socket under the run root is asked who it is
 * (`hello`); one whose VMI uid is unknown gets an ACPI `shutdown`, then `destroy` once the grace
 * period has passed. Launchers of known VMIs are left to the reconciler, which reconnects to them.
 */
import { dirname } from 'node:path';
import type { Logger } from '../../../core/log.js';
import { launcherAlive } from '../phase.js';
import { launcherSockets } from './launcher-access.js';
import { connectLauncher, type ConnectionOptions, type LauncherConnection } from './launcher-connection.js';

/** Options of {@link cleanOrphanLaunchers}. */
export interface OrphanOptions {
  readonly runRoot: string;
  /** Whether a VMI with this uid exists. */
  readonly isKnown: (uid: string) => boolean;
  /**
   * Whether the launcher in this run directory is this handler's to clean up. @default all are (a
   * node has one handler); local control planes share the machine's run root and each owns only the
   * launchers its kubelet started.
   */
  readonly owns?: (runDir: string) => Promise<boolean>;
  readonly log: Logger;
  /** How long an orphan may shut down before it is destroyed. @default 30000 */
  readonly graceMs?: number;
  /** How long to wait for a launcher's hello. @default 5000 */
  readonly helloTimeoutMs?: number;
  readonly connection?: Omit<ConnectionOptions, 'onChange'>;
}

/** Resolves when `check` holds (true) or after `timeoutMs` (false); re-checked on every change. */
function whenChanged(subscribe: (wake: () => void) => void, check: () => boolean, timeoutMs: number): Promise<boolean> {
  return new Promise((done) => {
    if (check()) {
      done(true);
      return;
    }
    const timer = setTimeout(() => done(check()), timeoutMs);
    subscribe(() => {
      if (!check()) return;
      clearTimeout(timer);
      done(true);
    });
  });
}

async function stopOrphan(conn: LauncherConnection, wakes: Set<() => void>, options: OrphanOptions): Promise<void> {
  const hello = conn.hello();
  options.log.info({ socket: conn.socketPath, namespace: hello?.vmi.namespace, name: hello?.vmi.name, uid: hello?.vmi.uid }, 'Shut down the launcher of a VirtualMachineInstance that no longer exists');
  await conn.send('shutdown').catch(() => undefined);
  const ended = await whenChanged((w) => wakes.add(w), () => !launcherAlive(conn.view()) || conn.view().lastDomain?.state === 'Shutoff', options.graceMs ?? 30_000);
  if (!ended) await conn.send('destroy').catch(() => undefined);
}

async function visit(socket: string, options: OrphanOptions): Promise<boolean> {
  const wakes = new Set<() => void>();
  const conn = connectLauncher(socket, { ...options.connection, onChange: () => { for (const w of wakes) w(); } });
  try {
    const answered = await whenChanged((w) => wakes.add(w), () => conn.view().seen || conn.view().gone, options.helloTimeoutMs ?? 5_000);
    const uid = conn.hello()?.vmi.uid;
    if (!answered || uid === undefined || options.isKnown(uid) || !launcherAlive(conn.view())) return false;
    await stopOrphan(conn, wakes, options);
    return true;
  } finally {
    conn.close();
  }
}

/** Shuts down every launcher under the run root whose VMI is unknown; resolves with how many. */
export async function cleanOrphanLaunchers(options: OrphanOptions): Promise<number> {
  const all = await launcherSockets(options.runRoot);
  const owned = options.owns === undefined ? all.map(() => true) : await Promise.all(all.map((s) => (options.owns as (d: string) => Promise<boolean>)(dirname(s))));
  const sockets = all.filter((_, i) => owned[i]);
  const stopped = await Promise.all(sockets.map((s) => visit(s, options).catch((e: unknown) => {
    options.log.warn({ socket: s, err: e }, 'Could not clean up an orphaned launcher');
    return false;
  })));
  return stopped.filter(Boolean).length;
}
