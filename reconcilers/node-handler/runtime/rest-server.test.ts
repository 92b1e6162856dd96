// virt-handler's REST endpoint and virt-api's client of it, over real mutual TLS on loopback with the
// certificates synth issues: pause/unpause reach the handler's lifecycle for its own VMI only, the
// console is a websocket joined to a real unix socket (standing in for the launcher's console), and a
// client or a server without the other side's certificate name is refused.
import { request as httpsRequest } from 'node:https';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../../core/log.js';
import { Gvk, type VirtualMachineInstance } from '../../../crd-gen/index.js';
import { createMemoryStore } from '../../../store/runtime/memory.js';
import { generateComponentPki, type ComponentPki } from '../../../synth/install/pki.js';
import { createHandlerClient, type HandlerClient } from '../../../webhooks/runtime/handler-client.js';
import { createInformer, type Informer } from '../../runtime/informer.js';
import type { LifecycleAction } from '../reconciler.js';
import { createHandlerRestServer, type HandlerRestServer } from './rest-server.js';

const log = createLogger({ name: 'test', level: 'silent' });
const NODE = 'node-a';

let dir = '';
let pki: ComponentPki;
let server: HandlerRestServer;
let port = 0;
let console: Server;
let informer: Informer<VirtualMachineInstance>;
let client: HandlerClient;
let vmi: VirtualMachineInstance;
/** A VMI whose pod-network address is loopback, and the port a real TCP listener there serves. */
let web: VirtualMachineInstance;
let guest: Server;
let guestPort = 0;
/** A guest service that answers once and closes at once (as an HTTP/1.0 server does). */
let oneShot: Server;
let oneShotPort = 0;
/** A port nothing listens on (a listener's, closed again). */
let closedPort = 0;
const calls: string[] = [];
const store = createMemoryStore({ admission: false });

async function writeCerts(at: string, cert: string, key: string, ca: string): Promise<string> {
  const sub = join(dir, at);
  await mkdir(sub);
  await Promise.all([writeFile(join(sub, 'tls.crt'), cert), writeFile(join(sub, 'tls.key'), key), writeFile(join(sub, 'ca.crt'), ca)]);
  return sub;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kvt-handler-rest-'));
  pki = generateComponentPki(1);
  // The launcher's console: a banner, then every line back in capitals.
  console = createServer((s) => {
    s.write('login: ');
    s.on('data', (b: Buffer) => s.write(b.toString().toUpperCase()));
  });
  await new Promise<void>((done) => console.listen(join(dir, 'console.sock'), done));
  const created = await store.create<VirtualMachineInstance & { apiVersion: string; kind: string }>({ ...Gvk.VirtualMachineInstance, metadata: { name: 'demo', namespace: 'default' }, spec: { domain: { devices: {} } } });
  vmi = await store.updateStatus({ ...created, status: { phase: 'Running', nodeName: NODE } });
  await store.create({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'virt-handler-x', namespace: 'kubevirt', labels: { app: 'virt-handler' } }, spec: { nodeName: NODE, containers: [{ name: 'h', image: 'i' }] } });
  const pod = await store.get<{ apiVersion: string; kind: string; metadata: { name: string }; status?: object }>({ apiVersion: 'v1', kind: 'Pod' }, 'kubevirt', 'virt-handler-x');
  await store.updateStatus({ ...pod, status: { phase: 'Running', podIP: '127.0.0.1' } });
  // The guest's service: a greeting, then every chunk back with its length.
  guest = createServer((s) => {
    s.write('hello\n');
    s.on('data', (b: Buffer) => s.write(`${b.length}:${b.toString()}`));
  });
  guestPort = await new Promise<number>((done) => guest.listen(0, '127.0.0.1', () => done((guest.address() as { port: number }).port)));
  oneShot = createServer((s) => s.end(`${'a'.repeat(100_000)}bye\n`));
  oneShotPort = await new Promise<number>((done) => oneShot.listen(0, '127.0.0.1', () => done((oneShot.address() as { port: number }).port)));
  const spare = createServer();
  closedPort = await new Promise<number>((done) => spare.listen(0, '127.0.0.1', () => done((spare.address() as { port: number }).port)));
  await new Promise((done) => spare.close(done));
  const webCreated = await store.create<VirtualMachineInstance & { apiVersion: string; kind: string }>({ ...Gvk.VirtualMachineInstance, metadata: { name: 'web', namespace: 'default' }, spec: { domain: { devices: {} } } });
  web = await store.updateStatus({ ...webCreated, status: { phase: 'Running', nodeName: NODE, interfaces: [{ name: 'default', ipAddress: '127.0.0.1', podInterfaceName: 'eth0' }] } });
  informer = createInformer<VirtualMachineInstance>(store, Gvk.VirtualMachineInstance);
  await informer.start();
  server = createHandlerRestServer({
    tls: { cert: Buffer.from(pki.handlerCertPem), key: Buffer.from(pki.handlerKeyPem), ca: Buffer.from(pki.caCertPem) },
    nodeName: NODE, vmis: informer, log,
    lifecycle: async (v, action: LifecycleAction) => {
      calls.push(`${v.metadata.uid ?? ''} ${action}`);
      return { ok: true };
    },
    consoleSocketOf: () => join(dir, 'console.sock'),
  });
  port = (await server.listen(0, '127.0.0.1')).port;
  const certDir = await writeCerts('api-client', pki.apiClientCertPem, pki.apiClientKeyPem, pki.caCertPem);
  client = createHandlerClient({ kube: store, namespace: 'kubevirt', selector: 'app=virt-handler', certDir, port, timeoutMs: 5000 });
}, 60_000);

afterAll(async () => {
  await server.close();
  informer.stop();
  console.close();
  guest.close();
  oneShot.close();
  await rm(dir, { recursive: true, force: true });
});

/** Reads from `stream` until `text` arrived. */
function readUntil(stream: Duplex, text: string): Promise<string> {
  return new Promise((done, failed) => {
    let seen = '';
    const timer = setTimeout(() => failed(new Error(`no ${JSON.stringify(text)} in ${JSON.stringify(seen)}`)), 5000);
    stream.on('data', (b: Buffer) => {
      seen += b.toString();
      if (seen.includes(text)) {
        clearTimeout(timer);
        done(seen);
      }
    });
  });
}

/** A PUT to the endpoint with the given client certificate (or none). */
function put(path: string, cert?: { cert: string; key: string }): Promise<number> {
  return new Promise((done, failed) => {
    const req = httpsRequest({ host: '127.0.0.1', port, path, method: 'PUT', ca: pki.caCertPem, checkServerIdentity: () => undefined, ...cert }, (res) => {
      res.resume();
      done(res.statusCode ?? 0);
    });
    req.on('error', failed);
    req.end();
  });
}

describe('virt-handler\'s REST endpoint, called by virt-api', () => {
  it('relays pause and unpause of its own VMI to the node handler', async () => {
    const endpoint = client.endpointOf(NODE);
    expect(await endpoint.lifecycle(vmi, 'pause')).toEqual({ ok: true });
    expect(await endpoint.lifecycle(vmi, 'unpause')).toEqual({ ok: true });
    expect(calls).toEqual([`${vmi.metadata.uid ?? ''} pause`, `${vmi.metadata.uid ?? ''} unpause`]);
  });

  it('answers 404 for a VMI it does not have (another uid of the name, another name)', async () => {
    const endpoint = client.endpointOf(NODE);
    expect(await endpoint.lifecycle({ ...vmi, metadata: { ...vmi.metadata, uid: 'someone-else' } }, 'pause')).toMatchObject({ ok: false, status: 404 });
    expect(await endpoint.lifecycle({ ...vmi, metadata: { ...vmi.metadata, name: 'other' } }, 'pause')).toMatchObject({ ok: false, status: 404 });
  });

  it('says so when no handler pod runs on the node', async () => {
    expect(await client.endpointOf('node-b').lifecycle(vmi, 'pause')).toEqual({ ok: false, status: 500, message: expect.stringContaining('no running virt-handler pod on node "node-b"') });
  });

  it('joins the console websocket to the launcher\'s console socket, both ways', async () => {
    const stream = await client.openConsole(vmi);
    await readUntil(stream, 'login: ');
    stream.write('root\n');
    expect(await readUntil(stream, 'ROOT')).toContain('ROOT');
    stream.destroy();
  });

  it('refuses the console of a VMI it does not have', async () => {
    await expect(client.openConsole({ ...vmi, metadata: { ...vmi.metadata, uid: 'someone-else' } })).rejects.toThrow(/refused the console \(404\)/);
  });

  it('joins a port-forward websocket to one TCP connection to the VMI\'s port at its pod-network address', async () => {
    const stream = await client.openPortForward(web, { port: guestPort, protocol: 'tcp' });
    await readUntil(stream, 'hello\n');
    stream.write('abc');
    expect(await readUntil(stream, '3:abc')).toContain('3:abc');
    const closed = new Promise((done) => stream.once('close', done));
    const served = await new Promise<number>((done) => guest.getConnections((_e, n) => done(n)));
    expect(served).toBe(1);
    stream.destroy();
    await closed;
  });

  it('delivers what the guest sent before it closed, then closes (the answer is not lost to the close)', async () => {
    for (let i = 0; i < 5; i += 1) {
      const stream = await client.openPortForward(web, { port: oneShotPort, protocol: 'tcp' });
      const text = await new Promise<string>((done) => {
        let seen = '';
        stream.on('data', (b: Buffer) => { seen += b.toString(); });
        stream.once('end', () => done(seen));
      });
      expect([text.length, text.endsWith('bye\n')]).toEqual([100_004, true]);
      stream.destroy();
    }
  });

  it('carries a megabyte both ways intact (backpressure, no loss)', async () => {
    const stream = await client.openPortForward(web, { port: guestPort, protocol: 'tcp' });
    await readUntil(stream, 'hello\n');
    const payload = Buffer.alloc(1024 * 1024, 'x');
    stream.write(payload);
    // The guest answers each chunk with "LEN:" and the chunk: count the x's that come back.
    const back = await new Promise<number>((done, failed) => {
      let xs = 0;
      const timer = setTimeout(() => failed(new Error(`only ${xs} bytes came back`)), 30_000);
      stream.on('data', (b: Buffer) => {
        for (const c of b) if (c === 0x78) xs += 1;
        if (xs >= payload.length) { clearTimeout(timer); done(xs); }
      });
    });
    expect(back).toBe(payload.length);
    stream.destroy();
  });

  it('refuses a port-forward to a port that refuses, naming the port and the reason', async () => {
    await expect(client.openPortForward(web, { port: closedPort, protocol: 'tcp' })).rejects.toThrow(
      new RegExp(`refused the port-forward to port ${closedPort} \\(502\\): could not connect to port ${closedPort} of VMI default/web at 127.0.0.1: .*ECONNREFUSED`),
    );
  });

  it('refuses a port-forward to a VMI it does not have, or one without a pod-network address', async () => {
    await expect(client.openPortForward({ ...web, metadata: { ...web.metadata, uid: 'someone-else' } }, { port: guestPort, protocol: 'tcp' })).rejects.toThrow(/\(404\)/);
    await expect(client.openPortForward(vmi, { port: guestPort, protocol: 'tcp' })).rejects.toThrow(/\(400\): cannot forward to port \d+ of VMI default\/demo: it has no IP address on the pod network/);
  });

  it('serves only virt-api: no certificate, or one of another name, is refused; the probe path is open', async () => {
    const path = '/v1/namespaces/default/virtualmachineinstances/demo/pause';
    expect(await put(path)).toBe(403);
    expect(await put(path, { cert: pki.handlerCertPem, key: pki.handlerKeyPem })).toBe(403);
    expect(await put(path, { cert: pki.apiClientCertPem, key: pki.apiClientKeyPem })).toBe(200);
    expect(await new Promise((done) => httpsRequest({ host: '127.0.0.1', port, path: '/healthz', rejectUnauthorized: false }, (res) => { res.resume(); done(res.statusCode); }).end())).toBe(200);
  });

  it('virt-api refuses a server that is not virt-handler (here one with virt-api\'s own client certificate)', async () => {
    const impostor = createHandlerRestServer({
      tls: { cert: Buffer.from(pki.apiClientCertPem), key: Buffer.from(pki.apiClientKeyPem), ca: Buffer.from(pki.caCertPem) },
      nodeName: NODE, vmis: informer, log, lifecycle: async () => ({ ok: true }), consoleSocketOf: () => join(dir, 'console.sock'),
    });
    const at = (await impostor.listen(0, '127.0.0.1')).port;
    const certDir = join(dir, 'api-client');
    const fooled = createHandlerClient({ kube: store, namespace: 'kubevirt', selector: 'app=virt-handler', certDir, port: at, timeoutMs: 5000 });
    expect(await fooled.endpointOf(NODE).lifecycle(vmi, 'pause')).toMatchObject({ ok: false, status: 500, message: expect.stringMatching(/not virt-handler|unsuitable certificate purpose/) });
    await impostor.close();
  });
});
