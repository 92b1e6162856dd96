import { describe, expect, it } from 'vitest';
import { formatKubeTime } from '../../core/time.js';
import type { Pod } from '../../reconcilers/pod.js';
import { adoptedProcess, agentAction, agentPodStatus, podFinished, restartDelayMs, type AgentAction, type ContainerProcess } from './plan.js';

const NOW = new Date('2026-12-07T18:00:00Z');
const ago = (ms: number): string => new Date(NOW.getTime() - ms).toISOString();

function pod(extra: { restartPolicy?: string; phase?: 'Pending' | 'Running' | 'Succeeded' | 'Failed'; deletionTimestamp?: string } = {}): Pod {
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name: 'virt-launcher-a', namespace: 'default', uid: 'u1', ...(extra.deletionTimestamp === undefined ? {} : { deletionTimestamp: extra.deletionTimestamp }) },
    spec: { nodeName: 'node1', containers: [{ name: 'compute', image: 'kvt' }], ...(extra.restartPolicy === undefined ? {} : { restartPolicy: extra.restartPolicy }) },
    ...(extra.phase === undefined ? {} : { status: { phase: extra.phase, podIP: '10.244.0.7', podIPs: [{ ip: '10.244.0.7' }] } }),
  } as Pod;
}

const none: ContainerProcess = { kind: 'none', restarts: 0 };
const running: ContainerProcess = { kind: 'running', startedAt: ago(60_000), ready: true, restarts: 0 };
const failedJustNow: ContainerProcess = { kind: 'exited', exitCode: 1, finishedAt: ago(1000), restarts: 0 };
const failedLongAgo: ContainerProcess = { kind: 'exited', exitCode: 1, finishedAt: ago(60_000), restarts: 0 };
const completed: ContainerProcess = { kind: 'exited', exitCode: 0, finishedAt: ago(1000), restarts: 0 };
const unstartable: ContainerProcess = { kind: 'unstartable', message: 'spec.containers[0].command: not kvt', restarts: 0 };

describe('agentAction', () => {
  it.each<[string, Pod, ContainerProcess, AgentAction]>([
    ['a new pod: start', pod(), none, 'start'],
    ['a terminal pod without a process: ignore', pod({ phase: 'Failed' }), none, 'ignore'],
    ['running: report', pod({ phase: 'Running' }), running, 'report'],
    ['exited, Never: report (it finishes)', pod({ restartPolicy: 'Never', phase: 'Running' }), failedJustNow, 'report'],
    ['exited, Always, within the back-off: report', pod({ phase: 'Running' }), failedJustNow, 'report'],
    ['exited, Always, past the back-off: restart', pod({ phase: 'Running' }), failedLongAgo, 'restart'],
    ['exited 0, OnFailure: report', pod({ restartPolicy: 'OnFailure', phase: 'Running' }), { ...completed, finishedAt: ago(60_000) }, 'report'],
    ['deleted, running, before the deadline: terminate', pod({ deletionTimestamp: new Date(NOW.getTime() + 10_000).toISOString() }), running, 'terminate'],
    ['deleted, running, past the deadline: kill', pod({ deletionTimestamp: ago(1) }), running, 'kill'],
    ['deleted, exited: delete', pod({ deletionTimestamp: ago(1) }), failedJustNow, 'delete'],
  ])('%s', (_what, p, proc, action) => {
    expect(agentAction(p, proc, NOW)).toBe(action);
  });

  it('backs off restarts as the kubelet does, 10 s doubling to 5 min', () => {
    expect([0, 1, 2, 5, 9].map(restartDelayMs)).toEqual([10_000, 20_000, 40_000, 300_000, 300_000]);
  });
});

describe('a finished pod and its sandbox', () => {
  it.each<[string, Pod, ContainerProcess, boolean]>([
    ['running', pod(), running, false],
    ['exited, Always (restarts)', pod(), failedJustNow, false],
    ['exited 1, OnFailure (restarts)', pod({ restartPolicy: 'OnFailure' }), failedJustNow, false],
    ['exited 0, OnFailure', pod({ restartPolicy: 'OnFailure' }), completed, true],
    ['exited, Never', pod({ restartPolicy: 'Never' }), failedJustNow, true],
    ['unstartable', pod(), unstartable, true],
  ])('%s: finished %s', (_what, p, proc, finished) => {
    expect(podFinished(p, proc)).toBe(finished);
  });

  it('holds a finished pod\'s phase while its sandbox is removed, then turns terminal keeping its podIP', () => {
    const p = pod({ restartPolicy: 'Never', phase: 'Running' });
    const held = agentPodStatus(p, failedJustNow, { hostIP: '192.0.2.1', podIP: '10.244.0.7' }, NOW);
    expect(held.phase).toBe('Running');
    expect(held.containerStatuses?.[0]?.state).toMatchObject({ terminated: { exitCode: 1, reason: 'Error' } });
    const done = agentPodStatus({ ...p, status: held }, failedJustNow, { hostIP: '192.0.2.1' }, NOW);
    expect(done).toMatchObject({ phase: 'Failed', podIP: '10.244.0.7', podIPs: [{ ip: '10.244.0.7' }] });
  });

  it('does not hold a pod that restarts, nor an unstartable one without a sandbox', () => {
    expect(agentPodStatus(pod({ phase: 'Running' }), failedJustNow, { hostIP: '192.0.2.1', podIP: '10.244.0.7' }, NOW).phase).toBe('Running');
    expect(agentPodStatus(pod({ phase: 'Pending' }), unstartable, { hostIP: '192.0.2.1' }, NOW)).toMatchObject({ phase: 'Failed', reason: 'CreateContainerError' });
  });
});

describe('adoptedProcess: what a restarted agent finds of a pod', () => {
  const withContainer = (restartPolicy: string, state: Record<string, unknown>, restartCount = 2): Pod => {
    const p = pod({ restartPolicy, phase: 'Running' });
    return { ...p, status: { ...p.status, containerStatuses: [{ name: 'compute', ready: false, restartCount, state }] } } as Pod;
  };
  it.each<[string, Pod, { startedAt: string } | undefined, ContainerProcess]>([
    ['its process still runs: running, not ready until probed', withContainer('Always', { running: { startedAt: ago(5000) } }), { startedAt: ago(5000) }, { kind: 'running', startedAt: ago(5000), ready: false, restarts: 2 }],
    ['never started: none', pod(), undefined, { kind: 'none', restarts: 0 }],
    ['was running, gone: ended unseen', withContainer('Never', { running: { startedAt: ago(5000) } }),
      undefined, { kind: 'exited', exitCode: 137, startedAt: ago(5000), finishedAt: formatKubeTime(NOW), reason: 'ContainerStatusUnknown', message: expect.stringMatching(/could not be found/) as unknown as string, restarts: 2 }],
    ['reported terminated: that end', withContainer('Never', { terminated: { exitCode: 1, reason: 'Error', finishedAt: ago(1000) } }),
      undefined, { kind: 'exited', exitCode: 1, reason: 'Error', finishedAt: ago(1000), restarts: 2 }],
  ])('%s', (_what, p, live, proc) => {
    expect(adoptedProcess(p, live, NOW)).toEqual(proc);
  });

  it('a Never pod found ended is reported (it finishes), an Always one restarts after its back-off', () => {
    const running = { running: { startedAt: ago(5000) } };
    expect(agentAction(withContainer('Never', running), adoptedProcess(withContainer('Never', running), undefined, NOW), NOW)).toBe('report');
    const always = withContainer('Always', running, 0);
    const later = new Date(NOW.getTime() + restartDelayMs(0));
    expect(agentAction(always, adoptedProcess(always, undefined, NOW), later)).toBe('restart');
    expect(agentPodStatus(withContainer('Never', running), adoptedProcess(withContainer('Never', running), undefined, NOW), { hostIP: '192.0.2.1' }, NOW))
      .toMatchObject({ phase: 'Failed', containerStatuses: [{ state: { terminated: { exitCode: 137, reason: 'ContainerStatusUnknown' } } }] });
  });
});
