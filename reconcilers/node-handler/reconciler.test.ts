// The node handler on the real in-memory API server (admission on), against launchers' real
// protocol servers in run directories (the guest's domain events are published by the test, as a
// launcher's hypervisor watch would): a Scheduled VMI is handed over (vmi.json) → Running when the
// domain runs; deleted → ACPI shutdown sent → Succeeded; a launcher that vanishes → Failed with a
// reason; VMIs of other nodes are never touched (kubevirt/controllers.md §5).
import { mkdir, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { EventRecorder } from '../../core/events.js';
import { createLogger } from '../../core/log.js';
import type { KubeApi } from '../../core/kube.js';
import type { VirtualMachineInstance } from '../../crd-gen/index.js';
import { CONSOLE_SOCKET, PROTOCOL_SOCKET, VMI_FILE, type HelloEvent, type LauncherCommand } from '../../launcher/protocol/index.js';
import { startProtocolServer, type ProtocolServer } from '../../launcher/protocol/runtime/server.js';
import { createMemoryStore, type MemoryStore } from '../../store/runtime/memory.js';
import { newRawVmi, withName } from '../../test/builders/vmi.js';
import { nodeHandlerController } from './reconciler.js';
import { fileLauncherAccess } from './runtime/launcher-access.js';
import { createEventBroadcaster, EVENT_TYPE, type KubeEvent } from '../runtime/event-recorder.js';
import type { ControllerDefinition } from '../contract.js';
import { drive, until, vmiCache } from './runtime/harness.testing.js';

const VMI_TYPE = { apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachineInstance' };
const CONTROLLER = { username: 'system:serviceaccount:kubevirt:kubevirt-controller', groups: ['system:serviceaccounts', 'system:authenticated'] };
const HANDLER = { username: 'system:serviceaccount:kubevirt:kubevirt-handler', groups: ['system:serviceaccounts', 'system:authenticated'], extra: { 'authentication.kubernetes.io/node-name': ['n1'] } };
const log = createLogger({ name: 'virt-handler', level: 'silent' });
const handlerEvents = (s: MemoryStore): EventRecorder => createEventBroadcaster({ kube: s.client(HANDLER), log }).recorder('virt-handler', 'n1');

/** A launcher's protocol end in its run dir; `shutdown` ends the guest cleanly. */
async function fakeGuestLauncher(runDir: string, vmi: VirtualMachineInstance): Promise<{ server: ProtocolServer; commands: string[] }> {
  await mkdir(runDir, { recursive: true });
  const hello: HelloEvent = {
    type: 'hello', protocol: 2, vmi: { namespace: vmi.metadata.namespace ?? 'default', name: vmi.metadata.name ?? '', uid: vmi.metadata.uid ?? '' },
    domain: `${vmi.metadata.namespace}_${vmi.metadata.name}`, pid: process.pid, consoleSocket: join(runDir, CONSOLE_SOCKET), hypervisor: 'qemu',
  };
  const commands: string[] = [];
  const time = (): string => new Date().toISOString();
  const server: ProtocolServer = await startProtocolServer(join(runDir, PROTOCOL_SOCKET), hello, async (command: LauncherCommand['command']) => {
    commands.push(command);
    if (command === 'shutdown') {
      server.publish({ type: 'domain', state: 'Shutoff', reason: 'Shutdown', time: time() });
      server.publish({ type: 'phase', phase: 'Stopped', reason: 'GuestShutdown', time: time() });
    }
  });
  server.publish({ type: 'phase', phase: 'Preparing', time: time() });
  return { server, commands };
}

let root = '';
let store: MemoryStore | undefined;
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
  await store?.close();
  store = undefined;
  await rm(root, { recursive: true, force: true });
});

async function scheduledVmi(kube: KubeApi, name: string, node: string): Promise<VirtualMachineInstance> {
  const created = await kube.create(newRawVmi(withName(name, 'default'), (v) => { delete v.metadata.uid; }));
  const controller = (store as MemoryStore).client(CONTROLLER);
  return controller.updateStatus<VirtualMachineInstance>({ ...created, status: { phase: 'Scheduled', nodeName: node } });
}

async function setUp(): Promise<{ handler: ControllerDefinition; runDirOf: (v: VirtualMachineInstance) => string }> {
  root = await mkdtemp(join(tmpdir(), 'kvt-handler-'));
  store = createMemoryStore();
  const s = store;
  const runDirOf = (v: Readonly<VirtualMachineInstance>): string => join(root, v.metadata.uid ?? 'x');
  const vmis = await vmiCache(s);
  const handler = nodeHandlerController({
    kube: s.client(HANDLER), log, now: () => new Date(), events: handlerEvents(s), nodeName: 'n1', vmis,
    launchers: fileLauncherAccess({ runDirOf, connection: { backoffMs: { min: 20, max: 100 } } }),
  });
  const driven = drive(handler);
  cleanups.push(() => vmis.stop(), () => driven.stop(), () => handler.reconciler.close?.());
  return { handler, runDirOf };
}

const phaseOf = async (name: string): Promise<VirtualMachineInstance> => (store as MemoryStore).get<VirtualMachineInstance>(VMI_TYPE, 'default', name);

describe('nodeHandler on the memory store', () => {
  it('hands a Scheduled VMI over, reports Running, shuts it down on delete → Succeeded', async () => {
    const { runDirOf } = await setUp();
    const vmi = await scheduledVmi(store as MemoryStore, 'a', 'n1');
    const launcher = await fakeGuestLauncher(runDirOf(vmi), vmi);
    cleanups.push(() => launcher.server.close());
    const handed = await until('vmi.json', async () => readFile(join(runDirOf(vmi), VMI_FILE), 'utf8').catch(() => undefined));
    expect((JSON.parse(handed) as VirtualMachineInstance).metadata.uid).toBe(vmi.metadata.uid);
    launcher.server.publish({ type: 'phase', phase: 'Running', time: new Date().toISOString() });
    launcher.server.publish({ type: 'domain', state: 'Running', reason: 'Unknown', time: new Date().toISOString() });
    const running = await until('Running', async () => { const v = await phaseOf('a'); return v.status?.phase === 'Running' ? v : undefined; });
    expect(running.status?.nodeName).toBe('n1');
    expect(running.status?.conditions?.find((c) => c.type === 'LiveMigratable')).toMatchObject({ status: 'False' });
    expect(running.status?.phaseTransitionTimestamps?.map((p) => p.phase)).toContain('Running');

    await (store as MemoryStore).delete(VMI_TYPE, 'default', 'a');
    const done = await until('Succeeded', async () => { const v = await phaseOf('a'); return v.status?.phase === 'Succeeded' ? v : undefined; });
    expect(done.metadata.deletionTimestamp).toBeDefined();
    expect(launcher.commands).toEqual(['shutdown']);
    // virt-handler's Events about the VMI, with KubeVirt's reasons, from virt-handler on n1.
    const want = ['Normal Started', 'Normal ShuttingDown', 'Normal Stopped'];
    const seen = await until('the handler\'s Events', async () => {
      const items = (await (store as MemoryStore).list<KubeEvent>(EVENT_TYPE, { namespace: 'default' })).items.filter((e) => e.involvedObject.uid === vmi.metadata.uid);
      return want.every((w) => items.some((e) => `${e.type} ${e.reason}` === w)) ? items : undefined;
    });
    expect(seen.every((e) => e.source.component === 'virt-handler' && e.source.host === 'n1' && e.count === 1)).toBe(true);
    expect(seen.find((e) => e.reason === 'Stopped')?.message).toBe('The VirtualMachineInstance was shut down.');
  });

  it('a launcher that vanishes turns its Running VMI Failed with a reason; other nodes\' VMIs are left alone', async () => {
    const { runDirOf } = await setUp();
    const vmi = await scheduledVmi(store as MemoryStore, 'b', 'n1');
    const elsewhere = await scheduledVmi(store as MemoryStore, 'c', 'n2');
    const launcher = await fakeGuestLauncher(runDirOf(vmi), vmi);
    launcher.server.publish({ type: 'phase', phase: 'Running', time: new Date().toISOString() });
    launcher.server.publish({ type: 'domain', state: 'Running', reason: 'Unknown', time: new Date().toISOString() });
    await until('Running', async () => ((await phaseOf('b')).status?.phase === 'Running' ? true : undefined));
    await launcher.server.close();
    const failed = await until('Failed', async () => { const v = await phaseOf('b'); return v.status?.phase === 'Failed' ? v : undefined; });
    expect(failed.status?.reason).toBe('LauncherGone');
    const other = await phaseOf('c');
    expect(other.status).toEqual(elsewhere.status);
    await expect(readFile(join(runDirOf(elsewhere), VMI_FILE))).rejects.toThrow(/ENOENT/);
  });

  it('a restarted handler re-adopts 3 running launchers: no second handover, no command, no phase change', async () => {
    const { runDirOf } = await setUp();
    const launchers = [];
    for (const name of ['r1', 'r2', 'r3']) {
      const vmi = await scheduledVmi(store as MemoryStore, name, 'n1');
      const l = await fakeGuestLauncher(runDirOf(vmi), vmi);
      cleanups.push(() => l.server.close());
      await until(`${name} handed over`, async () => readFile(join(runDirOf(vmi), VMI_FILE), 'utf8').catch(() => undefined));
      l.server.publish({ type: 'phase', phase: 'Running', time: new Date().toISOString() });
      l.server.publish({ type: 'domain', state: 'Running', reason: 'Unknown', time: new Date().toISOString() });
      launchers.push({ vmi, l });
    }
    for (const { vmi } of launchers) await until('Running', async () => ((await phaseOf(vmi.metadata.name ?? '')).status?.phase === 'Running' ? true : undefined));
    const before = await Promise.all(launchers.map(async ({ vmi }) => ({ status: (await phaseOf(vmi.metadata.name ?? '')).status, file: await stat(join(runDirOf(vmi), VMI_FILE)) })));
    // Stop the first handler (its cleanups run first), start a second on the same run root.
    const [stopCache, stopDriver, stopHandler] = cleanups.splice(0, 3);
    await stopDriver?.();
    await stopHandler?.();
    await stopCache?.();
    const vmis = await vmiCache(store as MemoryStore);
    const reconciled: string[] = [];
    const second = nodeHandlerController({
      kube: (store as MemoryStore).client(HANDLER), log, now: () => new Date(), events: handlerEvents(store as MemoryStore), nodeName: 'n1', vmis,
      launchers: fileLauncherAccess({ runDirOf, connection: { backoffMs: { min: 20, max: 100 } } }),
    });
    const counting = { ...second, reconciler: { name: second.reconciler.name, reconcile: async (k: string, signal: AbortSignal) => { reconciled.push(k); return second.reconciler.reconcile(k, signal); } } };
    const driven = drive(counting);
    cleanups.push(() => vmis.stop(), () => driven.stop(), () => second.reconciler.close?.());
    await until('all three reconciled after their launchers answered', () => (reconciled.length >= 6 ? true : undefined));
    await new Promise((d) => setTimeout(d, 300));
    const after = await Promise.all(launchers.map(async ({ vmi }) => ({ status: (await phaseOf(vmi.metadata.name ?? '')).status, file: await stat(join(runDirOf(vmi), VMI_FILE)) })));
    expect(after.map((a) => a.status)).toEqual(before.map((b) => b.status));
    expect(after.map((a) => a.file.mtimeMs)).toEqual(before.map((b) => b.file.mtimeMs));
    expect(launchers.map(({ l }) => l.commands)).toEqual([[], [], []]);
    expect(driven.errors).toEqual([]);
  });
});
