/**
 * Bound service-account tokens for the node agent's pods, from the TokenRequest API as a kubelet
 * asks for them: for the pod's service account, bound to the pod (so the token dies with it), an
 * hour long (the agent refreshes it before). The node authorizer lets a node request tokens only
 * for pods bound to it.
 * @see https://kubernetes.io/docs/reference/kubernetes-api/authentication-resources/token-request-v1/
 */
import { CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import type { Pod } from '../../../reconcilers/pod.js';

/** The token requester of a node's credentials. */
export function tokenRequester(config: KubeConfig): (pod: Readonly<Pod>) => Promise<string> {
  const api = config.makeApiClient(CoreV1Api);
  return async (pod) => {
    const answer = await api.createNamespacedServiceAccountToken({
      name: pod.spec.serviceAccountName ?? 'default',
      namespace: pod.metadata.namespace ?? 'default',
      body: { spec: { audiences: [], expirationSeconds: 3600, boundObjectRef: { apiVersion: 'v1', kind: 'Pod', name: pod.metadata.name ?? '', uid: pod.metadata.uid ?? '' } } },
    });
    const token = answer.status?.token;
    if (token === undefined || token === '') throw new Error(`no token for the service account of pod ${pod.metadata.namespace ?? ''}/${pod.metadata.name ?? ''}`);
    return token;
  };
}
