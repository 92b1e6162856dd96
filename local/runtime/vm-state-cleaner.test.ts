// The cleaner against the real in-memory API server and informers, on a real filesystem: a VM's
// persistent state survives its VMI's deletion (a stop), goes once the VM is deleted (its VMI
// collected with it by ownerReferences), and a standalone VMI's goes with that VMI.
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../core/log.js';
import { Gvk, type VirtualMachine, type VirtualMachineInstance } from '../../crd-gen/index.js';
import { prepareTpmState } from '../../launcher/runtime/tpm-state.js';
import { stateOwnerOf, type StateOwner } from '../../launcher/vm-state.js';
import { createInformer, type Informer } from '../../reconcilers/runtime/informer.js';
import { createMemoryStore, type MemoryStore } from '../../store/runtime/memory.js';
import { startVmStateCleaner, type VmStateCleaner } from './vm-state-cleaner.js';

// The store assigns uids itself (the VMI's controller reference names the VM's).
const vm = (): VirtualMachine => ({ ...Gvk.VirtualMachine, metadata: { namespace: 'default', name: 'win' }, spec: { template: { spec: { domain: { devices: {} } } } } });
const vmi = (name: string, owner?: string): VirtualMachineInstance => ({
  ...Gvk.VirtualMachineInstance,
  metadata: { namespace: 'default', name, ...(owner === undefined ? {} : { ownerReferences: [{ ...Gvk.VirtualMachine, name, uid: owner, controller: true, blockOwnerDeletion: true }] }) },
  spec: { domain: { devices: { tpm: { persistent: true } } } },
});

const until = async (what: string, check: () => boolean): Promise<void> => {
  const end = Date.now() + 10_000;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
};

describe('startVmStateCleaner', () => {
  let dataDir = '';
  let store: MemoryStore;
  let vms: Informer<VirtualMachine>;
  let vmis: Informer<VirtualMachineInstance>;
  let cleaner: VmStateCleaner;

  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'kvt-vm-state-'));
    store = createMemoryStore({ admission: false });
    vms = createInformer<VirtualMachine>(store, Gvk.VirtualMachine);
    vmis = createInformer<VirtualMachineInstance>(store, Gvk.VirtualMachineInstance);
    await Promise.all([vms.start(), vmis.start()]);
    cleaner = startVmStateCleaner({ vms, vmis, dataDir, log: createLogger({ name: 'test', level: 'silent' }) });
  });

  afterEach(async () => {
    cleaner.stop();
    vms.stop();
    vmis.stop();
    await store.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  const exists = (owner: StateOwner): Promise<boolean> => stat(join(dataDir, 'vm-state', owner.namespace, owner.name, owner.uid)).then(() => true, () => false);

  it('keeps a VM\'s state while the VM exists and removes it once the VM and its VMI are gone', async () => {
    const created = await store.create(vm());
    const vmUid = created.metadata.uid ?? '';
    const owner = stateOwnerOf(await store.create(vmi('win', vmUid)));
    expect(owner).toEqual({ kind: 'VirtualMachine', namespace: 'default', name: 'win', uid: vmUid });
    await prepareTpmState(owner, { dataDir });

    // A stop: the VMI goes, the VM stays, and so does its state.
    await store.delete(Gvk.VirtualMachineInstance, 'default', 'win');
    await until('the VMI deletion seen', () => vmis.get('default/win') === undefined);
    await cleaner.idle();
    expect(await exists(owner)).toBe(true);

    // A start again, then the VM's deletion: garbage collection takes its VMI too.
    await store.create(vmi('win', vmUid));
    await until('the new VMI seen', () => vmis.get('default/win') !== undefined);
    await store.delete(Gvk.VirtualMachine, 'default', 'win');
    await store.settled();
    await until('the VM and its VMI gone from the caches', () => vms.get('default/win') === undefined && vmis.get('default/win') === undefined);
    await cleaner.idle();
    expect(await exists(owner)).toBe(false);
  });

  it('removes a standalone VMI\'s state with the VMI', async () => {
    const owner = stateOwnerOf(await store.create(vmi('solo')));
    expect(owner.kind).toBe('VirtualMachineInstance');
    await prepareTpmState(owner, { dataDir });
    await store.delete(Gvk.VirtualMachineInstance, 'default', 'solo');
    await until('the VMI deletion seen', () => vmis.get('default/solo') === undefined);
    await cleaner.idle();
    expect(await exists(owner)).toBe(false);
  });
});
