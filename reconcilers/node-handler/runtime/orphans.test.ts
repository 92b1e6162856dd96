// Orphan launchers after a handler restart (kubevirt/controllers.md §5), with the launcher's real
// protocol servers under a run root: the one whose VMI is unknown is shut down (and destroyed when
// it does not stop within the grace period); the known one is left alone.
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../../core/log.js';
import { PROTOCOL_SOCKET, type HelloEvent } from '../../../launcher/protocol/index.js';
import { startProtocolServer, type ProtocolServer } from '../../../launcher/protocol/runtime/server.js';
import { cleanOrphanLaunchers } from './orphans.js';

const log = createLogger({ name: 'virt-handler', level: 'silent' });
let root = '';
const servers: ProtocolServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
  await rm(root, { recursive: true, force: true });
});

async function launcher(id: string, uid: string, stopsOnShutdown: boolean): Promise<string[]> {
  await mkdir(join(root, id));
  const hello: HelloEvent = { type: 'hello', protocol: 2, vmi: { namespace: 'default', name: id, uid }, domain: `default_${id}`, pid: process.pid, consoleSocket: '/x', hypervisor: 'qemu' };
  const commands: string[] = [];
  const server: ProtocolServer = await startProtocolServer(join(root, id, PROTOCOL_SOCKET), hello, async (command) => {
    commands.push(command);
    if (command === 'destroy' || (command === 'shutdown' && stopsOnShutdown)) {
      server.publish({ type: 'domain', state: 'Shutoff', reason: command === 'destroy' ? 'Destroyed' : 'Shutdown', time: new Date().toISOString() });
    }
  });
  server.publish({ type: 'domain', state: 'Running', reason: 'Unknown', time: new Date().toISOString() });
  servers.push(server);
  return commands;
}

describe('cleanOrphanLaunchers', () => {
  it('shuts down unknown VMIs\' launchers, destroys the ones that do not stop, leaves known ones', async () => {
    root = await mkdtemp(join(tmpdir(), 'kvt-orphans-'));
    const known = await launcher('known', 'uid-known', true);
    const polite = await launcher('polite', 'uid-gone-1', true);
    const stubborn = await launcher('stubborn', 'uid-gone-2', false);
    const n = await cleanOrphanLaunchers({ runRoot: root, isKnown: (uid) => uid === 'uid-known', log, graceMs: 200 });
    expect(n).toBe(2);
    expect(known).toEqual([]);
    expect(polite).toEqual(['shutdown']);
    expect(stubborn).toEqual(['shutdown', 'destroy']);
  });

  it('with an owner filter, leaves the launchers of other control planes alone', async () => {
    root = await mkdtemp(join(tmpdir(), 'kvt-orphans-'));
    const mine = await launcher('mine', 'uid-gone-1', true);
    const theirs = await launcher('theirs', 'uid-gone-2', true);
    const n = await cleanOrphanLaunchers({ runRoot: root, isKnown: () => false, log, graceMs: 200, owns: (dir) => Promise.resolve(dir === join(root, 'mine')) });
    expect(n).toBe(1);
    expect(mine).toEqual(['shutdown']);
    expect(theirs).toEqual([]);
  });

  it('a run root without launchers is nothing to do', async () => {
    root = await mkdtemp(join(tmpdir(), 'kvt-orphans-'));
    expect(await cleanOrphanLaunchers({ runRoot: root, isKnown: () => false, log })).toBe(0);
  });
});
