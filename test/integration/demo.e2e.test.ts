// End to end: the README's first command (`bash scripts/demo.sh`, non-interactive) and `kvt run`'s
// endings. The demo shows the preset applied, the phases with timings, the guest's cloud-init output
// on its console, a graceful shutdown, and exits 0; `kvt run` exits non-zero with the reason when a
// VMI fails (an image not in the store names the import command) or the console wait times out, and
// SIGINT shuts the guest down and exits 0. No QEMU is left behind by any of them. Runs in CI; skips
// outside CI when libvirtd or QEMU is missing.
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureDemoGuest } from '../fixtures/demo-guest.js';
import { IN_CI, LIBVIRT_TOOLS, haveTools, qemuPids } from '../fixtures/host.js';

const REPO = resolve(import.meta.dirname, '../..');
const AVAILABLE = haveTools([...LIBVIRT_TOOLS, 'qemu-img', 'genisoimage']);

interface Finished { readonly code: number | null; readonly stdout: string; readonly stderr: string }

/** Runs a command to its end; `onStdout` sees the output so far (to send a signal at the right time). */
function run(command: string, args: readonly string[], onStdout?: (text: string, signal: (s: NodeJS.Signals) => void) => void): Promise<Finished> {
  return new Promise((done) => {
    const child = spawn(command, [...args], { cwd: REPO, env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => {
      stdout += b.toString();
      onStdout?.(stdout, (s) => child.kill(s));
    });
    child.stderr.on('data', (b: Buffer) => { stderr += b.toString(); });
    child.once('exit', (code) => done({ code, stdout, stderr }));
  });
}

/** The lines in order, each found after the previous one. */
function inOrder(text: string, lines: readonly RegExp[]): string[] {
  const missing: string[] = [];
  let at = 0;
  for (const line of lines) {
    const found = line.exec(text.slice(at));
    if (found === null) missing.push(String(line));
    else at += found.index + found[0].length;
  }
  return missing;
}

describe.skipIf(!IN_CI && !AVAILABLE)('the demo and kvt run (real guests)', () => {
  let work = '';

  beforeAll(async () => {
    await ensureDemoGuest();
    work = await mkdtemp(join(tmpdir(), 'kvt-run-e2e-'));
  }, 600_000);

  afterAll(async () => {
    await rm(work, { recursive: true, force: true });
  });

  it('bash scripts/demo.sh: preset applied, phases with timings, cloud-init output, graceful shutdown, exit 0', async () => {
    const started = Date.now();
    const r = await run('bash', ['scripts/demo.sh']);
    expect(r.code, r.stderr.slice(-3000)).toBe(0);
    expect(inOrder(r.stdout, [
      /^Local control plane up \(node local, data dir .*\); applying 2 object\(s\)$/m,
      /^virtualmachineinstancepreset\.kubevirt\.io\/small (created|configured|unchanged)$/m,
      /^virtualmachine\.kubevirt\.io\/demo (created|configured|unchanged)$/m,
      /^\[ *\d+\.\ds\] VirtualMachineInstance\/demo: preset small applied$/m,
      /^\[ *\d+\.\ds\] VirtualMachineInstance\/demo: Running \(on local\)$/m,
      /^demo \| cloud-init says: hello from the demo VM, x86_64$/m,
      /^Shutting down: deleting 2 object\(s\)/m,
      /^\[ *\d+\.\ds\] VirtualMachineInstance\/demo: Succeeded \(on local\)$/m,
      /^Done: VirtualMachineInstance\/demo printed "cloud-init says: hello from the demo VM, x86_64"; every guest shut down$/m,
    ])).toEqual([]);
    expect(r.stdout).toMatch(/^demo \| kvt-guest: powering off$/m);
    expect(await qemuPids('demo')).toEqual([]);
    console.info(`demo: ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }, 400_000);

  it('a VMI whose image is not in the store fails the run with the reason and what to run', async () => {
    const file = join(work, 'noimage.yaml');
    await writeFile(file, [
      'apiVersion: kubevirt.io/v1', 'kind: VirtualMachineInstance', 'metadata: {name: noimage}', 'spec:',
      '  domain: {devices: {disks: [{name: root, disk: {bus: virtio}}]}, resources: {requests: {memory: 96Mi}}}',
      '  volumes: [{name: root, containerDisk: {image: "localhost/not-imported:latest"}}]', '',
    ].join('\n'));
    const r = await run(process.execPath, ['bin/kvt.js', 'run', '-f', file, '--timeout', '120']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/VirtualMachineInstance\/noimage: Failed \(ConversionFailed\)/);
    expect(r.stderr).toContain('Failed: VirtualMachineInstance/noimage failed: ConversionFailed: spec.volumes[0].containerDisk.image: image localhost/not-imported:latest is not in the local image store');
    expect(r.stderr).toContain('run `kvt image import localhost/not-imported:latest FILE|DIR` to add it');
  }, 200_000);

  it('--timeout while waiting for a console line: exit 1 with the reason, the guest shut down', async () => {
    const file = join(work, 'wait.yaml');
    await writeFile(file, [
      'apiVersion: kubevirt.io/v1', 'kind: VirtualMachineInstance', 'metadata: {name: waiting}', 'spec:', '  terminationGracePeriodSeconds: 30',
      '  domain:', '    firmware: {kernelBoot: {kernelArgs: "console=ttyS0 panic=-1 quiet", container: {image: "localhost/demo-guest:latest", kernelPath: /boot/vmlinuz, initrdPath: /boot/initrd.img}}}',
      '    devices: {}', '    resources: {requests: {memory: 96Mi}}', '',
    ].join('\n'));
    const r = await run(process.execPath, ['bin/kvt.js', 'run', '-f', file, '--wait-for-console', 'never printed', '--timeout', '25']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('Failed: timed out after 25 s waiting for a console line matching /never printed/; every guest shut down');
    expect(r.stdout).toMatch(/VirtualMachineInstance\/waiting: Succeeded \(on local\)/);
    expect(await qemuPids('waiting')).toEqual([]);
  }, 200_000);

  it('SIGINT (Ctrl-C) shuts the guest down gracefully and exits 0', async () => {
    let sent = false;
    const r = await run(process.execPath, ['bin/kvt.js', 'run', '-f', 'examples/demo.yaml', '--console'], (text, signal) => {
      if (!sent && /^demo \| kvt-guest: ready/m.test(text)) {
        sent = true;
        signal('SIGINT');
      }
    });
    expect(sent).toBe(true);
    expect(r.code, r.stderr.slice(-2000)).toBe(0);
    expect(inOrder(r.stdout, [/^Stop requested/m, /^demo \| kvt-guest: powering off$/m, /VirtualMachineInstance\/demo: Succeeded/, /^Done: stopped on request; every guest shut down$/m])).toEqual([]);
    expect(await qemuPids('demo')).toEqual([]);
  }, 300_000);
});
