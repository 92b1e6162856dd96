/**
 * `kvt` start-up: the wall time of `kvt version`, and of `kvt get vms` against a running `kvt
 * daemon`, each against `node -e 0` (the floor every Node program pays), measured interleaved
 * (subject, baseline, subject, …) in one run. The row is the median of the pair ratios, with their
 * range and the load average beside it. Target (issue "Performance"): ≤ 3×. KubeVirt has no
 * equivalent figure (virtctl is a Go binary).
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { interleave, pairedRow, type Benchmark } from './harness.js';

const KVT = fileURLToPath(new URL('../bin/kvt.js', import.meta.url));
const PAIRS = 15;

function wall(args: readonly string[], env: NodeJS.ProcessEnv = process.env): number {
  const start = performance.now();
  execFileSync(process.execPath, args, { stdio: 'ignore', env });
  return performance.now() - start;
}

const bench: Benchmark = async () => {
  const floor = (): number => wall(['-e', '0']);
  const version = await interleave(PAIRS, () => wall([KVT, 'version']), floor);
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
    const get = await interleave(PAIRS, () => wall([KVT, 'get', 'vms'], env), floor);
    return [pairedRow('cli: kvt version ÷ node -e 0', version, 'ms', '<= 3x'), pairedRow('cli: kvt get vms (daemon up) ÷ node -e 0', get, 'ms', '<= 3x')];
  } finally {
    daemon.kill('SIGTERM');
    await new Promise((r) => daemon.once('exit', r));
    rmSync(dataDir, { recursive: true, force: true });
  }
};

export default bench;
