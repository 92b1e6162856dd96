/**
 * The API contract: generated types, kind facts and keys. Everything here comes from
 * `crd-gen/schemas/` (see its README). The CRDs themselves and schema validation are in
 * `crd-gen/crds.ts`: they load 1.6 MB of JSON and ajv, which a launcher or a one-shot command
 * that only needs a kind's name or a key must not pay for.
 */
import { KINDS, type KindName } from './generated/kinds.js';

export type * from './generated/types.js';
export type * from './generated/kinds.js';
export { Gvk, KINDS } from './generated/kinds.js';
export { AnnotationPrefixes, Annotations, Finalizers, LabelValues, Labels, PodConditions, ResourceNames } from './generated/keys.js';
export { ExternalGvk, groupOf } from './external-kinds.js';
import { ExternalGvk, groupOf } from './external-kinds.js';

/**
 * The API groups RBAC rules and discovery name: ours (the CRDs' groups, and the group virt-api serves
 * as an aggregated API server: virtctl's subresources), and CDI's (DataVolumes, DataSources).
 */
export const ApiGroups = {
  kubevirt: KINDS.VirtualMachine.group,
  subresources: `subresources.${KINDS.VirtualMachine.group}`,
  instancetype: KINDS.VirtualMachineInstancetype.group,
  cdi: groupOf(ExternalGvk.DataVolume.apiVersion),
} as const;
export type { KubeObjectMeta, OwnerReference, GroupVersionKind } from './meta.js';

/** A CustomResourceDefinition as we emit it (apiextensions.k8s.io/v1). */
export interface CustomResourceDefinition {
  apiVersion: 'apiextensions.k8s.io/v1';
  kind: 'CustomResourceDefinition';
  metadata: { name: string; labels?: Record<string, string> };
  spec: {
    group: string;
    names: { kind: string; listKind: string; plural: string; singular: string; shortNames?: string[]; categories?: string[] };
    scope: 'Namespaced' | 'Cluster';
    versions: {
      name: string;
      served: boolean;
      storage: boolean;
      schema: { openAPIV3Schema: Record<string, unknown> };
      subresources?: Record<string, unknown>;
      additionalPrinterColumns?: { name: string; type: string; jsonPath: string; description?: string; priority?: number }[];
    }[];
  };
}

/** The API groups we serve. */
export const API_GROUPS: readonly string[] = [...new Set(Object.values(KINDS).map((k) => k.group))];

/** The served kind of an apiVersion + kind pair, or undefined when we do not serve it. */
export function lookupKind(apiVersion: string | undefined, kind: string | undefined): KindName | undefined {
  const info = kind !== undefined && kind in KINDS ? KINDS[kind as KindName] : undefined;
  return info !== undefined && info.apiVersion === apiVersion ? info.kind : undefined;
}

/** Whether an apiVersion belongs to one of our API groups (any version). */
export function isOurGroup(apiVersion: string | undefined): boolean {
  const group = apiVersion?.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : undefined;
  return group !== undefined && API_GROUPS.includes(group);
}

/** Resolves what a user typed (kind, plural, singular or short name, any case) to a served kind. */
export function resolveKindName(name: string): KindName | undefined {
  const wanted = name.toLowerCase();
  const hit = Object.values(KINDS).find(
    (k) => k.kind.toLowerCase() === wanted || k.plural === wanted || k.singular === wanted || (k.shortNames as readonly string[]).includes(wanted),
  );
  return hit?.kind;
}

