/**
 * Where the local kubelet lays out a launcher pod's Secret and ConfigMap volumes. A kubelet mounts
 * them into the container; the local kubelet runs the launcher as a plain process (no mount
 * namespace, maybe not root), so it writes each volume under the pod's root instead, at its mount
 * path (`<root>/var/run/kubevirt-private/secret/V`), and tells the launcher the root
 * (`--pod-root`). The root is in the launcher's run directory: a tmpfs, removed with the launcher.
 * Which volumes and how they are written is the node agent's (pod-run.ts, runtime/pod-files.ts),
 * so both modes hand the launcher the same files. Pure.
 */
import { posix } from 'node:path';
import type { Container, Pod } from '../../reconcilers/pod.js';
import { objectVolumeMounts, type ObjectVolumeMount } from '../node-agent/pod-run.js';

/** The pod root's directory name inside the launcher's run directory. */
export const POD_ROOT_DIR = 'pod';

/** The launcher's argument naming the pod root (`kvt virt-launcher --pod-root DIR`). */
export const POD_ROOT_FLAG = '--pod-root';

/** The pod root of a launcher whose run directory is `runDir`. */
export function podRootOf(runDir: string): string {
  return posix.join(runDir, POD_ROOT_DIR);
}

/** One volume to write: the mount and the directory under the pod root it goes to. */
export interface PlacedVolume {
  readonly mount: ObjectVolumeMount;
  readonly dir: string;
}

/** Why a mount path cannot be placed under a pod root, or undefined when it can. */
export function mountPathProblem(mountPath: string): string | undefined {
  if (!mountPath.startsWith('/')) return 'is not absolute';
  if (mountPath.split('/').includes('..')) return 'has a ".." segment';
  if (posix.normalize(mountPath) === '/') return 'is the root';
  return undefined;
}

/**
 * The Secret and ConfigMap volumes of `container` placed under `root`, or the first mount that
 * cannot be placed, named by its field.
 */
export function placeObjectVolumes(pod: Readonly<Pod>, container: Readonly<Container>, root: string): { readonly volumes: readonly PlacedVolume[] } | { readonly error: string } {
  const volumes: PlacedVolume[] = [];
  for (const mount of objectVolumeMounts(pod, container)) {
    const problem = mountPathProblem(mount.mountPath);
    if (problem !== undefined) return { error: `spec.containers[${container.name}].volumeMounts[${mount.volume}].mountPath ${JSON.stringify(mount.mountPath)} ${problem}` };
    volumes.push({ mount, dir: posix.join(root, mount.mountPath) });
  }
  return { volumes };
}
