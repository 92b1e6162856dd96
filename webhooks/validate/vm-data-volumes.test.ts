// VM dataVolumeTemplates (shared/design/kubevirt/rules-other-kinds.md C23–C28, C35), through validateVm.
import { describe, expect, it } from 'vitest';
import { DEFAULT_CLUSTER_CONFIG } from '../../core/cluster-config.js';
import type { DataVolumeTemplateSpec, VirtualMachine } from '../../crd-gen/index.js';
import { CauseType, type Cause } from '../cause.js';
import { NO_LOOKUPS, type AdmissionContext } from '../context.js';
import { validateVm } from './vm.js';

const CTX: AdmissionContext = { cfg: DEFAULT_CLUSTER_CONFIG, lookups: NO_LOOKUPS, ids: { uuid: () => 'u' }, now: new Date(0) };

/** A VM whose template uses the DataVolume `root` and the claim `data`. */
function vm(dataVolumeTemplates: DataVolumeTemplateSpec[], namespace = 'ns'): VirtualMachine {
  return {
    apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachine', metadata: { name: 'v', namespace },
    spec: {
      runStrategy: 'Always',
      dataVolumeTemplates,
      template: {
        spec: {
          domain: { devices: { disks: [{ name: 'root', disk: { bus: 'virtio' } }, { name: 'data', disk: { bus: 'virtio' } }] }, resources: { requests: { memory: '1Gi' } } },
          volumes: [{ name: 'root', dataVolume: { name: 'root' } }, { name: 'data', persistentVolumeClaim: { claimName: 'data' } }],
        },
      },
    },
  };
}

const dvt = (name: string, spec: DataVolumeTemplateSpec['spec'], namespace?: string): DataVolumeTemplateSpec => ({ metadata: { name, ...(namespace ? { namespace } : {}) }, spec });
const ofDvt = (causes: readonly Cause[]): Cause[] => causes.filter((c) => c.field.startsWith('spec.dataVolumeTemplate'));

describe('validateVm: dataVolumeTemplates', () => {
  it.each([
    ['C23 an empty name (nothing else checked)', dvt('', {}), CauseType.Required, 'spec.dataVolumeTemplate[0].name', /'name' field must not be empty for DataVolumeTemplate entry spec.dataVolumeTemplate\[0\]/],
    ['C24 neither pvc nor storage', dvt('root', { source: { blank: {} } }), CauseType.Invalid, 'spec.dataVolumeTemplate[0].PVC.Storage', /has neither pvc nor storage/],
    ['C24 both pvc and storage', dvt('root', { pvc: {}, storage: {}, source: { blank: {} } }), CauseType.Invalid, 'spec.dataVolumeTemplate[0].PVC.Storage', /both a target storage and a target pvc/],
    ['C25 external population with a source', dvt('root', { storage: { dataSourceRef: { kind: 'VolumeSnapshot', name: 's' } }, source: { blank: {} } }), CauseType.Invalid, 'spec.dataVolumeTemplate[0].source', /populated externally/],
    ['C25 external population with a sourceRef', dvt('root', { pvc: { dataSource: { kind: 'PersistentVolumeClaim', name: 'p' } }, sourceRef: { kind: 'DataSource', name: 'd' } }), CauseType.Invalid, 'spec.dataVolumeTemplate[0].source', /must not also give source or sourceRef/],
    ['C26 no source of any kind', dvt('root', { storage: {} }), CauseType.Invalid, 'spec.dataVolumeTemplate[0].source.sourceRef', /needs a source, a sourceRef, or external population/],
    ['C27 an empty source', dvt('root', { storage: {}, source: {} }), CauseType.Invalid, 'spec.dataVolumeTemplate[0].source', /gives no valid source/],
    ['C27 two sources', dvt('root', { storage: {}, source: { blank: {}, http: { url: 'https://example.org/disk.img' } } }), CauseType.Invalid, 'spec.dataVolumeTemplate[0].source', /more than one source \(blank, http\)/],
    ['C28 an entry no volume uses', dvt('orphan', { storage: {}, source: { blank: {} } }), CauseType.Required, 'spec.dataVolumeTemplate[0]', /\("orphan"\) must be referenced in the VMI template's volumes/],
  ])('%s is denied', (_n, entry, type, field, message) => {
    const causes = ofDvt(validateVm(vm([entry]), undefined, CTX));
    expect(causes).toHaveLength(1);
    expect(causes[0]).toMatchObject({ type, field });
    expect(causes[0]!.message).toMatch(message);
  });

  it.each([
    ['C24–C28 admitted: storage with a registry source, used by a dataVolume', dvt('root', { storage: { resources: { requests: { storage: '1Gi' } } }, source: { registry: { url: 'docker://quay.io/containerdisks/fedora:40' } } })],
    ['C25/C26 admitted: externally populated, used by a claim', dvt('data', { pvc: { dataSourceRef: { kind: 'VolumeSnapshot', name: 's' } } })],
    ['C26 admitted: a sourceRef alone', dvt('root', { storage: {}, sourceRef: { kind: 'DataSource', name: 'fedora' } })],
  ])('%s', (_n, entry) => {
    expect(validateVm(vm([entry]), undefined, CTX)).toEqual([]);
  });

  it('C23–C28 checks every entry, each stopping at its first problem', () => {
    const causes = ofDvt(validateVm(vm([dvt('', { source: {} }), dvt('orphan', { storage: {}, source: {} }), dvt('root', { storage: {}, source: { blank: {} } })]), undefined, CTX));
    expect(causes.map((c) => c.field)).toEqual(['spec.dataVolumeTemplate[0].name', 'spec.dataVolumeTemplate[1].source']);
  });
});

describe('validateVm: dataVolumeTemplate namespaces (C35)', () => {
  const other = dvt('root', { storage: {}, source: { blank: {} } }, 'elsewhere');
  it('C35 an entry in another namespace is denied on CREATE, on the plural path', () => {
    expect(validateVm(vm([other]), undefined, CTX)).toEqual([
      { type: CauseType.Invalid, field: 'spec.dataVolumeTemplates[0]', message: 'Embedded DataVolume namespace elsewhere differs from VM namespace ns' },
    ]);
  });

  it('C35 is checked on an UPDATE that changes the templates', () => {
    const before = vm([dvt('root', { storage: {}, source: { blank: {} } })]);
    expect(validateVm(vm([other]), before, CTX).map((c) => c.field)).toEqual(['spec.dataVolumeTemplates[0]']);
  });

  it.each([
    ['C35 admitted: the VM\'s own namespace', vm([dvt('root', { storage: {}, source: { blank: {} } }, 'ns')]), undefined],
    ['C35 admitted: an UPDATE that leaves the templates alone', vm([other]), vm([other])],
  ])('%s', (_n, input, old) => {
    expect(validateVm(input, old, CTX)).toEqual([]);
  });
});
