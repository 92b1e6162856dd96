import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeKubeApiContract } from '../../test/contract/kube-api.js';
import { createMemoryStore } from '../../store/runtime/memory.js';
import { connectApiSocket } from './api-client.js';
import { serveApiSocket } from './api-server.js';

// kvt daemon's socket must answer exactly as the store it serves: the same contract suite.
describeKubeApiContract('kvt daemon socket', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'kvt-sock-'));
  const store = createMemoryStore({ admission: false });
  const server = await serveApiSocket(join(dir, 'kvt.sock'), store);
  const client = await connectApiSocket(server.path);
  return {
    api: client,
    close: async () => {
      client.close();
      await server.close();
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
    expireWatchHistory: async () => store.expireWatchHistory(),
  };
});
