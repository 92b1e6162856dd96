// VirtualMachineInstanceReplicaSet admission (shared/design/kubevirt/rules-other-kinds.md C42–C45)
// and our replica-count check.
import { describe, expect, it } from 'vitest';
import { DEFAULT_CLUSTER_CONFIG } from '../../core/cluster-config.js';
import { path } from '../../core/field-path.js';
import type { LabelSelector, VirtualMachineInstanceReplicaSet } from '../../crd-gen/index.js';
import { CauseType, type Cause } from '../cause.js';
import { NO_LOOKUPS, type AdmissionContext } from '../context.js';
import { validateReplicaSet } from './replicaset.js';
import { validateVmiSpec } from './vmi-spec.js';

const CTX: AdmissionContext = { cfg: DEFAULT_CLUSTER_CONFIG, lookups: NO_LOOKUPS, ids: { uuid: () => 'u' }, now: new Date(0) };

/** The repository's examples/vmirs.yaml with the given selector, template labels and replicas. */
function rs(selector: LabelSelector | undefined, labels: Record<string, string> | null = { app: 'web-pool' }, replicas = 3): VirtualMachineInstanceReplicaSet {
  return {
    apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachineInstanceReplicaSet', metadata: { name: 'web-pool', namespace: 'default' },
    spec: {
      replicas,
      ...(selector === undefined ? {} : { selector }),
      template: {
        ...(labels === null ? {} : { metadata: { labels } }),
        spec: {
          domain: { devices: { disks: [{ name: 'containerdisk', disk: { bus: 'virtio' } }] }, resources: { requests: { memory: '128Mi' } } },
          volumes: [{ name: 'containerdisk', containerDisk: { image: 'localhost/demo-guest:latest' } }],
        },
      },
    } as VirtualMachineInstanceReplicaSet['spec'],
  };
}

const onSelector = (causes: readonly Cause[]): Cause[] => causes.filter((c) => c.field === 'spec.selector');

describe('validateReplicaSet', () => {
  it('admits the example replica set', () => {
    expect(validateReplicaSet(rs({ matchLabels: { app: 'web-pool' } }), undefined, CTX)).toEqual([]);
  });

  it('C42 a missing template is denied with only that cause', () => {
    const input = rs({ matchLabels: { app: 'web-pool' } });
    delete (input.spec as Partial<VirtualMachineInstanceReplicaSet['spec']>).template;
    expect(validateReplicaSet(input, undefined, CTX)).toEqual([{ type: CauseType.Required, field: 'spec.template', message: 'missing virtual machine template: spec.template is required' }]);
  });

  it('C43 the template spec goes through the VMI spec rules with prefix spec.template.spec, without its metadata', () => {
    const input = rs({ matchLabels: { app: 'web-pool' } }, { app: 'web-pool', 'kubevirt.io/nodeName': 'n1' });
    input.spec.template.spec!.domain.devices.disks = [{ name: 'containerdisk', disk: { bus: 'ide' } }, { name: 'containerdisk', cdrom: { bus: 'virtio' } }];
    const expected = validateVmiSpec(input.spec.template.spec!, path('spec', 'template', 'spec'), { cfg: DEFAULT_CLUSTER_CONFIG, metadata: undefined, metadataPath: path('spec', 'template', 'metadata'), origin: 'template' });
    expect(validateReplicaSet(input, undefined, CTX)).toEqual(expected);
    expect(expected.every((c) => c.field.startsWith('spec.template.spec.'))).toBe(true);
  });

  it.each([
    ['an operator it does not know', { matchExpressions: [{ key: 'app', operator: 'Like', values: ['x'] }] }, /^spec.selector.matchExpressions\[0\].operator: "Like" is not a valid label selector operator/],
    ['In without values', { matchExpressions: [{ key: 'app', operator: 'In' }] }, /^spec.selector.matchExpressions\[0\].values: must not be empty for the In operator/],
    ['Exists with values', { matchExpressions: [{ key: 'app', operator: 'Exists', values: ['web-pool'] }] }, /values: must be empty for the Exists operator/],
    ['a bad key', { matchLabels: { 'bad key!': 'x' } }, /"bad key!" is not a valid label key/],
    ['a bad prefix', { matchLabels: { 'Example.COM/app': 'x' } }, /"Example.COM\/app" is not a valid label key: its prefix/],
    ['a bad value', { matchLabels: { app: '-web-' } }, /"-web-" is not a valid label value/],
  ])('C44 a selector with %s is denied on spec.selector', (_n, selector, message) => {
    const causes = onSelector(validateReplicaSet(rs(selector as LabelSelector), undefined, CTX));
    expect(causes).toHaveLength(1);
    expect(causes[0]!.type).toBe(CauseType.Invalid);
    expect(causes[0]!.message).toMatch(message);
  });

  it.each([
    ['a selector for other labels', { matchLabels: { app: 'other' } }, { app: 'web-pool' }, /does not select the template's labels \{"app":"web-pool"\}/],
    ['a missing selector (it selects nothing)', undefined, { app: 'web-pool' }, /a missing selector selects nothing/],
    ['NotIn the template label', { matchExpressions: [{ key: 'app', operator: 'NotIn', values: ['web-pool'] }] }, { app: 'web-pool' }, /does not select/],
    ['a template without labels', { matchLabels: { app: 'web-pool' } }, null, /does not select the template's labels \{\}/],
  ])('C45 %s is denied on spec.selector', (_n, selector, labels, message) => {
    const causes = onSelector(validateReplicaSet(rs(selector as LabelSelector | undefined, labels as Record<string, string> | null), undefined, CTX));
    expect(causes).toHaveLength(1);
    expect(causes[0]!.type).toBe(CauseType.Invalid);
    expect(causes[0]!.message).toMatch(message);
  });

  it.each([
    ['an empty selector selects everything', {}],
    ['In with the template value', { matchExpressions: [{ key: 'app', operator: 'In', values: ['a', 'web-pool'] }] }],
    ['Exists and DoesNotExist', { matchExpressions: [{ key: 'app', operator: 'Exists' }, { key: 'tier', operator: 'DoesNotExist' }] }],
    ['a prefixed key', { matchLabels: { 'kubevirt.io/vm': 'x' } }],
  ])('C44/C45 admitted: %s', (_n, selector) => {
    const labels = { app: 'web-pool', 'kubevirt.io/vm': 'x' };
    expect(validateReplicaSet(rs(selector as LabelSelector, labels), undefined, CTX)).toEqual([]);
  });

  it('ours: a negative replica count is denied on spec.replicas (KubeVirt leaves it to the controller)', () => {
    expect(validateReplicaSet(rs({ matchLabels: { app: 'web-pool' } }, { app: 'web-pool' }, -1), undefined, CTX).filter((c) => c.field === 'spec.replicas')).toEqual([
      { type: CauseType.Invalid, field: 'spec.replicas', message: 'replicas -1 must not be negative' },
    ]);
    expect(validateReplicaSet(rs({ matchLabels: { app: 'web-pool' } }, { app: 'web-pool' }, 0), undefined, CTX)).toEqual([]);
  });
});
