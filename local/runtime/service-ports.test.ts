// The local mode's Service ports against a real in-memory API: a Service selecting a pod whose IP
// is loopback (an echo server there stands in for the guest) is served on 127.0.0.1, its ports are
// written to the annotation, and a deleted Service's port is closed.
import { createConnection, createServer, type Server } from 'node:net';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../core/kube.js';
import { ExternalGvk } from '../../crd-gen/index.js';
import { createInformer } from '../../reconcilers/runtime/informer.js';
import { createMemoryStore, type MemoryStore } from '../../store/runtime/memory.js';
import { HOST_PORTS_ANNOTATION, type PodLike } from '../services/host-ports.js';
import { startServicePorts, type ServicePorts } from './service-ports.js';

const SERVICE = { apiVersion: 'v1', kind: 'Service' } as const;

function ask(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const c = createConnection({ host: '127.0.0.1', port }, () => c.write(text));
    c.once('data', (d: Buffer) => { resolve(d.toString()); c.destroy(); });
    c.once('error', reject);
    c.once('close', () => resolve(''));
  });
}

async function until<T>(probe: () => Promise<T> | T, ok: (v: T) => boolean): Promise<T> {
  for (let i = 0; i < 200; i += 1) {
    const v = await probe();
    if (ok(v)) return v;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error('timed out');
}

describe('startServicePorts', () => {
  let store: MemoryStore;
  let echo: Server;
  let echoPort = 0;
  let ports: ServicePorts | undefined;
  const stops: (() => void)[] = [];

  beforeEach(async () => {
    store = createMemoryStore();
    echo = createServer((s) => s.on('data', (d: Buffer) => s.write(`guest:${d.toString()}`)));
    await new Promise<void>((r) => echo.listen(0, '127.0.0.1', r));
    const a = echo.address();
    echoPort = typeof a === 'object' && a !== null ? a.port : 0;
  });

  afterEach(async () => {
    await ports?.stop();
    for (const stop of stops.splice(0)) stop();
    await new Promise((r) => echo.close(r));
    await store.close();
  });

  it('serves a Service port on 127.0.0.1 and forwards to a selected Running pod', async () => {
    const kube = store.client();
    await kube.create({ ...ExternalGvk.Pod, metadata: { name: 'virt-launcher-web-abc', namespace: 'default', labels: { app: 'web', 'kubevirt.io': 'virt-launcher' } }, spec: { containers: [{ name: 'compute' }] } } as KubeObject);
    await kube.patch(ExternalGvk.Pod, { namespace: 'default', name: 'virt-launcher-web-abc', subresource: 'status' }, { type: 'merge', body: { status: { phase: 'Running', podIP: '127.0.0.1' } } });
    const pods = createInformer<PodLike & KubeObject>(kube, ExternalGvk.Pod);
    await pods.start();
    stops.push(() => pods.stop());
    ports = await startServicePorts({ kube, pods, log: pino({ level: 'silent' }) });

    await kube.create({ ...SERVICE, metadata: { name: 'web', namespace: 'default' }, spec: { selector: { app: 'web' }, ports: [{ protocol: 'TCP', port: 80, targetPort: echoPort }] } } as KubeObject);
    const annotated = await until(async () => (await kube.get<KubeObject & { metadata: { annotations?: Record<string, string> } }>(SERVICE, 'default', 'web')).metadata.annotations?.[HOST_PORTS_ANNOTATION], (v) => v !== undefined);
    const hostPort = Number(/^80:(\d+)$/.exec(annotated ?? '')?.[1]);
    expect(hostPort).toBeGreaterThan(0);
    expect(await ask(hostPort, 'hi')).toBe('guest:hi');

    await kube.delete(SERVICE, 'default', 'web');
    await until(() => ask(hostPort, 'x').catch((e: Error) => e.message), (v) => /ECONNREFUSED/.test(v));
  });

  it('closes a connection when no pod is selected', async () => {
    const kube = store.client();
    const pods = createInformer<PodLike & KubeObject>(kube, ExternalGvk.Pod);
    await pods.start();
    stops.push(() => pods.stop());
    ports = await startServicePorts({ kube, pods, log: pino({ level: 'silent' }) });
    await kube.create({ ...SERVICE, metadata: { name: 'none', namespace: 'default' }, spec: { selector: { app: 'nothing' }, ports: [{ port: 81, targetPort: echoPort }] } } as KubeObject);
    const annotated = await until(async () => (await kube.get<KubeObject & { metadata: { annotations?: Record<string, string> } }>(SERVICE, 'default', 'none')).metadata.annotations?.[HOST_PORTS_ANNOTATION], (v) => v !== undefined);
    expect(await ask(Number(/^81:(\d+)$/.exec(annotated ?? '')?.[1]), 'x')).toBe('');
  });
});
