/**
 * The API a kubectl-like command (`create`, `replace`, `patch`, `label`, `wait`, …) talks to: the
 * local control plane (`kvt daemon`, over its socket) or, with `--kubeconfig` (and `--context`), a
 * cluster's API server through the same KubeApi port, so the command's code is the same for both.
 * The namespace is `-n`, else the context's, else `default`, as kubectl chooses it.
 */
import { ApiError } from '../core/errors.js';
import type { KubeApi } from '../core/kube.js';
import { CLUSTER_OPTIONS, clusterConfig } from './cluster-target.js';
import { UsageError } from './command.js';
import { DAEMON_OPTIONS, withDaemon } from './daemon-client.js';

/** The parseArgs options of the target: the daemon's (`--data-dir`, `--socket`, `-n`) and the cluster's. */
export const TARGET_OPTIONS = { ...DAEMON_OPTIONS, ...CLUSTER_OPTIONS } as const;

/** The usage lines of {@link TARGET_OPTIONS}. */
export const TARGET_USAGE = [
  '  -n, --namespace NS              the namespace (default: the context\'s, else default)',
  '  --data-dir DIR                  the data directory of the kvt daemon to talk to (its socket is DIR/kvt.sock)',
  '  --socket PATH                   the kvt daemon\'s socket',
  '  --kubeconfig FILE               talk to this cluster instead of the kvt daemon',
  '  --context NAME                  the kubeconfig context (with --kubeconfig)',
];

/** The target's flag values. */
export interface TargetValues {
  readonly 'data-dir'?: string;
  readonly socket?: string;
  readonly namespace?: string;
  readonly kubeconfig?: string;
  readonly context?: string;
}

/** Runs `work` against the API the flags name and the namespace to act in. */
export async function withKube<T>(values: TargetValues, work: (kube: KubeApi, namespace: string) => Promise<T>): Promise<T> {
  if (values.kubeconfig === undefined) {
    if (values.context !== undefined) throw new UsageError('--context needs --kubeconfig');
    return withDaemon(values, (kube) => work(kube, values.namespace ?? 'default'));
  }
  const { config, namespace } = await clusterConfig({ ...values, kubeconfig: values.kubeconfig });
  const { createKubeClient } = await import('../store/runtime/kube-client.js');
  return work(createKubeClient(config), namespace);
}

/** kubectl's line for a failed call on a named object: `Error from server (NotFound): …`, or `error: …`. */
export function apiErrorLine(e: unknown): string {
  if (e instanceof ApiError && e.status !== 503) return `Error from server (${e.reason}): ${e.message}`;
  return `error: ${e instanceof Error ? e.message : String(e)}`;
}
