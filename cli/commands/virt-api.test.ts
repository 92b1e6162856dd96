// `kvt virt-api` as a cluster runs it: a separate process serving KubeVirt's webhook paths over
// HTTPS with a certificate from a test CA, answering real admission reviews, and stopping cleanly
// on SIGTERM; bad command lines are refused with usage.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AdmissionReviewResponse } from '../../webhooks/review-types.js';
import type { TestCa } from '../../webhooks/runtime/pki.testing.js';
import { admissionReview } from '../../webhooks/runtime/routes.testing.js';
import { send } from '../../webhooks/runtime/server.testing.js';
import { runKvt } from '../kvt.js';
import { startVirtApiProcess, type VirtApiProcess } from './virt-api-process.testing.js';

async function kvt(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runKvt(args, { out: (t) => { out += t; }, err: (t) => { err += t; } });
  return { code, out, err };
}

describe('kvt virt-api command line', () => {
  it.each([
    [['--tls-key-file', 'k'], '--tls-cert-file is required'],
    [['--tls-cert-file', 'c'], '--tls-key-file is required'],
    [['--tls-cert-file', 'c', '--tls-key-file', 'k', '--port', '70000'], '--port must be a number from 0 to 65535, not "70000"'],
    [['--tls-cert-file', 'c', '--tls-key-file', 'k', '--port=-1'], '--port must be a number from 0 to 65535, not "-1"'],
    [['--tls-cert-file', 'c', '--tls-key-file', 'k', '--port', '84a3'], '--port must be a number from 0 to 65535, not "84a3"'],
    [['--tls-cert-file', 'c', '--tls-key-file', 'k', '--log-level', 'loud'], '--log-level must be one of'],
    [['--tls-cert-file', 'c', '--tls-key-file', 'k', 'extra'], 'unexpected argument "extra"'],
    [['--tls-cert-file', 'c', '--tls-key-file', 'k', '--nope'], 'error: unknown flag: --nope'],
  ])('refuses %j with usage and exit 1', async (args, message) => {
    const r = await kvt('virt-api', ...args);
    expect(r.code).toBe(1);
    expect(r.err).toContain(message);
    expect(r.err).toContain("See 'kvt virt-api --help' for usage.");
  });

  it('is listed in kvt --help and has its own', async () => {
    expect((await kvt('--help')).out).toMatch(/^ {2}virt-api +Serve KubeVirt's admission webhooks over HTTPS/m);
    expect((await kvt('virt-api', '--help')).out).toContain('--objects DIR');
  });

  it('exits 1 when the certificate files cannot be read', async () => {
    const r = await kvt('virt-api', '--tls-cert-file', '/nonexistent/tls.crt', '--tls-key-file', '/nonexistent/tls.key', '--log-level', 'silent');
    expect(r.code).toBe(1);
  });
});

describe('kvt virt-api serving', () => {
  let server: VirtApiProcess;
  let ca: TestCa;
  let port = 0;
  let lines: Record<string, unknown>[] = [];

  beforeAll(async () => {
    server = await startVirtApiProcess();
    ({ ca, port, lines } = server);
  }, 60_000);
  afterAll(() => server.dispose());

  const vmi = (spec: Record<string, unknown>): Record<string, unknown> => ({ apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachineInstance', metadata: { name: 'testvmi', namespace: 'default' }, spec });
  const post = async (path: string, body: unknown): Promise<AdmissionReviewResponse['response']> => {
    const res = await send({ ca, port }, path, JSON.stringify(body));
    expect(res.status).toBe(200);
    return (JSON.parse(res.text) as AdmissionReviewResponse).response;
  };

  it('serves every KubeVirt webhook path', () => {
    expect(lines.find((l) => l['msg'] === 'Started admission webhook server')?.['webhooks']).toEqual([
      '/virtualmachineinstances-mutate', '/virtualmachineinstances-validate-create', '/virtualmachineinstances-validate-update',
      '/virtualmachines-mutate', '/virtualmachines-validate', '/virtualmachinereplicaset-validate', '/vmipreset-validate',
      '/virtualmachineinstancetypes-validate', '/virtualmachineclusterinstancetypes-validate', '/virtualmachinepreferences-validate',
      '/virtualmachineclusterpreferences-validate',
    ]);
  });

  it('defaults a VMI with a JSON patch and allows it', async () => {
    const response = await post('/virtualmachineinstances-mutate', admissionReview('uid-cli-mutate', vmi({ domain: { devices: {}, resources: { requests: { memory: '128Mi' } } } })));
    expect(response).toMatchObject({ uid: 'uid-cli-mutate', allowed: true, patchType: 'JSONPatch' });
    const ops = JSON.parse(Buffer.from(response.patch ?? '', 'base64').toString('utf8')) as { path: string }[];
    expect(ops.map((o) => o.path)).toContain('/spec/domain/machine');
  });

  it('denies an invalid VMI with 422 and its causes', async () => {
    const bad = vmi({ domain: { devices: { disks: [{ name: 'a' }, { name: 'a' }] }, resources: { requests: { memory: '128Mi' } } } });
    const response = await post('/virtualmachineinstances-validate-create', admissionReview('uid-cli-deny', bad));
    expect(response).toMatchObject({ uid: 'uid-cli-deny', allowed: false, status: { code: 422, reason: 'Invalid' } });
    expect(response.status?.details?.causes.map((c) => c.field)).toContain('spec.domain.devices.disks[1].name');
  });

  it('stops on SIGTERM with exit 0', async () => {
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    expect(lines.map((l) => l['msg'])).toContain('Stopped admission webhook server');
  });
});
