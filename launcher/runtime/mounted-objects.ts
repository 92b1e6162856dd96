/**
 * The objects of a launcher pod's launcher: its Secrets and ConfigMaps as the node mounted them, one
 * file per key, where core/launcher-pod-objects.ts lays them out, as KubeVirt's virt-launcher reads
 * them (it never asks the API for a Secret). Under a pod root when the local kubelet wrote them there
 * (`--pod-root`); under `/` in a pod. Entries named `..…` (Kubernetes' atomic-writer bookkeeping) are
 * not keys; symlinks to files (the kubelet's layout) are followed.
 * @see https://github.com/kubevirt/kubevirt/blob/main/pkg/config/config.go
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { VirtualMachineInstance } from '../../crd-gen/index.js';
import { mountedObjectDirs, type ObjectData, type ObjectSource } from '../volumes/index.js';

function isErrno(e: unknown, code: string): boolean {
  return e instanceof Error && (e as NodeJS.ErrnoException).code === code;
}

/** The keys of a mounted object's directory, or undefined when nothing is mounted there. */
export async function readMountedObject(dir: string): Promise<ObjectData | undefined> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (e: unknown) {
    if (isErrno(e, 'ENOENT')) return undefined;
    throw e;
  }
  const data: Record<string, Uint8Array> = {};
  for (const name of names.filter((n) => !n.startsWith('..')).sort()) {
    const path = join(dir, name);
    if ((await stat(path)).isFile()) data[name] = await readFile(path);
  }
  return data;
}

/**
 * The {@link ObjectSource} of the launcher pod of `vmi` whose mounts are under `root`: an object its
 * pod does not mount, or one of another namespace, does not exist for it. It gives no service-account
 * token: the pod's projected token is not read (a serviceAccount volume fails, naming its field).
 */
export function mountedObjectSource(vmi: Readonly<VirtualMachineInstance>, root: string): ObjectSource {
  const dirs = mountedObjectDirs(vmi.spec.volumes, root, vmi.spec.accessCredentials);
  const namespace = vmi.metadata.namespace ?? 'default';
  const read = (kind: string, ns: string, name: string): Promise<ObjectData | undefined> => {
    const dir = ns === namespace ? dirs.get(`${kind}/${name}`) : undefined;
    return dir === undefined ? Promise.resolve(undefined) : readMountedObject(dir);
  };
  return {
    getSecret: (ns, name) => read('Secret', ns, name),
    getConfigMap: (ns, name) => read('ConfigMap', ns, name),
    serviceAccountToken: () => Promise.resolve(undefined),
  };
}
