// kvt start/stop/restart/pause/unpause as a user runs them, against a real daemon socket serving the
// in-memory store and virt-api's subresources (no virt-handler: the handler's side is
// local/runtime/subresources.test.ts's): what each prints and its exit code.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../core/log.js';
import type { VirtualMachine, VirtualMachineInstance } from '../../crd-gen/index.js';
import { serveApiSocket, type ApiSocketServer } from '../../local/runtime/api-server.js';
import { createMemoryStore, type MemoryStore } from '../../store/runtime/memory.js';
import { newRawVmi, withName } from '../../test/builders/vmi.js';
import { subresourceApi } from '../../webhooks/index.js';
import { runKvt } from '../kvt.js';

let dir = '';
let store: MemoryStore;
let server: ApiSocketServer;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kvt-lifecycle-'));
  store = createMemoryStore();
  const api = subresourceApi({ kube: store, log: createLogger({ name: 'virt-api', level: 'silent' }), handlerOf: () => undefined });
  server = await serveApiSocket(join(dir, 'kvt.sock'), store, { subresource: api });
  const vm: VirtualMachine = {
    apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachine', metadata: { name: 'web', namespace: 'default' },
    spec: { runStrategy: 'Halted', template: { spec: { domain: { devices: {}, resources: { requests: { memory: '64Mi' } } } } } },
  };
  await store.create(vm);
  const vmi = await store.create(newRawVmi(withName('v', 'default'), (v) => { delete v.metadata.uid; }));
  await store.updateStatus<VirtualMachineInstance>({ ...vmi, status: { phase: 'Running', nodeName: 'local' } });
});

afterAll(async () => {
  await server.close();
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

async function kvt(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runKvt([...args, '--socket', server.path], { out: (t) => { out += t; }, err: (t) => { err += t; } });
  return { code, out, err };
}

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
  it.each(['pause', 'unpause'])('kvt %s of a missing VMI says it is not found', async (verb) => {
    expect(await kvt(verb, 'nope')).toEqual({ code: 1, out: '', err: 'Error: virtualmachineinstance.kubevirt.io "nope" not found\n' });
  });

  it('kvt unpause of a running VMI is one Error line and exit 1', async () => {
    expect(await kvt('unpause', 'v')).toEqual({ code: 1, out: '', err: 'Error: VMI is not paused\n' });
  });

  it('kvt pause that reaches no virt-handler says which node has none', async () => {
    expect(await kvt('pause', 'v')).toEqual({ code: 1, out: '', err: 'Error: Internal error occurred: no virt-handler serves node "local" of VMI default/v\n' });
  });

  it('takes no --run-root any more (the daemon finds the launcher)', async () => {
    const r = await kvt('pause', 'v', '--run-root', '/run/kvt');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^error: Unknown option '--run-root'/);
  });
});
