/**
 * The cluster a virtctl-style command (`kvt console|start|stop|restart|pause|unpause`) talks to when
 * it is given `--kubeconfig` (and optionally `--context`): its subresource calls go through that
 * cluster's API server to virt-api, as virtctl's do; without the flag the command talks to `kvt daemon`.
 * The namespace is `-n`, else the context's, else `default`, as kubectl and virtctl choose it.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import type { ClusterSubresources } from '../store/runtime/subresource-client.js';
import { UsageError } from './command.js';

/** The parseArgs options of the cluster target. */
export const CLUSTER_OPTIONS = {
  kubeconfig: { type: 'string' },
  context: { type: 'string' },
} as const;

/** A command's cluster: its calls and the namespace the command acts in. */
export interface ClusterTarget {
  readonly subresources: ClusterSubresources;
  readonly namespace: string;
}

/** The cluster of `--kubeconfig`/`--context`, or undefined when the command talks to the daemon. */
export async function clusterTarget(values: { readonly kubeconfig?: string; readonly context?: string; readonly namespace?: string }): Promise<ClusterTarget | undefined> {
  if (values.kubeconfig === undefined) {
    if (values.context !== undefined) throw new UsageError('--context needs --kubeconfig');
    return undefined;
  }
  const { config, namespace } = await clusterConfig({ ...values, kubeconfig: values.kubeconfig });
  const { clusterSubresources } = await import('../store/runtime/subresource-client.js');
  return { subresources: clusterSubresources(config), namespace };
}

/**
 * The kubeconfig of `--kubeconfig`, switched to `--context` (refused when the file has no such
 * context), and the namespace to act in: `-n`, else the context's, else `default`. Both kinds of
 * cluster command (virtctl-style through {@link clusterTarget}, kubectl-like through
 * `withKube`) choose them here, so they agree.
 */
export async function clusterConfig(values: { readonly kubeconfig: string; readonly context?: string; readonly namespace?: string }): Promise<{ config: KubeConfig; namespace: string }> {
  // client-node is imported on use: it takes about a second, which the local commands would pay.
  const { loadKubeConfig } = await import('../store/runtime/kube-client.js');
  const config = loadKubeConfig({ kubeconfig: values.kubeconfig });
  if (values.context !== undefined) {
    if (config.getContextObject(values.context) === null) throw new UsageError(`context ${JSON.stringify(values.context)} is not in ${values.kubeconfig}`);
    config.setCurrentContext(values.context);
  }
  const contextNamespace = config.getContextObject(config.getCurrentContext())?.namespace;
  return { config, namespace: values.namespace ?? contextNamespace ?? 'default' };
}
