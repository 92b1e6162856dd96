// A real `kvt virt-launcher --await-vmi` started the way the local kubelet starts a launcher pod.
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runDirFor } from '../../../launcher/identity.js';
import { PROTOCOL_SOCKET } from '../../../launcher/protocol/index.js';
import { launcherArgv } from '../command.js';
import { liveRecordedProcess } from './pid-file.js';
import { launcherLogFile, spawnLauncher } from './spawn.js';

const ID = { namespace: 'default', name: 'vm1', uid: 'u-1' };
let root = '';
beforeEach(async () => { root = await mkdtemp(join(tmpdir(), 'kvt-spawn-')); });
afterEach(async () => { await rm(root, { recursive: true, force: true }); });

async function hello(path: string): Promise<string> {
  for (let i = 0; ; i++) {
    try {
      return await new Promise<string>((done, fail) => {
        const s = connect(path);
        s.once('error', fail);
        s.once('data', (d) => { s.end(); done(d.toString()); });
      });
    } catch (e: unknown) {
      if (i > 200) throw e;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

describe('spawnLauncher', () => {
  it('starts the container command detached with a pid file; the socket answers; SIGTERM to its group ends it with exit 0', async () => {
    const runRoot = join(root, 'run');
    const built = launcherArgv({
      name: 'compute', command: ['kvt', 'virt-launcher'],
      args: ['--await-vmi', '--namespace', ID.namespace, '--name', ID.name, '--uid', ID.uid, '--grace-period-seconds', '45', '--run-root', runRoot],
    });
    if (!('argv' in built)) throw new Error(built.error);
    const runDir = runDirFor(runRoot, ID);
    const logFile = launcherLogFile(join(root, 'data'), ID.namespace, 'virt-launcher-vm1-abcde');
    const spawned = await spawnLauncher({ argv: built.argv, dataDir: join(root, 'data'), runDir, logFile, podUid: 'pod-1' });
    expect(await liveRecordedProcess(runDir)).toEqual(spawned.record);
    expect(await hello(join(runDir, PROTOCOL_SOCKET))).toMatch(/"type":"hello".*"uid":"u-1"/);
    process.kill(-spawned.record.pid, 'SIGTERM');
    expect(await spawned.exited).toEqual({ exitCode: 0 });
    expect(await liveRecordedProcess(runDir)).toBeUndefined();
    expect(await readFile(logFile, 'utf8')).toMatch(/stopped before the VMI arrived/);
    await expect(stat(join(runDir, PROTOCOL_SOCKET))).rejects.toThrow(/ENOENT/);
  }, 30_000);
});
