// kvt start/stop/restart/pause/unpause as a user runs them, against a real daemon socket serving the
// in-memory store and virt-api's subresources (no virt-handler: the handler's side is
// local/runtime/subresources.test.ts's): what each prints and its exit code.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../core/log.js';
import type { VirtualMachine, VirtualMachineInstance } from '../../crd-gen/index.js';
import type { MemoryStore } from '../../store/runtime/memory.js';
import { startSocketDaemon, type KvtRun, type SocketDaemon } from '../socket-daemon.testing.js';
import { newRawVmi, withName } from '../../test/builders/vmi.js';
import { subresourceApi } from '../../webhooks/index.js';

let store: MemoryStore;
let daemon: SocketDaemon;

beforeAll(async () => {
  daemon = await startSocketDaemon('lifecycle', (kube) => subresourceApi({ kube, log: createLogger({ name: 'virt-api', level: 'silent' }), handlerOf: () => undefined }));
  ({ store } = daemon);
  const vm: VirtualMachine = {
    apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachine', metadata: { name: 'web', namespace: 'default' },
    spec: { runStrategy: 'Halted', template: { spec: { domain: { devices: {}, resources: { requests: { memory: '64Mi' } } } } } },
  };
  await store.create(vm);
  const vmi = await store.create(newRawVmi(withName('v', 'default'), (v) => { delete v.metadata.uid; }));
  await store.updateStatus<VirtualMachineInstance>({ ...vmi, status: { phase: 'Running', nodeName: 'local' } });
});

afterAll(() => daemon.close());

const kvt = (...args: string[]): Promise<KvtRun> => daemon.kvt(...args);

describe('kvt start|stop|restart', () => {
  it('starts a Halted VM, then refuses a second start with KubeVirt\'s message', async () => {
    expect(await kvt('start', 'web')).toEqual({ code: 0, out: 'VM web was scheduled to start\n', err: '' });
    expect(await kvt('start', 'web')).toEqual({ code: 1, out: '', err: 'Error: Always does not support manual start requests\n' });
    expect(await kvt('restart', 'web')).toEqual({ code: 1, out: '', err: 'Error: VM is not running: Halted\n' });
    expect(await kvt('stop', 'web')).toEqual({ code: 0, out: 'VM web was scheduled to stop\n', err: '' });
  });

  it.each(['start', 'stop', 'restart'])('kvt %s of a missing VM says it is not found', async (verb) => {
    expect(await kvt(verb, 'nope')).toEqual({ code: 1, out: '', err: 'Error: virtualmachine.kubevirt.io "nope" not found\n' });
  });
});

describe('kvt pause|unpause', () => {
  it.each(['pause', 'unpause'])('kvt %s of a missing VMI says it is not found, in both forms', async (verb) => {
    const line = `Error ${verb === 'pause' ? 'pausing' : 'unpausing'} VirtualMachineInstance nope: virtualmachineinstance.kubevirt.io "nope" not found\n`;
    expect(await kvt(verb, 'nope')).toEqual({ code: 1, out: '', err: line });
    expect(await kvt(verb, 'vmi', 'nope')).toEqual({ code: 1, out: '', err: line });
  });

  it('kvt unpause of a running VMI is one line with KubeVirt\'s message and exit 1', async () => {
    expect(await kvt('unpause', 'vmi', 'v')).toEqual({ code: 1, out: '', err: 'Error unpausing VirtualMachineInstance v: VMI is not paused\n' });
    expect(await kvt('unpause', 'v')).toEqual({ code: 1, out: '', err: 'Error unpausing VirtualMachineInstance v: VMI is not paused\n' });
  });

  it('kvt pause vm of a Halted VM says it is not set to run; of a missing VM that it is not there', async () => {
    expect(await kvt('pause', 'vm', 'web')).toEqual({ code: 1, out: '', err: 'Error pausing VirtualMachineInstance web. VirtualMachine web is not set to run\n' });
    expect(await kvt('pause', 'vm', 'ghost')).toEqual({ code: 1, out: '', err: 'Error getting VirtualMachine ghost: virtualmachines.kubevirt.io "ghost" not found\n' });
  });

  it('kvt pause that reaches no virt-handler says which node has none', async () => {
    expect(await kvt('pause', 'vmi', 'v')).toEqual({ code: 1, out: '', err: 'Error pausing VirtualMachineInstance v: Internal error occurred: no virt-handler serves node "local" of VMI default/v\n' });
  });

  it.each([
    [['pause'], /name a VM or VMI/],
    [['pause', 'pod', 'x'], /unsupported resource type "pod"/],
    [['unpause', 'vm', 'a', 'b'], /name a VM or VMI/],
  ])('kvt %j is a usage error', async (args, message) => {
    const r = await kvt(...args);
    expect(r.code).not.toBe(0);
    expect(r.out).toBe('');
    expect(r.err).toMatch(message);
  });

  it('takes no --run-root any more (the daemon finds the launcher)', async () => {
    const r = await kvt('pause', 'v', '--run-root', '/run/kvt');
    expect(r.code).not.toBe(0);
    expect(r.err).toMatch(/^error: .*--run-root/);
  });
});
