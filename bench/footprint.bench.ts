/**
 * Memory, measured on the processes users run (`bin/kvt.js` → dist/):
 * - `kvt virt-api`: resident memory idle (12 s after its start) and its peak while a separate load process
 *   offers 1,000 admission requests/s over HTTPS keep-alive (the minimal VMI, mutate and validate).
 *   Baseline: an idle `node` process (the floor of any Node server). Targets ≤ 80 / 120 MB.
 * - the local control plane (`kvt daemon`): resident memory idle, with 1 VM and with 10 VMs
 *   running (the demo guest). Targets ≤ 100 / 150 MB.
 * - per VM, excluding guest RAM: the proportional set size (PSS, so code shared between launchers
 *   counts once) of the VM's launcher, its libvirtd and its QEMU, with QEMU's guest-RAM mapping
 *   taken out, with 1 VM and averaged over 10. Baseline: KubeVirt's launcher overhead formula for
 *   the same VM (220 MiB + 8 MiB per vCPU + 8 MiB per IOThread + 32 MiB video + guest RAM / 512,
 *   bench/README.md). Target ≤ 0.5×.
 * The daemon runs on a data directory of its own; the demo guest is imported into it.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { startVirtApiProcess } from '../cli/commands/virt-api-process.testing.js';
import type { VirtualMachineInstance } from '../crd-gen/index.js';
import { vmiIdentity } from '../launcher/identity.js';
import { defaultRunRoot, launcherDirs } from '../launcher/runtime/launcher-dirs.js';
import { liveRecordedProcess } from '../local/kubelet/runtime/pid-file.js';
import { until } from '../test/builders/until.js';
import { ensureDemoGuest } from '../test/fixtures/demo-guest.js';
import { WEBHOOK_ROUTES } from '../webhooks/registry.js';
import { MUTATE, VALIDATE, minimalVmi, prepare, runLoad } from './admission-measure.js';
import { row, targetRow, type Benchmark, type BenchRow } from './harness.js';

const run = promisify(execFile);
const KVT = fileURLToPath(new URL('../bin/kvt.js', import.meta.url));
const MB = 1e6;
const MIB = 2 ** 20;
const VMS = 10;
const GUEST_MEMORY_MIB = 96;
const runRoot = defaultRunRoot(process.getuid?.() ?? -1, process.env);

/** Resident and proportional set sizes of a process, in bytes (Linux smaps_rollup). */
async function memoryOf(pid: number): Promise<{ rss: number; pss: number }> {
  const text = await readFile(`/proc/${pid}/smaps_rollup`, 'utf8');
  const field = (name: string): number => {
    const kb = new RegExp(`^${name}:\\s+(\\d+) kB$`, 'm').exec(text)?.[1];
    if (kb === undefined) throw new Error(`no ${name} in /proc/${pid}/smaps_rollup`);
    return Number(kb) * 1024;
  };
  return { rss: field('Rss'), pss: field('Pss') };
}

/** PSS of QEMU's guest-RAM mapping: the anonymous mapping exactly the guest's memory size. */
async function guestRamPss(pid: number, guestBytes: number): Promise<number> {
  const text = await readFile(`/proc/${pid}/smaps`, 'utf8');
  let size = 0;
  let total = 0;
  let found = false;
  for (const line of text.split('\n')) {
    const range = /^([0-9a-f]+)-([0-9a-f]+) /.exec(line);
    if (range !== null) {
      size = Number.parseInt(range[2]!, 16) - Number.parseInt(range[1]!, 16);
      continue;
    }
    const pss = /^Pss:\s+(\d+) kB$/.exec(line);
    if (pss !== null && size === guestBytes) {
      total += Number(pss[1]) * 1024;
      found = true;
    }
  }
  if (!found) throw new Error(`QEMU ${pid} has no ${guestBytes}-byte mapping (its guest RAM)`);
  return total;
}

async function pidFile(path: string): Promise<number> {
  const pid = Number((await readFile(path, 'utf8')).trim());
  if (!Number.isInteger(pid) || pid <= 0) throw new Error(`${path} holds no pid`);
  return pid;
}

interface VmFootprint { launcher: number; libvirtd: number; qemu: number; total: number }

/** The per-VM processes of one running VMI, found from its run directory. */
async function vmFootprint(vmi: VirtualMachineInstance, dataDir: string): Promise<VmFootprint> {
  const dirs = launcherDirs(vmiIdentity(vmi), { runRoot, dataDir });
  const launcher = await liveRecordedProcess(dirs.runDir);
  if (launcher === undefined) throw new Error(`no live launcher for ${vmi.metadata?.name ?? '?'}`);
  const libvirtdPid = await pidFile(join(dirs.daemonDir, 'run/libvirt/libvirtd.pid'));
  const qemuPid = await pidFile(join(dirs.daemonDir, `run/libvirt/qemu/run/${vmi.metadata?.namespace ?? 'default'}_${vmi.metadata?.name ?? ''}.pid`));
  const l = (await memoryOf(launcher.pid)).pss;
  const d = (await memoryOf(libvirtdPid)).pss;
  const q = (await memoryOf(qemuPid)).pss - (await guestRamPss(qemuPid, GUEST_MEMORY_MIB * MIB));
  return { launcher: l, libvirtd: d, qemu: q, total: l + d + q };
}

/** KubeVirt's launcher overhead for one vCPU, no IOThreads, a video device and `guestMiB`: MiB. */
const kubevirtOverheadMiB = (guestMiB: number): number => 220 + 8 * 1 + 0 + 32 + guestMiB / 512;

/**
 * A process's RSS once idle: V8 gives start-up garbage back only after some seconds without work
 * (kvt virt-api: about 90 MB two seconds after its start, 74 MB ten seconds later), so the figure is
 * read after IDLE_MS without requests.
 */
const IDLE_MS = 12_000;
async function settledRss(pid: number): Promise<number> {
  await new Promise((r) => setTimeout(r, IDLE_MS));
  return (await memoryOf(pid)).rss;
}

/** An idle Node process (the floor of any Node server): its RSS once settled. */
async function idleNodeRss(): Promise<number> {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  try {
    return await settledRss(child.pid!);
  } finally {
    child.kill('SIGKILL');
  }
}

async function virtApiRows(floor: number): Promise<BenchRow[]> {
  const api = await startVirtApiProcess();
  try {
    const idle = await settledRss(api.child.pid!);
    const admission = prepare(WEBHOOK_ROUTES, minimalVmi());
    const result = await runLoad({
      host: '127.0.0.1', port: api.port, caPem: api.ca.certPem, ratePerSecond: 1000, durationSeconds: 5, warmupSeconds: 1, connections: 32,
      requests: [{ path: MUTATE, body: admission.mutate }, { path: VALIDATE, body: admission.validate }],
    });
    const peak = api.peakRss();
    return [
      targetRow('footprint: kvt virt-api RSS idle, vs an idle node process', idle / MB, 'MB', floor / MB, '<= 80 MB'),
      targetRow(`footprint: kvt virt-api peak RSS at 1000 req/s offered (${Math.round(result.achievedPerSecond)} answered/s, p99 ${result.p99Ms} ms, ${result.errors} errors), vs an idle node process`, peak / MB, 'MB', floor / MB, '<= 120 MB'),
    ];
  } finally {
    api.dispose();
  }
}

interface Daemon { child: ChildProcess; env: NodeJS.ProcessEnv; dataDir: string }

async function kvt(daemon: Daemon, args: readonly string[]): Promise<string> {
  return (await run(process.execPath, [KVT, ...args], { env: daemon.env, maxBuffer: 64 * MIB })).stdout;
}

async function startDaemon(): Promise<Daemon> {
  const image = await ensureDemoGuest();
  const dataDir = await mkdtemp(join(tmpdir(), 'kvt-bench-footprint-'));
  const env = { ...process.env, KVT_DATA_DIR: dataDir };
  await run(process.execPath, [KVT, 'image', 'import', image.ref, image.dir], { env });
  const child = spawn(process.execPath, [KVT, 'daemon'], { env, stdio: 'ignore' });
  const daemon = { child, env, dataDir };
  await until('the daemon to answer', () => kvt(daemon, ['get', 'vms']).then(() => true, () => undefined), 60_000);
  return daemon;
}

function vmYaml(names: readonly string[]): string {
  return names.map((name) => JSON.stringify({
    apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachine', metadata: { name, namespace: 'default' },
    spec: { runStrategy: 'Always', template: { spec: {
      domain: {
        firmware: { kernelBoot: { kernelArgs: 'console=ttyS0 panic=-1 quiet', container: { image: 'localhost/demo-guest:latest', kernelPath: '/boot/vmlinuz', initrdPath: '/boot/initrd.img' } } },
        devices: {}, resources: { requests: { memory: `${GUEST_MEMORY_MIB}Mi` } },
      },
    } } },
  })).join('\n---\n');
}

async function runningVmis(daemon: Daemon, count: number): Promise<VirtualMachineInstance[]> {
  return until(`${count} VMIs Running`, async () => {
    const list = JSON.parse(await kvt(daemon, ['get', 'vmi', '-o', 'json'])) as { items: VirtualMachineInstance[] };
    const running = list.items.filter((v) => v.status?.phase === 'Running');
    const failed = list.items.find((v) => v.status?.phase === 'Failed');
    if (failed !== undefined) throw new Error(`VMI ${failed.metadata?.name ?? '?'} failed: ${failed.status?.reason ?? ''}`);
    return running.length >= count ? running : undefined;
  }, 300_000);
}

async function applyVms(daemon: Daemon, names: readonly string[]): Promise<void> {
  const file = join(daemon.dataDir, `vms-${names[0] ?? ''}.yaml`);
  await writeFile(file, vmYaml(names));
  await kvt(daemon, ['apply', '-f', file]);
}

function perVmRow(label: string, footprints: readonly VmFootprint[]): BenchRow {
  const mean = (f: (v: VmFootprint) => number): number => footprints.reduce((s, v) => s + f(v), 0) / footprints.length / MIB;
  const formula = kubevirtOverheadMiB(GUEST_MEMORY_MIB);
  const parts = `launcher ${mean((v) => v.launcher).toFixed(1)} + libvirtd ${mean((v) => v.libvirtd).toFixed(1)} + QEMU without guest RAM ${mean((v) => v.qemu).toFixed(1)} MiB`;
  return targetRow(`footprint: per-VM overhead (PSS) ${label}: ${parts}, vs KubeVirt's formula for 1 vCPU / ${GUEST_MEMORY_MIB} MiB`, mean((v) => v.total), 'MiB', formula, '<= 0.5x');
}

async function daemonRows(floor: number): Promise<BenchRow[]> {
  const daemon = await startDaemon();
  const names = Array.from({ length: VMS }, (_, i) => `fp-${i}`);
  try {
    const idle = await settledRss(daemon.child.pid!);
    await applyVms(daemon, names.slice(0, 1));
    const one = await runningVmis(daemon, 1);
    const oneVm = await vmFootprint(one[0]!, daemon.dataDir);
    const withOne = (await memoryOf(daemon.child.pid!)).rss;
    await applyVms(daemon, names.slice(1));
    const all = await runningVmis(daemon, VMS);
    // Let every guest finish booting before reading memory.
    await new Promise((r) => setTimeout(r, 10_000));
    const tenVms = await Promise.all(all.map((v) => vmFootprint(v, daemon.dataDir)));
    const withTen = (await memoryOf(daemon.child.pid!)).rss;
    return [
      targetRow('footprint: local control plane (kvt daemon) RSS idle, vs an idle node process', idle / MB, 'MB', floor / MB, '<= 100 MB'),
      row('footprint: local control plane RSS with 1 VM, vs an idle node process', withOne / MB, 'MB', floor / MB),
      targetRow(`footprint: local control plane RSS with ${VMS} VMs, vs an idle node process`, withTen / MB, 'MB', floor / MB, '<= 150 MB'),
      perVmRow('with 1 VM', [oneVm]),
      perVmRow(`mean of ${VMS} VMs`, tenVms),
    ];
  } finally {
    await kvt(daemon, ['delete', 'vm', ...names]).catch(() => undefined);
    await until('every VMI gone', async () => ((JSON.parse(await kvt(daemon, ['get', 'vmi', '-o', 'json'])) as { items: unknown[] }).items.length === 0 ? true : undefined), 300_000).catch(() => undefined);
    daemon.child.kill('SIGTERM');
    await new Promise((r) => daemon.child.once('exit', r));
    await rm(daemon.dataDir, { recursive: true, force: true });
  }
}

const bench: Benchmark = async () => {
  const floor = await idleNodeRss();
  return [...(await virtApiRows(floor)), ...(await daemonRows(floor))];
};

export default bench;
