import { describe, expect, it } from 'vitest';
import { isPodDown, isPodReady, LAUNCHER_CONTAINER, type ContainerStatus, type Pod, type PodPhase } from './pod.js';

const running: ContainerStatus = { name: LAUNCHER_CONTAINER, ready: false, state: { running: { startedAt: '2026-01-01T00:00:00Z' } } };
const terminated: ContainerStatus = { name: LAUNCHER_CONTAINER, ready: false, state: { terminated: { exitCode: 0 } } };
const sidecar = (ready: boolean): ContainerStatus => ({ name: 'hook-sidecar-0', ready, state: { running: {} } });

function pod(phase: PodPhase | undefined, statuses: ContainerStatus[], deleting = false): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'virt-launcher-a-abcde', namespace: 'default', ...(deleting ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}) },
    spec: { containers: [{ name: LAUNCHER_CONTAINER }] },
    ...(phase === undefined ? {} : { status: { phase, containerStatuses: statuses } }),
  };
}

describe('isPodReady', () => {
  it.each([
    ['no status', pod(undefined, []), false],
    ['pending', pod('Pending', [running]), false],
    ['running, compute running (not ready itself)', pod('Running', [running]), true],
    ['running, compute terminated', pod('Running', [terminated]), false],
    ['running, no compute status', pod('Running', [sidecar(true)]), false],
    ['running, sidecar not ready', pod('Running', [running, sidecar(false)]), false],
    ['running, sidecar ready', pod('Running', [running, sidecar(true)]), true],
    ['running but deleting', pod('Running', [running], true), false],
  ])('%s → %s', (_name, p, want) => {
    expect(isPodReady(p)).toBe(want);
  });
});

describe('isPodDown', () => {
  it.each([
    ['no status', pod(undefined, []), false],
    ['pending', pod('Pending', []), false],
    ['running', pod('Running', [running]), false],
    ['succeeded', pod('Succeeded', [terminated]), true],
    ['failed', pod('Failed', []), true],
    ['running, compute terminated', pod('Running', [terminated]), true],
    ['running, deleting', pod('Running', [running], true), true],
  ])('%s → %s', (_name, p, want) => {
    expect(isPodDown(p)).toBe(want);
  });
});
