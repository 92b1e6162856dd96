import { describe, expect, it } from 'vitest';
import type { Pod } from '../../reconcilers/pod.js';
import { CONTAINER_STATUS_UNKNOWN, isLauncherPod, podAction, podStatusFor, terminatedReason, unfoundProcessState, type PodAction, type ProcessState } from './plan.js';
import { formatKubeTime } from '../../core/time.js';

const NOW = new Date('2026-12-02T20:00:00Z');
const T0 = '2026-12-02T19:59:00Z';

function pod(extra: { nodeName?: string; deletionTimestamp?: string; phase?: 'Pending' | 'Running' | 'Succeeded' | 'Failed'; labels?: Record<string, string> } = {}): Pod {
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: {
      name: 'virt-launcher-vm1-abcde', namespace: 'default', uid: 'p1', labels: extra.labels ?? { 'kubevirt.io': 'virt-launcher' },
      ...(extra.deletionTimestamp === undefined ? {} : { deletionTimestamp: extra.deletionTimestamp }),
    },
    spec: { containers: [{ name: 'compute', image: 'kvt/virt-launcher' }], ...(extra.nodeName === undefined ? {} : { nodeName: extra.nodeName }) },
    ...(extra.phase === undefined ? {} : { status: { phase: extra.phase } }),
  };
}

const none: ProcessState = { kind: 'none' };
const starting: ProcessState = { kind: 'starting', startedAt: T0 };
const ready: ProcessState = { kind: 'ready', startedAt: T0 };
const exited0: ProcessState = { kind: 'exited', exitCode: 0, startedAt: T0, finishedAt: formatKubeTime(NOW) };
const killed: ProcessState = { kind: 'exited', exitCode: 137, signal: 9, finishedAt: formatKubeTime(NOW) };

describe('podAction', () => {
  it.each<[string, Pod, ProcessState, PodAction]>([
    ['not a launcher pod', pod({ labels: { app: 'x' } }), none, 'ignore'],
    ['bound to another node', pod({ nodeName: 'node2' }), none, 'ignore'],
    ['unbound', pod(), none, 'bind'],
    ['bound, no process', pod({ nodeName: 'node1' }), none, 'start'],
    ['bound, final, no process (exited before a restart)', pod({ nodeName: 'node1', phase: 'Succeeded' }), none, 'ignore'],
    ['starting', pod({ nodeName: 'node1' }), starting, 'report'],
    ['ready', pod({ nodeName: 'node1' }), ready, 'report'],
    ['exited', pod({ nodeName: 'node1' }), exited0, 'report'],
    ['deleting, process running, deadline ahead', pod({ nodeName: 'node1', deletionTimestamp: '2026-12-02T20:00:30Z' }), ready, 'terminate'],
    ['deleting, process running, deadline passed', pod({ nodeName: 'node1', deletionTimestamp: '2026-12-02T19:59:59Z' }), starting, 'kill'],
    ['deleting, process gone', pod({ nodeName: 'node1', deletionTimestamp: '2026-12-02T20:00:30Z' }), killed, 'delete'],
    ['deleting, never started', pod({ deletionTimestamp: '2026-12-02T20:00:30Z' }), none, 'delete'],
  ])('%s → %s', (_what, p, proc, action) => {
    expect(podAction(p, 'node1', proc, NOW)).toBe(action);
  });

  it('knows launcher pods by label', () => {
    expect(isLauncherPod(pod())).toBe(true);
    expect(isLauncherPod(pod({ labels: { 'kubevirt.io': 'virt-handler' } }))).toBe(false);
  });
});

describe('podStatusFor', () => {
  it.each<[string, ProcessState, string, 'True' | 'False', Record<string, unknown>]>([
    ['no process yet', none, 'Pending', 'False', { waiting: { reason: 'ContainerCreating' } }],
    ['starting', starting, 'Running', 'False', { running: { startedAt: T0 } }],
    ['socket answered', ready, 'Running', 'True', { running: { startedAt: T0 } }],
    ['exit 0', exited0, 'Succeeded', 'False', { terminated: { exitCode: 0, reason: 'Completed', startedAt: T0, finishedAt: formatKubeTime(NOW) } }],
    ['SIGKILL', killed, 'Failed', 'False', { terminated: { exitCode: 137, signal: 9, reason: 'Error', finishedAt: formatKubeTime(NOW) } }],
    ['exit 1', { kind: 'exited', exitCode: 1, finishedAt: formatKubeTime(NOW) }, 'Failed', 'False', { terminated: { exitCode: 1, reason: 'Error', finishedAt: formatKubeTime(NOW) } }],
  ])('%s → %s, Ready=%s', (_what, proc, phase, readyStatus, state) => {
    const status = podStatusFor(pod({ nodeName: 'node1' }), proc, NOW);
    expect(status.phase).toBe(phase);
    expect(status.containerStatuses).toEqual([expect.objectContaining({ name: 'compute', image: 'kvt/virt-launcher', ready: readyStatus === 'True', state })]);
    const byType = Object.fromEntries((status.conditions ?? []).map((c) => [c.type, c.status]));
    expect(byType).toEqual({ PodScheduled: 'True', ContainersReady: readyStatus, Ready: readyStatus });
  });

  it('fails an unstartable pod with the message saying what to install', () => {
    const status = podStatusFor(pod({ nodeName: 'node1' }), { kind: 'unstartable', message: 'libvirtd is not installed: apt-get install libvirt-daemon' }, NOW);
    expect(status).toMatchObject({ phase: 'Failed', reason: 'CreateContainerError', message: expect.stringMatching(/libvirt-daemon/) as unknown });
  });

  it.each<[string, ProcessState]>([['exit 0', exited0], ['SIGKILL', killed], ['unstartable', { kind: 'unstartable', message: 'no spawn' }]])('holds the phase of a pod whose process ended (%s) while its sandbox is still torn down', (_what, proc) => {
    const running = { ...pod({ nodeName: 'node1' }), status: { phase: 'Running' as const, podIP: '10.231.0.5' } };
    const held = podStatusFor(running, proc, NOW, '10.231.0.5');
    expect(held).toMatchObject({ phase: 'Running', podIP: '10.231.0.5' });
    expect(held.containerStatuses?.[0]?.ready).toBe(false);
    // Once the sandbox is gone: terminal, the address kept from the status.
    const done = podStatusFor({ ...running, status: held }, proc, NOW);
    expect(done).toMatchObject({ phase: proc.kind === 'exited' && proc.exitCode === 0 ? 'Succeeded' : 'Failed', podIP: '10.231.0.5', podIPs: [{ ip: '10.231.0.5' }] });
  });

  it('does not hold a running pod\'s phase for its sandbox', () => {
    expect(podStatusFor(pod({ nodeName: 'node1' }), ready, NOW, '10.231.0.5')).toMatchObject({ phase: 'Running', podIP: '10.231.0.5' });
  });

  it('keeps the transition time of an unchanged condition', () => {
    const first = podStatusFor(pod({ nodeName: 'node1' }), ready, NOW);
    const later = podStatusFor({ ...pod({ nodeName: 'node1' }), status: first }, ready, new Date('2026-12-02T20:05:00Z'));
    expect(later.conditions?.find((c) => c.type === 'Ready')?.lastTransitionTime).toBe(formatKubeTime(NOW));
  });

  it.each([[0, undefined, 'Completed'], [1, undefined, 'Error'], [137, 9, 'Error'], [0, 15, 'Error'], [143, 15, 'Error']] as const)('exit %d signal %s → %s', (code, signal, reason) => {
    expect(terminatedReason(code, signal)).toBe(reason);
  });
});

describe('the pod sandbox in the pod status', () => {
  it.each<[string, ProcessState]>([['starting', starting], ['ready', ready], ['exited (the address stays with the status)', killed]])('%s: podIP and podIPs are the sandbox\'s', (_what, proc) => {
    const status = podStatusFor(pod({ nodeName: 'node1' }), proc, NOW, '10.231.0.2');
    expect(status).toMatchObject({ podIP: '10.231.0.2', podIPs: [{ ip: '10.231.0.2' }] });
  });

  it('a pod without a sandbox has no podIP', () => {
    expect(podStatusFor(pod({ nodeName: 'node1' }), ready, NOW)).not.toHaveProperty('podIP');
  });
});

describe('unfoundProcessState: a kubelet without a live process for a pod (restarted)', () => {
  const withState = (state: Record<string, unknown>, phase: 'Pending' | 'Running' = 'Running'): Pod => ({
    ...pod({ nodeName: 'node1' }), status: { phase, containerStatuses: [{ name: 'compute', ready: false, state }] },
  });
  it.each<[string, Pod, ProcessState]>([
    ['never reported: none (it starts)', pod({ nodeName: 'node1' }), none],
    ['waiting: none (it starts)', withState({ waiting: { reason: 'ContainerCreating' } }, 'Pending'), none],
    ['was running: ended unseen, 137, ContainerStatusUnknown', withState({ running: { startedAt: T0 } }),
      { kind: 'exited', exitCode: 137, startedAt: T0, finishedAt: formatKubeTime(NOW), reason: CONTAINER_STATUS_UNKNOWN, message: expect.stringMatching(/could not be found/) as unknown as string }],
    ['reported terminated (its sandbox still going): the same exit', withState({ terminated: { exitCode: 137, signal: 9, reason: 'Error', startedAt: T0, finishedAt: T0 } }),
      { kind: 'exited', exitCode: 137, signal: 9, reason: 'Error', startedAt: T0, finishedAt: T0 }],
  ])('%s', (_what, p, state) => {
    expect(unfoundProcessState(p, NOW)).toEqual(state);
  });

  it('is reported, not started again: the pod fails with the reason once its sandbox is gone', () => {
    const p = withState({ running: { startedAt: T0 } });
    const proc = unfoundProcessState(p, NOW);
    expect(podAction(p, 'node1', proc, NOW)).toBe('report');
    expect(podStatusFor(p, proc, NOW)).toMatchObject({ phase: 'Failed', containerStatuses: [{ state: { terminated: { exitCode: 137, reason: CONTAINER_STATUS_UNKNOWN } } }] });
  });
});
