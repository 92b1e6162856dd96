import { describe, expect, it } from 'vitest';
import { launcherPodIp, type PodAddress } from './vmi-endpoint.js';

const pod = (uid: string, phase: string, ip?: string, deleting = false): PodAddress => ({
  metadata: { labels: { 'kubevirt.io/created-by': uid }, ...(deleting ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}) },
  status: { phase, ...(ip === undefined ? {} : { podIP: ip }) },
});

describe('launcherPodIp: the VMI\'s running launcher pod\'s IP', () => {
  it.each<[string, PodAddress[], string | undefined]>([
    ['the running pod of the VMI', [pod('u1', 'Running', '10.244.0.5')], '10.244.0.5'],
    ['another VMI\'s pod is not it', [pod('u2', 'Running', '10.244.0.6')], undefined],
    ['a pod without an IP (no pod network)', [pod('u1', 'Running')], undefined],
    ['a pending pod', [pod('u1', 'Pending', '10.244.0.5')], undefined],
    ['a pod being deleted loses to the new one', [pod('u1', 'Running', '10.244.0.5', true), pod('u1', 'Running', '10.244.0.9')], '10.244.0.9'],
    ['none', [], undefined],
  ])('%s', (_, pods, expected) => {
    expect(launcherPodIp(pods, 'u1')).toBe(expected);
  });
});
