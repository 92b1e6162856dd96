import { describe, expect, it } from 'vitest';
import type { VirtualMachineInstance, VirtualMachineInstanceReplicaSet } from '../../crd-gen/index.js';
import { computeReplicaSetStatus } from './status.js';
import { formatKubeTime } from '../../core/time.js';

const NOW = new Date('2026-01-01T00:00:00Z');
const rs = (spec: Partial<VirtualMachineInstanceReplicaSet['spec']> = {}, status?: VirtualMachineInstanceReplicaSet['status']): VirtualMachineInstanceReplicaSet => ({
  apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachineInstanceReplicaSet', metadata: { name: 'pool', namespace: 'prod' },
  spec: { replicas: 2, selector: { matchLabels: { tier: 'x', app: 'pool' } }, template: {}, ...spec }, ...(status ? { status } : {}),
});
const vmi = (ready: string): VirtualMachineInstance => ({
  apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachineInstance', metadata: { name: 'v' }, spec: { domain: { devices: {} } },
  status: { phase: 'Running', conditions: [{ type: 'Ready', status: ready }] },
});

// controllers.md §3 status.
describe('computeReplicaSetStatus', () => {
  it('counts active and ready replicas and prints the selector sorted by key', () => {
    const status = computeReplicaSetStatus({ rs: rs(), active: [vmi('True'), vmi('False')], scalingUp: false, now: NOW });
    expect(status).toEqual({ replicas: 2, readyReplicas: 1, labelSelector: 'app=pool,tier=x', conditions: [] });
  });

  it('sets ReplicaPaused while paused and removes it after', () => {
    const paused = computeReplicaSetStatus({ rs: rs({ paused: true }), active: [], scalingUp: false, now: NOW });
    expect(paused.conditions).toEqual([{ type: 'ReplicaPaused', status: 'True', reason: 'Paused', message: 'Controller got paused', lastTransitionTime: formatKubeTime(NOW) }]);
    expect(computeReplicaSetStatus({ rs: rs({}, paused), active: [], scalingUp: false, now: NOW }).conditions).toEqual([]);
  });

  it.each([[true, 'FailedCreate'], [false, 'FailedDelete']])('ReplicaFailure when scaling up=%s is %s', (scalingUp, reason) => {
    const status = computeReplicaSetStatus({ rs: rs(), active: [], scaleError: 'quota', scalingUp, now: NOW });
    expect(status.conditions?.[0]).toMatchObject({ type: 'ReplicaFailure', status: 'True', reason, message: 'quota' });
  });
});
