// Real /proc and real files: this test process and a child that exits.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PID_FILE } from '../pid-record.js';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { liveRecordedProcess, processStartTicks, removeDeadRunDir, writePidRecord } from './pid-file.js';

let dir = '';
beforeEach(async () => { dir = await mkdtemp(join(tmpdir(), 'kvt-pid-')); });
afterEach(async () => { await rm(dir, { recursive: true, force: true }); });

describe('pid files', () => {
  it('finds this live process again, and not one with another start time', async () => {
    const ticks = await processStartTicks(process.pid);
    expect(ticks).toMatch(/^\d+$/);
    const record = { pid: process.pid, startTicks: ticks ?? '', podUid: 'p1', startedAt: new Date().toISOString() };
    await writePidRecord(dir, record);
    expect(JSON.parse(await readFile(join(dir, PID_FILE), 'utf8'))).toEqual(record);
    expect(await liveRecordedProcess(dir)).toEqual(record);
    await writePidRecord(dir, { ...record, startTicks: `${Number(ticks) + 1}` });
    expect(await liveRecordedProcess(dir)).toBeUndefined();
  });

  it('reports an exited process, a missing file and a corrupt file as none', async () => {
    const child = spawn(process.execPath, ['-e', '0']);
    const pid = child.pid ?? 0;
    const ticks = await processStartTicks(pid);
    await new Promise((done) => child.once('exit', done));
    await new Promise((r) => setTimeout(r, 50));
    await writePidRecord(dir, { pid, startTicks: ticks ?? '0', podUid: 'p1', startedAt: new Date().toISOString() });
    expect(await liveRecordedProcess(dir)).toBeUndefined();
    await rm(join(dir, PID_FILE));
    expect(await liveRecordedProcess(dir)).toBeUndefined();
    await writeFile(join(dir, PID_FILE), '{not json');
    expect(await liveRecordedProcess(dir)).toBeUndefined();
  });

  it('removes a dead launcher\'s run directory, and never a live one\'s or another pod\'s', async () => {
    const child = spawn(process.execPath, ['-e', '0']);
    const pid = child.pid ?? 0;
    const ticks = (await processStartTicks(pid)) ?? '';
    await new Promise((done) => child.once('exit', done));
    const runDir = (name: string): string => {
      const d = join(dir, name);
      mkdirSync(join(d, 'pod'), { recursive: true });
      writeFileSync(join(d, 'launcher.sock'), '');
      return d;
    };
    const dead = runDir('dead');
    await writePidRecord(dead, { pid, startTicks: ticks, podUid: 'p1', startedAt: new Date().toISOString() });
    expect(await removeDeadRunDir(dead, 'p2')).toBe(false);
    expect(existsSync(dead)).toBe(true);
    expect(await removeDeadRunDir(dead, 'p1')).toBe(true);
    expect(existsSync(dead)).toBe(false);

    const live = runDir('live');
    await writePidRecord(live, { pid: process.pid, startTicks: (await processStartTicks(process.pid)) ?? '', podUid: 'p1', startedAt: new Date().toISOString() });
    expect(await removeDeadRunDir(live, 'p1')).toBe(false);
    expect(existsSync(live)).toBe(true);
    expect(await removeDeadRunDir(join(dir, 'never-made'), 'p1')).toBe(false);
  });
});
