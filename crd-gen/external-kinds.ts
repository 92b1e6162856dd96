/**
 * The kinds of other API groups that kubevirt-ts reads or writes (core/v1, coordination, authorization, CDI), by
 * apiVersion and kind: one place for them, as `Gvk` is for the kinds we serve.
 */

/** The apiVersion and kind of each kind we use but do not serve. */
export const ExternalGvk = {
  Pod: { apiVersion: 'v1', kind: 'Pod' },
  Node: { apiVersion: 'v1', kind: 'Node' },
  Event: { apiVersion: 'v1', kind: 'Event' },
  Secret: { apiVersion: 'v1', kind: 'Secret' },
  ConfigMap: { apiVersion: 'v1', kind: 'ConfigMap' },
  PersistentVolumeClaim: { apiVersion: 'v1', kind: 'PersistentVolumeClaim' },
  Lease: { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease' },
  SubjectAccessReview: { apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview' },
  DataVolume: { apiVersion: 'cdi.kubevirt.io/v1beta1', kind: 'DataVolume' },
  DataSource: { apiVersion: 'cdi.kubevirt.io/v1beta1', kind: 'DataSource' },
} as const;

/** The API group of an apiVersion (`kubevirt.io/v1` → `kubevirt.io`; `v1` → `''`, the core group). */
export function groupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash === -1 ? '' : apiVersion.slice(0, slash);
}
