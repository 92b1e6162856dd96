/**
 * virt-api's admission lookups in a cluster: informers of the objects admission consults (presets;
 * namespaced and cluster instancetypes and preferences; the labels of PVCs, DataVolumes and
 * DataSources), as KubeVirt's virt-api keeps them. Each request takes a snapshot rebuilt after the
 * last change; `/readyz` answers 503 until every informer synced. CDI's kinds are watched only
 * where CDI is installed (their resources exist).
 */
import { isNotFound } from '../core/errors.js';
import type { KubeApi, KubeObject, ResourceType } from '../core/kube.js';
import type { Logger } from '../core/log.js';
import { ExternalGvk, Gvk } from '../crd-gen/index.js';
import { createInformer, type Informer } from '../reconcilers/runtime/informer.js';
import { lookupsFromObjects } from '../webhooks/admission-lookups.js';
import type { AdmissionLookups } from '../webhooks/context.js';
import type { LookupsProvider } from '../webhooks/runtime/lookups.js';

const ALWAYS: readonly ResourceType[] = [
  Gvk.VirtualMachineInstancePreset, Gvk.VirtualMachineInstancetype, Gvk.VirtualMachineClusterInstancetype,
  Gvk.VirtualMachinePreference, Gvk.VirtualMachineClusterPreference, ExternalGvk.PersistentVolumeClaim,
];
const IF_INSTALLED: readonly ResourceType[] = [ExternalGvk.DataVolume, ExternalGvk.DataSource];

async function served(kube: KubeApi, type: ResourceType): Promise<boolean> {
  try {
    await kube.list(type);
    return true;
  } catch (e) {
    if (isNotFound(e)) return false;
    throw e;
  }
}

/** Starts the informers; the provider is ready once all of them synced. */
export async function apiLookups(kube: KubeApi, log: Logger): Promise<LookupsProvider> {
  const types = [...ALWAYS];
  for (const t of IF_INSTALLED) if (await served(kube, t)) types.push(t);
  const informers: Informer<KubeObject>[] = types.map((t) => createInformer<KubeObject>(kube, t, { log }));
  let snapshot: AdmissionLookups | undefined;
  for (const i of informers) i.onChange(() => { snapshot = undefined; });
  await Promise.all(informers.map((i) => i.start()));
  log.info({ kinds: types.map((t) => t.kind) }, 'Started the informers of admission lookups');
  return {
    current: () => (snapshot ??= lookupsFromObjects(informers.flatMap((i) => [...i.list()]))),
    ready: () => informers.every((i) => i.hasSynced()),
    close: () => { for (const i of informers) i.stop(); },
  };
}
