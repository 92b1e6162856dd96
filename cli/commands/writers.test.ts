// kubectl's write verbs of kvt, each run as a user runs it (runKvt, the command line) against the
// daemon's socket served from an in-memory API server with admission: strict field validation,
// create/replace, label, patch, wait, delete -f and their kubectl lines and exit codes.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../core/kube.js';
import type { MemoryStore } from '../../store/runtime/memory.js';
import { startSocketDaemon, type KvtRun, type SocketDaemon } from '../socket-daemon.testing.js';

let dir = '';
let store: MemoryStore;
let daemon: SocketDaemon;

const VM = { apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachine' } as const;
const manifest = (name: string, cpu: string): string => `apiVersion: kubevirt.io/v1
kind: VirtualMachine
metadata:
  name: ${name}
spec:
  runStrategy: Halted
  template:
    spec:
      domain:
        cpu:
          ${cpu}: 2
        devices: {}
        resources:
          requests:
            memory: 64Mi
`;

beforeAll(async () => {
  daemon = await startSocketDaemon('writers');
  ({ dir, store } = daemon);
  await writeFile(join(dir, 'typo.yaml'), manifest('typo', 'core'));
  await writeFile(join(dir, 'ok.yaml'), manifest('ok', 'cores'));
  await writeFile(join(dir, 'dup.yaml'), `${manifest('dup', 'cores')}  runStrategy: Always\n`);
});

afterAll(() => daemon.close());

const kvt = (...args: string[]): Promise<KvtRun> => daemon.kvt(...args);

describe('kvt writers against the daemon socket', () => {
  it('strict field validation refuses a typo with its path; warn writes it with a warning; a repeated field is refused with its line', async () => {
    expect(await kvt('apply', '-f', join(dir, 'typo.yaml'))).toEqual({
      code: 1, out: '',
      err: `Error from server (BadRequest): error when applying "${join(dir, 'typo.yaml')}": VirtualMachine in version "v1" cannot be handled as a VirtualMachine: strict decoding error: unknown field "spec.template.spec.domain.cpu.core"\n`,
    });
    const warned = await kvt('create', '-f', join(dir, 'typo.yaml'), '--validate=warn', '--dry-run=server');
    expect(warned).toMatchObject({ code: 0, out: 'virtualmachine.kubevirt.io/typo created (server dry run)\n' });
    expect(warned.err).toContain('unknown field "spec.template.spec.domain.cpu.core"');
    await expect(store.get(VM, 'default', 'typo')).rejects.toThrow(/not found/);
    expect(await kvt('apply', '-f', join(dir, 'dup.yaml'))).toEqual({ code: 1, out: '', err: `error: ${join(dir, 'dup.yaml')}: document 1: duplicate field "spec.runStrategy" (line 16)\n` });
  });

  it('create, replace, label, patch and wait, as kubectl words them', async () => {
    expect(await kvt('create', '-f', join(dir, 'ok.yaml'))).toEqual({ code: 0, out: 'virtualmachine.kubevirt.io/ok created\n', err: '' });
    expect((await kvt('create', '-f', join(dir, 'ok.yaml'))).err).toMatch(/^Error from server \(AlreadyExists\): error when creating ".*ok\.yaml": virtualmachines\.kubevirt\.io "ok" already exists\n$/);
    expect(await kvt('replace', '-f', join(dir, 'ok.yaml'))).toEqual({ code: 0, out: 'virtualmachine.kubevirt.io/ok replaced\n', err: '' });
    expect(await kvt('label', 'vm', 'ok', 'env=prod')).toEqual({ code: 0, out: 'virtualmachine.kubevirt.io/ok labeled\n', err: '' });
    expect(await kvt('label', 'vm/ok', 'env=dev')).toEqual({ code: 1, out: '', err: "error: 'env' already has a value (prod), and --overwrite is false\n" });
    expect(await kvt('patch', 'vm', 'ok', '-p', '{"spec":{"runStrategy":"Manual"}}')).toMatchObject({ code: 1, err: expect.stringMatching(/^Error from server \(UnsupportedMediaType\): the body of the request was in an unknown format/) as unknown });
    expect(await kvt('patch', 'vm', 'ok', '--type', 'merge', '-p', '{"spec":{"runStrategy":"Manual"}}')).toEqual({ code: 0, out: 'virtualmachine.kubevirt.io/ok patched\n', err: '' });
    expect(await kvt('patch', 'vm', 'ok', '--type', 'json', '-p', '[{"op":"replace","path":"/spec/runStrategy","value":"Manual"}]')).toEqual({ code: 0, out: 'virtualmachine.kubevirt.io/ok patched (no change)\n', err: '' });
    expect(await kvt('wait', 'vm/ok', '--for=jsonpath={.spec.runStrategy}=Manual')).toEqual({ code: 0, out: 'virtualmachine.kubevirt.io/ok condition met\n', err: '' });
    expect(await kvt('wait', 'vm', 'ok', '--for=condition=Ready', '--timeout=300ms')).toEqual({ code: 1, out: '', err: 'error: timed out waiting for the condition on virtualmachines/ok\n' });
    const labels = (await store.get<KubeObject>(VM, 'default', 'ok')).metadata.labels;
    expect(labels).toEqual({ env: 'prod' });
  });

  it('delete -f waits until the object is gone; again is NotFound unless --ignore-not-found', async () => {
    await kvt('apply', '-f', join(dir, 'ok.yaml'));
    expect(await kvt('delete', '-f', join(dir, 'ok.yaml'))).toEqual({ code: 0, out: 'virtualmachine.kubevirt.io "ok" deleted\n', err: '' });
    await expect(store.get(VM, 'default', 'ok')).rejects.toThrow(/not found/);
    expect(await kvt('delete', '-f', join(dir, 'ok.yaml'))).toEqual({ code: 1, out: '', err: 'Error from server (NotFound): virtualmachines.kubevirt.io "ok" not found\n' });
    expect(await kvt('delete', '-f', join(dir, 'ok.yaml'), '--ignore-not-found')).toEqual({ code: 0, out: '', err: '' });
    expect(await kvt('wait', 'vm', 'ok', '--for=delete')).toEqual({ code: 0, out: 'virtualmachine.kubevirt.io/ok condition met\n', err: '' });
  });
});
