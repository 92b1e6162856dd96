/**
 * Events: what a controller tells users about an object (the Events of `kubectl describe`), through
 * the {@link EventRecorder} port. Recording must never fail or slow a reconcile, so the port has no
 * result: the implementation (reconcilers/runtime/event-recorder.ts) writes core/v1 Events later.
 * @see https://kubernetes.io/docs/reference/kubernetes-api/cluster-resources/event-v1/
 */
import type { KubeObject } from './kube.js';

/** An Event's type: Normal for what went as intended, Warning for what did not. */
export type EventType = 'Normal' | 'Warning';

/** Records Events about objects, as client-go's record.EventRecorder does for KubeVirt's controllers. */
export interface EventRecorder {
  /** Records that `reason` happened to `object`. Never throws and never blocks; the write happens later, or not at all. */
  event(object: Readonly<KubeObject>, type: EventType, reason: string, message: string): void;
}

/**
 * KubeVirt's reasons of the Events a controller records about creating and deleting its children
 * (pkg/controller's SuccessfulCreatePodReason, FailedCreateVirtualMachineReason, …: the same words
 * for pods and VMIs).
 */
export const ChildEventReason = {
  SuccessfulCreate: 'SuccessfulCreate',
  FailedCreate: 'FailedCreate',
  SuccessfulDelete: 'SuccessfulDelete',
  FailedDelete: 'FailedDelete',
} as const;
