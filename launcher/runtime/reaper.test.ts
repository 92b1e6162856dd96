// The dead-man switch for real: a stand-in "QEMU" (sleep) whose environment points into the marker
// directory, a reaper whose launcher (a child node process) dies by SIGKILL, and one disarmed.
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isProcessAlive } from './session-processes.js';
import { startReaper } from './reaper.js';

let dir = '';
afterEach(async () => { await rm(dir, { recursive: true, force: true }); });

function fakeQemu(marker: string): number {
  const child = spawn('sleep', ['60'], { env: { PATH: process.env['PATH'], XDG_RUNTIME_DIR: join(marker, 'run') }, detached: true, stdio: 'ignore' });
  child.unref();
  return child.pid ?? -1;
}

const exists = (p: string): Promise<boolean> => stat(p).then(() => true, () => false);
async function until(cond: () => Promise<boolean>, ms = 10_000): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await cond()) return true;
    await new Promise((d) => setTimeout(d, 50));
  }
  return cond();
}

describe('launcher reaper', () => {
  it('ends the session processes and removes the paths when its launcher is SIGKILLed', async () => {
    dir = await mkdtemp(join(tmpdir(), 'kvt-reaper-'));
    const marker = join(dir, 'daemon');
    const state = join(dir, 'state');
    await mkdir(marker);
    await mkdir(state);
    await writeFile(join(state, 'overlay.qcow2'), 'x');
    const victim = fakeQemu(marker);
    const unrelated = fakeQemu(join(dir, 'elsewhere'));
    // The launcher is a separate process that starts the reaper and is then killed outright.
    const reaperModule = resolve(import.meta.dirname, 'reaper.ts');
    const launcher = spawn(process.execPath, ['--import', 'tsx', '-e',
      `import(${JSON.stringify(reaperModule)}).then(async (m) => { await m.startReaper(${JSON.stringify(marker)}, [${JSON.stringify(state)}, ${JSON.stringify(marker)}]); console.log('armed'); setInterval(() => {}, 1000); })`,
    ], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((done) => launcher.stdout.on('data', (b: Buffer) => { if (b.toString().includes('armed')) done(); }));
    expect(await isProcessAlive(victim)).toBe(true);
    launcher.kill('SIGKILL');
    expect(await until(async () => !(await isProcessAlive(victim)))).toBe(true);
    expect(await until(async () => !(await exists(state)) && !(await exists(marker)))).toBe(true);
    expect(await isProcessAlive(unrelated)).toBe(true);
    process.kill(unrelated, 'SIGKILL');
  }, 30_000);

  it('does nothing once disarmed', async () => {
    dir = await mkdtemp(join(tmpdir(), 'kvt-reaper-'));
    const marker = join(dir, 'daemon');
    await mkdir(marker);
    const sleeper = fakeQemu(marker);
    const reaper = await startReaper(marker, [marker]);
    await reaper.disarm();
    expect(await isProcessAlive(sleeper)).toBe(true);
    expect(await exists(marker)).toBe(true);
    process.kill(sleeper, 'SIGKILL');
  });

  it('keeps its caller alive while disarming (a top-level await must not end with exit 13)', async () => {
    dir = await mkdtemp(join(tmpdir(), 'kvt-reaper-'));
    const marker = join(dir, 'daemon');
    await mkdir(marker);
    const reaperModule = resolve(import.meta.dirname, 'reaper.ts');
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e',
      `const m = await import(${JSON.stringify(reaperModule)}); const r = await m.startReaper(${JSON.stringify(marker)}, []); await r.disarm(); console.log('disarmed');`,
    ], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (b: Buffer) => { out += b.toString(); });
    const code = await new Promise<number | null>((done) => child.once('exit', (c) => done(c)));
    expect({ code, out: out.trim() }).toEqual({ code: 0, out: 'disarmed' });
  });
});
