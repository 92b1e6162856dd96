// The handler-owned status fields (kubevirt/controllers.md §2, §5): phase with its transition
// timestamp and reason, Paused (PausedByUser …), LiveMigratable=False, interfaces from the spec;
// the VMI controller's fields pass through untouched.
import { describe, expect, it } from 'vitest';
import type { VirtualMachineInstance } from '../../crd-gen/index.js';
import type { DomainStatus } from '../../launcher/protocol/index.js';
import { newVmi, withInterface } from '../../test/builders/vmi.js';
import type { LauncherView } from './phase.js';
import { handlerStatus, NOT_MIGRATABLE_REASON, pausedCondition } from './status.js';
import { formatKubeTime } from '../../core/time.js';

const NOW = new Date('2026-12-02T20:00:00.000Z');
const EARLIER = '2026-12-02T19:59:00.000Z';

function scheduled(): VirtualMachineInstance {
  const vmi = newVmi(withInterface({ name: 'default', masquerade: {}, macAddress: '02:00:00:00:00:01' }, { pod: {} }));
  vmi.status = {
    phase: 'Scheduled',
    nodeName: 'n1',
    phaseTransitionTimestamps: [{ phase: 'Scheduled', phaseTransitionTimestamp: EARLIER }],
    conditions: [{ type: 'Ready', status: 'False', reason: 'GuestNotRunning', lastTransitionTime: EARLIER }],
  };
  return vmi;
}

function live(state: DomainStatus['state'], reason: string): LauncherView {
  const status = { state, reason };
  return { seen: true, gone: false, domain: status, lastDomain: status, phase: { phase: 'Running' } };
}

describe('handlerStatus', () => {
  it('Scheduled → Running: phase, timestamp, LiveMigratable=False, interfaces; the controller fields stay', () => {
    const next = handlerStatus(scheduled(), live('Running', 'Unknown'), NOW);
    expect(next?.phase).toBe('Running');
    expect(next?.nodeName).toBe('n1');
    expect(next?.phaseTransitionTimestamps).toEqual([
      { phase: 'Scheduled', phaseTransitionTimestamp: EARLIER },
      { phase: 'Running', phaseTransitionTimestamp: formatKubeTime(NOW) },
    ]);
    expect(next?.conditions).toEqual([
      { type: 'Ready', status: 'False', reason: 'GuestNotRunning', lastTransitionTime: EARLIER },
      { type: 'LiveMigratable', status: 'False', reason: NOT_MIGRATABLE_REASON, message: 'kubevirt-ts does not live-migrate VMIs', lastTransitionTime: formatKubeTime(NOW) },
    ]);
    expect(next?.interfaces).toEqual([{ name: 'default', infoSource: 'domain', mac: '02:00:00:00:00:01' }]);
    expect(next?.reason).toBeUndefined();
  });

  it('completes the interfaces with what the launcher reported: the pod IP, the MAC the guest got, the pod interface', () => {
    const reported = [{ name: 'default', mac: '02:aa:bb:cc:dd:ee', ipAddress: '10.244.0.7', ipAddresses: ['10.244.0.7'], infoSource: 'domain', podInterfaceName: 'eth0', queueCount: 1 }];
    const vmi = scheduled();
    const next = handlerStatus(vmi, { ...live('Running', 'Unknown'), interfaces: reported }, NOW);
    expect(next?.interfaces).toEqual(reported);
    // The IP arrives after Running was written: the next pass adds it.
    vmi.status = handlerStatus(vmi, live('Running', 'Unknown'), NOW);
    expect(handlerStatus(vmi, { ...live('Running', 'Unknown'), interfaces: reported }, NOW)?.interfaces).toEqual(reported);
  });

  it('writes nothing when nothing changed (a second pass over its own result)', () => {
    const vmi = scheduled();
    vmi.status = handlerStatus(vmi, live('Running', 'Unknown'), NOW);
    expect(handlerStatus(vmi, live('Running', 'Unknown'), new Date(NOW.getTime() + 60_000))).toBeUndefined();
  });

  it('a user pause sets Paused/PausedByUser and a resume removes it', () => {
    const vmi = scheduled();
    vmi.status = handlerStatus(vmi, live('Running', 'Unknown'), NOW);
    const paused = handlerStatus(vmi, live('Paused', 'User'), NOW);
    expect(paused?.phase).toBe('Running');
    expect(paused?.conditions?.find((c) => c.type === 'Paused')).toMatchObject({ status: 'True', reason: 'PausedByUser' });
    vmi.status = paused;
    const resumed = handlerStatus(vmi, live('Running', 'Unknown'), NOW);
    expect(resumed?.conditions?.some((c) => c.type === 'Paused')).toBe(false);
  });

  it('Failed carries the reason', () => {
    const vmi = scheduled();
    vmi.status = handlerStatus(vmi, live('Running', 'Unknown'), NOW);
    const next = handlerStatus(vmi, { ...live('Running', 'Unknown'), gone: true }, NOW);
    expect(next).toMatchObject({ phase: 'Failed', reason: 'LauncherGone' });
  });

  it('Failed says why in a Synchronized=False condition (the launcher\'s message)', () => {
    const next = handlerStatus(scheduled(), { seen: true, gone: false, phase: { phase: 'Failed', reason: 'LaunchFailed', message: 'image localhost/x:latest is not in the image store' } }, NOW);
    expect(next?.phase).toBe('Failed');
    expect(next?.conditions?.find((c) => c.type === 'Synchronized')).toMatchObject({ status: 'False', reason: 'LaunchFailed', message: 'image localhost/x:latest is not in the image store' });
  });

  it('leaves a VMI it does not own alone (Scheduling) and a VMI waiting for its launcher', () => {
    const vmi = scheduled();
    vmi.status = { phase: 'Scheduling' };
    expect(handlerStatus(vmi, live('Running', 'Unknown'), NOW)).toBeUndefined();
    expect(handlerStatus(scheduled(), { seen: true, gone: false, phase: { phase: 'Preparing' } }, NOW)).toBeUndefined();
  });
});

describe('pausedCondition', () => {
  it.each<[DomainStatus, string | undefined]>([
    [{ state: 'Paused', reason: 'User' }, 'PausedByUser'],
    [{ state: 'Paused', reason: 'Migration' }, 'PausedByMigrationMonitor'],
    [{ state: 'Paused', reason: 'IOError' }, 'PausedIOError'],
    [{ state: 'Paused', reason: 'StartingUp' }, undefined],
    [{ state: 'Running', reason: 'Unknown' }, undefined],
  ])('%j → %s', (domain, reason) => {
    expect(pausedCondition(domain)?.reason).toBe(reason);
  });
});
