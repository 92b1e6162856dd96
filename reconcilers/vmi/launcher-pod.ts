/**
 * The launcher pod of a VMI, rendered as KubeVirt's virt-controller renders it (kubevirt/controllers.md
 * §1: metadata §1.3, spec §1.4, resources §1.1–1.2). Pure: same VMI, same pod.
 *
 * One deliberate difference: the pod has ONE container, `compute`, running `kvt virt-launcher`.
 * KubeVirt adds a `container-disk-binary` init container and per-containerDisk init and sidecar
 * containers that copy disk images into the pod; our launcher resolves containerDisks from the
 * node's image store itself, so those containers do not exist here (see reconcilers/README.md).
 * @see https://github.com/kubevirt/kubevirt/blob/main/pkg/virt-controller/services/template.go
 */
import { createHash } from 'node:crypto';
import { DEFAULT_CLUSTER_CONFIG, type ClusterConfig } from '../../core/cluster-config.js';
import { controllerRef } from '../../core/owner.js';
import { NON_ROOT_UID, ROOT_UID } from '../../core/vmi-launch-status.js';
import { type Affinity, AnnotationPrefixes, Annotations, ExternalGvk, Labels, LabelValues, type NodeSelectorRequirement, PodConditions, type VirtualMachineInstance } from '../../crd-gen/index.js';
import { LAUNCHER_CONTAINER, type Container, type Pod, type PodSpec } from '../pod.js';
import { computeResources } from './launcher-resources.js';
import { IMAGE_VOLUMES_DIR, renderVolumes, serviceAccountOf } from './launcher-volumes.js';
import { gracePeriodSecondsOf } from '../../core/implicit-defaults.js';

/** What the renderer needs beyond the VMI. */
export interface LauncherPodContext {
  /** The image of the compute container (the kvt image in a cluster; informational locally). */
  readonly launcherImage: string;
  /** @default DEFAULT_CLUSTER_CONFIG */
  readonly cfg?: ClusterConfig;
  /**
   * Deliver the VMI's containerDisk and kernel-boot images as image volumes, which a cluster's node
   * serves; without, the launcher reads the image store of the machine it runs on (local mode).
   * @default false
   */
  readonly imageVolumes?: boolean;
}


const DROPPED_ANNOTATION_PREFIXES = [AnnotationPrefixes.kubectl, Annotations.storageObservedApiVersion, Annotations.latestObservedApiVersion];

type Vmi = Readonly<VirtualMachineInstance>;

/** `virt-launcher-<vmi name>-<5 hex chars of a hash of the uid>`: deterministic, so a stale cache cannot make a second pod. */
export function launcherPodName(vmi: Vmi): string {
  const suffix = createHash('sha256').update(vmi.metadata.uid ?? '').digest('hex').slice(0, 5);
  return `virt-launcher-${vmi.metadata.name ?? ''}-${suffix}`;
}

/** The VMI's grace period: `spec.terminationGracePeriodSeconds`, else 30. */
export function vmiGraceSeconds(vmi: Vmi): number {
  return gracePeriodSecondsOf(vmi.spec);
}

/** The VMI's hostname as a DNS label (`spec.hostname` or the name; dots become dashes, at most 63 characters). */
export function sanitizedHostname(vmi: Vmi): string {
  return (vmi.spec.hostname ?? vmi.metadata.name ?? '').replace(/\./g, '-').slice(0, 63);
}

function podLabels(vmi: Vmi): Record<string, string> {
  return {
    ...(vmi.metadata.labels ?? {}),
    [Labels.app]: LabelValues.virtLauncher,
    [Labels.createdBy]: vmi.metadata.uid ?? '',
    [Labels.vmName]: sanitizedHostname(vmi),
  };
}

function podAnnotations(vmi: Vmi): Record<string, string> {
  const copied = Object.entries(vmi.metadata.annotations ?? {}).filter(([key]) => !DROPPED_ANNOTATION_PREFIXES.some((p) => key.startsWith(p)));
  return {
    ...Object.fromEntries(copied),
    [Annotations.domain]: vmi.metadata.name ?? '',
    [Annotations.defaultContainer]: LAUNCHER_CONTAINER,
    [Annotations.migrationTransportUnix]: 'true',
    [Annotations.requestEvictOnly]: '',
  };
}

function launcherArgs(vmi: Vmi, ctx: LauncherPodContext): string[] {
  const { namespace = 'default', name = '', uid = '' } = vmi.metadata;
  const images = ctx.imageVolumes === true ? ['--image-volumes', IMAGE_VOLUMES_DIR] : [];
  return ['--await-vmi', '--namespace', namespace, '--name', name, '--uid', uid, '--grace-period-seconds', String(vmiGraceSeconds(vmi) + 15), ...images];
}

/**
 * Whether the launcher runs as the unprivileged qemu user: from the VMI's launch status, which the VMI
 * controller writes before it plans a pod (core/vmi-launch-status.ts). A VMI without one is a bug of
 * the caller, never a reason to guess root.
 */
function isNonRoot(vmi: Vmi): boolean {
  const user = vmi.status?.runtimeUser;
  if (user === undefined) throw new Error(`VirtualMachineInstance ${vmi.metadata.name ?? ''} has no status.runtimeUser: its launch status must be written before its launcher pod is rendered`);
  return user !== ROOT_UID;
}

function computeSecurityContext(nonRoot: boolean): Record<string, unknown> {
  if (!nonRoot) return { runAsUser: ROOT_UID, runAsNonRoot: false, capabilities: { add: ['NET_BIND_SERVICE', 'SYS_NICE'] } };
  return { runAsUser: NON_ROOT_UID, runAsGroup: NON_ROOT_UID, runAsNonRoot: true, allowPrivilegeEscalation: false, capabilities: { add: ['NET_BIND_SERVICE'], drop: ['ALL'] } };
}

function containerPorts(vmi: Vmi): NonNullable<Container['ports']> {
  return (vmi.spec.domain.devices.interfaces ?? []).flatMap((i) =>
    (i.ports ?? []).map((p) => ({ ...(p.name === undefined ? {} : { name: p.name }), containerPort: p.port, protocol: p.protocol ?? 'TCP' })));
}

function computeContainer(vmi: Vmi, ctx: LauncherPodContext, mounts: Container['volumeMounts']): Container {
  const ports = containerPorts(vmi);
  return {
    name: LAUNCHER_CONTAINER,
    image: ctx.launcherImage,
    imagePullPolicy: 'IfNotPresent',
    command: ['kvt', 'virt-launcher'],
    args: launcherArgs(vmi, ctx),
    env: [{ name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }],
    resources: computeResources(vmi, ctx.cfg ?? DEFAULT_CLUSTER_CONFIG),
    volumeMounts: mounts,
    securityContext: computeSecurityContext(isNonRoot(vmi)),
    terminationMessagePolicy: 'FallbackToLogsOnError',
    ...(ports.length > 0 ? { ports } : {}),
  };
}

/** Node requirements KubeVirt adds to every required term: a host-model CPU must not be obsolete on the node. */
function requiredExpressions(vmi: Vmi): NodeSelectorRequirement[] {
  const model = vmi.spec.domain.cpu?.model ?? '';
  return model === '' || model === 'host-model' ? [{ key: Labels.obsoleteHostModel, operator: 'DoesNotExist' }] : [];
}

/** The VMI's affinity with KubeVirt's required node expressions appended to each required term (or one new term). */
export function podAffinity(vmi: Vmi): Affinity | undefined {
  const extra = requiredExpressions(vmi);
  const affinity = vmi.spec.affinity;
  if (extra.length === 0) return affinity;
  const terms = affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? [{}];
  const nodeSelectorTerms = terms.map((t) => ({ ...t, matchExpressions: [...(t.matchExpressions ?? []), ...extra] }));
  return { ...affinity, nodeAffinity: { ...affinity?.nodeAffinity, requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms } } };
}

function nodeSelector(vmi: Vmi): Record<string, string> {
  const fromVmi = Object.entries(vmi.spec.nodeSelector ?? {}).filter((e): e is [string, string] => e[1] !== undefined);
  return { ...Object.fromEntries(fromVmi), [Labels.schedulable]: 'true' };
}

function securityContext(vmi: Vmi): NonNullable<PodSpec['securityContext']> {
  if (isNonRoot(vmi)) return { fsGroup: NON_ROOT_UID, runAsUser: NON_ROOT_UID, runAsGroup: NON_ROOT_UID, runAsNonRoot: true };
  return { fsGroup: NON_ROOT_UID, runAsUser: ROOT_UID };
}

/** Spec fields copied from the VMI as they are, when set. */
function passedThrough(vmi: Vmi): Partial<PodSpec> {
  const s = vmi.spec;
  const fields: Partial<PodSpec> = {
    subdomain: s.subdomain,
    dnsPolicy: s.dnsPolicy,
    dnsConfig: s.dnsConfig as PodSpec['dnsConfig'],
    schedulerName: s.schedulerName,
    priorityClassName: s.priorityClassName,
    tolerations: s.tolerations as PodSpec['tolerations'],
    topologySpreadConstraints: s.topologySpreadConstraints as PodSpec['topologySpreadConstraints'],
    affinity: podAffinity(vmi) as PodSpec['affinity'],
  };
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined));
}

function serviceAccountFields(vmi: Vmi): Partial<PodSpec> {
  const account = serviceAccountOf(vmi);
  return account === undefined ? { automountServiceAccountToken: false } : { serviceAccountName: account, automountServiceAccountToken: true };
}

/**
 * The pod's `imagePullSecrets`, as KubeVirt's template service writes them: each containerDisk's
 * `imagePullSecret` in volume order, then the kernel-boot container's, each name once; the node
 * pulls the pod's images (its image volumes, on a cluster) with them.
 */
export function launcherImagePullSecrets(vmi: Vmi): { name: string }[] {
  const names = (vmi.spec.volumes ?? []).map((v) => v.containerDisk?.imagePullSecret);
  names.push(vmi.spec.domain.firmware?.kernelBoot?.container?.imagePullSecret);
  return [...new Set(names.filter((n): n is string => n !== undefined && n !== ''))].map((name) => ({ name }));
}

/**
 * The launcher pod of `vmi` (§1). Unbound (no nodeName: the scheduler, or the local kubelet, binds
 * it), controlled by the VMI, with the compute container first and the `kvt-run` hostPath volume
 * virt-handler shares.
 */
export function renderLauncherPod(vmi: Vmi, ctx: LauncherPodContext): Pod {
  const { volumes, mounts } = renderVolumes(vmi, { imageVolumes: ctx.imageVolumes === true });
  const pullSecrets = launcherImagePullSecrets(vmi);
  return {
    ...ExternalGvk.Pod,
    metadata: {
      name: launcherPodName(vmi),
      namespace: vmi.metadata.namespace ?? 'default',
      labels: podLabels(vmi),
      annotations: podAnnotations(vmi),
      ownerReferences: [controllerRef(vmi)],
    },
    spec: {
      hostname: sanitizedHostname(vmi),
      ...passedThrough(vmi),
      ...serviceAccountFields(vmi),
      nodeSelector: nodeSelector(vmi),
      restartPolicy: 'Never',
      enableServiceLinks: false,
      terminationGracePeriodSeconds: vmiGraceSeconds(vmi) + 30,
      securityContext: securityContext(vmi),
      readinessGates: [{ conditionType: PodConditions.vmiUnpaused }],
      containers: [computeContainer(vmi, ctx, mounts)],
      volumes,
      ...(pullSecrets.length > 0 ? { imagePullSecrets: pullSecrets } : {}),
    },
  };
}
