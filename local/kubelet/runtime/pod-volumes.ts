/**
 * Writes a launcher pod's Secret and ConfigMap volumes under its pod root before the local kubelet
 * starts the launcher (../pod-volumes.ts says where), with the node agent's writer: files 0400 in
 * directories 0700, readable by root (or the user running the local mode) only. The launcher turns
 * them into the guest's disks, shared with the QEMU user itself.
 */
import { chmod, mkdir, rm, rmdir } from 'node:fs/promises';
import { KubevirtError } from '../../../core/errors.js';
import type { KubeApi } from '../../../core/kube.js';
import type { Container, Pod } from '../../../reconcilers/pod.js';
import { PodFilesError, writeObjectVolume } from '../../node-agent/runtime/pod-files.js';
import { placeObjectVolumes, podRootOf } from '../pod-volumes.js';

/** A launcher pod's volume could not be written (a missing Secret, a refused mount path). */
export class PodVolumeError extends KubevirtError {}

/**
 * Writes the volumes into `<runDir>/pod` afresh (the run directory made 0711 first, as the launcher
 * makes it, so QEMU reaches its sockets) and returns the pod root. Throws {@link PodVolumeError}
 * when the pod cannot have its volumes (a missing Secret or ConfigMap that is not optional, a mount
 * path outside the root); nothing of the pod root is left after any failure, nor the run directory
 * when it is empty.
 */
export async function writePodVolumes(kube: KubeApi, pod: Readonly<Pod>, container: Readonly<Container>, runDir: string): Promise<string> {
  const root = podRootOf(runDir);
  const placed = placeObjectVolumes(pod, container, root);
  if ('error' in placed) throw new PodVolumeError(placed.error);
  await mkdir(runDir, { recursive: true, mode: 0o711 });
  await removePodVolumes(runDir);
  await mkdir(root, { mode: 0o700 });
  await chmod(root, 0o700);
  try {
    for (const { mount, dir } of placed.volumes) await writeObjectVolume(kube, pod.metadata.namespace ?? 'default', mount, dir);
  } catch (e: unknown) {
    await removePodVolumes(runDir);
    // No launcher will run here: the run directory goes too when nothing else is in it.
    await rmdir(runDir).catch(() => undefined);
    // A missing object or a key that cannot be a file: the pod cannot start. Anything else (the API
    // did not answer) is thrown as it is, so the kubelet tries again.
    if (e instanceof PodFilesError) throw new PodVolumeError(e.message, { cause: e });
    throw e;
  }
  return root;
}

/** Removes the pod root of the launcher whose run directory is `runDir` (the launcher removes it too when it ends). */
export async function removePodVolumes(runDir: string): Promise<void> {
  await rm(podRootOf(runDir), { recursive: true, force: true });
}
