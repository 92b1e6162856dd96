/**
 * Facts about this host that the converter's context needs and only IO can tell: whether KVM
 * really runs guests here, and where the UEFI firmware lives.
 *
 * KVM is judged by capability, not by the presence of /dev/kvm (TEST-GUEST.md): on nested hosts
 * `/dev/kvm` opens and `KVM_CREATE_VM` succeeds, yet guests crawl or hang. The probe boots the same
 * tiny x86 program (real mode → long mode, touching 16 MiB, then exiting through QEMU's
 * isa-debug-exit port) under TCG and under KVM, and KVM counts as usable only when it finishes and
 * is not slower than emulation. The verdict is cached per machine boot and QEMU binary.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EfiFirmware } from '../converter/context.js';

/** The probe program: a 512-byte boot sector, assembled from the source quoted below. */
// .code16: cli; zero ds/es; clear 0x1000-0x3fff; PML4[0]=0x2003; PDPT[0]=0x3003; PD[0..511]=2 MiB
// pages; lgdt; CR4.PAE; CR3=0x1000; EFER.LME; CR0.PG|PE; ljmp 0x08:lm
// .code64 lm: rep stosq 0x5a.. over 16 MiB at 16 MiB; mov al,0x2a; out 0xf4,al; hlt
const PROBE_CODE =
  'fa31c08ed88ec0bf0010b9003031c0f3aa66c70600100320000066c706002003300000bf003066b883000000b900026689056605000020' +
  '0083c708e2f20f0116b07c0f20e06683c8200f22e066b8001000000f22d866b9800000c00f32660d000100000f300f20c0660d01000080' +
  '0f22c0ea767c080048c7c70000000148c7c10000200048b85a5a5a5a5a5a5a5af348abb02ae6f4f4ebfd0000000000000000ffff000000' +
  '9aaf00ffff00000092cf001700987c';

/** isa-debug-exit turns the byte written (0x2a) into exit status (0x2a << 1) | 1. */
const PROBE_EXIT_STATUS = 85;
const PROBE_TCG_TIMEOUT_MS = 10_000;
const PROBE_KVM_MIN_TIMEOUT_MS = 1_000;
/** KVM may be this much slower than TCG on the probe and still count (noise on a busy host). */
const KVM_SLACK = 1.5;

/** One accelerator's probe run. */
export interface ProbeRun {
  readonly ok: boolean;
  readonly ms: number;
  readonly detail: string;
}

/** The probe's verdict, as cached and logged. */
export interface KvmVerdict {
  readonly usable: boolean;
  readonly reason: string;
  readonly tcg?: ProbeRun;
  readonly kvm?: ProbeRun;
}

/** Options of {@link probeKvm}. */
export interface KvmProbeOptions {
  /** Where the verdict is cached (`<dataDir>/cache`). @default no cache */
  readonly cacheDir?: string;
  /** @default "qemu-system-x86_64" */
  readonly qemu?: string;
  /** @default "/dev/kvm" */
  readonly kvmDevice?: string;
}

function probeImage(): Buffer {
  const image = Buffer.alloc(512);
  Buffer.from(PROBE_CODE, 'hex').copy(image);
  image[510] = 0x55;
  image[511] = 0xaa;
  return image;
}

function runProbe(qemu: string, accel: 'kvm' | 'tcg', image: string, timeoutMs: number): Promise<ProbeRun> {
  const args = [
    '-accel', accel, '-machine', 'pc', '-m', '64', '-nodefaults', '-no-user-config', '-display', 'none',
    '-serial', 'none', '-monitor', 'none', '-drive', `file=${image},format=raw,if=ide`,
    '-device', 'isa-debug-exit,iobase=0xf4,iosize=0x04',
  ];
  const started = performance.now();
  return new Promise((done) => {
    execFile(qemu, args, { timeout: timeoutMs, killSignal: 'SIGKILL' }, (err, _stdout, stderr) => {
      const ms = Math.round(performance.now() - started);
      const code = err === null ? 0 : (err as { code?: unknown }).code;
      if (code === PROBE_EXIT_STATUS) done({ ok: true, ms, detail: 'exited through isa-debug-exit' });
      else if (err !== null && (err as { killed?: boolean }).killed === true) done({ ok: false, ms, detail: `no exit within ${timeoutMs} ms` });
      else done({ ok: false, ms, detail: `exit status ${String(code)}: ${stderr.trim().split('\n').pop() ?? ''}` });
    });
  });
}

/** Decides from the two runs (pure, exported for tests). */
export function judgeKvm(tcg: ProbeRun, kvm: ProbeRun): KvmVerdict {
  if (!kvm.ok) return { usable: false, reason: `KVM probe failed (${kvm.detail})`, tcg, kvm };
  if (tcg.ok && kvm.ms > tcg.ms * KVM_SLACK) {
    return { usable: false, reason: `KVM ran the probe in ${kvm.ms} ms, slower than emulation (${tcg.ms} ms): nested virtualization that does not work`, tcg, kvm };
  }
  return { usable: true, reason: `KVM ran the probe in ${kvm.ms} ms (emulation ${tcg.ms} ms)`, tcg, kvm };
}

async function cacheKey(qemu: string): Promise<string> {
  const bootId = (await readFile('/proc/sys/kernel/random/boot_id', 'utf8').catch(() => 'unknown-boot')).trim();
  const version = await new Promise<string>((done) => {
    execFile(qemu, ['--version'], (err, stdout) => done(err === null ? stdout.split('\n')[0] ?? '' : 'unknown-qemu'));
  });
  return `${bootId} ${version}`;
}

async function probeUncached(qemu: string, kvmDevice: string): Promise<KvmVerdict> {
  const device = await stat(kvmDevice).then(() => true, () => false);
  if (!device) return { usable: false, reason: `${kvmDevice} does not exist` };
  const dir = await mkdtemp(join(tmpdir(), 'kvt-kvm-probe-'));
  try {
    const image = join(dir, 'probe.img');
    await writeFile(image, probeImage(), { mode: 0o600 });
    const tcg = await runProbe(qemu, 'tcg', image, PROBE_TCG_TIMEOUT_MS);
    const kvmTimeout = Math.max(PROBE_KVM_MIN_TIMEOUT_MS, Math.ceil(tcg.ms * KVM_SLACK * 2));
    return judgeKvm(tcg, await runProbe(qemu, 'kvm', image, kvmTimeout));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Whether KVM runs guests here; see the module comment for how it is judged. */
export async function probeKvm(options: KvmProbeOptions = {}): Promise<KvmVerdict> {
  const qemu = options.qemu ?? 'qemu-system-x86_64';
  const kvmDevice = options.kvmDevice ?? '/dev/kvm';
  if (options.cacheDir === undefined) return probeUncached(qemu, kvmDevice);
  const key = await cacheKey(qemu);
  const file = join(options.cacheDir, 'kvm-probe.json');
  const cached = await readFile(file, 'utf8').then((t) => JSON.parse(t) as { key?: string; verdict?: KvmVerdict }, () => undefined);
  if (cached?.key === key && cached.verdict !== undefined) return cached.verdict;
  const verdict = await probeUncached(qemu, kvmDevice);
  // Traversable by all: the unprivileged QEMU user reaches the shared capabilities cache through it.
  await mkdir(options.cacheDir, { recursive: true, mode: 0o755 });
  await writeFile(file, `${JSON.stringify({ key, verdict })}\n`, { mode: 0o644 });
  return verdict;
}

/** Debian's `ovmf` package layout. */
const OVMF_CANDIDATES: readonly EfiFirmware[] = [
  {
    code: '/usr/share/OVMF/OVMF_CODE_4M.fd',
    vars: '/usr/share/OVMF/OVMF_VARS_4M.fd',
    secureBootCode: '/usr/share/OVMF/OVMF_CODE_4M.secboot.fd',
    secureBootVars: '/usr/share/OVMF/OVMF_VARS_4M.ms.fd',
  },
  {
    code: '/usr/share/OVMF/OVMF_CODE.fd',
    vars: '/usr/share/OVMF/OVMF_VARS.fd',
    secureBootCode: '/usr/share/OVMF/OVMF_CODE.secboot.fd',
    secureBootVars: '/usr/share/OVMF/OVMF_VARS.ms.fd',
  },
];

/** The first complete set of UEFI firmware files on this host; undefined when OVMF is not installed. */
export async function findEfiFirmware(candidates: readonly EfiFirmware[] = OVMF_CANDIDATES): Promise<EfiFirmware | undefined> {
  for (const set of candidates) {
    const present = await Promise.all(Object.values(set).map((p: string) => stat(p).then(() => true, () => false)));
    if (present.every(Boolean)) return set;
  }
  return undefined;
}
