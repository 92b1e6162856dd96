// End to end, as a user drives the local mode: `kvt daemon` on a fresh data dir (the demo guest
// imported into it), then `kvt apply/get/console/pause/unpause/stop/scale/delete` as separate
// processes over its socket. A VM with runStrategy Always boots the real guest, whose console shows
// its cloud-init token; restarting the daemon keeps every object and neither restarts nor duplicates
// the guest; `kvt pause`/`unpause` go through the daemon's virt-handler to the launcher and the VMI
// reports the Paused condition, then not; `kvt stop` shuts it down by ACPI; a replica set scaled
// 2 → 0 leaves no QEMU behind; an admission denial lists its causes with their fields. Runs in CI;
// skips outside CI without libvirtd/QEMU.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VirtualMachine, VirtualMachineInstance } from '../../crd-gen/index.js';
import { IN_CI, LIBVIRT_TOOLS, haveTools, qemuPids } from '../fixtures/host.js';
import { untilOk as until } from '../builders/until.js';

const REPO = resolve(import.meta.dirname, '../..');
const AVAILABLE = haveTools([...LIBVIRT_TOOLS, 'qemu-img', 'genisoimage']);
const TOKEN = `token-${randomBytes(6).toString('hex')}`;
const GUEST = {
  terminationGracePeriodSeconds: 30,
  domain: {
    firmware: { kernelBoot: { kernelArgs: 'console=ttyS0 panic=-1', container: { image: 'localhost/demo-guest:latest', kernelPath: '/boot/vmlinuz', initrdPath: '/boot/initrd.img' } } },
    devices: {},
    resources: { requests: { memory: '96Mi' } },
  },
};


describe.skipIf(!IN_CI && !AVAILABLE)('kvt daemon + kvt apply/get/console/pause/unpause/stop/scale/delete (real guests)', () => {
  let dataDir = '';
  let env: NodeJS.ProcessEnv = {};
  let daemon: { child: ChildProcess; exited: Promise<number | null>; output: () => string } | undefined;

  /** Runs one `kvt` command to its end. */
  async function kvt(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    return new Promise((done) => {
      execFile(process.execPath, [join(REPO, 'bin/kvt.js'), ...args], { cwd: REPO, env, timeout: 60_000 }, (err, stdout, stderr) => {
        const code = err === null ? 0 : typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : -1;
        done({ code, stdout, stderr });
      });
    });
  }

  async function startDaemon(): Promise<void> {
    const child = spawn(process.execPath, [join(REPO, 'bin/kvt.js'), 'daemon', '--log-level', 'warn'], { cwd: REPO, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (b: Buffer) => { output += b.toString(); });
    child.stderr.on('data', (b: Buffer) => { output += b.toString(); });
    const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
    daemon = { child, exited, output: () => output };
    await until('the daemon serving', async () => output, (o) => o.includes('kvt daemon: serving') || child.exitCode !== null, 60_000);
    expect(output).toContain('kvt daemon: serving');
  }

  async function stopDaemon(): Promise<number | null> {
    if (daemon === undefined) return null;
    daemon.child.kill('SIGTERM');
    const code = await daemon.exited;
    daemon = undefined;
    return code;
  }

  async function getJson<T>(kind: string, name?: string): Promise<T | undefined> {
    const r = await kvt('get', kind, ...(name === undefined ? [] : [name]), '-o', 'json');
    return r.code === 0 ? (JSON.parse(r.stdout) as T) : undefined;
  }

  const vmi = (name: string): Promise<VirtualMachineInstance | undefined> => getJson<VirtualMachineInstance>('vmi', name);
  const vmisAndPodsGone = (): Promise<unknown> => until('no VMI and no pod', async () => [(await getJson<{ items: unknown[] }>('vmis'))?.items.length, (await getJson<{ items: unknown[] }>('pods'))?.items.length], (n) => n[0] === 0 && n[1] === 0, 60_000);

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'kvt-e2e-'));
    // As root the launchers' QEMU runs as the unprivileged kvt-qemu user, which must reach the image store.
    await chmod(dataDir, 0o755);
    env = { ...process.env, KVT_DATA_DIR: dataDir };
    await promisify(execFile)('bash', [join(REPO, 'scripts/build-guest.sh')], { cwd: REPO, env, timeout: 600_000, maxBuffer: 64 * 1024 * 1024 });
    await startDaemon();
  }, 700_000);

  afterAll(async () => {
    await kvt('delete', 'vm', 'e2e').catch(() => undefined);
    await kvt('delete', 'vmirs', 'pool').catch(() => undefined);
    // Only this suite's guests: other suites may run theirs at the same time.
    await until('no guest of this suite left', async () => [...(await qemuPids('e2e')), ...(await qemuPids('pool'))], (p) => p.length === 0, 90_000).catch(() => undefined);
    await stopDaemon();
    for (const pid of [...(await qemuPids('e2e')), ...(await qemuPids('pool'))]) process.kill(pid, 'SIGKILL');
    await rm(dataDir, { recursive: true, force: true });
  }, 200_000);

  it('a VM with runStrategy Always boots and its console shows the cloud-init token', async () => {
    const manifest = join(dataDir, 'vm.yaml');
    const vm = {
      apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachine', metadata: { name: 'e2e' },
      spec: {
        runStrategy: 'Always',
        template: {
          spec: {
            ...GUEST,
            domain: { ...GUEST.domain, devices: { disks: [{ name: 'cloudinitdisk', disk: { bus: 'virtio' } }] } },
            volumes: [{ name: 'cloudinitdisk', cloudInitNoCloud: { userData: `#!/bin/sh\necho "${TOKEN}"\n` } }],
          },
        },
      },
    };
    await writeFile(manifest, JSON.stringify(vm));
    const applied = await kvt('apply', '-f', manifest);
    expect(applied).toMatchObject({ code: 0, stdout: 'virtualmachine.kubevirt.io/e2e created\n' });
    const running = await until('VMI e2e Running', () => vmi('e2e'), (v) => v?.status?.phase === 'Running' || v?.status?.phase === 'Failed', 120_000);
    expect(running?.status?.phase).toBe('Running');
    expect(running?.status?.nodeName).toBe('local');

    // The launcher pod runs as the unprivileged qemu user (107), as the VMI's launch status says, and so does QEMU.
    expect(running?.status?.runtimeUser).toBe(107);
    const pods = await getJson<{ items: { metadata: { ownerReferences?: { uid: string }[] }; spec: { securityContext?: object; containers: { securityContext?: object }[] } }[] }>('pods');
    const pod = pods?.items.find((p) => p.metadata.ownerReferences?.[0]?.uid === running?.metadata.uid);
    expect(pod?.spec.securityContext).toMatchObject({ runAsUser: 107, runAsNonRoot: true });
    expect(pod?.spec.containers[0]?.securityContext).toMatchObject({ runAsUser: 107, runAsNonRoot: true });
    const [qemu] = await qemuPids('e2e');
    const uid = /^Uid:\s+(\d+)/m.exec(await readFile(`/proc/${qemu}/status`, 'utf8'))?.[1];
    expect(uid).not.toBe('0');

    const table = await kvt('get', 'vms');
    expect(table.stdout).toMatch(/^NAME\s+AGE\s+STATUS\s+READY\n/);
    expect(table.stdout).toMatch(/\ne2e\s+\S+\s+Running\s+True\n/);

    // `kvt console` replays the console history, then follows it; Ctrl-] ends the session with exit 0.
    const child = spawn(process.execPath, [join(REPO, 'bin/kvt.js'), 'console', 'e2e'], { cwd: REPO, env, stdio: ['pipe', 'pipe', 'pipe'] });
    let seen = '';
    child.stdout.on('data', (b: Buffer) => { seen += b.toString(); });
    const code = new Promise<number | null>((done) => child.once('exit', (c) => done(c)));
    await until('the token on the console', async () => seen, (s) => new RegExp(`^${TOKEN}\\r?$`, 'm').test(s), 120_000);
    child.stdin.write('\x1d');
    expect(await code).toBe(0);
  }, 300_000);

  it('restarting kvt daemon keeps every object and neither restarts nor duplicates the guest', async () => {
    const before = await vmi('e2e');
    const pids = await qemuPids('e2e');
    expect(pids).toHaveLength(1);
    expect(await stopDaemon()).toBe(0);
    expect(await qemuPids('e2e')).toEqual(pids);
    expect((await kvt('get', 'vms')).stderr).toContain('no kvt daemon is listening');
    await startDaemon();
    // Give the controllers, the kubelet and the handler time to act on what they found.
    await new Promise((r) => setTimeout(r, 8000));
    const after = await vmi('e2e');
    expect(after?.metadata.uid).toBe(before?.metadata.uid);
    expect(after?.status?.phase).toBe('Running');
    expect(after?.status?.phaseTransitionTimestamps).toEqual(before?.status?.phaseTransitionTimestamps);
    expect(await qemuPids('e2e')).toEqual(pids);
    expect((await getJson<{ items: unknown[] }>('vmis'))?.items).toHaveLength(1);
    expect((await getJson<{ items: unknown[] }>('pods'))?.items).toHaveLength(1);
  }, 200_000);

  it('kvt pause and unpause reach the guest through the daemon\'s virt-handler; the VMI reports Paused, then not', async () => {
    const pausedCondition = (v: VirtualMachineInstance | undefined): unknown => v?.status?.conditions?.find((c) => c.type === 'Paused');
    // A running VMI cannot be unpaused: KubeVirt's refusal, one line, no stack trace.
    expect(await kvt('unpause', 'e2e')).toEqual({ code: 1, stdout: '', stderr: 'Error unpausing VirtualMachineInstance e2e: VMI is not paused\n' });
    expect(await kvt('pause', 'e2e')).toEqual({ code: 0, stdout: 'VMI e2e was scheduled to pause\n', stderr: '' });
    const paused = await until('the Paused condition', () => vmi('e2e'), (v) => pausedCondition(v) !== undefined, 30_000);
    expect(pausedCondition(paused)).toMatchObject({ status: 'True', reason: 'PausedByUser' });
    expect(await kvt('pause', 'e2e')).toEqual({ code: 1, stdout: '', stderr: 'Error pausing VirtualMachineInstance e2e: VMI is already paused\n' });
    expect(await kvt('unpause', 'e2e')).toEqual({ code: 0, stdout: 'VMI e2e was scheduled to unpause\n', stderr: '' });
    const resumed = await until('the Paused condition gone', () => vmi('e2e'), (v) => pausedCondition(v) === undefined, 30_000);
    expect(resumed?.status?.phase).toBe('Running');
    expect(await kvt('pause', 'nope')).toEqual({ code: 1, stdout: '', stderr: 'Error pausing VirtualMachineInstance nope: virtualmachineinstance.kubevirt.io "nope" not found\n' });
  }, 120_000);

  it('kvt stop shuts the guest down by ACPI and the VM reports Stopped', async () => {
    const stopped = await kvt('stop', 'e2e');
    expect(stopped).toMatchObject({ code: 0, stdout: 'VM e2e was scheduled to stop\n' });
    await until('no QEMU for e2e', () => qemuPids('e2e'), (p) => p.length === 0, 90_000);
    const vm = await until('VM e2e Stopped', () => getJson<VirtualMachine>('vm', 'e2e'), (v) => v?.status?.printableStatus === 'Stopped', 60_000);
    expect(vm?.spec.runStrategy).toBe('Halted');
    await vmisAndPodsGone();
    const logs = await readdir(join(dataDir, 'logs'));
    const texts = await Promise.all(logs.filter((f) => f.includes('virt-launcher-e2e-')).map((f) => readFile(join(dataDir, 'logs', f), 'utf8')));
    // The guest powered itself off (ACPI), it was not destroyed.
    expect(texts.join('')).toContain('virt-launcher: Stopped (DomainShutoff): The domain is Shutoff (Shutdown)');
    expect(texts.join('')).not.toContain('Destroyed');
    const deleted = await kvt('delete', 'vm', 'e2e');
    expect(deleted).toMatchObject({ code: 0, stdout: 'virtualmachine.kubevirt.io "e2e" deleted\n' });
    expect(await kvt('get', 'vm', 'e2e')).toMatchObject({ code: 1, stderr: 'Error from server (NotFound): virtualmachines.kubevirt.io "e2e" not found\n' });
  }, 200_000);

  it('a replica set scaled from 2 to 0 leaves no QEMU process behind', async () => {
    const manifest = join(dataDir, 'rs.yaml');
    await writeFile(manifest, JSON.stringify({
      apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachineInstanceReplicaSet', metadata: { name: 'pool' },
      spec: { replicas: 2, selector: { matchLabels: { app: 'pool' } }, template: { metadata: { labels: { app: 'pool' } }, spec: GUEST } },
    }));
    expect((await kvt('apply', '-f', manifest)).code).toBe(0);
    await until('2 Running VMIs', async () => ((await getJson<{ items: VirtualMachineInstance[] }>('vmis'))?.items ?? []).filter((v) => v.status?.phase === 'Running').length, (n) => n === 2, 180_000);
    expect(await qemuPids('pool')).toHaveLength(2);
    expect(await kvt('scale', 'vmirs', 'pool', '--replicas', '0')).toMatchObject({ code: 0, stdout: 'virtualmachineinstancereplicaset.kubevirt.io/pool scaled\n' });
    await until('no QEMU for pool', () => qemuPids('pool'), (p) => p.length === 0, 120_000);
    await vmisAndPodsGone();
    expect((await kvt('delete', 'vmirs', 'pool')).code).toBe(0);
  }, 300_000);

  it('a VMI whose image is not in the store fails and keeps saying why (what to import)', async () => {
    const manifest = join(dataDir, 'noimage.yaml');
    await writeFile(manifest, JSON.stringify({
      apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachineInstance', metadata: { name: 'noimage' },
      spec: { domain: { devices: { disks: [{ name: 'root', disk: { bus: 'virtio' } }] }, resources: { requests: { memory: '96Mi' } } }, volumes: [{ name: 'root', containerDisk: { image: 'localhost/not-imported:latest' } }] },
    }));
    expect((await kvt('apply', '-f', manifest)).code).toBe(0);
    await until('VMI noimage Failed', () => vmi('noimage'), (v) => v?.status?.phase === 'Failed', 120_000);
    // Still there after the controllers had their turns.
    await new Promise((r) => setTimeout(r, 3000));
    const failed = await vmi('noimage');
    expect(failed?.status?.reason).toBe('ConversionFailed');
    expect(failed?.status?.conditions?.find((c) => c.type === 'Synchronized')?.message).toContain('run `kvt image import localhost/not-imported:latest FILE|DIR` to add it');
    expect((await kvt('describe', 'vmi', 'noimage')).stdout).toContain('kvt image import localhost/not-imported:latest');
    expect((await kvt('delete', 'vmi', 'noimage')).code).toBe(0);
  }, 200_000);

  it('an admission denial lists each cause with its field, like kubectl', async () => {
    const manifest = join(dataDir, 'bad.yaml');
    await writeFile(manifest, JSON.stringify({
      apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachineInstance', metadata: { name: 'bad' },
      spec: { ...GUEST, domain: { ...GUEST.domain, devices: { disks: [{ name: 'd', disk: { bus: 'floppy' } }] } }, volumes: [{ name: 'd', emptyDisk: { capacity: '1Mi' } }] },
    }));
    const r = await kvt('apply', '-f', manifest);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^Error from server \(Invalid\): error when applying ".*bad\.yaml": /);
    expect(r.stderr).toContain('spec.domain.devices.disks[0].disk.bus');
    expect((await getJson<{ items: unknown[] }>('vmis'))?.items).toHaveLength(0);
  });
});
