/**
 * `kvt` start-up: the wall time of `kvt version`, and of `kvt get vms` against a running `kvt
 * daemon`, each against `node -e 0` (the floor every Node program pays), measured interleaved
 * (subject, baseline, subject, …) in one run. The row is the median of the pair ratios, with their
 * range and the load average beside it. Target (issue "Performance"): ≤ 3×. KubeVirt has no
 * equivalent figure (virtctl is a Go binary).
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { percentile, row, type Benchmark, type BenchRow } from './harness.js';

const KVT = fileURLToPath(new URL('../bin/kvt.js', import.meta.url));
const PAIRS = 15;

function wall(args: readonly string[], env: NodeJS.ProcessEnv = process.env): number {
  const start = performance.now();
  execFileSync(process.execPath, args, { stdio: 'ignore', env });
  return performance.now() - start;
}

/** Median, min and max of subject/baseline over interleaved pairs, with the medians themselves. */
function interleaved(subject: () => number, baseline: () => number): { ratio: number; min: number; max: number; subjectMs: number; baselineMs: number } {
  subject();
  baseline();
  const ratios: number[] = [];
  const s: number[] = [];
  const b: number[] = [];
  for (let i = 0; i < PAIRS; i += 1) {
    const x = subject();
    const y = baseline();
    s.push(x);
    b.push(y);
    ratios.push(x / y);
  }
  return { ratio: percentile(ratios, 50), min: Math.min(...ratios), max: Math.max(...ratios), subjectMs: percentile(s, 50), baselineMs: percentile(b, 50) };
}

function rowOf(name: string, m: ReturnType<typeof interleaved>): BenchRow {
  const load = loadavg()[0]?.toFixed(2) ?? '?';
  return row(`${name} (median of ${PAIRS} pair ratios ${m.ratio.toFixed(2)}x, range ${m.min.toFixed(2)}-${m.max.toFixed(2)}x; load ${load}; target <= 3x)`, m.subjectMs, 'ms', m.baselineMs);
}

const bench: Benchmark = async () => {
  const floor = (): number => wall(['-e', '0']);
  const version = interleaved(() => wall([KVT, 'version']), floor);
  const dataDir = mkdtempSync(join(tmpdir(), 'kvt-bench-cli-'));
  const env = { ...process.env, KVT_DATA_DIR: dataDir };
  const daemon = spawn(process.execPath, [KVT, 'daemon'], { env, stdio: 'ignore' });
  try {
    // The daemon answers once its socket is up.
    const deadline = Date.now() + 60_000;
    for (;;) {
      try {
        execFileSync(process.execPath, [KVT, 'get', 'vms'], { stdio: 'ignore', env });
        break;
      } catch (e) {
        if (Date.now() > deadline) throw e;
        await new Promise((r) => setTimeout(r, 200));
      }
    }
    const get = interleaved(() => wall([KVT, 'get', 'vms'], env), floor);
    return [rowOf('cli: kvt version ÷ node -e 0', version), rowOf('cli: kvt get vms (daemon up) ÷ node -e 0', get)];
  } finally {
    daemon.kill('SIGTERM');
    await new Promise((r) => daemon.once('exit', r));
    rmSync(dataDir, { recursive: true, force: true });
  }
};

export default bench;
