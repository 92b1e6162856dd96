/**
 * What the node agent runs for a pod bound to its node, read from the pod alone: the `kvt` command
 * line of its one container (with Kubernetes' `$(VAR)` expansion), the environment (values and the
 * downward API's fieldRefs), the volume mounts and where each volume comes from, and the readiness
 * probe. The node agent runs `kvt` containers as processes of this machine (the image only names
 * the kvt version), so a pod it cannot run says why, naming the field. Pure.
 * @see https://kubernetes.io/docs/tasks/inject-data-application/define-interdependent-environment-variables/
 */
import { defaultPodImagePullPolicy } from '../../core/image-ref.js';
import type { PullPolicy } from '../../launcher/images/pull-policy.js';
import type { Container, Pod } from '../../reconcilers/pod.js';

/**
 * A volume written from an API object, one file per key (a Secret's, a ConfigMap's); an optional one
 * whose object does not exist is an empty directory, as a kubelet mounts it.
 */
export type ObjectVolumeSource =
  | { readonly kind: 'secret'; readonly secretName: string; readonly optional: boolean }
  | { readonly kind: 'configMap'; readonly name: string; readonly optional: boolean };

/** Where a mounted volume's files come from. */
export type VolumeSource =
  | { readonly kind: 'hostPath'; readonly path: string; readonly create: boolean }
  | { readonly kind: 'emptyDir' }
  | ObjectVolumeSource
  /**
   * An OCI image's file system (ImageVolume), read-only: the node serves it from its image store,
   * pulled as `pullPolicy` says (Kubernetes' default when the volume names none) with the pod's
   * `imagePullSecrets` (Secret names in its namespace) before the node's own credentials.
   */
  | { readonly kind: 'image'; readonly reference: string; readonly pullPolicy: PullPolicy; readonly pullSecrets: readonly string[] }
  /** The service-account projection the API server adds to every pod: files of the token, the CA, the namespace. */
  | { readonly kind: 'projected'; readonly files: readonly ProjectedFile[] };

/** One file of a projected volume. */
export type ProjectedFile =
  | { readonly path: string; readonly from: 'serviceAccountToken' }
  | { readonly path: string; readonly from: 'configMap'; readonly name: string; readonly key: string }
  | { readonly path: string; readonly from: 'field'; readonly value: string };

/** One volume mount of the container. */
export interface PodMount {
  readonly volume: string;
  readonly source: VolumeSource;
  readonly mountPath: string;
  readonly readOnly: boolean;
}

/** An HTTP(S) GET readiness probe on the pod's address. */
export interface HttpProbe {
  readonly scheme: 'HTTP' | 'HTTPS';
  readonly port: number;
  readonly path: string;
  readonly periodSeconds: number;
}

/** How to run a pod's container. */
export interface PodRunSpec {
  readonly container: string;
  /** The arguments of `kvt` (what follows the command's `kvt`). */
  readonly argv: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly mounts: readonly PodMount[];
  readonly readiness?: HttpProbe;
  /** Whether an exited container is started again (restartPolicy Always or OnFailure after a failure). */
  readonly restart: 'Always' | 'OnFailure' | 'Never';
}

/** What the pod's downward API may read: fixed when the sandbox exists. */
export interface PodFacts {
  readonly podIP: string;
  readonly hostIP: string;
}

type Result<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: string };

const ok = <T>(value: T): Result<T> => ({ ok: true, value });
const fail = <T>(error: string): Result<T> => ({ ok: false, error });

/** Kubernetes' `$(VAR)` expansion: a defined variable is replaced, `$$` is a literal `$`, anything else stays. */
export function expandVars(text: string, env: Readonly<Record<string, string>>): string {
  return text.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)/g, (match, name: string | undefined) => {
    if (name === undefined) return '$';
    return env[name] ?? match;
  });
}

function fieldValue(pod: Readonly<Pod>, facts: PodFacts, fieldPath: string): string | undefined {
  const values: Readonly<Record<string, string | undefined>> = {
    'metadata.name': pod.metadata.name,
    'metadata.namespace': pod.metadata.namespace,
    'metadata.uid': pod.metadata.uid,
    'spec.nodeName': pod.spec.nodeName,
    'spec.serviceAccountName': pod.spec.serviceAccountName,
    'status.podIP': facts.podIP,
    'status.hostIP': facts.hostIP,
  };
  return values[fieldPath];
}

interface EnvVar {
  readonly name: string;
  readonly value?: string;
  readonly valueFrom?: { readonly fieldRef?: { readonly fieldPath?: string } };
}

function environment(pod: Readonly<Pod>, container: Readonly<Container>, facts: PodFacts, at: string): Result<Record<string, string>> {
  const env: Record<string, string> = {};
  const vars = (container['env'] ?? []) as readonly EnvVar[];
  for (const [i, v] of vars.entries()) {
    const fieldPath = v.valueFrom?.fieldRef?.fieldPath;
    if (fieldPath !== undefined) {
      const value = fieldValue(pod, facts, fieldPath);
      if (value === undefined) return fail(`${at}.env[${i}].valueFrom.fieldRef.fieldPath: ${JSON.stringify(fieldPath)} is not supported by the kvt node agent`);
      env[v.name] = value;
    } else if (v.valueFrom !== undefined) {
      return fail(`${at}.env[${i}].valueFrom: only fieldRef is supported by the kvt node agent`);
    } else {
      env[v.name] = expandVars(v.value ?? '', env);
    }
  }
  return ok(env);
}

interface ProjectionSource {
  readonly serviceAccountToken?: { readonly path: string };
  readonly configMap?: { readonly name?: string; readonly items?: readonly { readonly key: string; readonly path: string }[] };
  readonly downwardAPI?: { readonly items?: readonly { readonly path: string; readonly fieldRef?: { readonly fieldPath?: string } }[] };
}

function downwardFiles(pod: Readonly<Pod>, facts: PodFacts, items: NonNullable<NonNullable<ProjectionSource['downwardAPI']>['items']>, at: string): Result<ProjectedFile[]> {
  const files: ProjectedFile[] = [];
  for (const item of items) {
    const value = fieldValue(pod, facts, item.fieldRef?.fieldPath ?? '');
    if (value === undefined) return fail(`${at}.downwardAPI: ${JSON.stringify(item.fieldRef?.fieldPath)} is not supported by the kvt node agent`);
    files.push({ path: item.path, from: 'field', value });
  }
  return ok(files);
}

function sourceFiles(pod: Readonly<Pod>, facts: PodFacts, s: ProjectionSource, at: string): Result<ProjectedFile[]> {
  if (s.serviceAccountToken !== undefined) return ok([{ path: s.serviceAccountToken.path, from: 'serviceAccountToken' }]);
  const map = s.configMap;
  if (map?.name !== undefined) return ok((map.items ?? []).map((item) => ({ path: item.path, from: 'configMap' as const, name: map.name ?? '', key: item.key })));
  if (s.downwardAPI !== undefined) return downwardFiles(pod, facts, s.downwardAPI.items ?? [], at);
  return fail(`${at}: only serviceAccountToken, configMap and downwardAPI projections are supported by the kvt node agent`);
}

function projectedFiles(pod: Readonly<Pod>, facts: PodFacts, sources: readonly ProjectionSource[], at: string): Result<ProjectedFile[]> {
  const files: ProjectedFile[] = [];
  for (const [i, s] of sources.entries()) {
    const more = sourceFiles(pod, facts, s, `${at}.projected.sources[${i}]`);
    if (!more.ok) return more;
    files.push(...more.value);
  }
  return ok(files);
}

interface Volume {
  readonly name: string;
  readonly projected?: { readonly sources?: readonly ProjectionSource[] };
  readonly hostPath?: { readonly path: string; readonly type?: string };
  readonly emptyDir?: object;
  readonly secret?: { readonly secretName?: string; readonly optional?: boolean };
  readonly configMap?: { readonly name?: string; readonly optional?: boolean };
  readonly image?: { readonly reference?: string; readonly pullPolicy?: string };
}

/** The volume's source when it is written from an API object (secret, configMap), else undefined. */
function objectSourceOf(v: Readonly<Volume>): ObjectVolumeSource | undefined {
  if (v.secret?.secretName !== undefined) return { kind: 'secret', secretName: v.secret.secretName, optional: v.secret.optional === true };
  if (v.configMap?.name !== undefined) return { kind: 'configMap', name: v.configMap.name, optional: v.configMap.optional === true };
  return undefined;
}

/** The sources read from the volume alone, each undefined when the volume is not of its kind. */
const SIMPLE_SOURCES: readonly ((v: Readonly<Volume>) => VolumeSource | undefined)[] = [
  (v) => (v.hostPath === undefined ? undefined : { kind: 'hostPath', path: v.hostPath.path, create: v.hostPath.type === 'DirectoryOrCreate' }),
  (v) => (v.emptyDir === undefined ? undefined : { kind: 'emptyDir' }),
  objectSourceOf,
];

/** An image volume's source: its policy checked (the API server's default when unset), the pod's pull Secrets. */
function imageSourceOf(pod: Readonly<Pod>, image: { readonly reference: string; readonly pullPolicy?: string }, at: string): Result<VolumeSource> {
  const policy = image.pullPolicy === undefined || image.pullPolicy === '' ? defaultPodImagePullPolicy(image.reference) : image.pullPolicy;
  if (policy !== 'Always' && policy !== 'IfNotPresent' && policy !== 'Never') return fail(`${at}.pullPolicy: unsupported value ${JSON.stringify(policy)}: supported values: "Always", "IfNotPresent", "Never"`);
  const pullSecrets = (pod.spec.imagePullSecrets ?? []).map((s) => s.name).filter((n) => typeof n === 'string' && n !== '');
  return ok({ kind: 'image', reference: image.reference, pullPolicy: policy, pullSecrets });
}

function sourceOf(pod: Readonly<Pod>, facts: PodFacts, volume: Readonly<Volume>, at: string): Result<VolumeSource> {
  if (volume.projected !== undefined) {
    const files = projectedFiles(pod, facts, volume.projected.sources ?? [], at);
    return files.ok ? ok({ kind: 'projected', files: files.value }) : files;
  }
  const image = volume.image;
  if (image?.reference !== undefined && image.reference !== '') return imageSourceOf(pod, { ...image, reference: image.reference }, `${at}.image`);
  const source = SIMPLE_SOURCES.map((read) => read(volume)).find((s) => s !== undefined);
  return source === undefined ? fail(`${at}: only hostPath, emptyDir, secret, configMap, projected and image volumes are supported by the kvt node agent`) : ok(source);
}

interface VolumeMount {
  readonly name: string;
  readonly mountPath: string;
  readonly readOnly?: boolean;
}

function mounts(pod: Readonly<Pod>, facts: PodFacts, container: Readonly<Container>, at: string): Result<PodMount[]> {
  const volumes = (pod.spec['volumes'] ?? []) as readonly Volume[];
  const out: PodMount[] = [];
  for (const [i, m] of ((container['volumeMounts'] ?? []) as readonly VolumeMount[]).entries()) {
    const v = volumes.findIndex((x) => x.name === m.name);
    const volume = volumes[v];
    if (volume === undefined) return fail(`${at}.volumeMounts[${i}].name: no volume named ${JSON.stringify(m.name)}`);
    const source = sourceOf(pod, facts, volume, `spec.volumes[${v}]`);
    if (!source.ok) return source;
    out.push({ volume: m.name, source: source.value, mountPath: m.mountPath, readOnly: m.readOnly === true || ['secret', 'configMap', 'projected', 'image'].includes(source.value.kind) });
  }
  return ok(out);
}

/** A mount of an API-object volume: what a kubelet writes from the API before the container starts. */
export interface ObjectVolumeMount {
  readonly volume: string;
  readonly source: ObjectVolumeSource;
  readonly mountPath: string;
}

/**
 * The container's mounts of secret and configMap volumes, in mount order; other mounts are left to
 * the caller (the local kubelet runs launchers without mount namespaces and writes only these).
 */
export function objectVolumeMounts(pod: Readonly<Pod>, container: Readonly<Container>): ObjectVolumeMount[] {
  const volumes = (pod.spec['volumes'] ?? []) as readonly Volume[];
  return ((container['volumeMounts'] ?? []) as readonly VolumeMount[]).flatMap((m) => {
    const volume = volumes.find((v) => v.name === m.name);
    const source = volume === undefined ? undefined : objectSourceOf(volume);
    return source === undefined ? [] : [{ volume: m.name, source, mountPath: m.mountPath }];
  });
}

interface Probe {
  readonly httpGet?: { readonly path?: string; readonly port?: number | string; readonly scheme?: string };
  readonly periodSeconds?: number;
}

function readiness(container: Readonly<Container>, at: string): Result<HttpProbe | undefined> {
  const probe = container['readinessProbe'] as Probe | undefined;
  if (probe === undefined) return ok(undefined);
  const get = probe.httpGet;
  if (get === undefined) return fail(`${at}.readinessProbe: only httpGet probes are supported by the kvt node agent`);
  const named = (container['ports'] as readonly { name?: string; containerPort: number }[] | undefined)?.find((p) => p.name === get.port)?.containerPort;
  const port = typeof get.port === 'number' ? get.port : named;
  if (port === undefined) return fail(`${at}.readinessProbe.httpGet.port: no container port named ${JSON.stringify(get.port)}`);
  return ok({ scheme: get.scheme === 'HTTPS' ? 'HTTPS' : 'HTTP', port, path: get.path ?? '/', periodSeconds: probe.periodSeconds ?? 10 });
}

/** The container's `kvt` arguments, with `$(VAR)` expanded from its environment. */
function kvtArgv(container: Readonly<Container>, env: Readonly<Record<string, string>>, at: string): Result<string[]> {
  const command = container.command ?? [];
  if (command[0] !== 'kvt') return fail(`${at}.command: the kvt node agent runs kvt containers only (command must start with "kvt", not ${JSON.stringify(command[0] ?? null)})`);
  return ok([...command.slice(1), ...(container.args ?? [])].map((a) => expandVars(a, env)));
}

function theContainer(pod: Readonly<Pod>): Result<Container> {
  const containers = pod.spec.containers;
  if (containers.length !== 1 || containers[0] === undefined) return fail('spec.containers: the kvt node agent runs pods of exactly one container');
  if (((pod.spec['initContainers'] ?? []) as unknown[]).length > 0) return fail('spec.initContainers: not supported by the kvt node agent');
  return ok(containers[0]);
}

function restartOf(pod: Readonly<Pod>): PodRunSpec['restart'] {
  const policy = pod.spec['restartPolicy'] as string | undefined;
  return policy === 'Never' || policy === 'OnFailure' ? policy : 'Always';
}

/** How to run `pod` (exactly one container, a `kvt` command), or why it cannot run here. */
export function podRunSpec(pod: Readonly<Pod>, facts: PodFacts): Result<PodRunSpec> {
  const one = theContainer(pod);
  if (!one.ok) return one;
  const container = one.value;
  const at = 'spec.containers[0]';
  const env = environment(pod, container, facts, at);
  if (!env.ok) return env;
  const argv = kvtArgv(container, env.value, at);
  if (!argv.ok) return argv;
  const mounted = mounts(pod, facts, container, at);
  if (!mounted.ok) return mounted;
  const probe = readiness(container, at);
  if (!probe.ok) return probe;
  return ok({ container: container.name, argv: argv.value, env: env.value, mounts: mounted.value, restart: restartOf(pod), ...(probe.value === undefined ? {} : { readiness: probe.value }) });
}
