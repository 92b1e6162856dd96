/**
 * When a pod's sandbox goes, decided purely: once the pod's process has ended, what still runs in its
 * namespace (the reaper of a killed launcher ending libvirtd and QEMU) is waited for, then killed
 * `SANDBOX_DRAIN_MS` past the deadline, and the sandbox is removed when nothing is left. The local
 * kubelet and the cluster's node agent both follow it (runtime/sandbox.ts drainSandbox).
 */

/** How long past its deadline a sandbox waits for its last processes. */
export const SANDBOX_DRAIN_MS = 30_000;

/**
 * The next step for a sandbox whose pod's process has ended, given the processes left in it and the
 * `deadline` the wait counts from (a deleted pod's deletion deadline, an exited process's finish time;
 * none, as for a pod deleted at once: kill at once).
 */
export function sandboxTeardown(processesLeft: number, deadline: string | undefined, now: Date): 'remove' | 'wait' | 'kill' {
  if (processesLeft === 0) return 'remove';
  const at = Date.parse(deadline ?? '');
  return !Number.isFinite(at) || now.getTime() >= at + SANDBOX_DRAIN_MS ? 'kill' : 'wait';
}
