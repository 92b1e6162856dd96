// kvt run's session endings that need no guest: the local control plane (no host check, a temp data
// dir) with objects that start none, so no launcher is spawned.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../core/log.js';
import type { KubeObject } from '../../core/kube.js';
import { startLocalControlPlane, type LocalControlPlane } from './control-plane.js';
import { runSession, type RunSessionOptions } from './run-session.js';

const preset = { apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachineInstancePreset', metadata: { name: 'small', namespace: 'default' }, spec: { selector: { matchLabels: { flavor: 'small' } }, domain: { devices: {}, resources: { requests: { memory: '64Mi' } } } } } as unknown as KubeObject;
const invalid = {
  apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachineInstance', metadata: { name: 'broken', namespace: 'default' },
  spec: { domain: { devices: { disks: [{ name: 'd', disk: { bus: 'floppy' } }] }, resources: { requests: { memory: '64Mi' } } }, volumes: [{ name: 'd', emptyDisk: { capacity: '1Mi' } }] },
} as unknown as KubeObject;

describe('runSession', () => {
  let dir = '';
  let plane: LocalControlPlane;
  const lines: string[] = [];
  const problems: string[] = [];
  const never = new Promise<void>(() => undefined);

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kvt-session-'));
    plane = await startLocalControlPlane({ dataDir: dir, runRoot: join(dir, 'run'), log: createLogger({ name: 'test', level: 'silent' }), persist: false, skipHostCheck: true, owner: 'test' });
    lines.length = 0;
    problems.length = 0;
  });
  afterEach(async () => {
    await plane.stop();
    await rm(dir, { recursive: true, force: true });
  });

  const options = (extra: Partial<RunSessionOptions>): RunSessionOptions => ({
    plane, runRoot: join(dir, 'run'), objects: [{ object: preset, source: 'presets.yaml' }], showConsole: false, stopRequested: never,
    line: (t) => lines.push(t), problem: (t) => problems.push(t), ...extra,
  });

  it('an object admission refuses ends the run with exit 1, its causes printed with their fields, and what was applied deleted', async () => {
    const outcome = await runSession(options({ objects: [{ object: preset, source: 'presets.yaml' }, { object: invalid, source: 'broken.yaml' }] }));
    expect(outcome).toEqual({ code: 1, reason: 'could not apply broken.yaml', clean: true });
    expect(lines[0]).toBe('virtualmachineinstancepreset.kubevirt.io/small created');
    expect(problems.join('\n')).toMatch(/^Error from server \(Invalid\): error when applying "broken\.yaml": .*spec\.domain\.devices\.disks\[0\]\.disk\.bus/s);
    expect((await plane.store.list(preset, {})).items).toEqual([]);
  });

  it('--timeout without a console pattern is the planned end: exit 0', async () => {
    expect(await runSession(options({ timeoutMs: 1000 }))).toEqual({ code: 0, reason: 'ran for 1 s (--timeout)', clean: true });
  });

  it('--timeout while waiting for a console line: exit 1 naming the pattern', async () => {
    expect(await runSession(options({ timeoutMs: 1000, waitFor: /login:/ }))).toEqual({ code: 1, reason: 'timed out after 1 s waiting for a console line matching /login:/', clean: true });
  });

  it('a stop request: exit 0 normally, 130 while still waiting for a console line', async () => {
    expect(await runSession(options({ stopRequested: new Promise((r) => setTimeout(r, 200)) }))).toEqual({ code: 0, reason: 'stopped on request', clean: true });
    expect(await runSession(options({ stopRequested: new Promise((r) => setTimeout(r, 200)), waitFor: /login:/ }))).toEqual({ code: 130, reason: 'interrupted before a console line matched /login:/', clean: true });
  });
});
