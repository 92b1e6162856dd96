/**
 * How a program is found on a search path, as a shell finds it: the first directory, in order,
 * that holds an executable file of that name; empty entries (`::` in $PATH) are skipped. The
 * launcher (swtpm), the local control plane's host check and the node network's tools look their
 * programs up this way. Pure: the file system comes in as `isExecutable` (each caller's runtime/
 * probes with `access(X_OK)`), since core does no IO and the callers' runtimes may not import each
 * other (docs/ARCHITECTURE.md, Layers and imports).
 */
import { join } from 'node:path';

/**
 * Where Debian puts the system programs kvt runs (libvirtd, ip, nft): directories a user's or a
 * daemon's PATH may lack, so the host check and the node network's tools search them after $PATH.
 */
export const SBIN_DIRS: readonly string[] = ['/usr/sbin', '/sbin'];

/** Whether `file` exists and may be executed by this process (an IO edge's `access(file, X_OK)`). */
export type ExecutableProbe = (file: string) => Promise<boolean>;

/**
 * The path of `program` in the first of `dirs` where `isExecutable` finds it, or undefined when
 * none has it. Directories are tried one at a time, in order, so an earlier one wins.
 */
export async function findProgram(program: string, dirs: readonly string[], isExecutable: ExecutableProbe): Promise<string | undefined> {
  for (const dir of dirs) {
    if (dir === '') continue;
    const file = join(dir, program);
    if (await isExecutable(file)) return file;
  }
  return undefined;
}
