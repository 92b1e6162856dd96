import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { runKvt } from './kvt.js';

const FIXTURES = 'test/fixtures/validate';

async function kvt(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runKvt(args, { out: (t) => { out += t; }, err: (t) => { err += t; } });
  return { code, out, err };
}

describe('kvt validate', () => {
  it('accepts every example and exits 0', async () => {
    const r = await kvt('validate', 'examples/');
    expect(r.err).not.toMatch(/Warning|error/);
    expect(r.code).toBe(0);
  });

  it('prints one `Kind/name: field: message` line per problem and exits 1', async () => {
    const r = await kvt('validate', `${FIXTURES}/invalid.yaml`);
    expect(r.code).toBe(1);
    expect(r.out.trim().split('\n')).toEqual([
      expect.stringMatching(/^VirtualMachineInstance\/broken: spec\.domain\.devices\.disks\[0\]\.disk\.bus: Unsupported value: "floppy": supported values: /),
      'VirtualMachineInstance/broken: spec.domain.memory.guest: must match quantity format (got "12x"; for example 128Mi, 2Gi, 500m)',
      'VirtualMachineInstanceReplicaSet/negative: spec.replicas: must be >= 0',
      'VirtualMachineFlavor/nope: kind: no matches for kind "VirtualMachineFlavor" in version "kubevirt.io/v1"',
    ]);
    expect(r.err).toContain('Warning: VirtualMachineInstance/broken: spec.domain.devices.disks[0].sizeGb: unknown field "spec.domain.devices.disks[0].sizeGb"');
  });

  it('passes over other API groups with a note and expands List objects', async () => {
    const r = await kvt('validate', `${FIXTURES}/mixed.yaml`);
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/note: .*Deployment\/web \(apps\/v1\) is not a kubevirt-ts kind; skipped/);
  });

  it('exits 2 on unparseable or unreadable input, naming the source', async () => {
    const bad = await kvt('validate', `${FIXTURES}/unparseable.yaml`);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/unparseable\.yaml: document 1:/);
    const missing = await kvt('validate', 'no/such/file.yaml');
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/no\/such\/file\.yaml: ENOENT/);
  });

  it('prints the checked objects with -o yaml and -o json, problems then go to stderr', async () => {
    const y = await kvt('validate', '-o', 'yaml', 'examples/vmi-efi.yaml');
    expect(y.code).toBe(0);
    expect(parseAllDocuments(y.out)[0]?.toJS()).toMatchObject({ kind: 'VirtualMachineInstance', metadata: { name: 'vmi-efi' } });
    const j = await kvt('validate', '-o', 'json', `${FIXTURES}/invalid.yaml`);
    expect(j.code).toBe(1);
    expect((JSON.parse(j.out) as { items: unknown[] }).items).toHaveLength(3);
    expect(j.err).toContain('VirtualMachineInstanceReplicaSet/negative: spec.replicas: must be >= 0');
  });

  it('refuses a bad command line with exit 2 and the usage', async () => {
    expect((await kvt('validate')).code).toBe(2);
    const r = await kvt('validate', '-o', 'xml', 'examples/');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--output must be yaml or json/);
    expect((await kvt('validate', '--bogus', 'x')).code).toBe(2);
  });
});

describe('kvt crds', () => {
  it('prints every CRD as multi-document YAML', async () => {
    const r = await kvt('crds');
    const docs = parseAllDocuments(r.out).map((d) => d.toJS() as { kind: string; metadata: { name: string } });
    expect(docs.map((d) => d.metadata.name).sort()).toEqual([
      'virtualmachineclusterinstancetypes.instancetype.kubevirt.io',
      'virtualmachineclusterpreferences.instancetype.kubevirt.io',
      'virtualmachineinstancepresets.kubevirt.io',
      'virtualmachineinstancereplicasets.kubevirt.io',
      'virtualmachineinstances.kubevirt.io',
      'virtualmachineinstancetypes.instancetype.kubevirt.io',
      'virtualmachinepreferences.instancetype.kubevirt.io',
      'virtualmachines.kubevirt.io',
    ]);
    expect(docs.every((d) => d.kind === 'CustomResourceDefinition')).toBe(true);
  });
});

describe('kvt help and version', () => {
  it('lists the commands, and every command has --help', async () => {
    const r = await kvt('--help');
    expect(r.code).toBe(0);
    for (const name of ['validate', 'crds', 'version']) {
      expect(r.out).toContain(name);
      const h = await kvt(name, '--help');
      expect(h.code).toBe(0);
      expect(h.out).toContain(`Usage: kvt ${name}`);
    }
  });
  it('names an unknown command', async () => {
    const r = await kvt('frobnicate');
    expect(r.code).toBe(2);
    expect(r.err).toContain('unknown command "frobnicate"');
  });
  it('prints the package version', async () => {
    expect((await kvt('version')).out).toMatch(/^kvt \d+\.\d+\.\d+ /);
  });
});

describe('the installed kvt binary', () => {
  it('runs as a process: exit codes and streams as a shell user sees them', async () => {
    const run = promisify(execFile);
    const ok = await run(process.execPath, ['bin/kvt.js', 'validate', 'examples/']);
    expect(ok.stdout).toBe('');
    const bad = await run(process.execPath, ['bin/kvt.js', 'validate', `${FIXTURES}/invalid.yaml`]).catch((e: { code: number; stdout: string }) => e);
    expect(bad).toMatchObject({ code: 1 });
    expect((bad as { stdout: string }).stdout).toContain('VirtualMachineInstanceReplicaSet/negative: spec.replicas: must be >= 0');
    const crds = await run(process.execPath, ['bin/kvt.js', 'crds'], { maxBuffer: 64 * 1024 * 1024 });
    expect(parse(crds.stdout.split('\n---\n')[0]!.replace(/^---\n/, ''))).toMatchObject({ kind: 'CustomResourceDefinition' });
  });
});
