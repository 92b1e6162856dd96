import { describe, expect, it } from 'vitest';
import type { VirtualMachineInstance, VirtualMachineInstanceReplicaSet } from '../../crd-gen/index.js';
import { BURST_REPLICAS, planReplicaSet, rankForDeletion, vmiFromTemplate, type RsAction } from './plan.js';

const rs = (spec: Partial<VirtualMachineInstanceReplicaSet['spec']> = {}, meta: Partial<VirtualMachineInstanceReplicaSet['metadata']> = {}): VirtualMachineInstanceReplicaSet => ({
  apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachineInstanceReplicaSet', metadata: { name: 'pool', namespace: 'prod', uid: 'rs-uid', ...meta },
  spec: { replicas: 2, selector: { matchLabels: { app: 'pool' } }, template: { metadata: { labels: { app: 'pool' } }, spec: { domain: { devices: {} } } }, ...spec },
});
const ours = [{ apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachineInstanceReplicaSet', name: 'pool', uid: 'rs-uid', controller: true }];
const vmi = (name: string, opts: { phase?: string; ready?: boolean; owner?: 'ours' | 'other' | 'none'; labels?: Record<string, string>; created?: string; deleting?: boolean } = {}): VirtualMachineInstance => ({
  apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachineInstance',
  metadata: {
    name, namespace: 'prod', uid: `uid-${name}`, resourceVersion: '7', labels: opts.labels ?? { app: 'pool' }, creationTimestamp: opts.created ?? '2026-01-01T00:00:00Z',
    ...(opts.owner === 'none' ? {} : { ownerReferences: opts.owner === 'other' ? [{ ...ours[0]!, uid: 'someone' }] : ours }),
    ...(opts.deleting ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}),
  },
  spec: { domain: { devices: {} } },
  status: { phase: opts.phase ?? 'Running', conditions: [{ type: 'Ready', status: opts.ready === false ? 'False' : 'True' }] },
});
const summary = (actions: readonly RsAction[]) => actions.map((a) => (a.type === 'create' ? 'create' : `${a.type} ${a.name}`));
const plan = (theRs: VirtualMachineInstanceReplicaSet, vmis: VirtualMachineInstance[], expectationsSatisfied = true) => {
  const p = planReplicaSet({ rs: theRs, vmis, expectationsSatisfied });
  if (!p.ok) throw new Error(p.message);
  return p;
};

// controllers.md §3 (KubeVirt replicaset.go).
describe('planReplicaSet', () => {
  it.each<[string, VirtualMachineInstanceReplicaSet, VirtualMachineInstance[], string[]]>([
    ['scales up from 0', rs(), [], ['create', 'create']],
    ['nothing to do at the count', rs(), [vmi('a'), vmi('b')], []],
    ['scales down not-ready first, then newest', rs({ replicas: 1 }), [vmi('old', { created: '2026-01-01T00:00:00Z' }), vmi('new', { created: '2026-01-02T00:00:00Z' }), vmi('sick', { ready: false })], ['delete sick', 'delete new']],
    ['adopts a matching orphan and counts it', rs({ replicas: 1 }), [vmi('orphan', { owner: 'none' })], ['adopt orphan']],
    ['releases an owned VMI relabelled away, and replaces it', rs({ replicas: 1 }), [vmi('moved', { labels: { app: 'other' } })], ['release moved', 'create']],
    ['never touches a VMI another controller owns', rs({ replicas: 1 }), [vmi('theirs', { owner: 'other' })], ['create']],
    ['does not adopt a deleting orphan', rs({ replicas: 1 }), [vmi('going', { owner: 'none', deleting: true })], ['create']],
    ['replaces and cleans up a finished VMI', rs({ replicas: 1 }), [vmi('done', { phase: 'Succeeded' })], ['create', 'delete done']],
    ['a deleting VMI is not active and not cleaned again', rs({ replicas: 1 }), [vmi('going', { deleting: true })], ['create']],
    ['paused: claims only', rs({ replicas: 3, paused: true }), [vmi('orphan', { owner: 'none' })], ['adopt orphan']],
    ['replicas default to 1', rs({ replicas: undefined }), [], ['create']],
  ])('%s', (_name, theRs, vmis, expected) => {
    expect(summary(plan(theRs, vmis).actions)).toEqual(expected);
  });

  it('waits for expectations before scaling', () => {
    expect(plan(rs(), [], false).actions).toEqual([]);
  });

  it('creates and deletes at most BurstReplicas per reconcile', () => {
    expect(plan(rs({ replicas: 1000 }), []).actions).toHaveLength(BURST_REPLICAS);
    const many = Array.from({ length: 300 }, (_, i) => vmi(`v${i}`));
    expect(plan(rs({ replicas: 0 }), many).actions).toHaveLength(BURST_REPLICAS);
  });

  it.each([
    [{ matchLabels: { app: 'web' } }, /does not match the labels of spec\.template\.metadata/],
    [{ matchExpressions: [{ key: 'app', operator: 'Bogus' }] }, /^spec\.selector\.matchExpressions\[0\]/],
  ])('refuses an unusable selector %j', (selector, message) => {
    const p = planReplicaSet({ rs: rs({ selector }), vmis: [], expectationsSatisfied: true });
    expect(p.ok).toBe(false);
    expect(!p.ok && p.message).toMatch(message);
  });
});

describe('vmiFromTemplate (controllers.md §3 generateName rules)', () => {
  it.each<[VirtualMachineInstanceReplicaSet['spec']['template']['metadata'], string]>([
    [{ name: 'tpl-', labels: { app: 'pool' } }, 'tpl-'],
    [{ generateName: 'gen-', labels: { app: 'pool' } }, 'gen-'],
    [{ labels: { app: 'pool' } }, 'pool'],
  ])('template metadata %j → generateName %s, one controller ref', (metadata, generateName) => {
    const made = vmiFromTemplate(rs({ template: { metadata, spec: { domain: { devices: {} } } } }));
    expect(made.metadata.generateName).toBe(generateName);
    expect(made.metadata.name).toBeUndefined();
    expect(made.metadata.labels).toEqual({ app: 'pool' });
    expect(made.metadata.ownerReferences).toEqual([{ ...ours[0], blockOwnerDeletion: true }]);
  });
});

describe('rankForDeletion', () => {
  it('puts not-ready first, then newest, then by name', () => {
    const ranked = rankForDeletion([vmi('b'), vmi('a'), vmi('new', { created: '2026-02-01T00:00:00Z' }), vmi('sick', { ready: false })]);
    expect(ranked.map((v) => v.metadata.name)).toEqual(['sick', 'new', 'a', 'b']);
  });
});
