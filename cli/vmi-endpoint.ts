/**
 * Where a VMI's ports are reached from this host in the local mode: its launcher pod's IP
 * (`status.podIP`). With masquerade the launcher DNATs the pod IP's ports to the guest; with bridge
 * the guest holds the pod IP itself. The pod is the VMI's launcher (label `kubevirt.io/created-by`
 * = the VMI's uid) that is Running with an IP; a VM is reached through its VMI of the same name.
 */
import { isNotFound } from '../core/errors.js';
import type { KubeApi, KubeObject } from '../core/kube.js';
import { ExternalGvk, Gvk, Labels, type VirtualMachineInstance } from '../crd-gen/index.js';
import type { ForwardTarget } from './forward-args.js';

/** The part of a pod this reads. */
export interface PodAddress {
  readonly metadata: { readonly name?: string; readonly labels?: Readonly<Record<string, string>>; readonly deletionTimestamp?: string };
  readonly status?: { readonly phase?: string; readonly podIP?: string };
}

/** The IP of the VMI's running launcher pod among `pods`, or undefined (pure). */
export function launcherPodIp(pods: readonly PodAddress[], vmiUid: string): string | undefined {
  const pod = pods.find((p) => p.metadata.labels?.[Labels.createdBy] === vmiUid && p.metadata.deletionTimestamp === undefined
    && p.status?.phase === 'Running' && (p.status.podIP ?? '') !== '');
  return pod?.status?.podIP;
}

/** A VMI that cannot be reached, with virtctl-like words. */
export class EndpointError extends Error {}

async function targetVmi(kube: KubeApi, target: ForwardTarget, namespace: string): Promise<VirtualMachineInstance> {
  try {
    return await kube.get<VirtualMachineInstance & KubeObject>(Gvk.VirtualMachineInstance, namespace, target.name);
  } catch (e: unknown) {
    if (!isNotFound(e)) throw e;
    throw new EndpointError(target.kind === 'vm'
      ? `VirtualMachine ${target.name} has no running instance in namespace ${namespace}`
      : `virtualmachineinstance.kubevirt.io "${target.name}" not found`);
  }
}

/** The VMI of the target (a VM's VMI has the VM's name) and its launcher pod's IP. */
export async function vmiEndpoint(kube: KubeApi, target: ForwardTarget, namespace: string): Promise<{ readonly vmi: VirtualMachineInstance; readonly ip: string }> {
  const vmi = await targetVmi(kube, target, namespace);
  if (vmi.status?.phase !== 'Running') throw new EndpointError(`VMI ${target.name} is not running (phase ${vmi.status?.phase ?? 'Pending'})`);
  const pods = await kube.list<PodAddress & KubeObject>(ExternalGvk.Pod, { namespace, labelSelector: `${Labels.createdBy}=${vmi.metadata.uid ?? ''}` });
  const ip = launcherPodIp(pods.items, vmi.metadata.uid ?? '');
  if (ip === undefined) throw new EndpointError(`VMI ${target.name} has no pod IP: its launcher pod is not on a pod network (yet)`);
  return { vmi, ip };
}
