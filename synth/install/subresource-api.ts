/**
 * virt-api's aggregated API in the cluster: the APIService that makes the API server proxy
 * `/apis/subresources.kubevirt.io/v1` to the virt-api Service, the two bindings every aggregated
 * API server needs (delegated authorization: `system:auth-delegator`; the front-proxy settings in
 * kube-system: `extension-apiserver-authentication-reader`), and KubeVirt's user roles, aggregated
 * into Kubernetes' admin, edit and view, so a namespace editor may start, stop and open the console
 * of the VMs of that namespace and port-forward to them, as with KubeVirt.
 * @see https://kubernetes.io/docs/tasks/extend-kubernetes/setup-extension-api-server/
 */
import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { k8s } from 'cdk8s-plus-27';
import { ApiGroups, KINDS } from '../../crd-gen/index.js';
import { SUBRESOURCE_VERSION } from '../../webhooks/subresources/aggregated.js';
import { SUBRESOURCES } from '../../webhooks/subresources/request.js';
import { PART_OF } from './common.js';
import type { CaSource } from './webhooks.js';

/** The APIService's name (`<version>.<group>`). */
export const SUBRESOURCE_API_SERVICE = `${SUBRESOURCE_VERSION}.${ApiGroups.subresources}`;

/** Props of {@link SubresourceApi}. */
export interface SubresourceApiProps {
  readonly namespace: string;
  /** virt-api's Service and ServiceAccount. */
  readonly service: string;
  readonly serviceAccount: string;
  /** How the API server trusts virt-api's serving certificate (the webhooks' CA). */
  readonly ca: CaSource;
}

const allPlurals = (group: string): string[] => Object.values(KINDS).filter((k) => k.group === group).map((k) => k.plural);

/** KubeVirt's three user roles; admin and edit may do everything with our kinds and call every subresource. */
function userRoles(): { name: string; aggregateTo: 'admin' | 'edit' | 'view'; rules: k8s.PolicyRule[] }[] {
  const read = ['get', 'list', 'watch'];
  const write = [...read, 'create', 'update', 'patch', 'delete', 'deletecollection'];
  const kinds = allPlurals(ApiGroups.kubevirt);
  const subresources: k8s.PolicyRule[] = [
    { apiGroups: [ApiGroups.subresources], resources: SUBRESOURCES.virtualmachines.map((s) => `virtualmachines/${s}`), verbs: ['update'] },
    { apiGroups: [ApiGroups.subresources], resources: SUBRESOURCES.virtualmachineinstances.map((s) => `virtualmachineinstances/${s}`), verbs: ['update'] },
    { apiGroups: [ApiGroups.subresources], resources: ['virtualmachineinstances/console', 'virtualmachineinstances/portforward', 'virtualmachines/portforward'], verbs: ['get'] },
  ];
  const editing = [{ apiGroups: [ApiGroups.kubevirt], resources: kinds, verbs: write }, ...subresources];
  return [
    { name: 'kubevirt.io:admin', aggregateTo: 'admin', rules: editing },
    { name: 'kubevirt.io:edit', aggregateTo: 'edit', rules: editing },
    { name: 'kubevirt.io:view', aggregateTo: 'view', rules: [{ apiGroups: [ApiGroups.kubevirt], resources: kinds, verbs: read }] },
  ];
}

/** The APIService ("Resource"), virt-api's delegation bindings and the user roles. */
export class SubresourceApi extends Construct {
  public constructor(scope: Construct, id: string, props: SubresourceApiProps) {
    super(scope, id);
    const labels = { ...PART_OF };
    const annotations = props.ca.kind === 'cert-manager' ? { 'cert-manager.io/inject-ca-from': `${props.namespace}/${props.ca.certificate}` } : undefined;
    new ApiObject(this, 'Resource', {
      apiVersion: 'apiregistration.k8s.io/v1',
      kind: 'APIService',
      metadata: { name: SUBRESOURCE_API_SERVICE, labels, ...(annotations === undefined ? {} : { annotations }) },
      spec: {
        group: ApiGroups.subresources,
        version: SUBRESOURCE_VERSION,
        service: { namespace: props.namespace, name: props.service, port: 443 },
        ...(props.ca.kind === 'bundle' ? { caBundle: Buffer.from(props.ca.caCertPem).toString('base64') } : {}),
        // KubeVirt's priorities: after the built-in groups in discovery.
        groupPriorityMinimum: 1000,
        versionPriority: 15,
      },
    });
    const subjects = [{ kind: 'ServiceAccount', name: props.serviceAccount, namespace: props.namespace }];
    // Delegated authentication and authorization: TokenReviews and SubjectAccessReviews.
    new k8s.KubeClusterRoleBinding(this, 'AuthDelegator', {
      metadata: { name: `kubevirt-ts-${props.serviceAccount}-auth-delegator`, labels },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'system:auth-delegator' },
      subjects,
    });
    // The front-proxy CA and header names: kube-system/extension-apiserver-authentication.
    new k8s.KubeRoleBinding(this, 'AuthReader', {
      metadata: { name: `kubevirt-ts-${props.serviceAccount}-auth-reader`, namespace: 'kube-system', labels },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'extension-apiserver-authentication-reader' },
      subjects,
    });
    for (const role of userRoles()) {
      new k8s.KubeClusterRole(this, role.name, {
        metadata: { name: role.name, labels: { ...labels, [`rbac.authorization.k8s.io/aggregate-to-${role.aggregateTo}`]: 'true' } },
        rules: role.rules,
      });
    }
  }
}
