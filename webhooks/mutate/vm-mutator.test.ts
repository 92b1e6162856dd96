// KubeVirt's VM mutating webhook (shared/design/kubevirt/mutation.md §3; rules C01–C08), one
// behaviour per row, and idempotency on the repository's examples/vm-*.yaml.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CLUSTER_CONFIG } from '../../core/cluster-config.js';
import { parseKubeYamlDocuments } from '../../core/yaml.js';
import type { ApiKind, VirtualMachine } from '../../crd-gen/index.js';
import { CauseType } from '../cause.js';
import type { AdmissionContext, AdmissionLookups } from '../context.js';
import { NO_LOOKUPS } from '../context.js';
import { lookupsFromObjects } from '../admission-lookups.js';
import { mutateVm } from './vm-mutator.js';

type VolumeKind = 'PersistentVolumeClaim' | 'DataVolume' | 'DataSource';
const API: Readonly<Record<VolumeKind, string>> = { PersistentVolumeClaim: 'v1', DataVolume: 'cdi.kubevirt.io/v1beta1', DataSource: 'cdi.kubevirt.io/v1beta1' };
/** A PVC, DataVolume or DataSource with labels, as the object directory would hold it. */
const volume = (kind: VolumeKind, namespace: string, name: string, labels: Record<string, string>) => ({ apiVersion: API[kind], kind, metadata: { name, namespace, labels } });

function ctx(lookups: AdmissionLookups = NO_LOOKUPS): AdmissionContext {
  let n = 0;
  return { cfg: DEFAULT_CLUSTER_CONFIG, lookups, ids: { uuid: () => `00000000-0000-4000-8000-00000000000${++n}` }, now: new Date('2026-01-01T00:00:00Z') };
}

function vm(spec: Partial<VirtualMachine['spec']> = {}, metadata: VirtualMachine['metadata'] = {}): VirtualMachine {
  return {
    apiVersion: 'kubevirt.io/v1',
    kind: 'VirtualMachine',
    metadata: { name: 'vm1', namespace: 'ns', ...metadata },
    spec: {
      runStrategy: 'Halted',
      template: { spec: { domain: { devices: {} }, volumes: [{ name: 'root', persistentVolumeClaim: { claimName: 'root-pvc' } }, { name: 'cd', containerDisk: { image: 'img' } }] } },
      ...spec,
    },
  };
}

function mutated(input: VirtualMachine, old?: VirtualMachine, c = ctx()): VirtualMachine {
  const result = mutateVm(input, old, c);
  if (!result.ok) throw new Error(`refused: ${JSON.stringify(result)}`);
  return result.object;
}

describe('mutateVm: defaults', () => {
  it('fills firmware UUID and serial from ctx.ids, the PCI annotation, architecture and machine type on CREATE', () => {
    const out = mutated(vm());
    expect(out.spec.template.spec?.domain.firmware).toEqual({ uuid: '00000000-0000-4000-8000-000000000001', serial: '00000000-0000-4000-8000-000000000002' });
    expect(out.spec.template.metadata?.annotations).toEqual({ 'kubevirt.io/pci-topology-version': 'v3' });
    expect(out.spec.template.spec?.architecture).toBe('amd64');
    expect(out.spec.template.spec?.domain.machine).toEqual({ type: 'q35' });
    expect(out.spec.template.spec?.domain.resources).toEqual({});
    expect(out.spec.runStrategy).toBe('Halted');
  });

  it('keeps the template\'s resources as given', () => {
    const input = vm();
    input.spec.template.spec!.domain.resources = { requests: { memory: '1Gi' } };
    expect(mutated(input).spec.template.spec?.domain.resources).toEqual({ requests: { memory: '1Gi' } });
  });

  it('keeps a set UUID, serial, annotation, architecture and machine type', () => {
    const input = vm();
    input.spec.template.metadata = { annotations: { 'kubevirt.io/pci-topology-version': 'v2' } };
    input.spec.template.spec!.architecture = 's390x';
    input.spec.template.spec!.domain = { devices: {}, firmware: { uuid: 'u', serial: 's' }, machine: { type: 'pc-q35-rhel9.6.0' } };
    const out = mutated(input);
    expect(out.spec.template.spec?.domain.firmware).toEqual({ uuid: 'u', serial: 's' });
    expect(out.spec.template.metadata?.annotations).toEqual({ 'kubevirt.io/pci-topology-version': 'v2' });
    expect([out.spec.template.spec?.architecture, out.spec.template.spec?.domain.machine?.type]).toEqual(['s390x', 'pc-q35-rhel9.6.0']);
  });

  it('on UPDATE sets no UUID, serial or annotation, but still the machine type', () => {
    const input = vm();
    const out = mutated(input, vm());
    expect(out.spec.template.spec?.domain.firmware).toBeUndefined();
    expect(out.spec.template.metadata).toBeUndefined();
    expect(out.spec.template.spec?.domain.machine).toEqual({ type: 'q35' });
  });

  it('takes the architecture from a dataVolumeTemplate DataSource label', () => {
    const input = vm({ dataVolumeTemplates: [{ metadata: { name: 'root-pvc' }, spec: { sourceRef: { kind: 'DataSource', name: 'fedora' }, storage: {} } }] });
    const lookups = lookupsFromObjects([volume('DataSource', 'ns', 'fedora', { 'template.kubevirt.io/architecture': 'arm64' })]);
    expect(mutated(input, undefined, ctx(lookups)).spec.template.spec?.architecture).toBe('arm64');
  });

  it('leaves a VM being deleted unchanged', () => {
    const input = vm({}, { deletionTimestamp: '2026-01-01T00:00:00Z' });
    expect(mutated(input)).toEqual(input);
  });

  it('never changes its input', () => {
    const input = vm();
    const copy = structuredClone(input);
    mutated(input);
    expect(input).toEqual(copy);
  });
});

describe('mutateVm: preference defaults', () => {
  const pref: ApiKind = {
    apiVersion: 'instancetype.kubevirt.io/v1beta1', kind: 'VirtualMachineClusterPreference', metadata: { name: 'p' },
    spec: { preferredArchitecture: 'arm64', machine: { preferredMachineType: 'virt' }, volumes: { preferredStorageClassName: 'fast' } },
  };
  it('applies the preferred architecture, machine type and storage class where unset', () => {
    const input = vm({
      preference: { name: 'p' },
      dataVolumeTemplates: [
        { metadata: { name: 'a' }, spec: { pvc: {}, source: { blank: {} } } },
        { metadata: { name: 'b' }, spec: { storage: { storageClassName: 'slow' }, source: { blank: {} } } },
      ],
    });
    const out = mutated(input, undefined, ctx(lookupsFromObjects([pref])));
    expect(out.spec.template.spec?.architecture).toBe('arm64');
    expect(out.spec.template.spec?.domain.machine).toEqual({ type: 'virt' });
    expect(out.spec.dataVolumeTemplates?.map((d) => d.spec.pvc?.storageClassName ?? d.spec.storage?.storageClassName)).toEqual(['fast', 'slow']);
  });
});

describe('mutateVm: matcher checks', () => {
  it.each([
    ['C01 instancetype without name or inferFromVolume', { instancetype: {} }, 'spec.instancetype', CauseType.NotFound, /either name or inferFromVolume/],
    ['C02 name next to inferFromVolume', { instancetype: { name: 'big', inferFromVolume: 'root' } }, 'spec.instancetype.name', CauseType.NotSupported, /name "big" must be empty/],
    ['C03 kind next to inferFromVolume', { instancetype: { kind: 'VirtualMachineInstancetype', inferFromVolume: 'root' } }, 'spec.instancetype.kind', CauseType.NotSupported, /kind "VirtualMachineInstancetype" must be empty/],
    ['C04 unknown failure policy', { instancetype: { name: 'x', inferFromVolumeFailurePolicy: 'Maybe' } }, 'spec.instancetype.inferFromVolumeFailurePolicy', CauseType.Invalid, /invalid value 'Maybe'/],
    ['C05 preference without name or inferFromVolume', { preference: {} }, 'spec.preference', CauseType.NotFound, /preference matcher/],
    ['C05 preference name next to inferFromVolume', { preference: { name: 'p', inferFromVolume: 'root' } }, 'spec.preference.name', CauseType.NotSupported, /name "p" must be empty/],
    ['C05 preference kind next to inferFromVolume', { preference: { kind: 'k', inferFromVolume: 'root' } }, 'spec.preference.kind', CauseType.NotSupported, /kind "k"/],
    ['C05 preference failure policy', { preference: { name: 'p', inferFromVolumeFailurePolicy: 'Never' } }, 'spec.preference.inferFromVolumeFailurePolicy', CauseType.Invalid, /'Never'/],
  ])('%s is denied', (_n, spec, field, type, message) => {
    const result = mutateVm(vm(spec as Partial<VirtualMachine['spec']>), undefined, ctx());
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.causes).toHaveLength(1);
    expect(result.causes[0]).toMatchObject({ field, type });
    expect(result.causes[0]!.message).toMatch(message);
  });

  it('C01–C05 gathers every matcher cause at once', () => {
    const result = mutateVm(vm({ instancetype: { name: 'a', kind: 'k', inferFromVolume: 'root' }, preference: {} }), undefined, ctx());
    expect(result.ok ? [] : result.causes.map((c) => c.field)).toEqual(['spec.instancetype.name', 'spec.instancetype.kind', 'spec.preference']);
  });

  it.each([
    ['C01–C05 admitted: a named matcher', { instancetype: { name: 'small', kind: 'VirtualMachineInstancetype', inferFromVolumeFailurePolicy: 'Reject' } }],
    ['C01–C05 admitted: a named preference with the Ignore policy', { preference: { name: 'p', inferFromVolumeFailurePolicy: 'Ignore' } }],
  ])('%s', (_n, spec) => {
    expect(mutateVm(vm(spec as Partial<VirtualMachine['spec']>), undefined, ctx()).ok).toBe(true);
  });

  it.each([
    ['C06 instancetype renamed, same revision', 'instancetype'],
    ['C07 preference renamed, same revision', 'preference'],
  ])('%s is denied on revisionName', (_n, which) => {
    const old = vm({ [which]: { name: 'a', revisionName: 'rev-1' } });
    const result = mutateVm(vm({ [which]: { name: 'b', revisionName: 'rev-1' } }), old, ctx());
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.causes).toEqual([{ type: CauseType.Invalid, field: `spec.${which}.revisionName`, message: `the ${which} matcher name was changed from "a" to "b" without changing or clearing revisionName "rev-1"` }]);
  });

  it.each([
    ['C06 admitted: renamed with the revision cleared', { name: 'b' }],
    ['C06 admitted: renamed with a new revision', { name: 'b', revisionName: 'rev-2' }],
    ['C06 admitted: same name, other kind', { name: 'a', kind: 'VirtualMachineClusterInstancetype', revisionName: 'rev-1' }],
  ])('%s', (_n, matcher) => {
    expect(mutateVm(vm({ instancetype: matcher }), vm({ instancetype: { name: 'a', revisionName: 'rev-1' } }), ctx()).ok).toBe(true);
  });

  it('C06 admitted: adding or removing the matcher', () => {
    expect(mutateVm(vm({ instancetype: { name: 'a', revisionName: 'r' } }), vm(), ctx()).ok).toBe(true);
    expect(mutateVm(vm(), vm({ instancetype: { name: 'a', revisionName: 'r' } }), ctx()).ok).toBe(true);
  });
});

describe('mutateVm: inference (C08)', () => {
  const labels = (name: string, kind?: string, prefix = 'instancetype') => ({
    [`instancetype.kubevirt.io/default-${prefix}`]: name, ...(kind === undefined ? {} : { [`instancetype.kubevirt.io/default-${prefix}-kind`]: kind }),
  });
  const objects = [
    volume('PersistentVolumeClaim', 'ns', 'root-pvc', { ...labels('u1.small', 'VirtualMachineClusterInstancetype'), ...labels('fedora', undefined, 'preference') }),
    volume('PersistentVolumeClaim', 'ns', 'unlabelled', {}),
    volume('DataSource', 'images', 'rhel', labels('u1.large')),
    volume('DataVolume', 'ns', 'dv-live', labels('u1.medium')),
  ];
  const c = () => ctx(lookupsFromObjects(objects));

  it('C08 admitted: infers instancetype and preference from PVC labels, dropping inferFromVolume', () => {
    const out = mutated(vm({ instancetype: { inferFromVolume: 'root' }, preference: { inferFromVolume: 'root' } }), undefined, c());
    expect(out.spec.instancetype).toEqual({ name: 'u1.small', kind: 'VirtualMachineClusterInstancetype' });
    expect(out.spec.preference).toEqual({ name: 'fedora' });
  });

  it('C08 admitted: follows a dataVolumeTemplate to its DataSource (sourceRef namespace)', () => {
    const input = vm({ instancetype: { inferFromVolume: 'root' }, dataVolumeTemplates: [{ metadata: { name: 'root-dv' }, spec: { sourceRef: { kind: 'DataSource', name: 'rhel', namespace: 'images' }, storage: {} } }] });
    input.spec.template.spec!.volumes = [{ name: 'root', dataVolume: { name: 'root-dv' } }];
    expect(mutated(input, undefined, c()).spec.instancetype).toEqual({ name: 'u1.large' });
  });

  it('C08 admitted: reads an existing DataVolume\'s labels', () => {
    const input = vm({ instancetype: { inferFromVolume: 'root' } });
    input.spec.template.spec!.volumes = [{ name: 'root', dataVolume: { name: 'dv-live' } }];
    expect(mutated(input, undefined, c()).spec.instancetype).toEqual({ name: 'u1.medium' });
  });

  it('C08 admitted: with Ignore, success drops the template memory, and an ignorable failure clears the matcher', () => {
    const input = vm({ instancetype: { inferFromVolume: 'root', inferFromVolumeFailurePolicy: 'Ignore' } });
    input.spec.template.spec!.domain.memory = { guest: '1Gi' };
    const out = mutated(input, undefined, c());
    expect(out.spec.instancetype).toEqual({ name: 'u1.small', kind: 'VirtualMachineClusterInstancetype' });
    expect(out.spec.template.spec?.domain.memory).toBeUndefined();
    const unsupported = mutated(vm({ instancetype: { inferFromVolume: 'cd', inferFromVolumeFailurePolicy: 'Ignore' } }), undefined, c());
    expect(unsupported.spec.instancetype).toBeUndefined();
  });

  it.each([
    ['a volume of an unsupported type', { inferFromVolume: 'cd' }, 'unable to infer defaults from volume cd as type is not supported'],
    ['a PVC without the label', { inferFromVolume: 'unlabelled-vol' }, 'unable to find required instancetype.kubevirt.io/default-instancetype label on the volume'],
    ['a missing volume (even with Ignore)', { inferFromVolume: 'nope', inferFromVolumeFailurePolicy: 'Ignore' }, 'unable to find volume nope to infer defaults'],
    ['a missing PVC (even with Ignore)', { inferFromVolume: 'gone', inferFromVolumeFailurePolicy: 'Ignore' }, 'persistentvolumeclaims "gone-pvc" not found'],
  ])('C08 denied with code 400 and no causes: %s', (_n, matcher, message) => {
    const input = vm({ instancetype: matcher as VirtualMachine['spec']['instancetype'] });
    input.spec.template.spec!.volumes = [...(input.spec.template.spec!.volumes ?? []), { name: 'unlabelled-vol', persistentVolumeClaim: { claimName: 'unlabelled' } }, { name: 'gone', persistentVolumeClaim: { claimName: 'gone-pvc' } }];
    expect(mutateVm(input, undefined, c())).toEqual({ ok: false, causes: [], code: 400, message });
  });
});

describe('mutateVm: idempotency on examples/vm-*.yaml', () => {
  const dir = join(import.meta.dirname, '../../examples');
  const files = readdirSync(dir).filter((f) => /^vm-.*\.yaml$/.test(f));
  it.each(files)('%s: mutating the result again changes nothing', (file) => {
    const objects = parseKubeYamlDocuments(readFileSync(join(dir, file), 'utf8')).map((d) => d.toJS() as ApiKind);
    const lookups = lookupsFromObjects(objects);
    const vms = objects.filter((o): o is VirtualMachine => o.kind === 'VirtualMachine');
    expect(vms.length).toBeGreaterThan(0);
    for (const input of vms) {
      const once = mutated(input, undefined, ctx(lookups));
      expect(mutated(once, undefined, ctx(lookups))).toEqual(once);
      expect(mutated(once, once, ctx(lookups))).toEqual(once);
    }
  });
});
