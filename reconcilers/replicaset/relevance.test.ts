import { describe, expect, it } from 'vitest';
import type { VirtualMachineInstance } from '../../crd-gen/index.js';
import { concernsReplicaSet, type LabelMatcher } from './relevance.js';

const ref = (uid: string, name = 'pool') => [{ apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachineInstanceReplicaSet', name, uid, controller: true }];

const base: VirtualMachineInstance = {
  apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachineInstance',
  metadata: { name: 'v', namespace: 'prod', uid: 'u', resourceVersion: '7', labels: { app: 'pool' }, ownerReferences: ref('rs-1') },
  spec: { domain: { devices: {} } },
  status: { phase: 'Pending', conditions: [{ type: 'Ready', status: 'False', reason: 'PodNotExists', message: 'virt-launcher pod does not exist' }] },
};

type Change = (v: VirtualMachineInstance) => VirtualMachineInstance;
const meta = (m: Partial<VirtualMachineInstance['metadata']>): Change => (v) => ({ ...v, metadata: { ...v.metadata, ...m, resourceVersion: '8' } });
const status = (s: Partial<NonNullable<VirtualMachineInstance['status']>>): Change => (v) => ({ ...v, metadata: { ...v.metadata, resourceVersion: '8' }, status: { ...v.status, ...s } });
const ready = (st: string, reason: string, message = 'm') => [{ type: 'Ready', status: st, reason, message }];

const appPool: LabelMatcher = (labels) => labels?.['app'] === 'pool';

describe('concernsReplicaSet', () => {
  it.each<[string, Change, boolean]>([
    ['a phase move inside the active bucket (Pending → Scheduling)', status({ phase: 'Scheduling' }), false],
    ['a Ready=False reason other than PodTerminating', status({ conditions: ready('False', 'GuestNotRunning') }), false],
    ['a new message on the same Ready condition', status({ conditions: ready('False', 'PodNotExists', 'other') }), false],
    ['the node name in the status', status({ nodeName: 'n1' }), false],
    ['a label the selector does not read', meta({ labels: { app: 'pool', 'kubevirt.io/nodeName': 'n1' } }), false],
    ['an annotation', meta({ annotations: { a: 'b' } }), false],
    ['a final phase', status({ phase: 'Failed' }), true],
    ['Ready=True', status({ conditions: ready('True', '') }), true],
    ['Ready=False/PodTerminating', status({ conditions: ready('False', 'PodTerminating') }), true],
    ['the Ready condition gone (not ready either way)', status({ conditions: [] }), false],
    ['marked for deletion', meta({ deletionTimestamp: '2026-01-01T00:00:00Z' }), true],
    ['labels the selector no longer matches', meta({ labels: { app: 'other' } }), true],
    ['another controller', meta({ ownerReferences: ref('rs-2') }), true],
    ['released (no controller)', meta({ ownerReferences: [] }), true],
  ])('%s → %s', (_name, change, expected) => {
    expect(concernsReplicaSet(change(base), base, false, () => appPool)).toBe(expected);
  });

  it.each<[string, NonNullable<VirtualMachineInstance['status']>, NonNullable<VirtualMachineInstance['status']>, boolean]>([
    ['a first status with Ready=False', {}, { phase: 'Pending', conditions: ready('False', 'PodNotExists') }, false],
    ['Ready=True lost', { phase: 'Running', conditions: ready('True', '') }, { phase: 'Running', conditions: ready('False', 'GuestNotRunning') }, true],
    ['Ready=True without a previous condition', {}, { phase: 'Running', conditions: ready('True', '') }, true],
    ['final to another final phase', { phase: 'Failed' }, { phase: 'Succeeded' }, false],
  ])('status %s → %s', (_name, from, to, expected) => {
    const before = { ...base, status: from };
    expect(concernsReplicaSet({ ...before, status: to }, before, false, () => appPool)).toBe(expected);
  });

  it('counts a creation and a deletion', () => {
    expect(concernsReplicaSet(base, undefined, false, () => appPool)).toBe(true);
    expect(concernsReplicaSet(base, base, true, () => appPool)).toBe(true);
  });

  it('counts any label change when the selector is not at hand, and asks for it only then', () => {
    const relabelled = meta({ labels: { app: 'pool', extra: 'x' } })(base);
    expect(concernsReplicaSet(relabelled, base, false, () => undefined)).toBe(true);
    let asked = 0;
    const counting = (): LabelMatcher => {
      asked += 1;
      return appPool;
    };
    expect(concernsReplicaSet(status({ phase: 'Scheduled' })(base), base, false, counting)).toBe(false);
    expect(asked).toBe(0);
    expect(concernsReplicaSet(relabelled, base, false, counting)).toBe(false);
    expect(asked).toBe(1);
  });
});
