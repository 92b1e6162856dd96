// What kvt leaves on disk is private: the data dir (objects, Secrets, logs, disks) is 0750 with the
// QEMU user's group as root (0700 otherwise), the store's journal 0600, the API socket 0600, the
// launcher logs' directory 0700 and each log 0600. Prepared volumes and the launcher's own sockets
// have theirs checked in launcher/runtime/volumes.test.ts and launcher/protocol/runtime/server.test.ts.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../core/log.js';
import { DATA_DIR_MODE } from '../../launcher/runtime/data-dir.js';
import { launcherLogFile, spawnLauncher } from '../kubelet/runtime/spawn.js';
import { serveApiSocket } from './api-server.js';
import { startLocalControlPlane, storeJournal } from './control-plane.js';

const mode = (path: string): number => statSync(path).mode & 0o7777;
const isRoot = process.getuid?.() === 0;

describe('file modes of the local mode', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'kvt-modes-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps the data dir, the journal, the API socket and launcher logs private', async () => {
    const dataDir = join(dir, 'data');
    const plane = await startLocalControlPlane({ dataDir, runRoot: join(dir, 'run'), log: createLogger({ name: 'test', level: 'silent' }), persist: true, owner: 'test' });
    try {
      await plane.kube.create({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'default' }, stringData: { password: 'hunter2' } } as never);
      expect(mode(dataDir)).toBe(isRoot ? DATA_DIR_MODE.root : DATA_DIR_MODE.user);
      expect(mode(storeJournal(dataDir))).toBe(0o600);
      const socket = await serveApiSocket(join(dataDir, 'kvt.sock'), plane.kube);
      try {
        expect(mode(socket.path) & 0o777).toBe(0o600);
      } finally {
        await socket.close();
      }
      const logFile = launcherLogFile(dataDir, 'default', 'virt-launcher-x');
      const launched = await spawnLauncher({ argv: ['version'], dataDir, runDir: join(dir, 'run', 'x'), logFile, podUid: 'uid-x' });
      await launched.exited;
      expect(mode(dirname(logFile))).toBe(0o700);
      expect(mode(logFile)).toBe(0o600);
    } finally {
      await plane.stop();
    }
  }, 60_000);
});
