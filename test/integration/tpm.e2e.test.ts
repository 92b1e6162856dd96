// End to end, the shape of KubeVirt's examples/vmi-windows.yaml with a persistent TPM, as a user
// drives the local mode: `kvt daemon` on a fresh data dir, a VM whose template carries the
// example's domain (Hyper-V relaxed/vapic/spinlocks, SMM, the Windows timers, 2 cores, 2Gi, the
// e1000 NIC with masquerade, the sata disk of the claim disk-windows, the firmware uuid) plus
// `tpm: { persistent: true }`. The guest is the demo guest booted by its kernel (the example's PVC
// holds Windows; here the claim is an empty disk), which prints its cloud-init token. Proven: the
// domain runs with the TPM and the Hyper-V and clock features (the live `virsh dumpxml`), swtpm
// runs as the unprivileged QEMU user on the VM's own state directory, the state survives
// `kvt stop`/`kvt start` (the second start does not manufacture a new TPM: no swtpm_setup), and
// `kvt delete vm` removes it, leaving no swtpm, QEMU or directory behind. A VMI whose TPM is not
// persistent keeps its state in its launcher's libvirtd only, gone with the VMI. Skips outside CI
// without libvirtd/QEMU/swtpm.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VirtualMachine, VirtualMachineInstance } from '../../crd-gen/index.js';
import { launcherId } from '../../launcher/identity.js';
import { sessionUri } from '../../launcher/runtime/libvirtd.js';
import { IN_CI, IS_ROOT, LIBVIRT_TOOLS, haveTools, qemuPids } from '../fixtures/host.js';
import { runKvt, spawnKvt, startKvtDaemon, until, type KvtResult, type TestDaemon } from '../fixtures/kvt-daemon.js';
import { swtpmProcessesUnder } from '../fixtures/swtpm.js';

const run = promisify(execFile);
const REPO = resolve(import.meta.dirname, '../..');
const AVAILABLE = haveTools([...LIBVIRT_TOOLS, 'qemu-img', 'genisoimage', 'swtpm', 'swtpm_setup']);
const TOKEN = `tpm-${randomBytes(6).toString('hex')}`;
const NAME = 'win-tpm';
const RUN_ROOT = IS_ROOT ? '/run/kvt' : join(process.env['XDG_RUNTIME_DIR'] ?? `/tmp/kvt-${process.getuid?.() ?? 0}`, 'kvt');

/** The VM: the example's domain section, the demo guest's kernel, a cloud-init disk for the token. */
function windowsShapedVm(): VirtualMachine {
  return {
    apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachine', metadata: { name: NAME },
    spec: {
      runStrategy: 'Always',
      template: {
        metadata: { labels: { special: 'vmi-windows' } },
        spec: {
          terminationGracePeriodSeconds: 0,
          domain: {
            clock: { utc: {}, timer: { hpet: { present: false }, hyperv: {}, pit: { tickPolicy: 'delay' }, rtc: { tickPolicy: 'catchup' } } },
            cpu: { cores: 2 },
            devices: {
              disks: [{ name: 'pvcdisk', disk: { bus: 'sata' } }, { name: 'cloudinitdisk', disk: { bus: 'virtio' } }],
              interfaces: [{ name: 'default', model: 'e1000', masquerade: {} }],
              tpm: { persistent: true },
            },
            features: { acpi: {}, apic: {}, smm: {}, hyperv: { relaxed: {}, spinlocks: { spinlocks: 8191 }, vapic: {} } },
            firmware: {
              uuid: '5d307ca9-b3ef-428c-8861-06e72d69f223',
              kernelBoot: { kernelArgs: 'console=ttyS0 panic=-1', container: { image: 'localhost/demo-guest:latest', kernelPath: '/boot/vmlinuz', initrdPath: '/boot/initrd.img' } },
            },
            resources: { requests: { memory: '2Gi' } },
          },
          networks: [{ name: 'default', pod: {} }],
          volumes: [
            { name: 'pvcdisk', persistentVolumeClaim: { claimName: 'disk-windows' } },
            { name: 'cloudinitdisk', cloudInitNoCloud: { userData: `#!/bin/sh\necho "${TOKEN}"\n` } },
          ],
        },
      },
    },
  };
}

describe.skipIf(!IN_CI && !AVAILABLE)('the vmi-windows shape with a persistent TPM (kvt daemon, real guest, real swtpm)', () => {
  let dataDir = '';
  let env: NodeJS.ProcessEnv = {};
  let daemon: TestDaemon | undefined;
  let vmUid = '';

  const kvt = (...args: string[]): Promise<KvtResult> => runKvt(env, ...args);

  async function getJson<T>(kind: string, name?: string): Promise<T | undefined> {
    const r = await kvt('get', kind, ...(name === undefined ? [] : [name]), '-o', 'json');
    return r.code === 0 ? (JSON.parse(r.stdout) as T) : undefined;
  }

  const vmi = (): Promise<VirtualMachineInstance | undefined> => getJson<VirtualMachineInstance>('vmi', NAME);
  const stateDir = (): string => join(dataDir, 'vm-state', 'default', NAME, vmUid);
  const permall = (): string => join(stateDir(), 'swtpm', 'tpm2', 'tpm2-00.permall');
  const daemonDirOf = (v: VirtualMachineInstance): string => join(RUN_ROOT, launcherId({ namespace: 'default', name: NAME, uid: v.metadata.uid ?? '' }), 'd');

  /** Waits for the VMI to run and its console to show the token; returns the running VMI. */
  async function runningWithToken(): Promise<VirtualMachineInstance> {
    const running = await until('VMI Running', vmi, (v) => v?.status?.phase === 'Running' || v?.status?.phase === 'Failed', 180_000);
    expect(running?.status?.phase).toBe('Running');
    const child = spawnKvt(env, 'console', NAME);
    let seen = '';
    child.stdout?.on('data', (b: Buffer) => { seen += b.toString(); });
    const code = new Promise<number | null>((done) => child.once('exit', (c) => done(c)));
    await until('the token on the console', async () => seen, (s) => new RegExp(`^${TOKEN}\\r?$`, 'm').test(s), 180_000);
    child.stdin?.write('\x1d');
    expect(await code).toBe(0);
    return running as VirtualMachineInstance;
  }

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'kvt-tpm-e2e-'));
    env = { ...process.env, KVT_DATA_DIR: dataDir };
    await run('bash', [join(REPO, 'scripts/build-guest.sh')], { cwd: REPO, env, timeout: 600_000, maxBuffer: 64 * 1024 * 1024 });
    // The example's claim: an empty raw disk in the local volume store (the guest boots from its kernel).
    const claim = join(dataDir, 'volumes', 'default', 'disk-windows');
    await mkdir(claim, { recursive: true, mode: 0o711 });
    await run('qemu-img', ['create', '-q', '-f', 'raw', join(claim, 'disk.img'), '16M']);
    daemon = await startKvtDaemon(env);
  }, 700_000);

  afterAll(async () => {
    await kvt('delete', 'vm', NAME, '--ignore-not-found').catch(() => undefined);
    await until('no guest of this suite left', () => qemuPids(NAME), (p) => p.length === 0, 90_000).catch(() => undefined);
    await daemon?.stop();
    for (const pid of await qemuPids(NAME)) process.kill(pid, 'SIGKILL');
    await rm(dataDir, { recursive: true, force: true });
  }, 200_000);

  it('boots with the TPM, the Hyper-V features and the Windows timers; swtpm runs as the QEMU user on the VM\'s state', async () => {
    const manifest = join(dataDir, 'vm.yaml');
    await writeFile(manifest, JSON.stringify(windowsShapedVm()));
    expect(await kvt('apply', '-f', manifest)).toMatchObject({ code: 0, stdout: `virtualmachine.kubevirt.io/${NAME} created\n` });
    vmUid = (await getJson<VirtualMachine>('vm', NAME))?.metadata.uid ?? '';
    const running = await runningWithToken();

    const live = (await run('virsh', ['-c', sessionUri(join(daemonDirOf(running), 'run', 'libvirt', 'libvirt-sock')), 'dumpxml', `default_${NAME}`], { env: { ...process.env, LIBVIRT_AUTOSTART: '0' } })).stdout;
    expect(live).toMatch(/<tpm model='tpm-crb'>\s*<backend type='emulator' version='2\.0' persistent_state='yes'\/>/);
    expect(live).toMatch(/<hyperv mode='custom'>\s*<relaxed state='on'\/>\s*<vapic state='on'\/>\s*<spinlocks state='on' retries='8191'\/>\s*<\/hyperv>/);
    expect(live).toContain('<smm state=\'on\'/>');
    expect(live).toMatch(/<clock offset='utc' adjustment='reset'>\s*<timer name='rtc' present='yes' tickpolicy='catchup'\/>\s*<timer name='pit' present='yes' tickpolicy='delay'\/>\s*<timer name='hpet' present='no'\/>\s*<timer name='hypervclock' present='yes'\/>/);

    const swtpm = await swtpmProcessesUnder(stateDir());
    expect(swtpm).toHaveLength(1);
    const qemuUid = Number(/^Uid:\s+(\d+)/m.exec(await readFile(`/proc/${(await qemuPids(NAME))[0]}/status`, 'utf8'))?.[1]);
    if (IS_ROOT) expect(qemuUid).not.toBe(0);
    expect(swtpm[0]?.uid).toBe(qemuUid);
    // The state is the QEMU user's and nobody else's.
    const state = await stat(permall());
    expect([state.uid, state.mode & 0o777]).toEqual([qemuUid, 0o600]);
    for (const dir of ['vm-state', `vm-state/default/${NAME}/${vmUid}`, `vm-state/default/${NAME}/${vmUid}/swtpm`]) {
      expect((await stat(join(dataDir, dir))).mode & 0o007).toBe(0);
    }
  }, 400_000);

  it('keeps the TPM state across kvt stop and kvt start: the next launcher finds it and manufactures none', async () => {
    expect(await kvt('stop', NAME)).toMatchObject({ code: 0 });
    await until('no VMI and no QEMU', async () => [await vmi(), (await qemuPids(NAME)).length], ([v, n]) => v === undefined && n === 0, 120_000);
    await until('no swtpm of the VM', () => swtpmProcessesUnder(stateDir()), (p) => p.length === 0, 60_000);
    expect((await stat(permall())).size).toBeGreaterThan(0);

    expect(await kvt('start', NAME)).toMatchObject({ code: 0 });
    const running = await runningWithToken();
    expect(await swtpmProcessesUnder(stateDir())).toHaveLength(1);
    // libvirt runs swtpm_setup (which writes its config into the daemon's config home) only when
    // the TPM has no state yet: this launcher's daemon never ran it.
    await expect(stat(join(daemonDirOf(running), 'cfg', 'swtpm_setup.conf'))).rejects.toThrow(/ENOENT/);
  }, 400_000);

  it('kvt delete vm removes the TPM state with the VM and leaves no swtpm, QEMU or launcher directory', async () => {
    const last = await vmi();
    expect(await kvt('delete', 'vm', NAME)).toMatchObject({ code: 0, stdout: `virtualmachine.kubevirt.io "${NAME}" deleted\n` });
    await until('no VMI, no pod, no QEMU', async () => [await vmi(), (await getJson<{ items: unknown[] }>('pods'))?.items.length, (await qemuPids(NAME)).length], ([v, pods, n]) => v === undefined && pods === 0 && n === 0, 120_000);
    await until('the VM\'s state removed', () => stat(stateDir()).then(() => true, () => false), (exists) => !exists, 60_000);
    expect(await swtpmProcessesUnder(dataDir)).toEqual([]);
    await expect(stat(join(dataDir, 'vm-state', 'default'))).rejects.toThrow(/ENOENT/);
    await until('the launcher\'s run directory gone', () => stat(join(daemonDirOf(last as VirtualMachineInstance), '..')).then(() => true, () => false), (exists) => !exists, 60_000);
  }, 300_000);

  it('a TPM that is not persistent keeps its state in the launcher\'s libvirtd only, and it goes with the VMI', async () => {
    const manifest = join(dataDir, 'vmi.yaml');
    const plain: VirtualMachineInstance = {
      apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachineInstance', metadata: { name: 'tpm-plain' },
      spec: {
        terminationGracePeriodSeconds: 0,
        domain: {
          devices: { tpm: {} },
          firmware: { kernelBoot: { kernelArgs: 'console=ttyS0 panic=-1', container: { image: 'localhost/demo-guest:latest', kernelPath: '/boot/vmlinuz', initrdPath: '/boot/initrd.img' } } },
          resources: { requests: { memory: '96Mi' } },
        },
      },
    };
    await writeFile(manifest, JSON.stringify(plain));
    expect(await kvt('apply', '-f', manifest)).toMatchObject({ code: 0 });
    const running = await until('VMI tpm-plain Running', () => getJson<VirtualMachineInstance>('vmi', 'tpm-plain'), (v) => v?.status?.phase === 'Running' || v?.status?.phase === 'Failed', 180_000);
    expect(running?.status?.phase).toBe('Running');
    const daemonDir = join(RUN_ROOT, launcherId({ namespace: 'default', name: 'tpm-plain', uid: running?.metadata.uid ?? '' }), 'd');
    const swtpmDir = join(daemonDir, 'cfg', 'libvirt', 'qemu', 'swtpm');
    const swtpm = await until('swtpm of tpm-plain', () => swtpmProcessesUnder(swtpmDir), (p) => p.length === 1, 60_000);
    if (IS_ROOT) expect(swtpm[0]?.uid).not.toBe(0);
    const [uuid] = await readdir(swtpmDir);
    expect((await stat(join(swtpmDir, uuid ?? '', 'tpm2', 'tpm2-00.permall'))).mode & 0o777).toBe(0o600);

    expect(await kvt('delete', 'vmi', 'tpm-plain')).toMatchObject({ code: 0 });
    await until('VMI tpm-plain gone', () => getJson<VirtualMachineInstance>('vmi', 'tpm-plain'), (v) => v === undefined, 120_000);
    await until('its libvirtd\'s directory gone', () => stat(daemonDir).then(() => true, () => false), (exists) => !exists, 60_000);
    expect(await swtpmProcessesUnder(swtpmDir)).toEqual([]);
    await expect(stat(join(dataDir, 'vm-state', 'default', 'tpm-plain'))).rejects.toThrow(/ENOENT/);
  }, 300_000);
});
