/**
 * What a user may type for a resource (`vmis`, `vm`, `VirtualMachine`, `pods`, `po`, …) and which
 * API type it is; our kinds come from the CRDs, core kinds from a small table.
 */
import { KINDS, resolveKindName } from '../crd-gen/index.js';
import type { ResourceType } from '../core/kube.js';

/** A resolved resource. */
export interface Resource {
  readonly type: ResourceType;
  /** kubectl's `resource.group` (`virtualmachineinstances.kubevirt.io`, `pods`). */
  readonly display: string;
  readonly namespaced: boolean;
  /** Our kind (printer columns from its CRD), or undefined for a core kind. */
  readonly ours: boolean;
}

/** The core (v1) kinds kvt names and the daemon serves: each kind's singular, plural and short names. */
export const CORE: readonly { readonly kind: string; readonly names: readonly string[]; readonly namespaced: boolean }[] = [
  { kind: 'Pod', names: ['pod', 'pods', 'po'], namespaced: true },
  { kind: 'Node', names: ['node', 'nodes', 'no'], namespaced: false },
  { kind: 'Secret', names: ['secret', 'secrets'], namespaced: true },
  { kind: 'ConfigMap', names: ['configmap', 'configmaps', 'cm'], namespaced: true },
  { kind: 'PersistentVolumeClaim', names: ['persistentvolumeclaim', 'persistentvolumeclaims', 'pvc'], namespaced: true },
  { kind: 'Event', names: ['event', 'events', 'ev'], namespaced: true },
];

/** The resource a word names, or undefined. */
export function resolveResource(word: string): Resource | undefined {
  const ours = resolveKindName(word);
  if (ours !== undefined) {
    const info = KINDS[ours];
    return { type: { apiVersion: info.apiVersion, kind: info.kind }, display: `${info.plural}.${info.group}`, namespaced: info.namespaced, ours: true };
  }
  const core = CORE.find((c) => c.names.includes(word.toLowerCase()));
  return core === undefined ? undefined : { type: { apiVersion: 'v1', kind: core.kind }, display: core.names[1] ?? core.kind, namespaced: core.namespaced, ours: false };
}

/** kubectl's refusal of an unknown resource word. */
export function unknownResource(word: string): string {
  return `error: the server doesn't have a resource type "${word}"`;
}
