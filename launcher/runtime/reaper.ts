/**
 * Starts the launcher's dead-man switch (reaper.sh): a detached shell that outlives the launcher
 * and, should the launcher die without cleaning up (even by SIGKILL), ends the private libvirtd and
 * its QEMUs and removes the launcher's directories. A few MiB of shell rather than a second Node.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const SCRIPT = fileURLToPath(new URL('./reaper.sh', import.meta.url));

/** A running reaper. */
export interface Reaper {
  readonly pid: number;
  /** Tells it the launcher cleaned up by itself; it then exits without touching anything. */
  disarm(): Promise<void>;
}

/**
 * Starts a reaper for processes whose environment points into `markerDir`, removing `paths` once
 * it fires. Its stdin is a pipe only this process holds: when this process dies, the pipe closes.
 */
export async function startReaper(markerDir: string, paths: readonly string[]): Promise<Reaper> {
  const child = spawn('bash', [SCRIPT, markerDir, ...paths], { stdio: ['pipe', 'ignore', 'ignore'], detached: true });
  await new Promise<void>((done, fail) => {
    child.once('spawn', () => done());
    child.once('error', (e) => fail(new Error(`Could not start the launcher's reaper: ${e.message}`, { cause: e })));
  });
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  child.unref();
  const stdin = child.stdin;
  if (stdin === null) throw new Error('the reaper has no stdin pipe');
  stdin.on('error', () => undefined);
  // The pipe must not keep this process alive, nor be inherited by anything it spawns later.
  // A child's pipe is a socket at run time, though typed as a plain Writable.
  if ('unref' in stdin && typeof stdin.unref === 'function') stdin.unref();
  return {
    pid: child.pid ?? -1,
    disarm: async () => {
      // Waiting for an unref'd child would leave the event loop empty (exit 13 under a top-level await).
      child.ref();
      stdin.end('done\n');
      await exited;
    },
  };
}
