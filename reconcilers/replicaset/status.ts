/**
 * VMIRS.status as KubeVirt writes it (controllers.md §3): replicas = active VMIs, readyReplicas =
 * active with Ready=True, labelSelector as a string, ReplicaPaused while paused, ReplicaFailure on a
 * scale error. Pure: the caller passes the time.
 */
import { findCondition, removeCondition, setCondition } from '../../core/conditions.js';
import { selectorToString } from '../../core/labels.js';
import type { StatusOwnership } from '../../core/status-ownership.js';
import { KINDS, type VirtualMachineInstance, type VirtualMachineInstanceReplicaSet, type VirtualMachineInstanceReplicaSetStatus } from '../../crd-gen/index.js';
import { ChildEventReason } from '../../core/events.js';

/** The replica set controller owns the whole VMIRS status. */
export const REPLICASET_CONTROLLER_STATUS: StatusOwnership = {
  writer: 'virt-controller', apiVersion: KINDS.VirtualMachineInstanceReplicaSet.apiVersion, kind: KINDS.VirtualMachineInstanceReplicaSet.kind, fields: 'all',
};

/** Inputs of {@link computeReplicaSetStatus}. */
export interface RsStatusInput {
  readonly rs: Readonly<VirtualMachineInstanceReplicaSet>;
  readonly active: readonly Readonly<VirtualMachineInstance>[];
  /** The scale error's message, if the scale failed. */
  readonly scaleError?: string;
  readonly scalingUp: boolean;
  readonly now: Date;
}

/** The replica set's new status. */
export function computeReplicaSetStatus(input: RsStatusInput): VirtualMachineInstanceReplicaSetStatus {
  const { rs, now } = input;
  let conditions = rs.spec.paused === true
    ? setCondition(rs.status?.conditions, { type: 'ReplicaPaused', status: 'True', reason: 'Paused', message: 'Controller got paused' }, now)
    : removeCondition(rs.status?.conditions, 'ReplicaPaused');
  conditions = input.scaleError === undefined
    ? removeCondition(conditions, 'ReplicaFailure')
    : setCondition(conditions, { type: 'ReplicaFailure', status: 'True', reason: input.scalingUp ? ChildEventReason.FailedCreate : ChildEventReason.FailedDelete, message: input.scaleError }, now);
  return {
    ...structuredClone(rs.status ?? {}),
    replicas: input.active.length,
    readyReplicas: input.active.filter((v) => findCondition(v.status?.conditions, 'Ready')?.status === 'True').length,
    labelSelector: selectorToString(rs.spec.selector),
    conditions,
  };
}
