/**
 * What the local kubelet's image pull reads from the API (the VMI owning a launcher pod, the pull
 * Secrets in its namespace), as the kubelet's user, and the data dir's image store it pulls into.
 */
import { ApiError } from '../../core/errors.js';
import type { KubeApi } from '../../core/kube.js';
import type { Logger } from '../../core/log.js';
import { ExternalGvk, Gvk, type VirtualMachineInstance } from '../../crd-gen/index.js';
import { imageStoreRoot } from '../../launcher/runtime/data-dir.js';
import type { PodPullSource } from '../../launcher/runtime/image-pod-pull.js';
import { openImageStore } from '../../launcher/runtime/image-store.js';
import { secretData, type SecretLike } from '../../launcher/volumes/index.js';

async function getOrUndefined<T>(get: () => Promise<T>): Promise<T | undefined> {
  try {
    return await get();
  } catch (e: unknown) {
    if (e instanceof ApiError && e.status === 404) return undefined;
    throw e;
  }
}

/** The kubelet's pull source over `kube` and `<dataDir>/images`. */
export function podPullSource(kube: KubeApi, dataDir: string, log: Logger): PodPullSource {
  return {
    store: openImageStore(imageStoreRoot(dataDir)),
    dataDir,
    log,
    getVmi: (namespace, name) => getOrUndefined(() => kube.get<VirtualMachineInstance>(Gvk.VirtualMachineInstance, namespace, name)),
    getSecret: async (namespace, name) => {
      const secret = await getOrUndefined(() => kube.get(ExternalGvk.Secret, namespace, name));
      return secret === undefined ? undefined : secretData(secret as unknown as SecretLike);
    },
  };
}
