// The KubeApi contract (test/contract/kube-api.ts) against a real kube-apiserver, through the
// client-node adapter: what the in-memory API server and the fake are held to, checked at the source.
// Each test gets two fresh namespaces, deleted afterwards.
import { randomBytes } from 'node:crypto';
import { describe } from 'vitest';
import type { KubeApi } from '../../core/kube.js';
import { createKubeClient } from '../../store/runtime/kube-client.js';
import { describeKubeApiContract } from '../contract/kube-api.js';
import { clusterKubeConfig, SKIP_CLUSTER } from '../fixtures/cluster.js';

const NAMESPACE = { apiVersion: 'v1', kind: 'Namespace' } as const;

async function freshNamespace(api: KubeApi, prefix: string): Promise<string> {
  const name = `${prefix}-${randomBytes(4).toString('hex')}`;
  await api.create({ ...NAMESPACE, metadata: { name } });
  return name;
}

describe.skipIf(SKIP_CLUSTER)('on a real kube-apiserver', () => {
  describeKubeApiContract('client-node adapter against kube-apiserver', async () => {
    const api = createKubeClient(clusterKubeConfig());
    const main = await freshNamespace(api, 'contract');
    const other = await freshNamespace(api, 'contract-other');
    return {
      api,
      namespaces: { main, other },
      close: async () => {
        for (const ns of [main, other]) await api.delete(NAMESPACE, undefined, ns).catch(() => undefined);
      },
    };
  });
});
