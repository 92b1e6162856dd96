/**
 * When a VM's persistent state (launcher/vm-state.ts) goes: once the object that owns it is deleted
 * and no VMI of it is left running on it. KubeVirt keeps that state in a backend-storage PVC the VM
 * owns, which Kubernetes' garbage collector deletes with the VM (and PVC protection keeps until
 * the last pod using it is gone); the local mode has no such PVC, so the control plane decides the
 * same from the deletions it sees. Pure: the deleted object and a view of what still exists in,
 * the owners whose state to remove out.
 */
import type { KubeObject } from '../core/kube.js';
import { stateOwnerOf, type StateOwner } from '../launcher/vm-state.js';

/** What the caches say still exists. */
export interface LiveObjects {
  /** Whether a VirtualMachine with this uid exists. */
  vmExists(uid: string): boolean;
  /** How many VMIs the VirtualMachine with this uid controls. */
  vmisOf(uid: string): number;
}

/** A deleted VirtualMachine or VirtualMachineInstance. */
export type Deletion =
  | { readonly kind: 'VirtualMachine'; readonly object: Readonly<KubeObject> }
  | { readonly kind: 'VirtualMachineInstance'; readonly object: Readonly<KubeObject> };

/**
 * The owners whose state a deletion ends: a deleted VM's, unless a VMI of it is still there (its
 * deletion decides); a deleted VMI's own, when no VM controls it; a deleted VMI's VM's, when that
 * VM is gone and this was its last VMI.
 */
export function stateToRemove(deletion: Deletion, live: LiveObjects): StateOwner[] {
  return deletion.kind === 'VirtualMachine' ? ofDeletedVm(deletion.object, live) : ofDeletedVmi(deletion.object, live);
}

function ofDeletedVm(vm: Readonly<KubeObject>, live: LiveObjects): StateOwner[] {
  const { namespace = 'default', name = '', uid = '' } = vm.metadata;
  if (uid === '' || live.vmisOf(uid) > 0) return [];
  return [{ kind: 'VirtualMachine', namespace, name, uid }];
}

function ofDeletedVmi(vmi: Readonly<KubeObject>, live: LiveObjects): StateOwner[] {
  const owner = stateOwnerOf(vmi);
  if (owner.uid === '') return [];
  if (owner.kind === 'VirtualMachineInstance') return [owner];
  return live.vmExists(owner.uid) || live.vmisOf(owner.uid) > 0 ? [] : [owner];
}
