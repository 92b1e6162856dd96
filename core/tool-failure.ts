/**
 * What to say when a program run with `execFile` failed: its own words on stderr (qemu-img,
 * genisoimage, ip, nft and virsh say there what went wrong), else the error's message. Node's
 * `execFile` error carries the child's stderr as a `stderr` property; this reads it without
 * trusting the error's shape. Pure; the runtime edges that run the tools (volume preparation, the
 * ISO writer, the pod network set-up, the libvirt binding's virsh fallback) share it so a tool's
 * failure reads the same everywhere.
 */

/** The trimmed stderr a failed `execFile` carried, or '' when it has none (or not as a string). */
export function toolStderr(e: unknown): string {
  const stderr = typeof e === 'object' && e !== null && 'stderr' in e ? (e as { stderr?: unknown }).stderr : undefined;
  return typeof stderr === 'string' ? stderr.trim() : '';
}

/** What a failed tool printed on stderr, else the error's message (or the thrown value as text). */
export function toolFailureText(e: unknown): string {
  const stderr = toolStderr(e);
  if (stderr !== '') return stderr;
  return e instanceof Error ? e.message : String(e);
}
