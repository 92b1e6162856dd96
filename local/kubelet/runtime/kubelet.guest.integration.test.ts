// The whole local chain with a REAL guest: the in-memory API server (admission on), virt-controller
// (VMI controller renders the launcher pod), the local kubelet (binds it, runs `kvt virt-launcher
// --await-vmi` as a detached process, reports the pod), and virt-handler (hands the VMI over, reports
// Running from the real domain). Deleting the VMI shuts the guest down gracefully and leaves no pod,
// no VMI and no launcher process. Runs in CI; skips outside CI when libvirtd/QEMU are missing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../../core/log.js';
import { Labels, LabelValues, type VirtualMachineInstance } from '../../../crd-gen/index.js';
import { runDirFor, vmiIdentity } from '../../../launcher/identity.js';
import { defaultDataDir } from '../../../launcher/runtime/data-dir.js';
import { defaultRunRoot } from '../../../launcher/runtime/launcher-dirs.js';
import { startVirtHandler, type VirtHandler } from '../../../reconcilers/node-handler/runtime/start.js';
import { POD_TYPE, type Pod } from '../../../reconcilers/pod.js';
import { runController, type RunningController } from '../../../reconcilers/runtime/controller.js';
import { createInformer, type Informer } from '../../../reconcilers/runtime/informer.js';
import { startVirtController } from '../../../reconcilers/runtime/virt-controller.js';
import { createMemoryStore, type MemoryStore } from '../../../store/runtime/memory.js';
import { demoGuestVmiSpec, ensureDemoGuest } from '../../../test/fixtures/demo-guest.js';
import { IN_CI, LIBVIRT_TOOLS, haveTools } from '../../../test/fixtures/host.js';
import { processStartTicks, recordedOwner } from './pid-file.js';
import { localKubelet } from './kubelet.js';
import { untilOk } from '../../../test/builders/until.js';

const AVAILABLE = haveTools([...LIBVIRT_TOOLS, 'qemu-img', 'genisoimage']);
const VMI_TYPE = { apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachineInstance' };
const NODE = 'local';
const OWNER = `kubelet-test:${process.pid}`;
const sa = (name: string, extra?: Record<string, string[]>) => ({ username: `system:serviceaccount:kubevirt:${name}`, groups: ['system:serviceaccounts', 'system:authenticated'], ...(extra === undefined ? {} : { extra }) });
const log = createLogger({ name: 'local', level: 'silent' });

const vmi: VirtualMachineInstance = {
  apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachineInstance', metadata: { name: 'chain', namespace: 'default' },
  spec: demoGuestVmiSpec() as VirtualMachineInstance['spec'],
};

/** The shared poller, every 100 ms. */
const until = <T>(what: string, probe: () => Promise<T> | T, ok: (v: T) => boolean, timeoutMs: number): Promise<T> => untilOk(what, probe, ok, timeoutMs, 100);

describe.skipIf(!IN_CI && !AVAILABLE)('local chain: controller → local kubelet → launcher → handler (real guest)', () => {
  let store: MemoryStore;
  let controller: { stop(): Promise<void> };
  let handler: VirtHandler;
  let kubelet: RunningController;
  let pods: Informer<Pod>;
  const runRoot = defaultRunRoot(process.getuid?.() ?? -1, process.env);

  beforeAll(async () => {
    await ensureDemoGuest();
    store = createMemoryStore();
    controller = await startVirtController({ kube: store.client(sa('kubevirt-controller')), log, launcherImage: 'kvt:local' });
    handler = await startVirtHandler({
      kube: store.client(sa('kubevirt-handler', { 'authentication.kubernetes.io/node-name': [NODE] })), nodeName: NODE, runRoot, log,
      runDirOf: (v) => runDirFor(runRoot, vmiIdentity(v)),
      vmis: createInformer<VirtualMachineInstance>(store, VMI_TYPE, { fieldSelector: `status.nodeName=${NODE}` }),
      run: (definition) => runController(definition, { log }),
      // Other suites run launchers under the same run root: clean up only this suite's orphans.
      ownsLauncher: async (runDir) => (await recordedOwner(runDir)) === OWNER,
    });
    pods = createInformer<Pod>(store, POD_TYPE, { labelSelector: `${Labels.app}=${LabelValues.virtLauncher}` });
    await pods.start();
    kubelet = runController(localKubelet({ kube: store, pods, nodeName: NODE, dataDir: defaultDataDir(), runRoot, log, owner: OWNER }), { log });
  }, 600_000);

  afterAll(async () => {
    await kubelet?.stop();
    pods?.stop();
    await handler?.stop();
    await controller?.stop();
    await store?.close();
  });

  it('boots the VMI to Running, then deletion shuts it down and leaves nothing behind', async () => {
    const created = await store.create(vmi);
    const running = await until('VMI Running', () => store.get<VirtualMachineInstance & { apiVersion: string; kind: string }>(VMI_TYPE, 'default', 'chain'), (v) => v.status?.phase === 'Running' || v.status?.phase === 'Failed', 120_000);
    expect(running.status?.phase).toBe('Running');
    expect(running.status?.nodeName).toBe(NODE);
    const [pod] = (await store.list<Pod>(POD_TYPE, { namespace: 'default' })).items;
    expect(pod?.spec.nodeName).toBe(NODE);
    expect(pod?.status?.phase).toBe('Running');
    const pid = JSON.parse(await import('node:fs/promises').then((fs) => fs.readFile(`${runDirFor(runRoot, vmiIdentity(created))}/kubelet.pid.json`, 'utf8'))) as { pid: number };
    expect(await processStartTicks(pid.pid)).toBeDefined();

    await store.delete(VMI_TYPE, 'default', 'chain');
    await until('VMI and pod gone', async () => ({
      vmis: (await store.list(VMI_TYPE, { namespace: 'default' })).items.length,
      pods: (await store.list(POD_TYPE, { namespace: 'default' })).items.length,
    }), (c) => c.vmis === 0 && c.pods === 0, 90_000);
    await until('launcher process gone', () => processStartTicks(pid.pid), (t) => t === undefined, 30_000);
  }, 300_000);

  it('a SIGKILLed launcher fails its VMI with a reason, and RerunOnFailure brings the VM back', async () => {
    const VM_TYPE = { apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachine' };
    type Vmi = VirtualMachineInstance & { apiVersion: string; kind: string };
    const getVmi = (): Promise<Vmi | undefined> => store.get<Vmi>(VMI_TYPE, 'default', 'rerun').catch(() => undefined);
    await store.create({ apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachine', metadata: { name: 'rerun', namespace: 'default' }, spec: { runStrategy: 'RerunOnFailure', template: { spec: vmi.spec } } });
    const first = await until('first VMI Running', getVmi, (v) => v?.status?.phase === 'Running', 120_000);
    const firstUid = first?.metadata.uid ?? '';
    const { pid } = JSON.parse(await import('node:fs/promises').then((fs) => fs.readFile(`${runDirFor(runRoot, vmiIdentity(first as Vmi))}/kubelet.pid.json`, 'utf8'))) as { pid: number };
    const failures: string[] = [];
    const watch = await store.watch<Vmi>(VMI_TYPE, { namespace: 'default', resourceVersion: first?.metadata.resourceVersion ?? '0' }, (e) => {
      if (e.type !== 'BOOKMARK' && e.object.metadata.uid === firstUid && e.object.status?.phase === 'Failed') failures.push(e.object.status.reason ?? '');
    });
    process.kill(-pid, 'SIGKILL');
    const second = await until('a new VMI Running', getVmi, (v) => v !== undefined && v.metadata.uid !== firstUid && v.status?.phase === 'Running', 180_000);
    watch.stop();
    expect(failures.length).toBeGreaterThan(0);
    expect(failures[0]).not.toBe('');
    expect(second?.metadata.uid).not.toBe(firstUid);
    await store.delete(VM_TYPE, 'default', 'rerun');
    await until('VM, VMI and pods gone', async () => ({
      vms: (await store.list(VM_TYPE, { namespace: 'default' })).items.length,
      vmis: (await store.list(VMI_TYPE, { namespace: 'default' })).items.length,
      pods: (await store.list(POD_TYPE, { namespace: 'default' })).items.length,
    }), (c) => c.vms === 0 && c.vmis === 0 && c.pods === 0, 120_000);
  }, 400_000);
});
