/**
 * runVirtApi as `kvt virt-api` runs it: start from certificate files, serve, stop gracefully (new
 * connections refused, the request in flight answered), and refuse to start without a usable pair.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { WebhookRoute } from '../review-types.js';
import { runVirtApi, type VirtApiOptions } from './main.js';
import { createTestCa, type TestCa } from './pki.testing.js';
import { admissionReview, TEST_VALIDATING_ROUTE } from './routes.testing.js';
import { collectingLogger, send, slowRequest, writePair } from './server.testing.js';

let dir: string;
let ca: TestCa;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'kvt-virt-api-main-'));
  ca = createTestCa();
  writePair({ certFile: join(dir, 'tls.crt'), keyFile: join(dir, 'tls.key') }, ca.issue({ serial: '1001' }));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Starts runVirtApi; `stop()` asks it to stop, `exit` is its exit code. */
function start(extra: Partial<VirtApiOptions> = {}, routes: readonly WebhookRoute[] = [TEST_VALIDATING_ROUTE]) {
  const { log, lines } = collectingLogger('info');
  let stop = (): void => undefined;
  const stopRequested = new Promise<void>((resolve) => { stop = resolve; });
  let onListening = (_: AddressInfo): void => undefined;
  const listening = new Promise<AddressInfo>((resolve) => { onListening = resolve; });
  const exit = runVirtApi({
    certFile: join(dir, 'tls.crt'), keyFile: join(dir, 'tls.key'), address: '127.0.0.1', port: 0, routes, log, stopRequested, onListening, ...extra,
  });
  return { lines, stop: () => stop(), exit, listening };
}

const vmi = { apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachineInstance', metadata: { name: 'testvmi' }, spec: {} };

describe('runVirtApi', () => {
  it('serves until stopped, then finishes the request in flight and refuses new connections', async () => {
    const run = start();
    const { port } = await run.listening;
    expect((await send({ ca, port }, '/readyz')).status).toBe(200);
    const slow = slowRequest({ ca, port }, '/test-validate', JSON.stringify(admissionReview('uid-draining', vmi)));
    await slow.started;
    await new Promise((r) => setTimeout(r, 50));
    run.stop();
    await expect.poll(() => run.lines.some((l) => l['msg'] === 'Stopping admission webhook server; finishing requests in flight')).toBe(true);
    await expect(send({ ca, port }, '/healthz')).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    slow.finish();
    const res = await slow.response;
    expect(res.status).toBe(200);
    expect(res.headers['connection']).toBe('close');
    expect(JSON.parse(res.text)).toMatchObject({ response: { uid: 'uid-draining', allowed: true } });
    expect(await run.exit).toBe(0);
    expect(run.lines.map((l) => l['msg'])).toEqual(expect.arrayContaining(['Loaded serving certificate', 'Started admission webhook server', 'Admitted VirtualMachineInstance', 'Stopped admission webhook server']));
  });

  it('is ready once the objects directory is loaded', async () => {
    const objects = join(dir, 'objects');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(objects);
    writeFileSync(join(objects, 'preset.yaml'), 'apiVersion: kubevirt.io/v1\nkind: VirtualMachineInstancePreset\nmetadata: { name: small }\nspec: { selector: {} }\n');
    let seen: unknown;
    const probe: WebhookRoute = { ...TEST_VALIDATING_ROUTE, review: (body, ctx) => { seen = ctx.lookups.presets('default').map((p) => p.metadata?.name); return TEST_VALIDATING_ROUTE.review(body, ctx); } };
    const run = start({ objectsDir: objects }, [probe]);
    const { port } = await run.listening;
    await expect.poll(async () => (await send({ ca, port }, '/readyz')).status).toBe(200);
    await send({ ca, port }, '/test-validate', JSON.stringify(admissionReview('uid-objects', vmi)));
    expect(seen).toEqual(['small']);
    run.stop();
    expect(await run.exit).toBe(0);
  });

  it('exits 1 when the certificate pair cannot be loaded', async () => {
    writeFileSync(join(dir, 'tls.key'), ca.issue({ serial: '2002' }).keyPem);
    const run = start();
    expect(await run.exit).toBe(1);
    expect(run.lines).toContainEqual(expect.objectContaining({ level: 50, msg: 'Could not load serving certificate' }));
  });

  it('exits 1 when the port is taken', async () => {
    const first = start();
    const { port } = await first.listening;
    const second = start({ port });
    expect(await second.exit).toBe(1);
    expect(second.lines).toContainEqual(expect.objectContaining({ level: 50, msg: 'Could not start admission webhook server', err: expect.objectContaining({ code: 'EADDRINUSE' }) as unknown }));
    first.stop();
    expect(await first.exit).toBe(0);
  });
});
