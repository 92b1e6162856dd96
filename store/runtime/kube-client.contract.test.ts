import { describeKubeApiContract } from '../../test/contract/kube-api.js';
import { startFakeApiServer } from '../../test/fakes/api-server.js';
import { createKubeClient } from './kube-client.js';
import { createMemoryStore } from './memory.js';

describeKubeApiContract('client-node adapter over HTTPS', async () => {
  const store = createMemoryStore({ admission: false });
  const server = await startFakeApiServer(store);
  return {
    api: createKubeClient(server.kubeConfig),
    close: async () => {
      await server.close();
      await store.close();
    },
    expireWatchHistory: async () => store.expireWatchHistory(),
  };
});
