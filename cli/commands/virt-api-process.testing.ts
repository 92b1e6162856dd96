/**
 * A real `kvt virt-api` process for tests: its own node process serving HTTPS on a loopback port
 * with a certificate from a fresh test CA, its log lines collected. Test support only.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { createTestCa, type TestCa } from '../../webhooks/runtime/pki.testing.js';
import { writePair } from '../../webhooks/runtime/server.testing.js';

/** A running `kvt virt-api`. */
export interface VirtApiProcess {
  readonly ca: TestCa;
  readonly port: number;
  readonly child: ChildProcess;
  /** Its JSON log lines so far. */
  readonly lines: Record<string, unknown>[];
  /** Resolves with the exit code when the process ends. */
  readonly exited: Promise<number | null>;
  /** Its peak resident memory so far, in bytes (Linux `VmHWM`). */
  peakRss(): number;
  /** Kills it (SIGKILL) and removes its files. */
  dispose(): void;
}

/** Starts `kvt virt-api` on 127.0.0.1 with an ephemeral port; resolves once it serves. */
export async function startVirtApiProcess(args: readonly string[] = []): Promise<VirtApiProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'kvt-virt-api-'));
  const ca = createTestCa();
  const files = { certFile: join(dir, 'tls.crt'), keyFile: join(dir, 'tls.key') };
  writePair(files, ca.issue({ serial: '1001' }));
  const argv = ['bin/kvt.js', 'virt-api', '--tls-cert-file', files.certFile, '--tls-key-file', files.keyFile, '--address', '127.0.0.1', '--port', '0', ...args];
  const child = spawn(process.execPath, argv, { stdio: ['ignore', 'ignore', 'pipe'] });
  const lines: Record<string, unknown>[] = [];
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const port = await new Promise<number>((resolve, reject) => {
    const rl = createInterface({ input: child.stderr! });
    rl.on('line', (line) => {
      const entry = JSON.parse(line) as Record<string, unknown>;
      lines.push(entry);
      if (entry['msg'] === 'Started admission webhook server') resolve(entry['port'] as number);
    });
    child.on('exit', (code) => reject(new Error(`kvt virt-api exited ${code}: ${JSON.stringify(lines)}`)));
  });
  const peakRss = (): number => {
    const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
    const kb = /^VmHWM:\s+(\d+) kB$/m.exec(status)?.[1];
    if (kb === undefined) throw new Error(`no VmHWM in /proc/${child.pid}/status`);
    return Number(kb) * 1024;
  };
  const dispose = (): void => {
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  };
  return { ca, port, child, lines, exited, peakRss, dispose };
}
