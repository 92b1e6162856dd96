/**
 * virt-handler's node heartbeat (kubevirt/controllers.md §2, §5): the Node object named after the
 * handler's node carries `kubevirt.io/schedulable=true` and a `kubevirt.io/heartbeat` annotation
 * refreshed about every minute; virt-controller treats a heartbeat older than 5 min as an
 * unresponsive node. Pure: the runtime loop (runtime/heartbeat.ts) writes these.
 */
import type { KubeObject, ResourceType } from '../../core/kube.js';
import { Annotations, ExternalGvk, Labels } from '../../crd-gen/index.js';

/** The resource type of nodes (core/v1, cluster-scoped). */
export const NODE_TYPE: ResourceType = ExternalGvk.Node;

/** How often the heartbeat is refreshed (KubeVirt: every minute). */
export const HEARTBEAT_INTERVAL_MS = 60_000;

/** A core/v1 Node, as far as the handler writes it. */
export interface NodeObject extends KubeObject {
  metadata: KubeObject['metadata'] & { name: string };
}

/** The heartbeat's metadata: schedulable label and the time annotation (RFC 3339, seconds). */
export function heartbeatMetadata(now: Date): { labels: Record<string, string>; annotations: Record<string, string> } {
  return {
    labels: { [Labels.schedulable]: 'true' },
    annotations: { [Annotations.heartbeat]: `${now.toISOString().slice(0, 19)}Z` },
  };
}

/** The Node to create when none exists yet. */
export function newNode(nodeName: string, now: Date): NodeObject {
  return { apiVersion: NODE_TYPE.apiVersion, kind: NODE_TYPE.kind, metadata: { name: nodeName, ...heartbeatMetadata(now) } };
}

/** The merge patch that refreshes an existing Node's heartbeat. */
export function heartbeatPatch(now: Date): { metadata: ReturnType<typeof heartbeatMetadata> } {
  return { metadata: heartbeatMetadata(now) };
}
