/**
 * KubeVirt's own service accounts: the requesters admission trusts to change VMI specs (through
 * subresources), to set reserved labels and to write status. kubevirt-ts's components run under
 * the same names, in {@link KUBEVIRT_NAMESPACE} unless configured otherwise.
 * @see https://github.com/kubevirt/kubevirt/blob/main/pkg/virt-api/webhooks/serviceaccounts.go
 */

/** The namespace KubeVirt's components run in by default. */
export const KUBEVIRT_NAMESPACE = 'kubevirt';

/** The service account names of KubeVirt's components. */
export const KUBEVIRT_SERVICE_ACCOUNT_NAMES = {
  apiServer: 'kubevirt-apiserver',
  controller: 'kubevirt-controller',
  handler: 'kubevirt-handler',
  synchronizationController: 'kubevirt-synchronization-controller',
} as const;

/** One of {@link KUBEVIRT_SERVICE_ACCOUNT_NAMES}' keys. */
export type KubevirtComponent = keyof typeof KUBEVIRT_SERVICE_ACCOUNT_NAMES;

/** The user name a component's service account token authenticates as. */
export function kubevirtServiceAccount(component: KubevirtComponent, namespace: string = KUBEVIRT_NAMESPACE): string {
  return `system:serviceaccount:${namespace}:${KUBEVIRT_SERVICE_ACCOUNT_NAMES[component]}`;
}

/** Every KubeVirt service account user name in `namespace`. */
export function kubevirtServiceAccounts(namespace: string = KUBEVIRT_NAMESPACE): readonly string[] {
  return (Object.keys(KUBEVIRT_SERVICE_ACCOUNT_NAMES) as KubevirtComponent[]).map((c) => kubevirtServiceAccount(c, namespace));
}

/** Whether `username` is one of KubeVirt's service accounts (undefined: no requester, not trusted). */
export function isKubevirtServiceAccount(username: string | undefined, namespace: string = KUBEVIRT_NAMESPACE): boolean {
  return username !== undefined && kubevirtServiceAccounts(namespace).includes(username);
}

/** Whether `username` is virt-handler's service account. */
export function isHandlerServiceAccount(username: string | undefined, namespace: string = KUBEVIRT_NAMESPACE): boolean {
  return username === kubevirtServiceAccount('handler', namespace);
}
