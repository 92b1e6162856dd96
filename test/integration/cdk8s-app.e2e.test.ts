// End to end, as a user's own cdk8s app uses the package: a directory outside the repository gets
// `npm install <this repository>` plus cdk8s, cdk8s-plus-27, constructs and typescript (the versions
// the repository pins), and the example app (examples/cdk8s: main.ts, tsconfig.json, cdk8s.yaml,
// the sample) is compiled there with `tsc --strict`, synthesized with `cdk8s synth`, and every
// synthesized object is checked with `kvt validate` and against a snapshot; a broken copy of the app
// fails `cdk8s synth` with the construct path and field of each mistake. The package resolves
// through package.json "exports" (kubevirt-ts/cdk8s → dist/, built by vitest's global setup).
// npm's cache is warm after the repository's own `npm ci`, so the install is --prefer-offline.
import { execFile } from 'node:child_process';
import { copyFile, lstat, mkdtemp, readFile, readdir, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';

const REPO = resolve(import.meta.dirname, '../..');
const EXAMPLE = join(REPO, 'examples/cdk8s');

interface Finished { readonly code: number; readonly stdout: string; readonly stderr: string }

function run(command: string, args: readonly string[], cwd: string): Promise<Finished> {
  return new Promise((done) => {
    execFile(command, [...args], { cwd, env: { ...process.env, NO_COLOR: '1' }, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
      done({ code, stdout, stderr });
    });
  });
}

const output = (r: Finished): string => `exit ${r.code}\n${r.stdout.slice(-4000)}\n${r.stderr.slice(-4000)}`;

/** `name@version` of each package the app installs, at the version the repository pins. */
async function pinned(names: readonly string[]): Promise<string[]> {
  const pkg = JSON.parse(await readFile(join(REPO, 'package.json'), 'utf8')) as { dependencies: Record<string, string>; devDependencies: Record<string, string> };
  return names.map((name) => {
    const version = pkg.dependencies[name] ?? pkg.devDependencies[name];
    if (version === undefined) throw new Error(`package.json pins no version of ${name}`);
    return `${name}@${version}`;
  });
}

describe('a cdk8s app outside the repository uses kubevirt-ts/cdk8s', () => {
  let app = '';
  let manifests: { file: string; text: string }[] = [];

  beforeAll(async () => {
    app = await mkdtemp(join(tmpdir(), 'kvt-cdk8s-app-'));
    for (const file of ['main.ts', 'tsconfig.json', 'cdk8s.yaml']) await copyFile(join(EXAMPLE, file), join(app, file));
    // The same app with two mistakes: a preset together with an instancetype, and boot order 0.
    const sample = await readFile(join(EXAMPLE, 'main.ts'), 'utf8');
    const broken = sample.replace('preset: small,', 'preset: small, instancetype: medium,').replace('{ bootOrder: 1 }', '{ bootOrder: 0 }');
    expect(broken).not.toBe(sample);
    await writeFile(join(app, 'broken.ts'), broken);
    await writeFile(join(app, 'package.json'), `${JSON.stringify({ name: 'vms-app', version: '0.0.0', private: true, type: 'module' }, null, 2)}\n`);
    // --ignore-scripts: the linked repository's `prepare` (its build) is vitest's global setup's job.
    const install = await run('npm', [
      'install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', '--loglevel=error',
      REPO, ...await pinned(['cdk8s', 'cdk8s-plus-27', 'constructs', 'typescript']),
    ], app);
    expect(install.code, output(install)).toBe(0);
  }, 600_000);

  afterAll(async () => {
    if (app !== '') await rm(app, { recursive: true, force: true });
  });

  it('installs the package from its path, outside the repository', async () => {
    expect(relative(REPO, app).startsWith('..')).toBe(true);
    const installed = join(app, 'node_modules/kubevirt-ts');
    expect((await lstat(installed)).isSymbolicLink()).toBe(true);
    expect(await realpath(installed)).toBe(await realpath(REPO));
  });

  it('compiles the sample with tsc --strict (NodeNext), types from the package\'s exports', async () => {
    const tsc = await run(process.execPath, [join(app, 'node_modules/typescript/bin/tsc'), '--strict', '-p', 'tsconfig.json'], app);
    expect(tsc.code, output(tsc)).toBe(0);
    expect(tsc.stdout + tsc.stderr).toBe('');
  }, 300_000);

  it('synthesizes with cdk8s synth', async () => {
    const synth = await run(join(REPO, 'node_modules/.bin/cdk8s'), ['synth', '--check-upgrade=false'], app);
    expect(synth.code, output(synth)).toBe(0);
    const dir = join(app, 'manifests');
    const files = (await readdir(dir)).sort();
    expect(files).toEqual(['vms.k8s.yaml']);
    manifests = await Promise.all(files.map(async (file) => ({ file, text: await readFile(join(dir, file), 'utf8') })));
  }, 300_000);

  it('writes every object kvt validate admits, and nothing else', async () => {
    expect(manifests).not.toEqual([]);
    const objects = manifests.flatMap((m) => parseAllDocuments(m.text).map((d) => d.toJS() as { apiVersion: string; kind: string }));
    expect(objects.map((o) => `${o.apiVersion} ${o.kind}`)).toEqual([
      'kubevirt.io/v1 VirtualMachineInstancePreset',
      'instancetype.kubevirt.io/v1beta1 VirtualMachineInstancetype',
      'instancetype.kubevirt.io/v1beta1 VirtualMachinePreference',
      'v1 Secret',
      'v1 PersistentVolumeClaim',
      'kubevirt.io/v1 VirtualMachine',
      'v1 Service',
      'kubevirt.io/v1 VirtualMachine',
      'kubevirt.io/v1 VirtualMachineInstanceReplicaSet',
    ]);
    const validate = await run(process.execPath, [join(REPO, 'bin/kvt.js'), 'validate', 'manifests'], app);
    expect(validate.code, output(validate)).toBe(0);
    expect(validate.stdout).toBe('');
    expect(validate.stderr).toMatch(/^6 objects checked: 6 valid, 0 invalid$/m);
    // The built-in kinds are not ours: kvt validate passes over them, with a note.
    expect(validate.stderr.match(/is not a kubevirt-ts kind; skipped/g)).toHaveLength(3);
    expect(validate.stderr).not.toMatch(/Warning/);
  }, 120_000);

  it('fails cdk8s synth of the broken app, naming each construct path and field', async () => {
    const synth = await run(join(REPO, 'node_modules/.bin/cdk8s'), ['synth', '--check-upgrade=false', '--app', 'node dist/broken.js', '--output', 'broken'], app);
    expect(synth.code, output(synth)).not.toBe(0);
    const printed = synth.stdout + synth.stderr;
    expect(printed).toMatch(/^ {2}\[vms\/web\] VirtualMachine\/vms-web-c8[0-9a-f]{6}: preset and instancetype: give one or the other/m);
    expect(printed).toMatch(/^ {2}\[vms\/web\] VirtualMachine\/vms-web-c8[0-9a-f]{6}: spec\.template\.spec\.domain\.devices\.disks\[0\]\.bootOrder: must be greater than 0 when given, not 0$/m);
  }, 300_000);

  it('synthesizes the same manifests as the snapshot', () => {
    expect(manifests).not.toEqual([]);
    for (const m of manifests) expect(m.text).toMatchSnapshot(m.file);
  });
});
