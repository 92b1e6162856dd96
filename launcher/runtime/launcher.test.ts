// The launcher's run against a fake hypervisor and daemon (the real ones are exercised by the
// end-to-end test): how it ends in each case, that the guest gets its grace period, and that
// everything it created is cleaned up whatever happened.
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../core/log.js';
import { testContext } from '../../test/builders/context.js';
import { newVmi, withDevices, withSpec } from '../../test/builders/vmi.js';
import { FakeHypervisor, type FakeGuest } from '../../test/fakes/hypervisor.js';
import type { VirtualMachineInstance } from '../../crd-gen/index.js';
import { runLauncher, type LauncherDeps } from './launcher.js';
import { launcherDirs } from './launcher-dirs.js';
import type { DaemonExit, SessionDaemon } from './libvirtd.js';

const silent = createLogger({ name: 'test', level: 'silent' });
let root = '';
afterEach(async () => { await rm(root, { recursive: true, force: true }); });

interface Harness {
  deps: LauncherDeps;
  hypervisor: FakeHypervisor;
  events: string[];
  stop: () => void;
  killDaemon: () => void;
  dirs: ReturnType<typeof launcherDirs>;
}

async function harness(guest: FakeGuest, overrides: Partial<LauncherDeps> = {}): Promise<Harness> {
  root = await mkdtemp(join(tmpdir(), 'kvt-launcher-'));
  const dirs = launcherDirs({ namespace: 'default', name: 'v', uid: 'u' }, { runRoot: join(root, 'run'), dataDir: join(root, 'data') });
  const hypervisor = new FakeHypervisor(guest);
  const events: string[] = [];
  let stop = (): void => undefined;
  let exit = (_e: DaemonExit): void => undefined;
  const exited = new Promise<DaemonExit>((done) => { exit = done; });
  const daemon: SessionDaemon = {
    uri: 'test:///fake', socketPath: '/nonexistent', pid: 1, exited,
    stop: async () => { events.push('daemon stopped'); exit({ code: 0, signal: null }); },
  };
  const { volumes, kernelBoot, serialSocketPath: _s, serialLogPath: _l, vncSocketPath: _v, nvramPath: _n, ...context } = testContext();
  const deps: LauncherDeps = {
    log: silent,
    context,
    prepareVolumes: async () => {
      events.push('volumes prepared');
      return { volumes, ...(kernelBoot ? { kernelBoot } : {}), cleanup: async () => { events.push('volumes cleaned'); } };
    },
    startDaemon: async () => { events.push('daemon started'); return daemon; },
    connect: async () => hypervisor,
    stopRequested: new Promise<void>((done) => { stop = done; }),
    pollMs: 10,
    ...overrides,
  };
  return { deps, hypervisor, events, stop: () => stop(), killDaemon: () => { hypervisor.kill(); exit({ code: null, signal: 'SIGKILL' }); }, dirs };
}

// No serial console: there is no QEMU socket to attach to here.
const vmi = (grace?: number): VirtualMachineInstance => newVmi(
  withDevices({ autoattachSerialConsole: false }),
  withSpec((s) => { s.volumes = []; s.domain.devices.disks = []; if (grace !== undefined) s.terminationGracePeriodSeconds = grace; }),
);

const exists = (p: string): Promise<boolean> => stat(p).then(() => true, () => false);
const until = async (cond: () => boolean): Promise<void> => {
  for (let i = 0; i < 500 && !cond(); i++) await new Promise((d) => setTimeout(d, 10));
};

async function expectCleanedUp(h: Harness): Promise<void> {
  expect(h.events).toEqual(expect.arrayContaining(['volumes cleaned', 'daemon stopped']));
  expect(h.hypervisor.calls).toEqual(expect.arrayContaining(['undefine mynamespace_testvmi', 'close']));
  expect(await exists(h.dirs.runDir)).toBe(false);
  expect(await exists(h.dirs.stateDir)).toBe(false);
}

describe('runLauncher', () => {
  it('ends Stopped when the guest powers itself off, and cleans up', async () => {
    const h = await harness({});
    const running = runLauncher(vmi(), h.dirs, h.deps);
    await until(() => h.hypervisor.calls.includes('start mynamespace_testvmi'));
    h.hypervisor.powerOffFromInside('mynamespace_testvmi');
    const outcome = await running;
    expect(outcome).toMatchObject({ phase: 'Stopped', reason: 'DomainShutoff', domain: { state: 'Shutoff', reason: 'Shutdown' } });
    expect(h.events.slice(0, 2)).toEqual(['volumes prepared', 'daemon started']);
    await expectCleanedUp(h);
  });

  it('asks the guest to shut down on a stop request and waits for it', async () => {
    const h = await harness({ acpiShutdownMs: 50 });
    const running = runLauncher(vmi(), h.dirs, h.deps);
    await until(() => h.hypervisor.calls.includes('start mynamespace_testvmi'));
    h.stop();
    const outcome = await running;
    expect(outcome.domain).toEqual({ state: 'Shutoff', reason: 'Shutdown' });
    expect(h.hypervisor.calls).toContain('shutdown mynamespace_testvmi');
    expect(h.hypervisor.calls.filter((c) => c.startsWith('destroy')).length).toBeLessThanOrEqual(1);
    await expectCleanedUp(h);
  });

  it('destroys a guest that ignores ACPI once the grace period is over', async () => {
    const h = await harness({});
    const started = Date.now();
    const running = runLauncher(vmi(1), h.dirs, h.deps);
    await until(() => h.hypervisor.calls.includes('start mynamespace_testvmi'));
    h.stop();
    const outcome = await running;
    expect(outcome.domain).toEqual({ state: 'Shutoff', reason: 'Destroyed' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    await expectCleanedUp(h);
  });

  it('fails with LibvirtdDied when the daemon goes away, and still cleans up', async () => {
    const h = await harness({});
    const running = runLauncher(vmi(), h.dirs, h.deps);
    await until(() => h.hypervisor.calls.includes('start mynamespace_testvmi'));
    h.killDaemon();
    const outcome = await running;
    expect(outcome).toMatchObject({ phase: 'Failed', reason: 'LibvirtdDied' });
    expect(h.events).toContain('volumes cleaned');
    expect(await exists(h.dirs.runDir)).toBe(false);
  });

  it('fails without starting anything when volumes cannot be prepared', async () => {
    const h = await harness({}, { prepareVolumes: async () => { throw new Error('spec.volumes[0].persistentVolumeClaim.claimName: claim "db" not found'); } });
    const outcome = await runLauncher(vmi(), h.dirs, h.deps);
    expect(outcome).toMatchObject({ phase: 'Failed', reason: 'LaunchFailed', message: expect.stringContaining('claim "db" not found') });
    expect(h.events).not.toContain('daemon started');
    expect(await exists(h.dirs.runDir)).toBe(false);
  });

  it('fails with ConversionFailed on a VMI the converter refuses', async () => {
    const h = await harness({}, { context: { ...(await harness({})).deps.context, kvmUsable: false, allowEmulation: false } });
    const outcome = await runLauncher(vmi(), h.dirs, h.deps);
    expect(outcome).toMatchObject({ phase: 'Failed', reason: 'ConversionFailed' });
    expect(h.events).not.toContain('daemon started');
  });

  it('stops before starting when the stop comes during preparation', async () => {
    let release = (): void => undefined;
    const gate = new Promise<void>((d) => { release = d; });
    const h = await harness({}, {
      prepareVolumes: async () => { await gate; return { volumes: {}, cleanup: async () => undefined }; },
    });
    const running = runLauncher(vmi(), h.dirs, h.deps);
    h.stop();
    await new Promise((d) => setTimeout(d, 20));
    release();
    expect(await running).toMatchObject({ phase: 'Stopped', reason: 'StopRequested' });
    expect(h.hypervisor.calls).not.toContain('start mynamespace_testvmi');
  });
});
