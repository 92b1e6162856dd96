/**
 * A pod's image volumes on the node agent, pulled as a kubelet pulls an image volume: the volume's
 * `pullPolicy` decides (Always asks the registry at every start, an unchanged digest reusing what
 * is stored; IfNotPresent pulls only what the node's store lacks; Never only uses what it holds), and
 * the pull uses the pod's `imagePullSecrets` (kubernetes.io/dockerconfigjson Secrets in its
 * namespace) before the node's docker config, with the node's registry mirrors. The store's imported
 * images (`kvt image import`) have no registry: they are used as they are. Every image a volume
 * mounts is first made readable by the launchers' QEMU user (the pod gets it read-only).
 * @see https://kubernetes.io/docs/concepts/storage/volumes/#image
 */
import { dirname } from 'node:path';
import { isNotFound, KubevirtError } from '../../core/errors.js';
import { canonicalImageRef, defaultPodImagePullPolicy } from '../../core/image-ref.js';
import type { KubeApi, KubeObject } from '../../core/kube.js';
import type { Logger } from '../../core/log.js';
import { ExternalGvk } from '../../crd-gen/index.js';
import { pullDecision, type ImageVolumePull } from '../images/pull-policy.js';
import { parseRegistryRef, type RegistryMirrors } from '../images/registry-ref.js';
import { pullImage } from './image-pull.js';
import type { ImageRecord } from './image-record.js';
import { findImage, type ImageStore } from './image-store.js';
import { registryCredentials } from './registry-config.js';
import { secretData, type SecretLike } from '../volumes/index.js';

/** An image volume could not be served; the message names the volume. */
export class ImageVolumeError extends KubevirtError {}

/** The keys of a docker-config Secret: kubernetes.io/dockerconfigjson's, then the legacy kubernetes.io/dockercfg's. */
const DOCKER_CONFIG_KEYS = ['.dockerconfigjson', '.dockercfg'] as const;

/**
 * The docker configs of the pod's `imagePullSecrets` (read through the API, in the pod's namespace),
 * in order. A Secret that is missing or holds no docker config is skipped with a warning, as a
 * kubelet pulls without it; the pull may then fail on its own.
 */
async function pullSecretConfigs(kube: Pick<KubeApi, 'get'>, namespace: string, names: readonly string[], log: Logger): Promise<string[]> {
  const configs: string[] = [];
  for (const name of names) {
    let secret: SecretLike;
    try {
      secret = await kube.get<SecretLike & KubeObject>(ExternalGvk.Secret, namespace, name);
    } catch (e: unknown) {
      if (!isNotFound(e)) throw e;
      log.warn({ namespace, secret: name }, 'an imagePullSecret of the pod does not exist; pulling without it');
      continue;
    }
    const data = secretData(secret);
    const bytes = DOCKER_CONFIG_KEYS.map((k) => data[k]).find((b) => b !== undefined);
    if (bytes === undefined) log.warn({ namespace, secret: name }, 'an imagePullSecret of the pod holds no .dockerconfigjson; pulling without it');
    else configs.push(Buffer.from(bytes).toString('utf8'));
  }
  return configs;
}

/** What serving image volumes needs from the node. */
export interface ImageVolumeOptions {
  readonly store: ImageStore;
  /** Reads the pods' pull Secrets. */
  readonly kube: Pick<KubeApi, 'get'>;
  /** The node's registry mirrors, read at each pull (the file may change while the agent runs). */
  readonly mirrors: () => Promise<RegistryMirrors>;
  readonly log: Logger;
  /** Where the node's docker config files are found ($REGISTRY_AUTH_FILE, $DOCKER_CONFIG, $HOME). @default process.env */
  readonly env?: NodeJS.ProcessEnv;
  readonly fetch?: typeof fetch;
}

function failure(volume: string, reason: string, cause?: unknown): ImageVolumeError {
  return new ImageVolumeError(`image volume ${JSON.stringify(volume)}: ${reason}`, cause === undefined ? undefined : { cause });
}

/**
 * The store's record of `reference`, pulled first as `pull` says (without `pull`: Kubernetes' default
 * policy, the node's credentials alone). Every failure is an ImageVolumeError naming the volume and
 * carrying the pull's message.
 */
export async function ensureImageVolume(reference: string, pull: ImageVolumePull | undefined, options: ImageVolumeOptions): Promise<ImageRecord> {
  const how: ImageVolumePull = pull ?? { volume: reference, policy: defaultPodImagePullPolicy(reference), namespace: 'default', pullSecrets: [] };
  try {
    return await pullAsPolicySays(reference, how, options);
  } catch (e: unknown) {
    if (e instanceof ImageVolumeError) throw e;
    throw failure(how.volume, e instanceof Error ? e.message : String(e), e);
  }
}

async function pullAsPolicySays(reference: string, pull: ImageVolumePull, options: ImageVolumeOptions): Promise<ImageRecord> {
  const { store } = options;
  const present = await findImage(store, reference);
  // An imported image has no registry to ask: the store is its registry.
  const imported = present !== undefined && present.source === undefined;
  const parsed = parseRegistryRef(reference);
  const decision = imported ? 'use' : pullDecision(pull.policy, present !== undefined, parsed.digest !== undefined);
  if (decision === 'use' && present !== undefined) return present;
  if (decision === 'missing') throw failure(pull.volume, `image ${reference} is not present with pull policy of Never (the node's image store ${store.root} does not hold it)`);
  const mirrors = await options.mirrors();
  const configs = await pullSecretConfigs(options.kube, pull.namespace, pull.pullSecrets, options.log);
  const credentials = await registryCredentials(parsed.registry, mirrors, { configs, ...(options.env === undefined ? {} : { env: options.env }) });
  const record = await pullImage(store, reference, {
    mirrors,
    ...(credentials === undefined ? {} : { credentials }),
    ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
  });
  options.log.info({ image: record.ref, digest: record.digest, policy: pull.policy, volume: pull.volume }, 'image volume ready');
  return record;
}

/**
 * The node agent's image server (pod-files.ts `images`): an image volume's directory in the store
 * (the record and the file system), pulled as its policy says, shared with the QEMU user by `share`.
 * Volumes of one reference are served one at a time: two pods pulling the same missing image at once
 * would otherwise both commit it, the second commit removing the directory the first was given.
 * Each then still pulls by its own policy and credentials (the second finds the image stored).
 */
export function imageVolumeServer(options: ImageVolumeOptions & { readonly share: (record: ImageRecord) => Promise<void> }): (reference: string, pull?: ImageVolumePull) => Promise<string> {
  const inFlight = new Map<string, Promise<string>>();
  const serve = async (reference: string, pull: ImageVolumePull | undefined): Promise<string> => {
    const record = await ensureImageVolume(reference, pull, options);
    await options.share(record);
    return dirname(record.dir);
  };
  return async (reference, pull) => {
    const key = canonicalImageRef(reference) ?? reference;
    const previous = inFlight.get(key);
    const mine = (previous === undefined ? Promise.resolve() : previous.then(() => undefined, () => undefined)).then(() => serve(reference, pull));
    inFlight.set(key, mine);
    try {
      return await mine;
    } finally {
      // Only the last in the chain clears it: the map holds one entry per reference being served, at most.
      if (inFlight.get(key) === mine) inFlight.delete(key);
    }
  };
}
