/**
 * What the API server's pod strategy does that other kinds do not, as far as our components meet it:
 * the QoS class computed once at create (and backfilled on every status write: it is immutable),
 * status writes that may also change labels, annotations and finalizers (the pods/status endpoint keeps
 * the spec and owner references only), and the spec fields an update may change. Pure.
 * @see https://github.com/kubernetes/kubernetes/blob/master/pkg/registry/core/pod/strategy.go
 * @see https://kubernetes.io/docs/concepts/workloads/pods/pod-qos/
 */
import { jsonEqual } from '../core/json-patch.js';
import type { KubeObject } from '../core/kube.js';
import { ExternalGvk } from '../crd-gen/index.js';

type Obj = KubeObject & Record<string, unknown>;
type Quantities = Readonly<Record<string, unknown>>;
interface Container {
  readonly resources?: { readonly requests?: Quantities; readonly limits?: Quantities };
}
interface PodSpec {
  readonly containers?: readonly Container[];
  readonly initContainers?: readonly Container[];
}

/** Whether the object is a core/v1 Pod. */
export function isPod(object: { readonly apiVersion: string; readonly kind: string }): boolean {
  return object.apiVersion === ExternalGvk.Pod.apiVersion && object.kind === ExternalGvk.Pod.kind;
}

const COMPUTE = ['cpu', 'memory'] as const;

/** A container's requests, with limits standing in for missing requests (as the API server defaults them). */
function effectiveRequests(c: Container): Quantities {
  return { ...c.resources?.limits, ...c.resources?.requests };
}

function guaranteed(containers: readonly Container[]): boolean {
  return containers.every((c) => COMPUTE.every((r) => {
    const limit = c.resources?.limits?.[r];
    return limit !== undefined && String(effectiveRequests(c)[r]) === String(limit);
  }));
}

/** The pod's QoS class: BestEffort without any cpu/memory request or limit, Guaranteed when every container's equal, else Burstable. */
export function podQosClass(spec: Readonly<PodSpec> | undefined): 'Guaranteed' | 'Burstable' | 'BestEffort' {
  const containers = [...(spec?.containers ?? []), ...(spec?.initContainers ?? [])];
  const any = containers.some((c) => COMPUTE.some((r) => c.resources?.requests?.[r] !== undefined || c.resources?.limits?.[r] !== undefined));
  if (!any) return 'BestEffort';
  return guaranteed(containers) ? 'Guaranteed' : 'Burstable';
}

/** The status a new pod is stored with. */
export function createdPodStatus(pod: Readonly<Obj>): Record<string, unknown> {
  return { phase: 'Pending', qosClass: podQosClass(pod['spec'] as PodSpec | undefined) };
}

/** A pod status write: the requested status with the QoS class kept, and the request's labels, annotations and finalizers. */
export function podStatusWrite(stored: Readonly<Obj>, request: Readonly<Obj>): Obj {
  const storedStatus = (stored['status'] ?? {}) as Record<string, unknown>;
  const status = request['status'] === undefined ? undefined : { ...(request['status'] as Record<string, unknown>), qosClass: storedStatus['qosClass'] };
  const { labels, annotations, finalizers } = request.metadata;
  const metadata = { ...stored.metadata, labels, annotations, finalizers };
  for (const key of ['labels', 'annotations', 'finalizers'] as const) if (metadata[key] === undefined) delete metadata[key];
  const next: Obj = { ...stored, metadata };
  if (status === undefined) delete next['status'];
  else next['status'] = status;
  return next;
}

/** The spec fields a pod update may change (the rest is immutable once created). */
const MUTABLE_POD_SPEC = ['activeDeadlineSeconds', 'tolerations', 'terminationGracePeriodSeconds'] as const;

/** The spec without what an update may change: container images, the mutable fields, and a first binding (nodeName from empty). */
function immutablePart(spec: Readonly<Record<string, unknown>>, bindingAllowed: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = { ...spec };
  for (const key of MUTABLE_POD_SPEC) delete out[key];
  if (bindingAllowed) delete out['nodeName'];
  for (const key of ['containers', 'initContainers'] as const) {
    const list = out[key];
    if (Array.isArray(list)) out[key] = list.map((c: Record<string, unknown>) => ({ ...c, image: undefined }));
  }
  return out;
}

/**
 * Why a pod update is refused, or undefined. The local kubelet binds a pod by setting `spec.nodeName`
 * once (a real scheduler posts to pods/binding), so a first binding is allowed.
 */
export function podUpdateProblem(stored: Readonly<Obj>, next: Readonly<Obj>): string | undefined {
  const before = (stored['spec'] ?? {}) as Record<string, unknown>;
  const after = (next['spec'] ?? {}) as Record<string, unknown>;
  const binding = (before['nodeName'] ?? '') === '';
  if (jsonEqual(immutablePart(before, binding), immutablePart(after, binding))) return undefined;
  return 'Forbidden: pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)';
}
