// The VMI controller's phases and conditions of kubevirt/controllers.md §2.
import { describe, expect, it } from 'vitest';
import { DEFAULT_CLUSTER_CONFIG } from '../../core/cluster-config.js';
import { findCondition } from '../../core/conditions.js';
import type { VirtualMachineInstance } from '../../crd-gen/index.js';
import { newVmi } from '../../test/builders/vmi.js';
import { LAUNCHER_CONTAINER, type Pod, type PodStatus } from '../pod.js';
import { computeVmiStatus, VmiReason } from './status.js';
import { formatKubeTime } from '../../core/time.js';

const now = new Date('2026-12-02T20:00:00Z');
const T0 = '2026-12-02T19:00:00Z';

function vmiIn(phase: string | undefined, deleting = false): VirtualMachineInstance {
  const vmi = newVmi();
  if (phase !== undefined) vmi.status = { phase, phaseTransitionTimestamps: [{ phase, phaseTransitionTimestamp: T0 }] };
  if (deleting) vmi.metadata.deletionTimestamp = T0;
  return vmi;
}

function pod(status: PodStatus | undefined, options: { nodeName?: string; deleting?: boolean } = {}): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'virt-launcher-testvmi-abcde', namespace: 'mynamespace', uid: 'pod-uid', ...(options.deleting === true ? { deletionTimestamp: T0 } : {}) },
    spec: { containers: [{ name: LAUNCHER_CONTAINER }], ...(options.nodeName === undefined ? {} : { nodeName: options.nodeName }) },
    ...(status === undefined ? {} : { status }),
  };
}

const unscheduled = pod({ phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: '0/1 nodes are available' }] });
const bound = pod({ phase: 'Pending', qosClass: 'Burstable', conditions: [{ type: 'PodScheduled', status: 'True' }] }, { nodeName: 'node01' });
const ready = pod({
  phase: 'Running', qosClass: 'Burstable',
  conditions: [{ type: 'PodScheduled', status: 'True' }, { type: 'Ready', status: 'True' }],
  containerStatuses: [{ name: LAUNCHER_CONTAINER, ready: true, state: { running: {} } }],
}, { nodeName: 'node01' });
const exited = pod({ phase: 'Failed', containerStatuses: [{ name: LAUNCHER_CONTAINER, ready: false, state: { terminated: { exitCode: 1 } } }] }, { nodeName: 'node01' });
const terminating = pod(ready.status, { nodeName: 'node01', deleting: true });

describe('computeVmiStatus phase', () => {
  it.each([
    ['"" without pod → Pending', vmiIn(undefined), undefined, 'Pending', undefined],
    ['Pending without pod → Pending', vmiIn('Pending'), undefined, 'Pending', undefined],
    ['"" deleting without pod → Failed', vmiIn(undefined, true), undefined, 'Failed', VmiReason.LauncherPodMissing],
    ['Pending with pod → Scheduling', vmiIn('Pending'), unscheduled, 'Scheduling', undefined],
    ['Pending with a ready pod → Scheduling first', vmiIn('Pending'), ready, 'Scheduling', undefined],
    ['Scheduling, pod unscheduled → Scheduling', vmiIn('Scheduling'), unscheduled, 'Scheduling', undefined],
    ['Scheduling, pod bound not running → Scheduling', vmiIn('Scheduling'), bound, 'Scheduling', undefined],
    ['Scheduling, pod ready → Scheduled', vmiIn('Scheduling'), ready, 'Scheduled', undefined],
    ['Scheduling, pod ready but VMI deleting → Scheduling', vmiIn('Scheduling', true), ready, 'Scheduling', undefined],
    ['Scheduling, pod gone → Failed', vmiIn('Scheduling'), undefined, 'Failed', VmiReason.LauncherPodMissing],
    ['Scheduling, pod exited → Failed', vmiIn('Scheduling'), exited, 'Failed', VmiReason.LauncherPodDown],
    ['Scheduled, pod gone → Failed', vmiIn('Scheduled'), undefined, 'Failed', VmiReason.LauncherPodMissing],
    ['Scheduled, pod terminating → Failed', vmiIn('Scheduled'), terminating, 'Failed', VmiReason.LauncherPodDown],
    ['Running, pod exited → handler decides (Running)', vmiIn('Running'), exited, 'Running', undefined],
    ['Running, pod gone → Failed', vmiIn('Running'), undefined, 'Failed', VmiReason.LauncherPodMissing],
    ['Succeeded stays', vmiIn('Succeeded'), undefined, 'Succeeded', undefined],
    ['Failed stays', vmiIn('Failed'), exited, 'Failed', undefined],
  ])('%s', (_name, vmi, p, phase, reason) => {
    const status = computeVmiStatus({ cfg: DEFAULT_CLUSTER_CONFIG, vmi, pod: p, now });
    expect(status.phase).toBe(phase);
    expect(status.reason).toBe(reason);
  });

  it('says why a pod that could not run its launcher went down: Synchronized=False with the kubelet\'s reason and message', () => {
    const message = 'MountVolume.SetUp failed for volume "ci-udata": secret "absent" not found';
    const unstartable = pod({ phase: 'Failed', containerStatuses: [{ name: LAUNCHER_CONTAINER, ready: false, state: { waiting: { reason: 'CreateContainerError', message } } }] }, { nodeName: 'node01' });
    const failed = computeVmiStatus({ cfg: DEFAULT_CLUSTER_CONFIG, vmi: vmiIn('Scheduling'), pod: unstartable, now });
    expect([failed.phase, failed.reason]).toEqual(['Failed', VmiReason.LauncherPodDown]);
    expect(failed.conditions?.find((c) => c.type === 'Synchronized')).toMatchObject({ status: 'False', reason: 'CreateContainerError', message });
    // Kept once final; a pod that says nothing adds nothing.
    const later = computeVmiStatus({ cfg: DEFAULT_CLUSTER_CONFIG, vmi: { ...vmiIn('Failed'), status: { ...failed } }, pod: unstartable, now });
    expect(later.conditions?.find((c) => c.type === 'Synchronized')?.message).toBe(message);
    const silent = computeVmiStatus({ cfg: DEFAULT_CLUSTER_CONFIG, vmi: vmiIn('Scheduling'), pod: exited, now });
    expect(silent.conditions?.find((c) => c.type === 'Synchronized')).toBeUndefined();
  });

  it('records the time of a transition, and only of a transition', () => {
    const moved = computeVmiStatus({ cfg: DEFAULT_CLUSTER_CONFIG, vmi: vmiIn('Scheduling'), pod: ready, now });
    expect(moved.phaseTransitionTimestamps).toEqual([{ phase: 'Scheduling', phaseTransitionTimestamp: T0 }, { phase: 'Scheduled', phaseTransitionTimestamp: formatKubeTime(now) }]);
    expect(computeVmiStatus({ cfg: DEFAULT_CLUSTER_CONFIG, vmi: vmiIn('Scheduling'), pod: bound, now }).phaseTransitionTimestamps).toHaveLength(1);
  });

  it('Scheduled takes the pod\'s node and QoS class', () => {
    const status = computeVmiStatus({ cfg: DEFAULT_CLUSTER_CONFIG, vmi: vmiIn('Scheduling'), pod: ready, now });
    expect([status.nodeName, status.qosClass]).toEqual(['node01', 'Burstable']);
    expect(computeVmiStatus({ cfg: DEFAULT_CLUSTER_CONFIG, vmi: vmiIn('Scheduling'), pod: bound, now }).nodeName).toBeUndefined();
  });

  it('keeps fields it does not own', () => {
    const vmi = vmiIn('Running');
    vmi.status = { ...vmi.status, nodeName: 'node01', interfaces: [{ name: 'default', ipAddress: '10.0.0.2' }], guestOSInfo: { id: 'fedora' } };
    const status = computeVmiStatus({ cfg: DEFAULT_CLUSTER_CONFIG, vmi, pod: ready, now });
    expect(status.interfaces).toEqual(vmi.status.interfaces);
    expect(status.guestOSInfo).toEqual({ id: 'fedora' });
    expect(status.nodeName).toBe('node01');
  });
});

describe('computeVmiStatus conditions', () => {
  it.each([
    ['no pod', vmiIn('Pending'), undefined, 'False', VmiReason.PodNotExists],
    ['pod terminating', vmiIn('Running'), terminating, 'False', VmiReason.PodTerminating],
    ['not running yet', vmiIn('Scheduling'), ready, 'False', VmiReason.GuestNotRunning],
    ['running, pod ready: copied', vmiIn('Running'), ready, 'True', undefined],
    ['running, pod has no Ready', vmiIn('Running'), pod({ phase: 'Running', containerStatuses: [] }), 'False', VmiReason.PodConditionMissing],
  ])('Ready: %s', (_name, vmi, p, status, reason) => {
    const ready = findCondition(computeVmiStatus({ cfg: DEFAULT_CLUSTER_CONFIG, vmi, pod: p, now }).conditions, 'Ready');
    expect([ready?.status, ready?.reason]).toEqual([status, reason]);
  });

  it('mirrors PodScheduled=False while scheduling, drops it once placed', () => {
    const scheduling = computeVmiStatus({ cfg: DEFAULT_CLUSTER_CONFIG, vmi: vmiIn('Pending'), pod: unscheduled, now });
    expect(findCondition(scheduling.conditions, 'PodScheduled')).toMatchObject({ status: 'False', reason: 'Unschedulable', message: '0/1 nodes are available' });
    const placed = computeVmiStatus({ cfg: DEFAULT_CLUSTER_CONFIG, vmi: { ...vmiIn('Scheduling'), status: { ...scheduling, phase: 'Scheduling' } }, pod: ready, now });
    expect(findCondition(placed.conditions, 'PodScheduled')).toBeUndefined();
  });

  it('keeps the Synchronized=False the node handler wrote on a Failed VMI (why it failed)', () => {
    const failed: VirtualMachineInstance = { ...vmiIn('Failed'), status: { ...vmiIn('Failed').status, conditions: [{ type: 'Synchronized', status: 'False', reason: 'LaunchFailed', message: 'image not in the store' }] } };
    expect(findCondition(computeVmiStatus({ cfg: DEFAULT_CLUSTER_CONFIG, vmi: failed, pod: exited, now }).conditions, 'Synchronized')).toMatchObject({ status: 'False', reason: 'LaunchFailed', message: 'image not in the store' });
  });

  it('Synchronized=False with the failure\'s reason, removed once a sync succeeds', () => {
    const failed = computeVmiStatus({ cfg: DEFAULT_CLUSTER_CONFIG, vmi: vmiIn(undefined), pod: undefined, now, syncFailure: { reason: VmiReason.FailedCreate, message: 'Could not create Pod: quota' } });
    expect(findCondition(failed.conditions, 'Synchronized')).toMatchObject({ status: 'False', reason: 'FailedCreate', message: 'Could not create Pod: quota' });
    const retried: VirtualMachineInstance = { ...vmiIn(undefined), status: failed };
    expect(findCondition(computeVmiStatus({ cfg: DEFAULT_CLUSTER_CONFIG, vmi: retried, pod: unscheduled, now }).conditions, 'Synchronized')).toBeUndefined();
  });
});

describe('computeVmiStatus launch status (core/vmi-launch-status.ts)', () => {
  const rootCfg = { ...DEFAULT_CLUSTER_CONFIG, featureGates: ['Root'] };

  it.each([
    ['non-root by default', DEFAULT_CLUSTER_CONFIG, 107],
    ['root under the Root feature gate', rootCfg, 0],
  ])('a new VMI gets its runtime user: %s', (_name, cfg, user) => {
    expect(computeVmiStatus({ cfg, vmi: vmiIn(undefined), pod: undefined, now }).runtimeUser).toBe(user);
  });

  it('a new VMI gets its memory and CPU topology from the spec', () => {
    const vmi = newVmi((v) => { v.spec.domain.memory = { guest: '1Gi' }; v.spec.domain.cpu = { sockets: 1, cores: 2, threads: 1 }; });
    const status = computeVmiStatus({ cfg: DEFAULT_CLUSTER_CONFIG, vmi, pod: undefined, now });
    expect([status.memory, status.currentCPUTopology]).toEqual([{ guestAtBoot: '1Gi', guestCurrent: '1Gi', guestRequested: '1Gi' }, { sockets: 1, cores: 2, threads: 1 }]);
  });

  it('is given once: a VMI that has one keeps it, whatever the configuration says now', () => {
    const vmi = vmiIn('Scheduling');
    vmi.status = { ...vmi.status, runtimeUser: 107 };
    expect(computeVmiStatus({ cfg: rootCfg, vmi, pod: unscheduled, now }).runtimeUser).toBe(107);
  });
});
