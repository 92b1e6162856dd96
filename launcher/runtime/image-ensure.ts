/**
 * A VMI's boot images made present before its volumes are prepared, as a kubelet pulls a pod's
 * images: each containerDisk and kernel-boot image by its pull policy (Always, IfNotPresent, Never;
 * KubeVirt's default when the VMI has none), with the volume's `imagePullSecret` (read from the
 * launcher pod's mount) or the docker config of the user running kvt. Every failure is a
 * ConversionError naming the VMI field (`spec.volumes[0].containerDisk.image`), which the VMI's
 * conditions and Events show as a missing image's do.
 *
 * A launcher pod runs in its own network namespace, which cannot reach a registry on the host's
 * loopback (nor, host-only, any registry): there the local kubelet pulls, in the host's namespace,
 * before it starts the launcher (`pullPodImages`), and writes what happened to `<pod root>/image-pulls.json`;
 * the launcher then only reports that (`ensureVmiImages` with the report). A launcher without a
 * report (`kvt virt-launcher FILE`) pulls itself.
 */
import { ConversionError } from '../../core/errors.js';
import type { Logger } from '../../core/log.js';
import type { VirtualMachineInstance } from '../../crd-gen/index.js';
import { pullDecision, imagePullsOf, type ImagePull } from '../images/pull-policy.js';
import type { RegistryCredentials } from '../images/registry-auth.js';
import { parseRegistryRef, type RegistryMirrors } from '../images/registry-ref.js';
import type { ObjectSource } from '../volumes/index.js';
import { normalizeImageRef } from './image-locations.js';
import { findImage, type ImageStore } from './image-store.js';
import { ImageNotFoundError, ImageStoreError } from './image-store-errors.js';
import { ImagePullError, pullImage, type PullEvent } from './image-pull.js';
import { registryCredentials } from './registry-config.js';

/** What the kubelet's pull left for the launcher: per reference, the failure (field and reason), if any. */
export type PullReport = Readonly<Record<string, { readonly field: string; readonly reason: string } | { readonly ok: true }>>;

/** The report's file in the launcher's pod root. */
export const IMAGE_PULLS_FILE = 'image-pulls.json';

/** What ensuring images needs. */
export interface EnsureImagesOptions {
  readonly objects: Pick<ObjectSource, 'getSecret'>;
  readonly mirrors: RegistryMirrors;
  readonly log: Logger;
  readonly env?: NodeJS.ProcessEnv;
  readonly fetch?: typeof fetch;
}

const DOCKER_CONFIG_KEY = '.dockerconfigjson';

/** The docker config of the image's `imagePullSecret`; a missing Secret, or one without the key, fails on that field. */
async function secretConfig(vmi: Readonly<VirtualMachineInstance>, pull: ImagePull, objects: Pick<ObjectSource, 'getSecret'>): Promise<string> {
  const secretField = pull.field.replace(/\.image$/, '.imagePullSecret');
  const namespace = vmi.metadata?.namespace ?? 'default';
  const data = await objects.getSecret(namespace, pull.pullSecret ?? '');
  if (data === undefined) throw new ConversionError(secretField, `Secret ${JSON.stringify(pull.pullSecret)} is not in namespace ${namespace}`);
  const config = data[DOCKER_CONFIG_KEY];
  if (config === undefined) throw new ConversionError(secretField, `Secret ${JSON.stringify(pull.pullSecret)} has no ${DOCKER_CONFIG_KEY} key (a kubernetes.io/dockerconfigjson Secret)`);
  return Buffer.from(config).toString('utf8');
}

async function credentials(vmi: Readonly<VirtualMachineInstance>, pull: ImagePull, options: EnsureImagesOptions): Promise<RegistryCredentials | undefined> {
  const { registry } = parseRegistryRef(pull.ref);
  // The image's pull Secret replaces the user's docker config files (the VMI names its credentials).
  if (pull.pullSecret !== undefined) return registryCredentials(registry, options.mirrors, { configs: [await secretConfig(vmi, pull, options.objects)], userConfig: false });
  return registryCredentials(registry, options.mirrors, options.env === undefined ? {} : { env: options.env });
}

/** Logs a pull's progress through the launcher's log: what is pulled from where, each layer as it is done. */
function logEvents(log: Logger, pull: ImagePull): (e: PullEvent) => void {
  return (e) => {
    if (e.kind === 'resolved') log.info({ image: e.ref, digest: e.digest, from: e.from, layers: e.layers.length }, 'pulling image');
    else if (e.kind === 'layer-done') log.info({ image: pull.ref, layer: e.digest, bytes: e.size, cached: e.cached }, e.cached ? 'layer already present' : 'layer pulled');
    else if (e.kind === 'unchanged') log.info({ image: e.ref, digest: e.digest }, 'image is up to date');
  };
}

async function ensureOne(vmi: Readonly<VirtualMachineInstance>, pull: ImagePull, store: ImageStore, options: EnsureImagesOptions): Promise<void> {
  const present = await findImage(store, pull.ref);
  const stored = present !== undefined;
  // An imported image (the demo guest, `kvt image import`) has no registry to pull from: the store is its registry.
  const imported = present !== undefined && present.source === undefined;
  const decision = imported ? 'use' : pullDecision(pull.policy, stored, parseRegistryRef(pull.ref).digest !== undefined);
  if (decision === 'use') return;
  if (decision === 'missing') {
    throw new ConversionError(pull.field, `image ${pull.ref} is not in the local image store and its imagePullPolicy is Never: pull it first (kvt image pull ${pull.ref}) or allow pulling (IfNotPresent)`);
  }
  const creds = await credentials(vmi, pull, options);
  try {
    const record = await pullImage(store, pull.ref, {
      mirrors: options.mirrors,
      ...(creds === undefined ? {} : { credentials: creds }),
      ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
      onEvent: logEvents(options.log, pull),
    });
    options.log.info({ image: record.ref, digest: record.digest, policy: pull.policy }, 'image ready');
  } catch (e: unknown) {
    // An image the store lacks keeps the store's own hint (import it, or build the demo guest) beside why the pull failed.
    if (stored || !(e instanceof ImagePullError)) throw e;
    const missing = new ImageNotFoundError(normalizeImageRef(pull.ref), store.root);
    throw new ConversionError(pull.field, `${missing.message}; pulling it failed: ${e.message}`, { cause: e });
  }
}

async function ensureField(vmi: Readonly<VirtualMachineInstance>, pull: ImagePull, store: ImageStore, options: EnsureImagesOptions): Promise<void> {
  try {
    await ensureOne(vmi, pull, store, options);
  } catch (e: unknown) {
    if (e instanceof ImageStoreError) throw new ConversionError(pull.field, e.message, { cause: e });
    throw e;
  }
}

function uniquePulls(vmi: Readonly<VirtualMachineInstance>): ImagePull[] {
  const seen = new Set<string>();
  return imagePullsOf(vmi).filter((p) => !seen.has(p.ref) && seen.add(p.ref) !== undefined);
}

/**
 * Makes every boot image of the VMI present in `store`, as its pull policies say; with the kubelet's
 * `report`, pulls nothing and throws the first failure it records.
 */
export async function ensureVmiImages(vmi: Readonly<VirtualMachineInstance>, store: ImageStore, options: EnsureImagesOptions & { readonly report?: PullReport }): Promise<void> {
  for (const pull of uniquePulls(vmi)) {
    const reported = options.report?.[pull.ref];
    if (reported !== undefined && 'reason' in reported) throw new ConversionError(reported.field, reported.reason);
    if (options.report === undefined) await ensureField(vmi, pull, store, options);
  }
}

/** Pulls every boot image of the VMI as its policies say, never throwing for one: what failed is in the report. */
export async function pullVmiImages(vmi: Readonly<VirtualMachineInstance>, store: ImageStore, options: EnsureImagesOptions): Promise<PullReport> {
  const report: Record<string, PullReport[string]> = {};
  for (const pull of uniquePulls(vmi)) {
    try {
      await ensureField(vmi, pull, store, options);
      report[pull.ref] = { ok: true };
    } catch (e: unknown) {
      if (!(e instanceof ConversionError)) throw e;
      options.log.warn({ image: pull.ref, err: e }, 'could not pull image');
      report[pull.ref] = { field: e.field, reason: e.message.slice(e.field.length + 2) };
    }
  }
  return report;
}
