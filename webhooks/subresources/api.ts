/**
 * virt-api's subresource endpoints over the KubeApi port: `start|stop|restart` of a VM patch it (as
 * virt-api's service account) with the plan of state-change.ts; `pause|unpause` of a VMI pass
 * KubeVirt's checks (vmi-lifecycle.ts) and are relayed to the virt-handler of the VMI's node, which
 * sends the command over its launcher connection and returns what the launcher answered. Refusals
 * are ApiErrors with KubeVirt's status, reason and message; the store's own errors pass unchanged.
 * @see https://github.com/kubevirt/kubevirt/blob/main/pkg/virt-api/rest/lifecycle.go
 */
import { ApiError, isNotFound } from '../../core/errors.js';
import { objectKey, type KubeApi, type KubeObject, type ResourceType } from '../../core/kube.js';
import type { Logger } from '../../core/log.js';
import { Gvk, type VirtualMachine, type VirtualMachineInstance } from '../../crd-gen/index.js';
import { subresourcePath, type SubresourceRequest, type VmiSubresourceRequest, type VmSubresourceRequest } from './request.js';
import { restartVm, startVm, stopVm, type StateChangeResult } from './state-change.js';
import { notFound, pauseRefusal, snapshotRefusal, unpauseRefusal, type Refusal } from './vmi-lifecycle.js';

/** What a virt-handler answered to a relayed command (its REST endpoint's status and body, as a value). */
export type HandlerAnswer = { readonly ok: true } | { readonly ok: false; readonly status: 404 | 500; readonly message: string };

/** The lifecycle endpoints of one node's virt-handler (`/v1/namespaces/{ns}/virtualmachineinstances/{name}/pause`, …). */
export interface VirtHandlerEndpoint {
  lifecycle(vmi: Readonly<VirtualMachineInstance>, action: VmiSubresourceRequest['subresource']): Promise<HandlerAnswer>;
}

/** What {@link subresourceApi} needs. */
export interface SubresourceDeps {
  /** The API as virt-api's service account (`system:serviceaccount:kubevirt:kubevirt-apiserver`). */
  readonly kube: KubeApi;
  /** The virt-handler serving a node, if one does. */
  readonly handlerOf: (nodeName: string) => VirtHandlerEndpoint | undefined;
  readonly log: Logger;
}

/** Serves one subresource call; resolves when accepted (KubeVirt's 202), rejects with an ApiError. */
export type SubresourceApi = (request: SubresourceRequest) => Promise<void>;

const VM_TYPE = Gvk.VirtualMachine;
const VMI_TYPE = Gvk.VirtualMachineInstance;

const refused = (r: Refusal): ApiError => new ApiError(r.status, r.reason, r.message);
/** Kubernetes' InternalError, as virt-api wraps what went wrong behind it. */
const internal = (message: string): ApiError => new ApiError(500, 'InternalError', `Internal error occurred: ${message}`);

async function optional<T extends KubeObject>(kube: KubeApi, type: ResourceType, request: SubresourceRequest): Promise<T | undefined> {
  try {
    return await kube.get<T>(type, request.namespace, request.name);
  } catch (e) {
    if (isNotFound(e)) return undefined;
    throw e;
  }
}

function planFor(request: VmSubresourceRequest, vm: Readonly<VirtualMachine>, vmi: Readonly<VirtualMachineInstance> | undefined): StateChangeResult {
  if (request.subresource === 'start') return startVm(vm, vmi, { paused: request.paused === true });
  return request.subresource === 'stop' ? stopVm(vm, vmi) : restartVm(vm, vmi);
}

async function changeVm(deps: SubresourceDeps, request: VmSubresourceRequest): Promise<void> {
  const vm = await optional<VirtualMachine & KubeObject>(deps.kube, VM_TYPE, request);
  if (vm === undefined) throw refused(notFound('virtualmachine', request.name));
  const plan = planFor(request, vm, await optional<VirtualMachineInstance & KubeObject>(deps.kube, VMI_TYPE, request));
  if (!plan.ok) throw new ApiError(plan.status, plan.status === 409 ? 'Conflict' : 'BadRequest', plan.message);
  const target = { namespace: request.namespace, name: request.name, ...(plan.subresource === 'status' ? { subresource: 'status' as const } : {}) };
  await deps.kube.patch(VM_TYPE, target, { type: 'json', body: plan.patch });
  deps.log.info({ vm: objectKey(vm), subresource: request.subresource }, `Requested ${request.subresource} of VirtualMachine`);
}

/** The VMI a pause or unpause is for, once KubeVirt's checks let it through. */
async function checkedVmi(deps: SubresourceDeps, request: VmiSubresourceRequest): Promise<VirtualMachineInstance> {
  if (request.subresource === 'unpause') {
    const snapshot = snapshotRefusal(await optional<VirtualMachine & KubeObject>(deps.kube, VM_TYPE, request));
    if (snapshot !== undefined) throw refused(snapshot);
  }
  const vmi = await optional<VirtualMachineInstance & KubeObject>(deps.kube, VMI_TYPE, request);
  if (vmi === undefined) throw refused(notFound('virtualmachineinstance', request.name));
  const refusal = request.subresource === 'pause' ? pauseRefusal(vmi) : unpauseRefusal(vmi);
  if (refusal !== undefined) throw refused(refusal);
  return vmi;
}

async function relayToHandler(deps: SubresourceDeps, request: VmiSubresourceRequest): Promise<void> {
  const vmi = await checkedVmi(deps, request);
  const node = vmi.status?.nodeName ?? '';
  const handler = deps.handlerOf(node);
  if (handler === undefined) throw internal(`no virt-handler serves node ${JSON.stringify(node)} of VMI ${objectKey(vmi)}`);
  const answer = await handler.lifecycle(vmi, request.subresource);
  if (!answer.ok) throw answer.status === 404 ? new ApiError(404, 'NotFound', answer.message) : internal(answer.message);
  deps.log.info({ vmi: objectKey(vmi), subresource: request.subresource }, `Relayed ${request.subresource} of VirtualMachineInstance to virt-handler`);
}

/** virt-api's subresources over `deps`. */
export function subresourceApi(deps: SubresourceDeps): SubresourceApi {
  return async (request) => {
    try {
      await (request.resource === 'virtualmachines' ? changeVm(deps, request) : relayToHandler(deps, request));
    } catch (e) {
      const kind = request.resource === 'virtualmachines' ? 'VirtualMachine' : 'VirtualMachineInstance';
      deps.log.debug({ path: subresourcePath(request), err: e }, `Refused ${request.subresource} of ${kind}`);
      throw e;
    }
  };
}
