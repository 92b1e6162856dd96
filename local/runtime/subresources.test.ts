// kvt daemon's subresource calls end to end without guests: a client on the daemon's real socket →
// virt-api's subresources (webhooks/subresources) writing to the real in-memory store (admission on)
// as virt-api's service account → for pause/unpause the node handler, which sends the command over
// its connection to a launcher's real protocol server (the domain's states are published by the
// test's launcher, as its hypervisor watch would). The refusals carry KubeVirt's statuses and
// messages; a launcher that does not answer, or refuses, is a 500 saying so.
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ApiError } from '../../core/errors.js';
import type { KubeApi } from '../../core/kube.js';
import { createLogger } from '../../core/log.js';
import type { VirtualMachine, VirtualMachineInstance } from '../../crd-gen/index.js';
import { PROTOCOL_SOCKET, type HelloEvent, type LauncherCommand } from '../../launcher/protocol/index.js';
import { startProtocolServer, type ProtocolServer } from '../../launcher/protocol/runtime/server.js';
import { nodeHandlerController, type NodeHandler } from '../../reconcilers/node-handler/reconciler.js';
import { createEventBroadcaster } from '../../reconcilers/runtime/event-recorder.js';
import { fileLauncherAccess } from '../../reconcilers/node-handler/runtime/launcher-access.js';
import { drive, until, vmiCache } from '../../reconcilers/node-handler/runtime/harness.testing.js';
import { createMemoryStore, type MemoryStore } from '../../store/runtime/memory.js';
import { newRawVmi, withName } from '../../test/builders/vmi.js';
import { subresourceApi, type SubresourceRequest } from '../../webhooks/index.js';
import { connectApiSocket, type ApiSocketClient } from './api-client.js';
import { serveApiSocket } from './api-server.js';

const VMI_TYPE = { apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachineInstance' };
const VM_TYPE = { apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachine' };
const sa = (name: string, extra?: Record<string, string[]>): { username: string; groups: string[]; extra?: Record<string, string[]> } => ({
  username: `system:serviceaccount:kubevirt:${name}`, groups: ['system:serviceaccounts', 'system:authenticated'], ...(extra === undefined ? {} : { extra }),
});
const CONTROLLER = sa('kubevirt-controller');
const HANDLER = sa('kubevirt-handler', { 'authentication.kubernetes.io/node-name': ['n1'] });
const API_SERVER = sa('kubevirt-apiserver');
const log = createLogger({ name: 'kvt-daemon', level: 'silent' });
const time = (): string => new Date().toISOString();

/** How the test's launcher answers pause/resume. */
type Answer = 'normally' | 'never' | 'refusing';

let root = '';
let store: MemoryStore;
let client: ApiSocketClient;
const cleanups: (() => Promise<void> | void)[] = [];

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'kvt-subres-'));
  store = createMemoryStore();
  const vmis = await vmiCache(store.client(HANDLER));
  const runDirOf = (v: Readonly<VirtualMachineInstance>): string => join(root, v.metadata.uid ?? 'x');
  const events = createEventBroadcaster({ kube: store.client(HANDLER), log });
  const handler: NodeHandler = nodeHandlerController({
    kube: store.client(HANDLER), log, now: () => new Date(), events: events.recorder('virt-handler', 'n1'), nodeName: 'n1', vmis,
    launchers: fileLauncherAccess({ runDirOf, connection: { backoffMs: { min: 20, max: 100 }, replyTimeoutMs: 300 } }),
  });
  const driven = drive(handler);
  const api = subresourceApi({ kube: store.client(API_SERVER), log, handlerOf: (node) => (node === 'n1' ? handler : undefined) });
  const server = await serveApiSocket(join(root, 'kvt.sock'), store, { subresource: api });
  client = await connectApiSocket(server.path);
  cleanups.push(() => vmis.stop(), () => driven.stop(), () => handler.reconciler.close?.(), () => events.stop(), () => server.close(), () => client.close());
});

afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
  await store.close();
  await rm(root, { recursive: true, force: true });
});

/** A launcher's protocol end in the VMI's run dir; pause/resume change the published domain state. */
async function launcherOf(vmi: VirtualMachineInstance, answer: Answer): Promise<{ server: ProtocolServer; commands: string[] }> {
  const runDir = join(root, vmi.metadata.uid ?? 'x');
  await mkdir(runDir, { recursive: true });
  const hello: HelloEvent = {
    type: 'hello', protocol: 2, vmi: { namespace: 'default', name: vmi.metadata.name ?? '', uid: vmi.metadata.uid ?? '' },
    domain: `default_${vmi.metadata.name ?? ''}`, pid: process.pid, consoleSocket: join(runDir, 'console.sock'), hypervisor: 'qemu',
  };
  const commands: string[] = [];
  const server: ProtocolServer = await startProtocolServer(join(runDir, PROTOCOL_SOCKET), hello, (command: LauncherCommand['command']) => {
    commands.push(command);
    if (answer === 'never') return new Promise(() => undefined);
    if (answer === 'refusing') return Promise.reject(new Error('Requested operation is not valid: domain is not running'));
    if (command === 'pause') server.publish({ type: 'domain', state: 'Paused', reason: 'User', time: time() });
    if (command === 'resume') server.publish({ type: 'domain', state: 'Running', reason: 'Unpaused', time: time() });
    return Promise.resolve();
  });
  server.publish({ type: 'phase', phase: 'Running', time: time() });
  server.publish({ type: 'domain', state: 'Running', reason: 'Booted', time: time() });
  cleanups.push(() => server.close());
  return { server, commands };
}

const get = (name: string): Promise<VirtualMachineInstance> => store.get<VirtualMachineInstance>(VMI_TYPE, 'default', name);

/** A VMI the VMI controller scheduled to `node`. */
async function scheduledVmi(name: string, node = 'n1', edit: (v: VirtualMachineInstance) => void = () => undefined): Promise<VirtualMachineInstance> {
  const created = await store.create(newRawVmi(withName(name, 'default'), (v) => { delete v.metadata.uid; edit(v); }));
  return store.client(CONTROLLER).updateStatus<VirtualMachineInstance>({ ...created, status: { phase: 'Scheduled', nodeName: node } });
}

/** A VMI the handler reports Running, with its launcher. */
async function runningVmi(name: string, answer: Answer = 'normally'): Promise<{ commands: string[] }> {
  const vmi = await scheduledVmi(name);
  const launcher = await launcherOf(vmi, answer);
  await until(`${name} Running`, async () => ((await get(name)).status?.phase === 'Running' ? true : undefined));
  return launcher;
}

const vmiCall = (name: string, subresource: 'pause' | 'unpause'): SubresourceRequest => ({ resource: 'virtualmachineinstances', namespace: 'default', name, subresource });

async function refusal(request: SubresourceRequest): Promise<{ status: number; reason: string; message: string }> {
  const e = await client.subresource(request).then(() => undefined, (err: unknown) => err);
  if (!(e instanceof ApiError)) throw new Error(`expected an ApiError, got ${String(e)}`);
  return { status: e.status, reason: e.reason, message: e.message };
}

const pausedCondition = async (name: string): Promise<unknown> => (await get(name)).status?.conditions?.find((c) => c.type === 'Paused');

describe('kvt daemon: pause and unpause through virt-handler', () => {
  it('pauses a Running VMI (the handler then reports Paused), refuses a second pause, unpauses, refuses a second unpause', async () => {
    const { commands } = await runningVmi('a');
    await client.subresource(vmiCall('a', 'pause'));
    expect(commands).toEqual(['pause']);
    const paused = await until('the Paused condition', () => pausedCondition('a'));
    expect(paused).toMatchObject({ status: 'True', reason: 'PausedByUser' });
    expect(await refusal(vmiCall('a', 'pause'))).toEqual({ status: 409, reason: 'Conflict', message: 'VMI is already paused' });

    await client.subresource(vmiCall('a', 'unpause'));
    expect(commands).toEqual(['pause', 'resume']);
    await until('the Paused condition gone', async () => ((await pausedCondition('a')) === undefined ? true : undefined));
    expect(await refusal(vmiCall('a', 'unpause'))).toEqual({ status: 409, reason: 'Conflict', message: 'VMI is not paused' });
    expect(commands).toEqual(['pause', 'resume']);
  });

  it.each<['pause' | 'unpause', string]>([
    ['pause', 'VM is not running'],
    ['unpause', 'VMI is not running'],
  ])('refuses %s of a VMI that is not Running with 409 "%s"', async (subresource, message) => {
    await scheduledVmi('s', 'n2');
    expect(await refusal(vmiCall('s', subresource))).toEqual({ status: 409, reason: 'Conflict', message });
  });

  it.each(['pause', 'unpause'] as const)('answers %s of a VMI that does not exist with 404', async (subresource) => {
    expect(await refusal(vmiCall('nope', subresource))).toEqual({ status: 404, reason: 'NotFound', message: 'virtualmachineinstance.kubevirt.io "nope" not found' });
  });

  it('forbids pausing a VMI with a liveness probe, as KubeVirt does', async () => {
    const vmi = await scheduledVmi('probed', 'n1', (v) => { v.spec.livenessProbe = { tcpSocket: { port: 22 } }; });
    await launcherOf(vmi, 'normally');
    await until('probed Running', async () => ((await get('probed')).status?.phase === 'Running' ? true : undefined));
    expect(await refusal(vmiCall('probed', 'pause'))).toEqual({ status: 403, reason: 'Forbidden', message: 'Pausing VMIs with LivenessProbe is currently not supported' });
  });

  it('says so when the launcher does not answer, or refuses', async () => {
    await runningVmi('mute', 'never');
    const mute = await refusal(vmiCall('mute', 'pause'));
    expect(mute).toMatchObject({ status: 500, reason: 'InternalError' });
    expect(mute.message).toMatch(/^Internal error occurred: the launcher of VMI default\/mute did not answer: no reply to pause from the launcher at .*launcher\.sock within 0\.3 s$/);

    await runningVmi('stubborn', 'refusing');
    expect(await refusal(vmiCall('stubborn', 'pause'))).toEqual({
      status: 500, reason: 'InternalError',
      message: 'Internal error occurred: the launcher of VMI default/stubborn could not pause: Requested operation is not valid: domain is not running',
    });
  });

  it('names the node when no virt-handler serves it', async () => {
    const vmi = await scheduledVmi('far', 'n2');
    // The VMI controller's view of a VMI on another node that runs (no handler here to report it).
    await store.client(HANDLER).updateStatus<VirtualMachineInstance>({ ...(await get('far')), status: { ...vmi.status, phase: 'Running' } });
    expect(await refusal(vmiCall('far', 'pause'))).toEqual({ status: 500, reason: 'InternalError', message: 'Internal error occurred: no virt-handler serves node "n2" of VMI default/far' });
  });
});

describe('kvt daemon: VM start, stop and restart', () => {
  const vm = (name: string, runStrategy: string): VirtualMachine => ({
    apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachine', metadata: { name, namespace: 'default' },
    spec: { runStrategy, template: { spec: { domain: { devices: {}, resources: { requests: { memory: '64Mi' } } } } } },
  } as VirtualMachine);
  const vmCall = (name: string, subresource: 'start' | 'stop' | 'restart', paused?: boolean): SubresourceRequest => ({ resource: 'virtualmachines', namespace: 'default', name, subresource, ...(paused === undefined ? {} : { paused }) });
  const kube = (): KubeApi => store;

  it('starts a Halted VM by patching its run strategy, and stops it again', async () => {
    await kube().create(vm('web', 'Halted'));
    await client.subresource(vmCall('web', 'start'));
    expect((await kube().get<VirtualMachine & { kind: string; apiVersion: string }>(VM_TYPE, 'default', 'web')).spec.runStrategy).toBe('Always');
    await client.subresource(vmCall('web', 'stop'));
    expect((await kube().get<VirtualMachine & { kind: string; apiVersion: string }>(VM_TYPE, 'default', 'web')).spec.runStrategy).toBe('Halted');
  });

  it('asks the controller for a paused start of a Halted VM in its status', async () => {
    await kube().create(vm('paused', 'Halted'));
    await client.subresource(vmCall('paused', 'start', true));
    const after = await kube().get<VirtualMachine & { kind: string; apiVersion: string }>(VM_TYPE, 'default', 'paused');
    expect(after.status?.stateChangeRequests).toEqual([{ action: 'Start', data: { paused: 'true' } }]);
  });

  it.each<[string, string, 'start' | 'stop' | 'restart', { status: number; reason: string; message: string }]>([
    ['a missing VM', '', 'start', { status: 404, reason: 'NotFound', message: 'virtualmachine.kubevirt.io "gone" not found' }],
    ['an Always VM', 'Always', 'start', { status: 409, reason: 'Conflict', message: 'Always does not support manual start requests' }],
    ['a Manual VM without VMI', 'Manual', 'stop', { status: 409, reason: 'Conflict', message: 'VM is not running' }],
    ['a Halted VM', 'Halted', 'restart', { status: 409, reason: 'Conflict', message: 'RunStategy Halted does not support manual restart requests' }],
  ])('refuses %s with KubeVirt\'s answer', async (_name, strategy, subresource, expected) => {
    if (strategy !== '') await kube().create(vm('gone', strategy));
    expect(await refusal(vmCall('gone', subresource))).toEqual(expected);
  });

  it('refuses a malformed call with a 400 naming the field', async () => {
    const bad = { resource: 'virtualmachines', namespace: 'default', name: 'x', subresource: 'stop', paused: true } as unknown as SubresourceRequest;
    expect(await refusal(bad)).toEqual({ status: 400, reason: 'BadRequest', message: '"paused" is an option of start only' });
  });
});
