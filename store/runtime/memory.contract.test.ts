import { describeKubeApiContract } from '../../test/contract/kube-api.js';
import { createMemoryStore } from './memory.js';

describeKubeApiContract('in-memory store', async () => {
  const store = createMemoryStore({ admission: false });
  return {
    api: store,
    close: () => store.close(),
    expireWatchHistory: async () => store.expireWatchHistory(),
  };
});
