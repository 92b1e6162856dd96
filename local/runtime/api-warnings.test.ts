// Admission warnings travel from the in-memory API server's webhooks, over the daemon socket, to the
// writer's WriteOptions sink, as kube-apiserver's Warning headers reach kubectl: a VM whose
// instancetype is missing, a preset whose memory is never applied. A write without a sink is unchanged.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../core/kube.js';
import { createMemoryStore, type MemoryStore } from '../../store/runtime/memory.js';
import { parseResponse } from '../api-protocol.js';
import { connectApiSocket, type ApiSocketClient } from './api-client.js';
import { serveApiSocket, type ApiSocketServer } from './api-server.js';

let dir = '';
let store: MemoryStore;
let server: ApiSocketServer;
let kube: ApiSocketClient;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kvt-warnings-'));
  store = createMemoryStore({});
  server = await serveApiSocket(join(dir, 'kvt.sock'), store, {});
  kube = await connectApiSocket(server.path);
});

afterAll(async () => {
  kube.close();
  await server.close();
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

const vm = (name: string, instancetype?: string): KubeObject => ({
  apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachine', metadata: { name, namespace: 'default' },
  spec: { runStrategy: 'Halted', ...(instancetype === undefined ? {} : { instancetype: { name: instancetype } }), template: { spec: { domain: { devices: {}, resources: { requests: { memory: '64Mi' } } } } } },
} as KubeObject);

describe('admission warnings over the daemon socket', () => {
  it.each<[string, KubeObject, RegExp[]]>([
    ['a VM naming a missing instancetype', vm('sized', 'u1-small'), [/^spec\.instancetype: instancetype "u1-small" was not found cluster-wide/]],
    ['a VM without matchers', vm('plain'), []],
    ['a preset setting memory.guest', {
      apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachineInstancePreset', metadata: { name: 'small', namespace: 'default' },
      spec: { selector: {}, domain: { devices: {}, memory: { guest: '64M' } } },
    } as KubeObject, [/^spec\.domain\.memory\.guest: ignored/]],
  ])('create of %s', async (_name, object, expected) => {
    const warnings: string[] = [];
    await kube.create(object, { warnings });
    expect(warnings).toEqual(expected.map((r) => expect.stringMatching(r)));
  });

  it('server-side apply (a patch) carries them too; a write without a sink still works', async () => {
    const warnings: string[] = [];
    const object = vm('applied', 'missing');
    await kube.patch(object, { namespace: 'default', name: 'applied' }, { type: 'apply', body: object }, { fieldManager: 'kvt', force: true, warnings });
    expect(warnings).toEqual([expect.stringMatching(/^spec\.instancetype: instancetype "missing" was not found/)]);
    await expect(kube.create(vm('nosink', 'missing'))).resolves.toMatchObject({ metadata: { name: 'nosink' } });
  });

  it.each([
    ['{"id":1,"result":null,"warnings":["a"]}', { id: 1, result: null, warnings: ['a'] }],
    ['{"id":1,"result":{}}', { id: 1, result: {} }],
    ['{"id":1,"result":null,"warnings":[1]}', undefined],
  ])('the response line %s', (line, expected) => {
    const parsed = parseResponse(line);
    if (expected === undefined) expect(parsed).toMatch(/warnings/);
    else expect(parsed).toEqual(expected);
  });
});
