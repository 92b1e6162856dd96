/**
 * A pod's files on the node agent's machine, under `<stateDir>/pods/<uid>/` (mode 0700): its
 * volumes (emptyDirs; secrets and configMaps written from the API, files 0400, by
 * {@link writeObjectVolume}, which the local kubelet uses too), the kubeconfig of
 * its service account (a bound token from the TokenRequest API, so `kvt` inside finds the API server
 * as in-cluster clients do), and the run spec `kvt pod-exec` reads.
 */
import { chmod, mkdir, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isNotFound, KubevirtError } from '../../../core/errors.js';
import type { KubeApi, KubeObject } from '../../../core/kube.js';
import { ExternalGvk } from '../../../crd-gen/index.js';
import type { Pod } from '../../../reconcilers/pod.js';
import type { ImageVolumePull } from '../../../launcher/images/pull-policy.js';
import { configMapData, secretData, type ConfigMapLike, type ObjectData, type SecretLike } from '../../../launcher/volumes/index.js';
import type { ObjectVolumeMount, PodMount, PodRunSpec, ProjectedFile } from '../pod-run.js';

/** What `kvt pod-exec` reads: the command, its environment and the bind mounts to make first. */
export interface ExecSpec {
  readonly argv: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly mounts: readonly { readonly source: string; readonly target: string; readonly readOnly: boolean }[];
}

/** A pod's files could not be prepared. */
export class PodFilesError extends KubevirtError {}

/** The pod's directory. */
export const podDir = (stateDir: string, podUid: string): string => join(stateDir, 'pods', podUid);

interface DataObject extends KubeObject {
  readonly data?: Readonly<Record<string, string>>;
}

/** Why a key of a Secret or ConfigMap cannot be a file of its volume, or undefined when it can. */
function keyProblem(key: string): string | undefined {
  if (key === '' || key === '.' || key.includes('/') || key.includes('\0')) return 'is not a file name';
  return key.startsWith('..') ? 'starts with ".." (Kubernetes refuses such keys)' : undefined;
}

/** The object's keys and their bytes; an empty set for an optional volume whose object does not exist. */
async function objectData(kube: KubeApi, namespace: string, mount: ObjectVolumeMount): Promise<ObjectData> {
  const { source } = mount;
  const [type, name, noun] = source.kind === 'secret' ? [ExternalGvk.Secret, source.secretName, 'secret'] : [ExternalGvk.ConfigMap, source.name, 'configmap'];
  try {
    const object = await kube.get<SecretLike & ConfigMapLike & KubeObject>(type, namespace, name);
    return source.kind === 'secret' ? secretData(object) : configMapData(object);
  } catch (e: unknown) {
    if (!isNotFound(e)) throw e;
    if (source.optional) return {};
    throw new PodFilesError(`MountVolume.SetUp failed for volume ${JSON.stringify(mount.volume)}: ${noun} ${JSON.stringify(name)} not found in namespace ${namespace}`, { cause: e });
  }
}

/**
 * Writes a secret or configMap volume into `dir` from the API, as a kubelet mounts it: one file per
 * key, mode 0400, in directories made 0700 (secret data stays the node's root's, or the user's who
 * runs the local mode). What the directory held before is replaced.
 */
export async function writeObjectVolume(kube: KubeApi, namespace: string, mount: ObjectVolumeMount, dir: string): Promise<void> {
  const data = await objectData(kube, namespace, mount);
  for (const key of Object.keys(data)) {
    const problem = keyProblem(key);
    if (problem !== undefined) throw new PodFilesError(`MountVolume.SetUp failed for volume ${JSON.stringify(mount.volume)}: key ${JSON.stringify(key)} ${problem}`);
  }
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await chmod(dir, 0o700);
  for (const [key, bytes] of Object.entries(data)) await writeFile(join(dir, key), bytes, { mode: 0o400, flag: 'wx' });
}

/** What preparing one pod's files needs. */
export interface PodFilesContext {
  readonly kube: KubeApi;
  readonly stateDir: string;
  readonly endpoint: ApiEndpoint;
  /**
   * The directory of an image to mount read-only (an image volume), from the node's images, pulled
   * as `pull` says (launcher/runtime/image-volume-pull.ts); throws, naming the volume, when it cannot be had.
   */
  readonly images?: (reference: string, pull?: ImageVolumePull) => Promise<string>;
}

async function volumeDir(kube: KubeApi, pod: Readonly<Pod>, mount: PodMount, at: { readonly dir: string; readonly context: ProjectionContext; readonly images: PodFilesContext['images'] }): Promise<string> {
  const target = join(at.dir, 'volumes', mount.volume);
  const source = mount.source;
  if (source.kind === 'hostPath') {
    if (source.create) await mkdir(source.path, { recursive: true });
    return source.path;
  }
  if (source.kind === 'emptyDir') {
    await mkdir(target, { recursive: true, mode: 0o777 });
    return target;
  }
  if (source.kind === 'image') {
    if (at.images === undefined) throw new PodFilesError(`image volume ${mount.volume}: this node serves no images`);
    return at.images(source.reference, { volume: mount.volume, policy: source.pullPolicy, namespace: pod.metadata.namespace ?? 'default', pullSecrets: source.pullSecrets });
  }
  if (source.kind === 'secret' || source.kind === 'configMap') {
    await writeObjectVolume(kube, pod.metadata.namespace ?? 'default', { volume: mount.volume, source, mountPath: mount.mountPath }, target);
    return target;
  }
  await writeData(target, await projectedData(kube, pod, source.files, at.context));
  return target;
}

/** What a projected volume's files need from the agent: the pod's token and the cluster CA. */
interface ProjectionContext {
  readonly token: () => Promise<string>;
  readonly caPem: string;
}

/** Writes text files (a projection's) into `dir`, 0400 each, the directory 0700. */
async function writeData(dir: string, data: Readonly<Record<string, string>>): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  for (const [key, value] of Object.entries(data)) {
    if (keyProblem(key) !== undefined) throw new PodFilesError(`data key ${JSON.stringify(key)} is not a file name`);
    await writeFile(join(dir, key), value, { mode: 0o400 });
  }
}

async function projectedData(kube: KubeApi, pod: Readonly<Pod>, files: readonly ProjectedFile[], context: ProjectionContext): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const f of files) {
    if (f.from === 'serviceAccountToken') out[f.path] = await context.token();
    else if (f.from === 'field') out[f.path] = f.value;
    // kube-root-ca.crt is the cluster CA the agent already trusts; other config maps come from the API.
    else if (f.name === 'kube-root-ca.crt') out[f.path] = context.caPem;
    else out[f.path] = (await kube.get<DataObject>(ExternalGvk.ConfigMap, pod.metadata.namespace ?? 'default', f.name)).data?.[f.key] ?? '';
  }
  return out;
}

/** Where the pod's containers reach the API server, and how they trust it. */
export interface ApiEndpoint {
  /** `https://10.244.0.1:6443`: reachable from the pod network. */
  readonly server: string;
  /** The cluster CA, PEM. */
  readonly caPem: string;
  /** A bound service-account token for the pod (TokenRequest). */
  readonly token: (pod: Readonly<Pod>) => Promise<string>;
}

function kubeconfigText(endpoint: ApiEndpoint, token: string): string {
  return JSON.stringify({
    apiVersion: 'v1', kind: 'Config', 'current-context': 'pod',
    clusters: [{ name: 'cluster', cluster: { server: endpoint.server, 'certificate-authority-data': Buffer.from(endpoint.caPem).toString('base64') } }],
    users: [{ name: 'sa', user: { token } }],
    contexts: [{ name: 'pod', context: { cluster: 'cluster', user: 'sa', namespace: 'default' } }],
  });
}

/** Writes (or refreshes) the pod's service-account kubeconfig; returns its path. */
export async function writePodCredentials(stateDir: string, pod: Readonly<Pod>, endpoint: ApiEndpoint): Promise<string> {
  const dir = join(podDir(stateDir, pod.metadata.uid ?? ''), 'credentials');
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await writeFile(join(dir, 'kubeconfig'), kubeconfigText(endpoint, await endpoint.token(pod)), { mode: 0o600 });
  return dir;
}

/** Where a pod's container finds its kubeconfig (its credentials folder is mounted there, above any volume). */
export const POD_CREDENTIALS_DIR = '/var/run/kvt-pod';

/** Whether the pod mounts its service account's token (the default unless `automountServiceAccountToken: false`). */
export function automountsToken(pod: Readonly<Pod>): boolean {
  return pod.spec.automountServiceAccountToken !== false;
}

/** Whether the pod's credentials are older than `maxAgeMs` (bound tokens expire: refresh before). */
export async function credentialsOlderThan(stateDir: string, pod: Readonly<Pod>, maxAgeMs: number, now: Date): Promise<boolean> {
  const info = await stat(join(podDir(stateDir, pod.metadata.uid ?? ''), 'credentials', 'kubeconfig')).catch(() => undefined);
  return info === undefined || now.getTime() - info.mtimeMs > maxAgeMs;
}

/** Prepares every volume and the credentials of `pod`, and writes the run spec; returns its path. */
export async function preparePodFiles(ctx: PodFilesContext, pod: Readonly<Pod>, run: PodRunSpec): Promise<string> {
  const { kube, stateDir, endpoint } = ctx;
  const dir = podDir(stateDir, pod.metadata.uid ?? '');
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await chmod(dir, 0o700);
  const mounts = [];
  const context = { token: () => endpoint.token(pod), caPem: endpoint.caPem };
  for (const m of run.mounts) mounts.push({ source: await volumeDir(kube, pod, m, { dir, context, images: ctx.images }), target: m.mountPath, readOnly: m.readOnly });
  const url = new URL(endpoint.server);
  let env: Record<string, string> = { ...run.env, KUBERNETES_SERVICE_HOST: url.hostname, KUBERNETES_SERVICE_PORT: url.port || '443' };
  // A pod that does not mount its service account's token (launcher pods) gets no credentials: the
  // node authorizer gives a node tokens only for pods that mount one.
  if (automountsToken(pod)) {
    mounts.push({ source: await writePodCredentials(stateDir, pod, endpoint), target: POD_CREDENTIALS_DIR, readOnly: true });
    env = { ...env, KUBECONFIG: `${POD_CREDENTIALS_DIR}/kubeconfig` };
  }
  const spec: ExecSpec = { argv: run.argv, env, mounts };
  const file = join(dir, 'exec.json');
  await writeFile(file, JSON.stringify(spec), { mode: 0o600 });
  return file;
}

/** Removes the pod's files. */
export async function removePodFiles(stateDir: string, podUid: string): Promise<void> {
  await rm(podDir(stateDir, podUid), { recursive: true, force: true });
}
