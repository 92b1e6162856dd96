// The VM controller on the in-memory API server (admission on), with the runtime's informers and
// runController; the test plays the node handler by writing VMI phases through /status as
// virt-handler's user, and asserts on the resulting objects.
import { afterEach, describe, expect, it } from 'vitest';
import { ApiError, isNotFound } from '../../core/errors.js';
import type { KubeApi, ResourceType } from '../../core/kube.js';
import { createLogger } from '../../core/log.js';
import { Finalizers, type VirtualMachine, type VirtualMachineInstance } from '../../crd-gen/index.js';
import { createMemoryStore, type MemoryStore } from '../../store/runtime/memory.js';
import { runController, type RunningController } from '../runtime/controller.js';
import { createEventBroadcaster, EVENT_TYPE, type EventBroadcaster, type KubeEvent } from '../runtime/event-recorder.js';
import { createInformer, type Informer } from '../runtime/informer.js';
import { vmController } from './reconciler.js';
import { restartVm } from '../../webhooks/subresources/state-change.js';

const VM_TYPE: ResourceType = { apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachine' };
const VMI_TYPE: ResourceType = { apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachineInstance' };
const CONTROLLER = { username: 'system:serviceaccount:kubevirt:kubevirt-controller', groups: ['system:serviceaccounts', 'system:authenticated'] };
const HANDLER = { username: 'system:serviceaccount:kubevirt:kubevirt-handler', groups: ['system:serviceaccounts', 'system:authenticated'] };
// Errors the controllers log (a reconcile that threw); VM_TEST_LOG=debug shows everything on stderr instead.
const loggedErrors: string[] = [];
const log = process.env.VM_TEST_LOG === undefined
  ? createLogger({ name: 'test', level: 'error', destination: { write: (line: string) => { loggedErrors.push(line); } } })
  : createLogger({ name: 'test', level: process.env.VM_TEST_LOG });

const manifest = (runStrategy: VirtualMachine['spec']['runStrategy']): VirtualMachine => ({
  apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachine', metadata: { name: 'web', namespace: 'default' },
  spec: { runStrategy, template: { metadata: { labels: { app: 'web' } }, spec: { domain: { devices: {}, resources: { requests: { memory: '64Mi' } } } } } },
});

interface Env { store: MemoryStore; stop: () => Promise<void> }
let envs: Env[] = [];
afterEach(async () => {
  for (const env of envs) await env.stop();
  envs = [];
});

/** A store and `instances` VM controllers running against it, each with its own informers. */
async function setup(instances = 1, wrap: (kube: KubeApi) => KubeApi = (k) => k): Promise<MemoryStore> {
  const store = createMemoryStore({});
  const running: { informers: Informer[]; controller: RunningController; events: EventBroadcaster }[] = [];
  for (let i = 0; i < instances; i++) {
    const vms = createInformer<VirtualMachine>(store, VM_TYPE);
    const vmis = createInformer<VirtualMachineInstance>(store, VMI_TYPE);
    await Promise.all([vms.start(), vmis.start()]);
    const events = createEventBroadcaster({ kube: store.client(CONTROLLER), log });
    const definition = vmController({ kube: wrap(store.client(CONTROLLER)), log, now: () => new Date(), events: events.recorder('virtualmachine-controller'), vms, vmis, random: () => 0 });
    running.push({ informers: [vms, vmis], controller: runController(definition, { log }), events });
  }
  envs.push({
    store,
    stop: async () => {
      for (const r of running) { await r.controller.stop(); r.events.stop(); r.informers.forEach((inf) => inf.stop()); }
      await store.close();
    },
  });
  return store;
}

const getVm = (store: MemoryStore): Promise<VirtualMachine> => store.get<VirtualMachine>(VM_TYPE, 'default', 'web');
const getVmi = (store: MemoryStore): Promise<VirtualMachineInstance | undefined> =>
  store.get<VirtualMachineInstance>(VMI_TYPE, 'default', 'web').catch((e: unknown) => { if (isNotFound(e)) return undefined; throw e; });

async function until<T>(what: string, probe: () => Promise<T>, ok: (value: T) => boolean, timeoutMs = 3000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (ok(value)) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** The node handler's write: the VMI's phase through /status. */
async function setPhase(store: MemoryStore, phase: string): Promise<void> {
  const vmi = await getVmi(store);
  if (vmi === undefined) throw new Error('no VMI to set the phase of');
  // As virt-handler records it: the phase plus its transition time (the VM controller tells early failures by it).
  const transitions = [...(vmi.status?.phaseTransitionTimestamps ?? []), { phase, phaseTransitionTimestamp: new Date().toISOString() }];
  await store.client(HANDLER).updateStatus({ ...vmi, status: { ...vmi.status, phase, phaseTransitionTimestamps: transitions } });
}

/**
 * The VMI controller's part (not running here): once a deleting VMI has no launcher left, its
 * foreground-delete finalizer goes. Our VM-controller finalizer must already be off by then.
 */
async function vmiControllerStandIn(store: MemoryStore): Promise<VirtualMachineInstance | undefined> {
  const vmi = await getVmi(store);
  const finalizers = vmi?.metadata.finalizers ?? [];
  if (vmi?.metadata.deletionTimestamp === undefined || !finalizers.includes(Finalizers.vmiForegroundDelete)) return vmi;
  const rest = finalizers.filter((f) => f !== Finalizers.vmiForegroundDelete);
  await store.patch(VMI_TYPE, { namespace: 'default', name: 'web' }, { type: 'json', body: [{ op: 'test', path: '/metadata/finalizers', value: finalizers }, { op: 'replace', path: '/metadata/finalizers', value: rest }] })
    // Gone, or its finalizers changed meanwhile (the VM controller's patch): the next probe retries.
    .catch((e: unknown) => { if (!isNotFound(e) && !(e instanceof ApiError && e.status === 422)) throw e; });
  return getVmi(store);
}

const liveVmi = (store: MemoryStore, notUid?: string): Promise<VirtualMachineInstance | undefined> =>
  until('a live VMI', () => vmiControllerStandIn(store), (v) => v !== undefined && v.metadata.deletionTimestamp === undefined && v.metadata.uid !== notUid);

describe('vmController on the memory store', () => {
  it('Always: creates the VMI, recreates it after it failed, and reports Running', async () => {
    const store = await setup();
    await store.create(manifest('Always'));
    const first = await liveVmi(store);
    expect(first?.metadata.ownerReferences?.[0]).toMatchObject({ kind: 'VirtualMachine', name: 'web', controller: true });
    expect(first?.metadata.finalizers).toContain(Finalizers.vmControllerFinalize);
    await setPhase(store, 'Running');
    await until('Running', () => getVm(store), (vm) => vm.status?.printableStatus === 'Running' && vm.status.created === true);
    await setPhase(store, 'Failed');
    const second = await liveVmi(store, first?.metadata.uid);
    expect(second?.metadata.uid).not.toBe(first?.metadata.uid);
  });

  it('RerunOnFailure brings a Failed VMI back, but not a Succeeded one', async () => {
    const store = await setup();
    await store.create(manifest('RerunOnFailure'));
    const first = await liveVmi(store);
    await setPhase(store, 'Running');
    await setPhase(store, 'Failed');
    const second = await liveVmi(store, first?.metadata.uid);
    await setPhase(store, 'Running');
    await setPhase(store, 'Succeeded');
    await until('the Succeeded VMI gone', () => vmiControllerStandIn(store), (v) => v === undefined || v.metadata.uid !== second?.metadata.uid);
    const vm = await until('Stopped', () => getVm(store), (v) => v.status?.printableStatus === 'Stopped');
    expect(vm.status?.created).toBe(false);
    expect(await getVmi(store)).toBeUndefined();
  });

  it('Manual: starts on a Start request and stops on Stop(uid), trimming both', async () => {
    const store = await setup();
    await store.create(manifest('Manual'));
    await until('Stopped', () => getVm(store), (v) => v.status?.printableStatus === 'Stopped');
    const vm = await getVm(store);
    await store.updateStatus({ ...vm, status: { ...vm.status, stateChangeRequests: [{ action: 'Start' }] } });
    const vmi = await liveVmi(store);
    await until('Start trimmed', () => getVm(store), (v) => v.status?.stateChangeRequests === undefined);
    const again = await getVm(store);
    await store.updateStatus({ ...again, status: { ...again.status, stateChangeRequests: [{ action: 'Stop', uid: vmi?.metadata.uid ?? '' }] } });
    await until('VMI deleting', () => getVmi(store), (v) => v === undefined || v.metadata.deletionTimestamp !== undefined);
  });

  it('Once: runs the VMI once and does not bring it back after it failed', async () => {
    const store = await setup();
    await store.create(manifest('Once'));
    const first = await liveVmi(store);
    await setPhase(store, 'Running');
    await setPhase(store, 'Failed');
    await new Promise((r) => setTimeout(r, 500));
    const after = await getVmi(store);
    expect(after === undefined || after.metadata.uid === first?.metadata.uid).toBe(true);
  });

  it('restart (virt-api\'s Stop(uid) + Start requests) replaces the running VMI with a new one', async () => {
    const store = await setup();
    await store.create(manifest('Always'));
    const first = await liveVmi(store);
    await setPhase(store, 'Running');
    const vm = await until('Running', () => getVm(store), (v) => v.status?.printableStatus === 'Running');
    const restart = restartVm(vm, await getVmi(store));
    if (!restart.ok) throw new Error(restart.message);
    await store.patch(VM_TYPE, { namespace: 'default', name: 'web', ...(restart.subresource === 'status' ? { subresource: 'status' as const } : {}) }, { type: 'json', body: restart.patch });
    const second = await liveVmi(store, first?.metadata.uid);
    expect(second?.metadata.uid).not.toBe(first?.metadata.uid);
    await until('requests handled', () => getVm(store), (v) => v.status?.stateChangeRequests === undefined);
  });

  it('Halted deletes the VMI; a VM deleted goes away with its VMI', async () => {
    const store = await setup();
    await store.create(manifest('Always'));
    await liveVmi(store);
    const vm = await getVm(store);
    expect(vm.metadata.finalizers).toContain(Finalizers.vmControllerFinalize);
    await store.update({ ...vm, spec: { ...vm.spec, runStrategy: 'Halted' } });
    await until('VMI stopping', () => vmiControllerStandIn(store), (v) => v === undefined || v.metadata.deletionTimestamp !== undefined);
    await store.patch(VM_TYPE, { namespace: 'default', name: 'web' }, { type: 'merge', body: { spec: { runStrategy: 'Always' } } });
    await liveVmi(store);
    loggedErrors.length = 0;
    await store.delete(VM_TYPE, 'default', 'web');
    await until('VM gone', () => vmiControllerStandIn(store).then(() => getVm(store)).then(() => true, (e: unknown) => !isNotFound(e)), (exists) => !exists);
    await new Promise((r) => setTimeout(r, 50));
    // The status write after the last finalizer went is a NotFound to ignore, not a failed reconcile.
    expect(loggedErrors).toEqual([]);
  });

  it('records KubeVirt\'s Events on the VM: SuccessfulCreate for the VMI it starts, SuccessfulDelete for the one it stops', async () => {
    const store = await setup();
    await store.create(manifest('Always'));
    const vmi = await liveVmi(store);
    const vm = await getVm(store);
    await store.update({ ...vm, spec: { ...vm.spec, runStrategy: 'Halted' } });
    const vmEvents = async (): Promise<KubeEvent[]> => (await store.list<KubeEvent>(EVENT_TYPE, { namespace: 'default' })).items.filter((e) => e.involvedObject.kind === 'VirtualMachine');
    const events = await until('two Events', vmEvents, (l) => l.length === 2);
    expect(events.map((e) => [e.type, e.reason, e.message])).toEqual([
      ['Normal', 'SuccessfulCreate', 'Started the virtual machine by creating the new virtual machine instance web'],
      ['Normal', 'SuccessfulDelete', `Stopped the virtual machine by deleting the virtual machine instance ${vmi?.metadata.uid ?? ''}`],
    ]);
    expect(events[0]).toMatchObject({ involvedObject: { name: 'web', uid: vm.metadata.uid }, source: { component: 'virtualmachine-controller' }, count: 1 });
  });

  it('a VM naming a missing instancetype is held: Failure FailedFindInstancetype, Stopped, no VMI; it starts once the instancetype exists', async () => {
    const store = await setup();
    const vm = manifest('Always');
    vm.spec.instancetype = { name: 'small' };
    // The instancetype gives the memory: the template asks for none.
    vm.spec.template.spec = { domain: { devices: {} } };
    await store.create(vm);
    const held = await until('the Failure condition', () => getVm(store), (v) => v.status?.conditions?.some((c) => c.type === 'Failure') === true);
    expect(held.status?.conditions?.find((c) => c.type === 'Failure')).toMatchObject({
      status: 'True', reason: 'FailedFindInstancetype', message: 'virtualmachineclusterinstancetype.instancetype.kubevirt.io "small" not found',
    });
    expect(held.status?.printableStatus).toBe('Stopped');
    expect(await getVmi(store)).toBeUndefined();
    await store.create({ apiVersion: 'instancetype.kubevirt.io/v1beta1', kind: 'VirtualMachineClusterInstancetype', metadata: { name: 'small' }, spec: { cpu: { guest: 1 }, memory: { guest: '64Mi' } } });
    const vmi = await until('the VMI', () => getVmi(store), (v) => v !== undefined, 10_000);
    // The VMI carries what the instancetype says, as KubeVirt's VM controller applies it.
    expect(vmi?.spec.domain.memory?.guest).toBe('64Mi');
    expect(vmi?.spec.domain.cpu).toMatchObject({ sockets: 1, cores: 1, threads: 1 });
    const started = await until('the Failure condition gone', () => getVm(store), (v) => v.status?.conditions?.some((c) => c.type === 'Failure') !== true);
    expect(started.status?.printableStatus).not.toBe('Stopped');
  });

  it('a start whose instancetype conflicts with the template is held with FailedCreate and KubeVirt\'s conflict message', async () => {
    const store = await setup();
    await store.create({ apiVersion: 'instancetype.kubevirt.io/v1beta1', kind: 'VirtualMachineClusterInstancetype', metadata: { name: 'small' }, spec: { cpu: { guest: 1 }, memory: { guest: '64Mi' } } });
    const vm = manifest('Always');
    vm.spec.instancetype = { name: 'small' };
    // Admitted while the instancetype was missing; now both set the memory.
    await store.delete({ apiVersion: 'instancetype.kubevirt.io/v1beta1', kind: 'VirtualMachineClusterInstancetype' }, undefined, 'small');
    await store.create(vm);
    await store.create({ apiVersion: 'instancetype.kubevirt.io/v1beta1', kind: 'VirtualMachineClusterInstancetype', metadata: { name: 'small' }, spec: { cpu: { guest: 1 }, memory: { guest: '64Mi' } } });
    const held = await until('the FailedCreate condition', () => getVm(store), (v) => v.status?.conditions?.some((c) => c.type === 'Failure' && c.reason === 'FailedCreate') === true, 10_000);
    expect(held.status?.conditions?.find((c) => c.type === 'Failure')?.message).toContain('VM field(s) spec.template.spec.domain.resources.requests.memory conflicts with selected instance type');
    expect(await getVmi(store)).toBeUndefined();
  });

  it('a VM started, stopped and started again: its Events with reasons and counts (the repeated start is one Event, count 2)', async () => {
    const store = await setup();
    await store.create(manifest('Always'));
    const first = await liveVmi(store);
    const setStrategy = async (runStrategy: VirtualMachine['spec']['runStrategy']): Promise<void> => {
      const vm = await getVm(store);
      await store.update({ ...vm, spec: { ...vm.spec, runStrategy } });
    };
    await setStrategy('Halted');
    await until('the VMI gone', () => vmiControllerStandIn(store), (v) => v === undefined);
    await setStrategy('Always');
    await liveVmi(store, first?.metadata.uid);
    const vmEvents = async (): Promise<string[]> => (await store.list<KubeEvent>(EVENT_TYPE, { namespace: 'default' })).items
      .filter((e) => e.involvedObject.kind === 'VirtualMachine')
      .map((e) => `${e.type} ${e.reason} x${e.count}`).sort();
    expect(await until('the Events', vmEvents, (l) => l.includes('Normal SuccessfulCreate x2'))).toEqual(['Normal SuccessfulCreate x2', 'Normal SuccessfulDelete x1']);
  });

  it('two controllers at once create one VMI', async () => {
    const store = await setup(2);
    await store.create(manifest('Always'));
    await liveVmi(store);
    await new Promise((r) => setTimeout(r, 100));
    expect((await store.list(VMI_TYPE)).items).toHaveLength(1);
  });

  it('retries a status write that hit a 409 (a concurrent writer bumped the VM)', async () => {
    let bumped = false;
    const store = await setup(1, (kube) => Object.assign(Object.create(kube) as KubeApi, {
      updateStatus: async <T extends VirtualMachine>(object: T): Promise<T> => {
        if (!bumped) {
          bumped = true;
          await envs[0]?.store.patch(VM_TYPE, { namespace: 'default', name: 'web' }, { type: 'merge', body: { metadata: { labels: { bumped: 'yes' } } } });
        }
        return kube.updateStatus(object);
      },
    }));
    await store.create(manifest('Always'));
    await liveVmi(store);
    const vm = await until('status written', () => getVm(store), (v) => v.status?.created === true);
    expect(bumped).toBe(true);
    expect(vm.metadata.labels?.bumped).toBe('yes');
  });
});
