/**
 * Local mode, create → boot, over 5 runs (p50/p95): a VM (runStrategy Always, the demo guest, a
 * cloud-init script echoing a token) created on the local control plane (`kvt run`/`kvt daemon`'s
 * wiring: admission, controllers, local kubelet, launcher, handler) until
 *   - its VMI is Running (the domain started: control-plane overhead plus libvirtd and QEMU start),
 *   - the guest's first serial console line, and
 *   - the cloud-init token on the console.
 * Baseline: the very same domain XML (dumped from the launcher's libvirtd, its files copied) started
 * with a bare `virsh create` on an already running session libvirtd, timed to the same three points
 * (virsh create returned; first line and token in the serial log). Both read the console the same
 * way: QEMU's serial log file, polled.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chown, cp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import { createLogger } from '../core/log.js';
import { Gvk, type VirtualMachineInstance } from '../crd-gen/index.js';
import { vmiIdentity } from '../launcher/identity.js';
import { defaultDataDir } from '../launcher/runtime/data-dir.js';
import { defaultRunRoot, launcherDirs } from '../launcher/runtime/launcher-dirs.js';
import { sessionUri, startSessionLibvirtd } from '../launcher/runtime/libvirtd.js';
import { ensureUnprivilegedUser } from '../launcher/runtime/unprivileged-user.js';
import { startLocalControlPlane, type LocalControlPlane } from '../local/runtime/control-plane.js';
import { ensureDemoGuest } from '../test/fixtures/demo-guest.js';
import { launcherLogFile } from '../local/kubelet/runtime/spawn.js';
import { POD_TYPE, type Pod } from '../reconcilers/pod.js';
import { paired, pairedRow, percentile, row, type Benchmark, type BenchRow } from './harness.js';

const RUNS = 5;
const run = promisify(execFile);
const log = createLogger({ name: 'bench', level: 'silent' });
const runRoot = defaultRunRoot(process.getuid?.() ?? -1, process.env);
const dataDir = defaultDataDir();
const VM_TYPE = Gvk.VirtualMachine;
const VMI_TYPE = Gvk.VirtualMachineInstance;

interface Times { started: number; firstLine: number; token: number }

/**
 * Where create → domain started goes, each a time since the VM's create: the control plane's
 * objects as the store shows them (polled every 5 ms), and the launcher's own steps from its log
 * (the VMI handed over, libvirtd answering, the domain started).
 */
interface Milestones {
  vmiCreated: number;
  podCreated: number;
  launcherAnswering: number;
  handedOver: number;
  libvirtdAnswering: number;
  domainStarted: number;
  vmiRunning: number;
}

const MILESTONES: readonly (readonly [keyof Milestones, string])[] = [
  ['vmiCreated', 'VMI created (admission, VM controller)'],
  ['podCreated', 'launcher pod created (VMI controller)'],
  ['launcherAnswering', 'launcher answering on its socket (kubelet start, Node start)'],
  ['handedOver', 'VMI handed over (virt-handler)'],
  ['libvirtdAnswering', 'private libvirtd answering'],
  ['domainStarted', 'domain started (volumes, define, start)'],
  ['vmiRunning', 'VMI Running (handler status write)'],
];

/** Times of the launcher's log lines with `msg` (first of each), since `t0` in this process's clock. */
async function launcherSteps(logFile: string, t0Epoch: number, t0: number): Promise<Pick<Milestones, 'handedOver' | 'libvirtdAnswering' | 'domainStarted'>> {
  const lines = (await readFile(logFile, 'utf8')).split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { time: number; msg: string });
  const at = (msg: string): number => {
    const line = lines.find((l) => l.msg === msg);
    if (line === undefined) throw new Error(`no "${msg}" in ${logFile}`);
    return line.time - t0Epoch + t0;
  };
  return { handedOver: at('Launcher phase Preparing'), libvirtdAnswering: at('Started libvirtd'), domainStarted: at('Started domain') };
}

function vm(name: string, token: string): Record<string, unknown> {
  return {
    apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachine', metadata: { name, namespace: 'default' },
    spec: {
      runStrategy: 'Always',
      template: { spec: {
        terminationGracePeriodSeconds: 30,
        domain: {
          firmware: { kernelBoot: { kernelArgs: 'console=ttyS0 panic=-1 quiet', container: { image: 'localhost/demo-guest:latest', kernelPath: '/boot/vmlinuz', initrdPath: '/boot/initrd.img' } } },
          devices: { disks: [{ name: 'cloudinitdisk', disk: { bus: 'virtio' } }] }, resources: { requests: { memory: '96Mi' } },
        },
        volumes: [{ name: 'cloudinitdisk', cloudInitNoCloud: { userData: `#!/bin/sh\necho "${token}"\n` } }],
      } },
    },
  };
}

async function until<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 180_000): Promise<T> {
  const end = performance.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (performance.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Polls a serial log until its first line, then until `token` is a line of its own: both times since `t0`. */
async function consoleTimes(logFile: string, token: string, t0: number): Promise<{ firstLine: number; token: number }> {
  const text = (): Promise<string> => readFile(logFile, 'utf8').catch(() => '');
  const firstLine = await until('the first console line', async () => ((await text()).includes('\n') ? performance.now() - t0 : undefined));
  const tokenAt = await until('the token', async () => (new RegExp(`^${token}\\r?$`, 'm').test(await text()) ? performance.now() - t0 : undefined));
  return { firstLine, token: tokenAt };
}

/** One VM through the control plane; leaves it running and returns what the baseline needs. */
async function throughPlane(plane: LocalControlPlane, i: number): Promise<{ times: Times; milestones: Milestones; xml: string; token: string; vmi: VirtualMachineInstance }> {
  const name = `boot-${i}`;
  const token = `boot-token-${randomBytes(4).toString('hex')}`;
  const t0Epoch = Date.now();
  const t0 = performance.now();
  await plane.kube.create(vm(name, token) as never);
  const seen: Partial<Milestones> = {};
  const mark = (key: keyof Milestones, reached: boolean): void => {
    if (reached && seen[key] === undefined) seen[key] = performance.now() - t0;
  };
  let podName = '';
  const vmi = await until('VMI Running', async () => {
    const v = await plane.store.get<VirtualMachineInstance & { apiVersion: string; kind: string }>(VMI_TYPE, 'default', name).catch(() => undefined);
    if (v?.status?.phase === 'Failed') throw new Error(`VMI ${name} failed: ${v.status.reason ?? ''}`);
    mark('vmiCreated', v !== undefined);
    const pod = (await plane.store.list<Pod>(POD_TYPE, { namespace: 'default' })).items.find((p) => p.metadata.name?.startsWith(`virt-launcher-${name}-`) === true);
    podName = pod?.metadata.name ?? podName;
    mark('podCreated', pod !== undefined);
    mark('launcherAnswering', pod?.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true);
    return v?.status?.phase === 'Running' ? v : undefined;
  });
  const started = performance.now() - t0;
  mark('vmiRunning', true);
  const steps = await launcherSteps(launcherLogFile(dataDir, 'default', podName), t0Epoch, 0);
  const milestones = { vmiCreated: 0, podCreated: 0, launcherAnswering: 0, ...seen, ...steps } as Milestones;
  const dirs = launcherDirs(vmiIdentity(vmi), { runRoot, dataDir });
  const consoleAt = await consoleTimes(dirs.serialLog, token, t0);
  const { stdout: xml } = await run('virsh', ['-c', sessionUri(join(dirs.daemonDir, 'run/libvirt/libvirt-sock')), 'dumpxml', '--inactive', `default_${name}`]);
  return { times: { started, ...consoleAt }, milestones, xml, token, vmi };
}

async function stopPlaneVm(plane: LocalControlPlane, name: string): Promise<void> {
  await plane.kube.delete(VM_TYPE, 'default', name);
  await until('the VMI gone', async () => ((await plane.store.list(VMI_TYPE, { namespace: 'default' })).items.length === 0 ? true : undefined));
}

/** The same domain with its run and state files moved to `bare` (copied while the source still runs): the XML file. */
async function prepareBare(source: { xml: string; vmi: VirtualMachineInstance }, bare: string, owner: { uid: number; gid: number } | undefined): Promise<string> {
  const dirs = launcherDirs(vmiIdentity(source.vmi), { runRoot, dataDir });
  const runDir = join(bare, 'run');
  const stateDir = join(bare, 'state');
  await rm(bare, { recursive: true, force: true });
  await mkdir(join(runDir, 'q'), { recursive: true });
  await cp(dirs.stateDir, stateDir, { recursive: true, preserveTimestamps: true });
  if (owner !== undefined) {
    await chown(join(runDir, 'q'), owner.uid, owner.gid);
    await run('chown', ['-R', `${owner.uid}:${owner.gid}`, stateDir]);
  }
  const xml = source.xml
    .replaceAll(dirs.runDir, runDir)
    .replaceAll(dirs.stateDir, stateDir)
    .replace(/<name>[^<]*<\/name>/, '<name>bare-boot</name>')
    .replace(/<uuid>[^<]*<\/uuid>/, '');
  const file = join(bare, 'domain.xml');
  await writeFile(file, xml);
  return file;
}

/** `virsh create` of the prepared domain on `uri`, timed like the control plane's VM. */
async function bareCreate(uri: string, file: string, bare: string, token: string): Promise<Times> {
  const t0 = performance.now();
  await run('virsh', ['-c', uri, 'create', file]);
  const started = performance.now() - t0;
  const consoleAt = await consoleTimes(join(bare, 'run', 'q', 'virt-serial0-log'), token, t0);
  await run('virsh', ['-c', uri, 'destroy', 'bare-boot']);
  return { started, ...consoleAt };
}

const bench: Benchmark = async () => {
  await ensureDemoGuest();
  const owner = process.getuid?.() === 0 ? await ensureUnprivilegedUser() : undefined;
  const bare = join(runRoot, 'bench-boot');
  await mkdir(bare, { recursive: true, mode: 0o711 });
  const daemon = await startSessionLibvirtd({ baseDir: join(bare, 'd'), ...(owner === undefined ? {} : { user: owner }), capabilitiesCacheDir: join(dataDir, 'cache', 'libvirt-capabilities') });
  const plane = await startLocalControlPlane({ dataDir, runRoot, log, persist: false, owner: `bench-boot:${process.pid}` });
  const planeTimes: Times[] = [];
  const bareTimes: Times[] = [];
  const milestones: Milestones[] = [];
  try {
    for (let i = 0; i < RUNS; i++) {
      const one = await throughPlane(plane, i);
      planeTimes.push(one.times);
      milestones.push(one.milestones);
      const file = await prepareBare(one, join(bare, 'vm'), owner);
      // One guest at a time: the baseline runs on an otherwise idle machine too.
      await stopPlaneVm(plane, `boot-${i}`);
      bareTimes.push(await bareCreate(daemon.uri, file, join(bare, 'vm'), one.token));
    }
  } finally {
    await plane.stop();
    await daemon.stop();
    await rm(bare, { recursive: true, force: true });
  }
  const rows: BenchRow[] = [];
  const targets: Readonly<Record<keyof Times, string | undefined>> = { started: '<= 1.5x', firstLine: undefined, token: '<= 1.1x' };
  for (const [key, what] of [['started', 'domain started (VMI Running)'], ['firstLine', 'first guest console line'], ['token', 'cloud-init token on the console']] as const) {
    rows.push(pairedRow(`boot: VM create → ${what}, vs bare virsh create of the same XML`, paired(planeTimes.map((t) => t[key]), bareTimes.map((t) => t[key])), 'ms', targets[key]));
  }
  // The breakdown: when each step was reached after the create (median over the runs). Steps may
  // overlap: the launcher starts its libvirtd while it waits for the handover.
  for (const [key, what] of MILESTONES) {
    rows.push(row(`  boot breakdown, median of ${RUNS} runs, ms after the create: ${what}`, percentile(milestones.map((m) => m[key]), 50), 'ms', null));
  }
  return rows;
};

export default bench;
