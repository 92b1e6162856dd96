// virt-handler's start-up on the memory store with the controller runtime (informer with the
// status.nodeName field selector, runController): the Node heartbeat appears, a Scheduled VMI of this
// node is handed to its launcher, and an orphan launcher (its VMI gone) is shut down; stop() leaves
// the launchers running (no command sent to the known one).
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../../core/log.js';
import type { VirtualMachineInstance } from '../../../crd-gen/index.js';
import { PROTOCOL_SOCKET, VMI_FILE, type HelloEvent } from '../../../launcher/protocol/index.js';
import { startProtocolServer, type ProtocolServer } from '../../../launcher/protocol/runtime/server.js';
import { createMemoryStore, type MemoryStore } from '../../../store/runtime/memory.js';
import { newRawVmi, withName } from '../../../test/builders/vmi.js';
import { NODE_TYPE, type NodeObject } from '../heartbeat.js';
import { startVirtHandler } from './start.js';
import { runController } from '../../runtime/controller.js';
import { createInformer } from '../../runtime/informer.js';
import { until } from './harness.testing.js';

const CONTROLLER = { username: 'system:serviceaccount:kubevirt:kubevirt-controller', groups: ['system:serviceaccounts', 'system:authenticated'] };
const HANDLER = { username: 'system:serviceaccount:kubevirt:kubevirt-handler', groups: ['system:serviceaccounts', 'system:authenticated'], extra: { 'authentication.kubernetes.io/node-name': ['n1'] } };
const log = createLogger({ name: 'virt-handler', level: 'silent' });

let root = '';
let store: MemoryStore | undefined;
const servers: ProtocolServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
  await store?.close();
  await rm(root, { recursive: true, force: true });
});

async function launcherIn(runDir: string, uid: string, name: string): Promise<{ commands: string[]; server: ProtocolServer }> {
  await mkdir(runDir, { recursive: true });
  const hello: HelloEvent = { type: 'hello', protocol: 2, vmi: { namespace: 'default', name, uid }, domain: `default_${name}`, pid: process.pid, consoleSocket: '/x', hypervisor: 'qemu' };
  const commands: string[] = [];
  const server: ProtocolServer = await startProtocolServer(join(runDir, PROTOCOL_SOCKET), hello, async (c) => {
    commands.push(c);
    if (c === 'shutdown') server.publish({ type: 'domain', state: 'Shutoff', reason: 'Shutdown', time: new Date().toISOString() });
  });
  server.publish({ type: 'phase', phase: 'Preparing', time: new Date().toISOString() });
  servers.push(server);
  return { commands, server };
}

describe('startVirtHandler', () => {
  it('beats, hands over, reports Running, cleans orphans, and stops without touching guests', async () => {
    root = await mkdtemp(join(tmpdir(), 'kvt-start-'));
    store = createMemoryStore();
    const s = store;
    const created = await s.create(newRawVmi(withName('k', 'default'), (v) => { delete v.metadata.uid; }));
    const vmi = await s.client(CONTROLLER).updateStatus<VirtualMachineInstance>({ ...created, status: { phase: 'Scheduled', nodeName: 'n1' } });
    const runDirOf = (v: Readonly<VirtualMachineInstance>): string => join(root, (v.metadata.uid ?? '').slice(0, 8));
    const { commands: known, server: knownServer } = await launcherIn(runDirOf(vmi), vmi.metadata.uid ?? '', 'k');
    const { commands: orphan } = await launcherIn(join(root, 'orphan'), 'uid-of-a-deleted-vmi', 'o');
    const handler = await startVirtHandler({
      kube: s.client(HANDLER), nodeName: 'n1', runRoot: root, log, runDirOf,
      vmis: createInformer<VirtualMachineInstance>(s.client(HANDLER), { apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachineInstance' }, { fieldSelector: 'status.nodeName=n1' }),
      run: (def) => runController(def, { log }),
      connection: { backoffMs: { min: 20, max: 100 } },
    });
    expect(await handler.orphansCleaned).toBe(1);
    expect(orphan).toEqual(['shutdown']);
    for (let i = 0; i < 200; i++) {
      if (await readFile(join(runDirOf(vmi), VMI_FILE)).then(() => true, () => false)) break;
      await new Promise((d) => setTimeout(d, 20));
    }
    expect((JSON.parse(await readFile(join(runDirOf(vmi), VMI_FILE), 'utf8')) as VirtualMachineInstance).metadata.uid).toBe(vmi.metadata.uid);
    knownServer.publish({ type: 'phase', phase: 'Running', time: new Date().toISOString() });
    knownServer.publish({ type: 'domain', state: 'Running', reason: 'Unknown', time: new Date().toISOString() });
    const running = await until('Running', async () => {
      const v = await s.get<VirtualMachineInstance>({ apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachineInstance' }, 'default', 'k');
      return v.status?.phase === 'Running' ? v : undefined;
    });
    expect(running.status?.nodeName).toBe('n1');
    const node = await s.get<NodeObject>(NODE_TYPE, undefined, 'n1');
    expect(node.metadata.labels?.['kubevirt.io/schedulable']).toBe('true');
    await handler.stop();
    expect(known).toEqual([]);
  });
});
