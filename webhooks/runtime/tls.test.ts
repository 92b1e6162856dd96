/**
 * Serving-certificate rotation over real HTTPS: new connections get a rewritten pair (signed by the
 * same test CA, another serial) while a request in flight on an old connection completes; a bad
 * new pair is logged and the old one kept.
 */
import { rmSync, writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { AdmissionReviewResponse } from '../review-types.js';
import { serialOf } from './pki.testing.js';
import { admissionReview, TEST_VALIDATING_ROUTE } from './routes.testing.js';
import { send, slowRequest, startTestServer, writePair, type TestServer } from './server.testing.js';
import { readServingCertificate, ServingCertificateError } from './tls.js';

let s: TestServer | undefined;
afterEach(async () => {
  await s?.stop();
  s = undefined;
});

/** Polls new connections until the server presents `serial` (or gives up after `ms`). */
async function waitForSerial(server: TestServer, serial: string, ms = 5000): Promise<string> {
  const until = Date.now() + ms;
  let seen = '';
  while (Date.now() < until) {
    seen = (await send(server, '/healthz')).serial;
    if (seen === serial) return seen;
    await new Promise((r) => setTimeout(r, 25));
  }
  return seen;
}

const vmi = { apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachineInstance', metadata: { name: 'testvmi' }, spec: {} };

describe('certificate rotation', () => {
  it('serves a rewritten pair to new connections while an in-flight request on the old one completes', async () => {
    s = await startTestServer({ routes: [TEST_VALIDATING_ROUTE] });
    expect((await send(s, '/healthz')).serial).toBe('1001');
    const slow = slowRequest(s, '/test-validate', JSON.stringify(admissionReview('uid-in-flight', vmi)));
    await slow.started;
    const next = s.ca.issue({ serial: '2002' });
    expect(serialOf(next.certPem)).toBe('2002');
    writePair(s.files, next);
    // Only the directory watch can see this: the fallback poll is a minute away.
    expect(await waitForSerial(s, '2002')).toBe('2002');
    slow.finish();
    const res = await slow.response;
    expect(res.status).toBe(200);
    expect(res.serial).toBe('1001');
    expect((JSON.parse(res.text) as AdmissionReviewResponse).response).toEqual({ uid: 'uid-in-flight', allowed: true });
    expect(s.lines).toContainEqual(expect.objectContaining({ msg: 'Reloaded serving certificate', serial: '2002' }));
  });

  it('keeps the old pair when the new files are not a certificate', async () => {
    s = await startTestServer({ routes: [TEST_VALIDATING_ROUTE] });
    writeFileSync(s.files.certFile, 'not a certificate');
    await s.watcher.check();
    expect((await send(s, '/healthz')).serial).toBe('1001');
    expect(s.lines).toContainEqual(expect.objectContaining({ level: 50, msg: 'Could not reload serving certificate; kept the previous one' }));
  });

  it('keeps the old pair when the new key does not match the new certificate, and takes the pair once it does', async () => {
    s = await startTestServer({ routes: [TEST_VALIDATING_ROUTE] });
    const other = s.ca.issue({ serial: '4004' });
    const next = s.ca.issue({ serial: '5005' });
    writeFileSync(s.files.certFile, next.certPem);
    writeFileSync(s.files.keyFile, other.keyPem);
    await s.watcher.check();
    expect((await send(s, '/healthz')).serial).toBe('1001');
    const mismatch = s.lines.find((l) => l['msg'] === 'Could not reload serving certificate; kept the previous one') as { err?: { message?: string } } | undefined;
    expect(mismatch?.err?.message).toMatch(/not a usable certificate and key pair: .*key values mismatch/);
    writeFileSync(s.files.keyFile, next.keyPem);
    await s.watcher.check();
    expect((await send(s, '/healthz')).serial).toBe('5005');
  });

  it('keeps serving when the files disappear', async () => {
    s = await startTestServer({ routes: [TEST_VALIDATING_ROUTE] });
    rmSync(s.files.keyFile);
    await s.watcher.check();
    expect((await send(s, '/healthz')).serial).toBe('1001');
  });
});

describe('readServingCertificate', () => {
  it('names both files when one is missing', async () => {
    await expect(readServingCertificate({ certFile: '/nonexistent/tls.crt', keyFile: '/nonexistent/tls.key' })).rejects.toThrow(ServingCertificateError);
    await expect(readServingCertificate({ certFile: '/nonexistent/tls.crt', keyFile: '/nonexistent/tls.key' })).rejects.toThrow('/nonexistent/tls.crt or /nonexistent/tls.key');
  });
});
