/**
 * The webhook server over real HTTPS: a test CA, a client that trusts only it, and the answers the
 * apiserver can get (allow, deny with causes, patch, refusals), timeouts, metrics, probes and a
 * graceful close. Certificate rotation is in tls.test.ts.
 */
import { Agent } from 'node:https';
import { connect } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AdmissionReviewResponse } from '../review-types.js';
import { admissionReview, TEST_MUTATING_ROUTE, TEST_THROWING_ROUTE, TEST_VALIDATING_ROUTE } from './routes.testing.js';
import { createTestCa } from './pki.testing.js';
import { send, startTestServer, type TestServer } from './server.testing.js';

const ROUTES = [TEST_VALIDATING_ROUTE, TEST_MUTATING_ROUTE, TEST_THROWING_ROUTE];
const vmi = (spec: Record<string, unknown>): Record<string, unknown> => ({ apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachineInstance', metadata: { name: 'testvmi', namespace: 'default' }, spec });

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer({ routes: ROUTES });
});
afterAll(async () => s.stop());

const post = (path: string, body: unknown): ReturnType<typeof send> => send(s, path, JSON.stringify(body));
const review = (text: string): AdmissionReviewResponse => JSON.parse(text) as AdmissionReviewResponse;

describe('admission over HTTPS', () => {
  it('allows, answering with the request uid', async () => {
    const res = await post('/test-validate', admissionReview('uid-allow', vmi({})));
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/json');
    expect(review(res.text)).toEqual({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response: { uid: 'uid-allow', allowed: true } });
  });

  it('denies with 422 and the causes', async () => {
    const res = await post('/test-validate', admissionReview('uid-deny', vmi({ deny: true })));
    expect(res.status).toBe(200);
    expect(review(res.text).response).toEqual({
      uid: 'uid-deny',
      allowed: false,
      status: { code: 422, reason: 'Invalid', message: 'spec.deny: true is not allowed; set false', details: { causes: [{ type: 'FieldValueInvalid', field: 'spec.deny', message: 'spec.deny: true is not allowed; set false' }] } },
    });
  });

  it('returns a mutating route\'s JSON patch, built with the request\'s user and a fresh id', async () => {
    const first = review((await post('/test-mutate', admissionReview('uid-m1', vmi({})))).text).response;
    const second = review((await post('/test-mutate', admissionReview('uid-m2', vmi({})))).text).response;
    expect(first).toMatchObject({ uid: 'uid-m1', allowed: true, patchType: 'JSONPatch' });
    const ops = JSON.parse(Buffer.from(first.patch ?? '', 'base64').toString('utf8')) as { op: string; path: string; value: Record<string, string> }[];
    expect(ops).toHaveLength(1);
    expect(ops[0]).toMatchObject({ op: 'add', path: '/metadata/labels', value: { 'kubevirt.io/mutated-by': 'alice' } });
    expect(ops[0]?.value['kubevirt.io/id']).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(second.patch).not.toBe(first.patch);
  });

  it('logs one line per review with the request\'s identity, never the object', async () => {
    const marker = 'secret-user-data-marker';
    await post('/test-validate', admissionReview('uid-log', { ...vmi({ volumes: [{ cloudInitNoCloud: { userData: marker } }] }) }));
    const line = s.lines.find((l) => l['uid'] === 'uid-log');
    expect(line).toMatchObject({ level: 30, msg: 'Admitted VirtualMachineInstance', webhook: 'test-validator.kubevirt.io', kind: 'VirtualMachineInstance', namespace: 'default', name: 'testvmi', operation: 'CREATE', allowed: true });
    expect(typeof line?.['durationMs']).toBe('number');
    expect(JSON.stringify(s.lines)).not.toContain(marker);
  });

  it('answers a route that throws with a 500 denial carrying the uid, and logs the error', async () => {
    const res = await post('/test-throw', admissionReview('uid-throw', vmi({})));
    expect(res.status).toBe(200);
    expect(review(res.text).response).toMatchObject({ uid: 'uid-throw', allowed: false, status: { code: 500, reason: 'InternalError' } });
    expect(s.lines.find((l) => l['uid'] === 'uid-throw' && l['level'] === 50)).toMatchObject({ msg: 'Could not review VirtualMachineInstance', err: { message: 'route bug' } });
  });
});

describe('refusals', () => {
  it('refuses a malformed body with 400 and a message', async () => {
    const res = await send(s, '/test-validate', '{"apiVersion": "admission.k8s.io/v1", "kind": ');
    expect(res.status).toBe(400);
    expect(JSON.parse(res.text)).toMatchObject({ kind: 'Status', status: 'Failure', code: 400, reason: 'BadRequest', message: expect.stringMatching(/^request body is not JSON: /) as unknown });
  });

  it('refuses an empty body with 400', async () => {
    expect((await send(s, '/test-validate', '')).status).toBe(400);
  });

  it('refuses a body over 3 MiB with 413, by its length and by what arrived', async () => {
    const big = Buffer.alloc(3 * 1024 * 1024 + 1, 0x20);
    const declared = await send(s, '/test-validate', big);
    expect(declared.status).toBe(413);
    expect(JSON.parse(declared.text)).toMatchObject({ code: 413, reason: 'RequestEntityTooLarge' });
    const chunked = await send(s, '/test-validate', big, { headers: { 'transfer-encoding': 'chunked' } });
    expect(chunked.status).toBe(413);
  });

  it('accepts a body of exactly 3 MiB', async () => {
    const body = JSON.stringify(admissionReview('uid-3mib', vmi({})));
    const padded = body + ' '.repeat(3 * 1024 * 1024 - Buffer.byteLength(body));
    const res = await send(s, '/test-validate', padded);
    expect(res.status).toBe(200);
    expect(review(res.text).response.uid).toBe('uid-3mib');
  });

  it('refuses other methods on a webhook path with 405 and Allow: POST', async () => {
    const res = await send(s, '/test-validate', undefined, { method: 'GET' });
    expect(res.status).toBe(405);
    expect(res.headers['allow']).toBe('POST');
    expect(JSON.parse(res.text)).toMatchObject({ code: 405, reason: 'MethodNotAllowed' });
    expect((await send(s, '/healthz', '{}', { method: 'POST' })).status).toBe(405);
  });

  it('refuses unknown paths with 404', async () => {
    const res = await post('/virtualmachineinstances-nope', admissionReview('uid-404', vmi({})));
    expect(res.status).toBe(404);
    expect(JSON.parse(res.text)).toMatchObject({ code: 404, reason: 'NotFound' });
  });

  it('refuses a non-JSON content type with 415', async () => {
    const res = await send(s, '/test-validate', '{}', { headers: { 'content-type': 'application/yaml' } });
    expect(res.status).toBe(415);
    const withCharset = await send(s, '/test-validate', JSON.stringify(admissionReview('uid-cs', vmi({}))), { headers: { 'content-type': 'application/json; charset=utf-8' } });
    expect(withCharset.status).toBe(200);
  });
});

describe('probes and metrics', () => {
  it('answers /healthz and /readyz', async () => {
    expect(await send(s, '/healthz')).toMatchObject({ status: 200, text: 'ok\n' });
    expect(await send(s, '/readyz')).toMatchObject({ status: 200, text: 'ok\n' });
  });

  it('counts requests by webhook and result, and their latency', async () => {
    const res = await send(s, '/metrics');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    expect(res.text).toMatch(/^kvt_admission_requests_total\{webhook="test-validator.kubevirt.io",result="allowed"\} [1-9]/m);
    expect(res.text).toMatch(/^kvt_admission_requests_total\{webhook="test-validator.kubevirt.io",result="denied"\} 1$/m);
    expect(res.text).toMatch(/^kvt_admission_requests_total\{webhook="test-validator.kubevirt.io",result="error"\} [1-9]/m);
    expect(res.text).toMatch(/^kvt_admission_requests_total\{webhook="test-thrower.kubevirt.io",result="error"\} 1$/m);
    expect(res.text).toMatch(/^kvt_admission_requests_total\{webhook="test-mutator.kubevirt.io",result="allowed"\} 2$/m);
    expect(res.text).toMatch(/^kvt_admission_request_duration_seconds_bucket\{le="0.005",webhook="test-validator.kubevirt.io"\} [1-9]/m);
  });

  it('is not ready until the lookups are loaded', async () => {
    let loaded = false;
    const t = await startTestServer({ routes: ROUTES, lookups: { current: () => { throw new Error('unused'); }, ready: () => loaded, close: () => undefined } });
    try {
      expect(await send(t, '/readyz')).toMatchObject({ status: 503, text: 'admission objects not loaded yet\n' });
      loaded = true;
      expect((await send(t, '/readyz')).status).toBe(200);
    } finally {
      await t.stop();
    }
  });
});

describe('TLS', () => {
  it('is trusted through the test CA only', async () => {
    const stranger = createTestCa('another CA');
    await expect(send({ ca: stranger, port: s.port }, '/healthz')).rejects.toMatchObject({ code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' });
    await expect(send({ ca: s.ca, port: s.port }, '/healthz')).resolves.toMatchObject({ status: 200, serial: '1001' });
  });

  it('speaks TLS 1.2 and 1.3, nothing older', async () => {
    const protocol = (maxVersion: 'TLSv1.2' | 'TLSv1.3' | 'TLSv1.1', minVersion: 'TLSv1' | 'TLSv1.2' | 'TLSv1.3'): Promise<string> => new Promise((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port: s.port, ca: [s.ca.certPem], servername: 'localhost', maxVersion, minVersion }, () => {
        resolve(socket.getProtocol() ?? '');
        socket.end();
      });
      socket.on('error', reject);
    });
    expect(await protocol('TLSv1.3', 'TLSv1.3')).toBe('TLSv1.3');
    expect(await protocol('TLSv1.2', 'TLSv1.2')).toBe('TLSv1.2');
    await expect(protocol('TLSv1.1', 'TLSv1')).rejects.toThrow();
  });
});

/** Opens a TLS connection, writes `text`, and collects what comes back until the server closes it. */
function rawExchange(server: TestServer, text: string): Promise<{ data: string; ms: number }> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port: server.port, ca: [server.ca.certPem], servername: 'localhost' }, () => socket.write(text));
    let data = '';
    socket.on('data', (c: Buffer) => { data += c.toString('utf8'); });
    socket.on('close', () => resolve({ data, ms: Date.now() - started }));
    socket.on('error', reject);
  });
}

describe('slow clients', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ routes: ROUTES, limits: { headersTimeoutMs: 300, requestTimeoutMs: 600 } });
  });
  afterAll(async () => t.stop());

  it('times out a client that never finishes its headers', async () => {
    const { data, ms } = await rawExchange(t, 'POST /test-validate HTTP/1.1\r\nHost: localhost\r\n');
    expect(data).toMatch(/^HTTP\/1\.1 408 /);
    expect(ms).toBeLessThan(3000);
  });

  it('keeps an idle keep-alive connection past those timeouts', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const first = await send(t, '/test-validate', JSON.stringify(admissionReview('uid-idle-1', vmi({}))), { agent });
      await new Promise((r) => setTimeout(r, 1000));
      const second = await send(t, '/test-validate', JSON.stringify(admissionReview('uid-idle-2', vmi({}))), { agent });
      expect([first.status, second.status]).toEqual([200, 200]);
      expect(second.reusedSocket).toBe(true);
    } finally {
      agent.destroy();
    }
  });

  it('times out a client that never finishes its body', async () => {
    const { data, ms } = await rawExchange(t, 'POST /test-validate HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"kind":');
    expect(data).toMatch(/^HTTP\/1\.1 408 /);
    expect(ms).toBeGreaterThanOrEqual(500);
    expect(ms).toBeLessThan(3000);
  });
});
