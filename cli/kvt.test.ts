import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { admit } from '../webhooks/admission.js';
import { testContext } from '../test/fixtures/admission/context.js';
import { COMMANDS, loadCommands, runKvt } from './kvt.js';

const FIXTURES = 'test/fixtures/validate';
const ADMISSION = 'test/fixtures/admission/cli';
const DEPRECATION = 'Warning: VirtualMachineInstance/vmi-small: kubevirt.io/v1 VirtualMachineInstancePresets is now deprecated and will be removed in v2.';

async function kvt(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runKvt(args, { out: (t) => { out += t; }, err: (t) => { err += t; } });
  return { code, out, err };
}

describe('kvt validate', () => {
  it('accepts every example and exits 0', async () => {
    const r = await kvt('validate', 'examples/');
    // The one warning is KubeVirt's: examples/preset-small.yaml applies a (deprecated) preset.
    const lines = r.err.trim().split('\n');
    expect(lines.filter((l) => /Warning|error/.test(l))).toEqual([DEPRECATION]);
    expect(r.out).toBe('');
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

  it('applies a preset from the same files: -o yaml shows the merged fields and the annotation', async () => {
    const r = await kvt('validate', '-o', 'yaml', 'examples/preset-small.yaml');
    expect(r.code).toBe(0);
    expect(r.err).toContain(DEPRECATION);
    const docs = parseAllDocuments(r.out).map((d) => d.toJS() as { kind: string; metadata: { annotations?: Record<string, string>; finalizers?: string[] }; spec: { domain: Record<string, unknown> }; status?: Record<string, unknown> });
    const vmi = docs.find((d) => d.kind === 'VirtualMachineInstance');
    expect(vmi?.metadata.annotations).toMatchObject({ 'virtualmachinepreset.kubevirt.io/small': 'kubevirt.io/v1', 'kubevirt.io/pci-topology-version': 'v3' });
    expect(vmi?.spec.domain).toMatchObject({ cpu: { cores: 1 }, resources: { requests: { memory: '128Mi' } }, memory: { guest: '128Mi' } });
    expect(vmi?.metadata.finalizers).toEqual(['kubevirt.io/foregroundDeleteVirtualMachine']);
    expect(vmi?.status).toMatchObject({ phase: 'Pending' });
    expect(docs.find((d) => d.kind === 'VirtualMachineInstancePreset')).toMatchObject({ metadata: { name: 'small' } });
  });

  it('applies presets from --presets DIR, and draws a fresh firmware UUID on each run', async () => {
    const first = await kvt('validate', '--presets', `${ADMISSION}/presets`, '-o', 'json', `${ADMISSION}/flavoured-vmi.yaml`);
    expect(first.code).toBe(0);
    const vmi = JSON.parse(first.out) as { metadata: { annotations: Record<string, string> }; spec: { domain: { cpu: object; devices: { watchdog: object }; firmware: { uuid: string } } } };
    expect(Object.keys(vmi.metadata.annotations).filter((k) => k.startsWith('virtualmachinepreset.kubevirt.io/')).sort()).toEqual(['virtualmachinepreset.kubevirt.io/medium', 'virtualmachinepreset.kubevirt.io/watchdog']);
    expect(vmi.spec.domain.cpu).toMatchObject({ sockets: 2, maxSockets: 8 });
    expect(vmi.spec.domain.devices.watchdog).toEqual({ name: 'wd', i6300esb: { action: 'poweroff' } });
    expect(vmi.spec.domain.firmware.uuid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const second = JSON.parse((await kvt('validate', '--presets', `${ADMISSION}/presets`, '-o', 'json', `${ADMISSION}/flavoured-vmi.yaml`)).out) as typeof vmi;
    expect(second.spec.domain.firmware.uuid).not.toBe(vmi.spec.domain.firmware.uuid);
    // Without the preset's memory request the VMI asks for no memory at all, which KubeVirt refuses.
    const without = await kvt('validate', `${ADMISSION}/flavoured-vmi.yaml`);
    expect(without.code).toBe(1);
    expect(without.out).toMatch(/^VirtualMachineInstance\/flavoured: spec\.domain\.resources\.requests\.memory: /m);
  });

  it('prints a semantic denial as one `Kind/name: field: message` line and exits 1', async () => {
    const r = await kvt('validate', `${ADMISSION}/semantic.yaml`);
    expect(r.code).toBe(1);
    const lines = r.out.trim().split('\n');
    expect(lines.length).toBeGreaterThanOrEqual(1);
    expect(lines.every((l) => /^VirtualMachineInstance\/twins: [\w.[\]]+: ./.test(l))).toBe(true);
    expect(lines).toContainEqual(expect.stringMatching(/^VirtualMachineInstance\/twins: spec\.domain\.devices\.disks\[1\]\.name: /));
  });

  it('refuses presets that conflict, one line per conflicting field', async () => {
    const r = await kvt('validate', `${ADMISSION}/conflicting-presets.yaml`);
    expect(r.code).toBe(1);
    expect(r.out.trim().split('\n')).toEqual([
      'VirtualMachineInstance/web: spec.domain.resources.requests.memory: presets \'large\' and \'small\' conflict: "4Gi" != "128Mi"',
      'VirtualMachineInstance/web: spec.domain.cpu: presets \'large\' and \'small\' conflict: {"cores":4} != {"cores":1}',
    ]);
    expect(r.err).toMatch(/3 objects checked: 2 valid, 1 invalid/);
  });

  it('prints what admit returns: the CLI, the routes and the store share one chain', async () => {
    const file = 'examples/vmi-sata-masquerade.yaml';
    const r = await kvt('validate', '-o', 'json', file);
    expect(r.code).toBe(0);
    const printed = JSON.parse(r.out) as { spec: { domain: { firmware: { uuid: string } } }; status: { phaseTransitionTimestamps: { phaseTransitionTimestamp: string }[] } };
    const direct = admit(parseAllDocuments(readFileSync(file, 'utf8'))[0]?.toJS() as unknown, undefined, 'CREATE', testContext());
    if (!direct.allowed) throw new Error('denied');
    // Only what differs by design: the random firmware UUID and the request time.
    const same = (o: typeof printed): unknown => ({ ...o, spec: { ...o.spec, domain: { ...o.spec.domain, firmware: { ...o.spec.domain.firmware, uuid: 'U' } } }, status: { ...o.status, phaseTransitionTimestamps: [] } });
    expect(same(printed)).toEqual(same(JSON.parse(JSON.stringify(direct.object)) as typeof printed));
  });

  it('exits 2 when --presets names nothing readable', async () => {
    const r = await kvt('validate', '--presets', 'no/such/dir', 'examples/vmi-efi.yaml');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/no\/such\/dir: ENOENT/);
  });

  it('refuses a bad command line with exit 1 (as kubectl), the usage and the hint', async () => {
    expect((await kvt('validate')).code).toBe(1);
    const r = await kvt('validate', '-o', 'xml', 'examples/');
    expect(r).toEqual({ code: 1, out: '', err: "error: --output must be yaml or json, not \"xml\"\n\nUsage: kvt validate [--presets DIR] [-o yaml|json] [-R] FILE|DIR|- ...\nSee 'kvt validate --help' for usage.\n" });
    expect(await kvt('validate', '--bogus', 'x')).toEqual({ code: 1, out: '', err: "error: unknown flag: --bogus\nSee 'kvt validate --help' for usage.\n" });
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
  it('loads each command under the name it answers to', async () => {
    const loaded = await loadCommands();
    expect(loaded.map((c) => c.name)).toEqual(COMMANDS.map(([name]) => name));
  });
  it('names an unknown command as cobra does, with the commands it may have meant', async () => {
    expect(await kvt('frobnicate')).toEqual({ code: 1, out: '', err: 'error: unknown command "frobnicate" for "kvt"\n' });
    expect(await kvt('scael')).toEqual({ code: 1, out: '', err: 'error: unknown command "scael" for "kvt"\n\nDid you mean this?\n\tscale\n' });
  });
  it('prints the help and exits 0 without a command, as kubectl', async () => {
    const r = await kvt();
    expect(r.code).toBe(0);
    expect(r.out).toContain('Usage: kvt COMMAND [options]');
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
