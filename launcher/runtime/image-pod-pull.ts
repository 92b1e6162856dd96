/**
 * The local kubelet's image pull for a launcher pod, in the host's network namespace before the
 * launcher starts (a kubelet pulls a pod's images; the pod's own namespace may reach no registry):
 * the VMI that owns the pod, its boot images pulled by their policies with its pull secrets from the
 * API, and the outcome written to `<pod root>/image-pulls.json` for the launcher to report.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../../core/log.js';
import type { VirtualMachineInstance } from '../../crd-gen/index.js';
import type { ObjectData } from '../volumes/index.js';
import { IMAGE_PULLS_FILE, pullVmiImages, type PullReport } from './image-ensure.js';
import type { ImageStore } from './image-store.js';
import { loadRegistryMirrors } from './registry-config.js';

/** What the kubelet's pull needs from the API. */
export interface PodPullSource {
  readonly store: ImageStore;
  readonly dataDir: string;
  readonly log: Logger;
  /** The VMI of a launcher pod (its controller owner), undefined when gone. */
  getVmi(namespace: string, name: string): Promise<VirtualMachineInstance | undefined>;
  getSecret(namespace: string, name: string): Promise<ObjectData | undefined>;
}

/** A launcher pod, as much of it as the pull reads. */
interface PodLike {
  readonly metadata: { readonly namespace?: string; readonly ownerReferences?: readonly { readonly kind: string; readonly name: string; readonly controller?: boolean }[] };
}

/** Pulls the boot images of the pod's VMI and writes the report into `podRoot`; never throws for a pull. */
export async function pullPodImages(pod: Readonly<PodLike>, podRoot: string, source: PodPullSource): Promise<void> {
  const owner = pod.metadata.ownerReferences?.find((r) => r.controller === true && r.kind === 'VirtualMachineInstance');
  if (owner === undefined) return;
  const vmi = await source.getVmi(pod.metadata.namespace ?? 'default', owner.name);
  if (vmi === undefined) return;
  const report = await pullVmiImages(vmi, source.store, {
    objects: { getSecret: (ns, name) => source.getSecret(ns, name) },
    mirrors: await loadRegistryMirrors(source.dataDir),
    log: source.log.child({ vmi: owner.name, namespace: pod.metadata.namespace }),
  });
  await mkdir(podRoot, { recursive: true, mode: 0o700 });
  await writeFile(join(podRoot, IMAGE_PULLS_FILE), JSON.stringify(report), { mode: 0o600 });
}

/** The kubelet's report in the launcher's pod root, undefined when it wrote none. */
export async function readPullReport(podRoot: string): Promise<PullReport | undefined> {
  try {
    const parsed = JSON.parse(await readFile(join(podRoot, IMAGE_PULLS_FILE), 'utf8')) as unknown;
    return typeof parsed === 'object' && parsed !== null ? (parsed as PullReport) : undefined;
  } catch (e: unknown) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}
