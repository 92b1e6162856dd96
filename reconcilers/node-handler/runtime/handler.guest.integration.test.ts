// The node handler following REAL launchers (`kvt virt-launcher` with the demo guest: private
// libvirtd, QEMU under TCG here) on the in-memory API server. The VMI is put in Scheduled on node n1
// as the VMI controller would; the handler reports Running from the real domain; deleting the VMI
// makes the handler send the ACPI shutdown → the guest powers off → Succeeded; a launcher killed
// with SIGKILL turns its VMI Failed with a reason (kubevirt/controllers.md §5). The launchers here run
// a manifest (not yet `--await-vmi`), so the handler follows the run dir of the manifest's identity.
// Runs in CI; skips only outside CI when libvirtd, QEMU or the image tools are missing.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../../core/log.js';
import type { VirtualMachineInstance } from '../../../crd-gen/index.js';
import { defaultDataDir } from '../../../launcher/runtime/data-dir.js';
import { defaultRunRoot, launcherDirs } from '../../../launcher/runtime/launcher-dirs.js';
import { findSessionProcesses } from '../../../launcher/runtime/session-processes.js';
import { createMemoryStore, type MemoryStore } from '../../../store/runtime/memory.js';
import { demoGuestVmiSpec, ensureDemoGuest } from '../../../test/fixtures/demo-guest.js';
import { IN_CI, LIBVIRT_TOOLS, haveTools } from '../../../test/fixtures/host.js';
import { toYaml } from '../../../core/yaml.js';
import { createEventBroadcaster } from '../../runtime/event-recorder.js';
import { nodeHandlerController } from '../reconciler.js';
import { fileLauncherAccess } from './launcher-access.js';
import { drive, until, vmiCache } from './harness.testing.js';

const REPO = resolve(import.meta.dirname, '../../..');
const AVAILABLE = haveTools([...LIBVIRT_TOOLS, 'qemu-img', 'genisoimage']);
const VMI_TYPE = { apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachineInstance' };
const CONTROLLER = { username: 'system:serviceaccount:kubevirt:kubevirt-controller', groups: ['system:serviceaccounts', 'system:authenticated'] };
const HANDLER = { username: 'system:serviceaccount:kubevirt:kubevirt-handler', groups: ['system:serviceaccounts', 'system:authenticated'], extra: { 'authentication.kubernetes.io/node-name': ['n1'] } };

function manifest(name: string): VirtualMachineInstance {
  return {
    apiVersion: 'kubevirt.io/v1',
    kind: 'VirtualMachineInstance',
    metadata: { name, namespace: 'default' },
    spec: demoGuestVmiSpec() as VirtualMachineInstance['spec'],
  };
}

describe.skipIf(!IN_CI && !AVAILABLE)('node handler with real launchers (libvirtd, QEMU, demo guest)', () => {
  let work = '';
  let store: MemoryStore | undefined;
  const children: ChildProcessWithoutNullStreams[] = [];
  let handler: { stop(): Promise<void> } | undefined;
  let runDirOf: (v: Readonly<VirtualMachineInstance>) => string = () => '';

  async function startHandler(s: MemoryStore, dirOf: (v: Readonly<VirtualMachineInstance>) => string): Promise<{ stop(): Promise<void> }> {
    const vmis = await vmiCache(s);
    const log = createLogger({ name: 'virt-handler', level: 'silent' });
    const h = nodeHandlerController({
      kube: s.client(HANDLER), log, now: () => new Date(), events: createEventBroadcaster({ kube: s.client(HANDLER), log }).recorder('virt-handler', 'n1'), nodeName: 'n1', vmis,
      launchers: fileLauncherAccess({ runDirOf: dirOf, connection: { backoffMs: { min: 100, max: 1000 } } }),
    });
    const driven = drive(h);
    return { stop: async () => { driven.stop(); await h.reconciler.close?.(); vmis.stop(); } };
  }

  beforeAll(async () => {
    await ensureDemoGuest();
    work = await mkdtemp(join(tmpdir(), 'kvt-handler-guest-'));
    store = createMemoryStore();
    const s = store;
    const runRoot = defaultRunRoot(process.getuid?.() ?? -1, process.env);
    runDirOf = (v: Readonly<VirtualMachineInstance>): string =>
      launcherDirs({ namespace: v.metadata.namespace ?? 'default', name: v.metadata.name ?? '', uid: '' }, { runRoot, dataDir: defaultDataDir() }).runDir;
    handler = await startHandler(s, runDirOf);
  }, 600_000);

  afterAll(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await handler?.stop();
    await store?.close();
    await rm(work, { recursive: true, force: true });
  });

  /**
   * Creates the VMI in Scheduled on n1 (as the VMI controller would) and starts its launcher, which
   * copies the guest console to its stdout. `ready` resolves once the guest's init watches the ACPI
   * power button: a shutdown sent before that is lost (the handler re-sends it every 5 s, but three
   * TCG guests booting at once on a loaded CI machine can take longer than the 30 s grace period).
   */
  async function launch(): Promise<{ name: string; child: ChildProcessWithoutNullStreams; logs: string[]; ready: Promise<void>; exited: Promise<number | null> }> {
    const s = store as MemoryStore;
    const name = `h-${randomBytes(3).toString('hex')}`;
    const file = join(work, `${name}.yaml`);
    await writeFile(file, toYaml(manifest(name)));
    const created = await s.create(manifest(name));
    await s.client(CONTROLLER).updateStatus<VirtualMachineInstance>({ ...created, status: { phase: 'Scheduled', nodeName: 'n1' } });
    const child = spawn(process.execPath, [join(REPO, 'bin/kvt.js'), 'virt-launcher', '--console', file], { cwd: REPO, stdio: ['pipe', 'pipe', 'pipe'] });
    children.push(child);
    const logs: string[] = [];
    child.stderr.on('data', (b: Buffer) => logs.push(b.toString()));
    let output = '';
    const ready = new Promise<void>((done) => {
      child.stdout.on('data', (b: Buffer) => {
        output += b.toString();
        if (output.includes('kvt-guest: ready')) done();
      });
    });
    const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
    return { name, child, logs, ready, exited };
  }

  const vmi = (name: string): Promise<VirtualMachineInstance> => (store as MemoryStore).get<VirtualMachineInstance>(VMI_TYPE, 'default', name);
  const inPhase = (name: string, phase: string) => async (): Promise<VirtualMachineInstance | undefined> => {
    const v = await vmi(name);
    return v.status?.phase === phase ? v : undefined;
  };

  it('Scheduled → Running from the real domain; deleted → ACPI shutdown → Succeeded, launcher exits 0', async () => {
    const { name, logs, ready, exited } = await launch();
    const running = await until('Running', inPhase(name, 'Running'), 120_000).catch((e: unknown) => { throw new Error(`${String(e)}\n${logs.join('').slice(-3000)}`); });
    expect(running.status?.conditions?.find((c) => c.type === 'LiveMigratable')?.status).toBe('False');
    await ready;
    await (store as MemoryStore).delete(VMI_TYPE, 'default', name);
    const done = await until('Succeeded', inPhase(name, 'Succeeded'), 60_000);
    expect(done.status?.phaseTransitionTimestamps?.map((p) => p.phase)).toEqual(['Running', 'Succeeded']);
    // The handler may see the domain's Shutoff before the launcher's log line about it arrives here.
    expect(await exited).toBe(0);
    expect(logs.join('')).toMatch(/"state":"Shutoff","reason":"Shutdown"/);
  }, 200_000);

  it('a launcher killed with SIGKILL turns its Running VMI Failed with a reason', async () => {
    const { name, child, exited } = await launch();
    await until('Running', inPhase(name, 'Running'), 120_000);
    child.kill('SIGKILL');
    await exited;
    const failed = await until('Failed', inPhase(name, 'Failed'), 30_000);
    expect(failed.status?.reason).toBe('LauncherGone');
  }, 200_000);

  it('a restarted handler re-adopts 3 running guests: same QEMU/libvirtd pids, no phase change; the new one shuts them down', async () => {
    const s = store as MemoryStore;
    const launched = await Promise.all([launch(), launch(), launch()]);
    const running = await Promise.all(launched.map((l) => until(`${l.name} Running`, inPhase(l.name, 'Running'), 150_000)));
    const daemonDir = (v: VirtualMachineInstance): string => join(runDirOf(v), 'd');
    const pidsBefore = await Promise.all(running.map((v) => findSessionProcesses([daemonDir(v)])));
    for (const pids of pidsBefore) expect(pids.length).toBeGreaterThanOrEqual(2);

    await handler?.stop();
    handler = await startHandler(s, runDirOf);
    await new Promise((d) => setTimeout(d, 3000));
    const after = await Promise.all(launched.map((l) => vmi(l.name)));
    // On a mismatch, say why a guest left Running (reason, conditions, the launcher's last log lines).
    const why = JSON.stringify(after.map((v, i) => ({ reason: v.status?.reason, conditions: v.status?.conditions, log: launched[i]?.logs.join('').slice(-1500) })));
    expect(after.map((v) => v.status?.phaseTransitionTimestamps), why).toEqual(running.map((v) => v.status?.phaseTransitionTimestamps));
    expect(after.map((v) => v.status?.phase)).toEqual(['Running', 'Running', 'Running']);
    expect(await Promise.all(running.map((v) => findSessionProcesses([daemonDir(v)])))).toEqual(pidsBefore);

    await Promise.all(launched.map((l) => l.ready));
    for (const l of launched) await s.delete(VMI_TYPE, 'default', l.name);
    await Promise.all(launched.map((l) => until(`${l.name} Succeeded`, inPhase(l.name, 'Succeeded'), 90_000)));
    expect(await Promise.all(launched.map((l) => l.exited))).toEqual([0, 0, 0]);
  }, 300_000);
});
