// The handler's actions for a VMI on its node (kubevirt/controllers.md §5): hand over once; on
// deletion an ACPI shutdown re-sent at most every 5 s and a destroy after the grace period (grace 0:
// at once); nothing for final VMIs or phases the VMI controller owns.
import { describe, expect, it } from 'vitest';
import type { VirtualMachineInstance } from '../../crd-gen/index.js';
import { newVmi } from '../../test/builders/vmi.js';
import type { LauncherView } from './phase.js';
import { graceSeconds, planShutdown, planVmi, type ShutdownClock } from './plan.js';

const T0 = new Date('2026-12-02T20:00:00.000Z');
const at = (ms: number): Date => new Date(T0.getTime() + ms);

function vmiIn(phase: string, deleting = false, grace?: number): VirtualMachineInstance {
  const vmi = newVmi();
  vmi.status = { phase, nodeName: 'n1' };
  if (deleting) vmi.metadata.deletionTimestamp = T0.toISOString();
  if (grace !== undefined) vmi.spec.terminationGracePeriodSeconds = grace;
  return vmi;
}

const RUNNING = { state: 'Running', reason: 'Unknown' } as const;
const LIVE: LauncherView = { seen: true, gone: false, domain: RUNNING, lastDomain: RUNNING, phase: { phase: 'Running' } };
const PREPARING: LauncherView = { seen: true, gone: false, phase: { phase: 'Preparing' } };
const UNSEEN: LauncherView = { seen: false, gone: false };
const GONE: LauncherView = { seen: true, gone: true, domain: RUNNING, lastDomain: RUNNING };

describe('planVmi', () => {
  it.each<[string, VirtualMachineInstance, LauncherView, boolean, unknown]>([
    ['Scheduled, launcher not answered yet → wait, no handover', vmiIn('Scheduled'), UNSEEN, false, { actions: [], requeueAfterMs: 1000 }],
    ['Scheduled, launcher answered, not handed over → hand over', vmiIn('Scheduled'), PREPARING, false, { actions: [{ kind: 'handOver' }] }],
    ['Scheduled, launcher gone before the handover → nothing', vmiIn('Scheduled'), { seen: false, gone: true }, false, { actions: [] }],
    ['Scheduled, launcher failed → no handover', vmiIn('Scheduled'), { seen: true, gone: false, phase: { phase: 'Failed', reason: 'X' } }, false, { actions: [] }],
    ['Scheduled, handed over, launcher preparing → nothing', vmiIn('Scheduled'), PREPARING, true, { actions: [] }],
    ['Running, handed over → nothing', vmiIn('Running'), LIVE, true, { actions: [] }],
    ['Running after a handler restart, file there → no second handover', vmiIn('Running'), UNSEEN, true, { actions: [], requeueAfterMs: 1000 }],
    ['Scheduling (the controller\'s) → nothing', vmiIn('Scheduling'), UNSEEN, false, { actions: [] }],
    ['Succeeded → nothing', vmiIn('Succeeded'), LIVE, true, { actions: [] }],
    ['Failed → nothing', vmiIn('Failed'), GONE, true, { actions: [] }],
    ['deleted, guest live → shutdown', vmiIn('Running', true), LIVE, true, { actions: [{ kind: 'send', command: 'shutdown' }], requeueAfterMs: 5000 }],
    ['deleted, launcher still preparing → wait', vmiIn('Scheduled', true), PREPARING, true, { actions: [], requeueAfterMs: 1000 }],
    ['deleted, launcher gone → nothing', vmiIn('Running', true), GONE, true, { actions: [] }],
    ['deleted before the handover → no handover', vmiIn('Scheduled', true), UNSEEN, false, { actions: [], requeueAfterMs: 1000 }],
  ])('%s', (_what, vmi, view, handedOver, expected) => {
    expect(planVmi({ vmi, view, handedOver, now: T0 })).toEqual(expected);
  });
});

describe('planShutdown (grace 30 s)', () => {
  const vmi = vmiIn('Running', true, 30);
  const clock = (startMs: number, sentMs: number, destroyed = false): ShutdownClock => ({ startedAt: at(startMs), lastSentAt: at(sentMs), destroyed });
  it.each<[string, ShutdownClock | undefined, number, unknown]>([
    ['first pass → shutdown', undefined, 0, { actions: [{ kind: 'send', command: 'shutdown' }], requeueAfterMs: 5000 }],
    ['2 s after → wait 3 s', clock(0, 0), 2000, { actions: [], requeueAfterMs: 3000 }],
    ['5 s after → shutdown again', clock(0, 0), 5000, { actions: [{ kind: 'send', command: 'shutdown' }], requeueAfterMs: 5000 }],
    ['28 s in, sent at 25 s → wait 2 s (the grace end)', clock(0, 25_000), 28_000, { actions: [], requeueAfterMs: 2000 }],
    ['30 s in → destroy', clock(0, 25_000), 30_000, { actions: [{ kind: 'send', command: 'destroy' }], requeueAfterMs: 1000 }],
    ['destroy sent → only wait', clock(0, 25_000, true), 40_000, { actions: [], requeueAfterMs: 1000 }],
  ])('%s', (_what, c, nowMs, expected) => {
    expect(planShutdown(vmi, c, at(nowMs))).toEqual(expected);
  });

  it('grace 0 → destroy at once', () => {
    expect(planShutdown(vmiIn('Running', true, 0), undefined, T0).actions).toEqual([{ kind: 'send', command: 'destroy' }]);
  });

  it('grace: the VMI\'s, else 30 (deletionGracePeriodSeconds 0 of a finalized delete is ignored)', () => {
    const v = vmiIn('Running', true, 12);
    v.metadata.deletionGracePeriodSeconds = 0;
    expect(graceSeconds(v)).toBe(12);
    delete v.spec.terminationGracePeriodSeconds;
    expect(graceSeconds(v)).toBe(30);
  });
});
