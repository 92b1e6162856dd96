// Status-dependent VM rules (shared/design/kubevirt/rules-other-kinds.md C36–C40), through validateVm.
import { describe, expect, it } from 'vitest';
import { DEFAULT_CLUSTER_CONFIG } from '../../core/cluster-config.js';
import type { VirtualMachine, VirtualMachineVolumeRequest } from '../../crd-gen/index.js';
import { CauseType } from '../cause.js';
import { NO_LOOKUPS, type AdmissionContext } from '../context.js';
import { validateVm } from './vm.js';
import { validateVmiSpec } from './vmi-spec.js';
import { path } from '../../core/field-path.js';

const CTX: AdmissionContext = { cfg: DEFAULT_CLUSTER_CONFIG, lookups: NO_LOOKUPS, ids: { uuid: () => 'u' }, now: new Date(0) };

function vm(spec: Partial<VirtualMachine['spec']> = {}, status: VirtualMachine['status'] = {}): VirtualMachine {
  return {
    apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachine', metadata: { name: 'v', namespace: 'ns' },
    spec: {
      runStrategy: 'Halted',
      template: {
        spec: {
          domain: { devices: { disks: [{ name: 'root', disk: { bus: 'virtio' } }] }, resources: { requests: { memory: '1Gi' } } },
          volumes: [{ name: 'root', containerDisk: { image: 'quay.io/containerdisks/fedora:40' } }],
        },
      },
      ...spec,
    },
    status,
  };
}

function withVolume(v: VirtualMachine): VirtualMachine {
  v.spec.template.spec!.domain.devices.disks!.push({ name: 'data', disk: { bus: 'virtio' } });
  v.spec.template.spec!.volumes!.push({ name: 'data', persistentVolumeClaim: { claimName: 'data' } });
  return v;
}

const onSpec = (v: VirtualMachine, old: VirtualMachine) => validateVm(v, old, CTX).filter((c) => c.field === 'spec');

describe('validateVm: snapshot and restore guards', () => {
  const snapshot = { snapshotInProgress: 'snap-1' };
  it.each([
    ['C36 volumes changed during a snapshot', withVolume(vm({}, snapshot)), vm(), /disks and volumes cannot be changed until snapshot "snap-1" completes/],
    ['C37 runStrategy changed during a snapshot', vm({ runStrategy: 'Always' }, snapshot), vm(), /the running state cannot be changed until snapshot "snap-1" completes/],
    ['C37 running changed during a snapshot', vm({ runStrategy: undefined, running: true }, snapshot), vm({ runStrategy: undefined, running: false }), /running state/],
    ['C37 running replaced by runStrategy during a snapshot', vm({}, snapshot), vm({ runStrategy: undefined, running: false }), /running state/],
    ['C38 run strategy changed during a restore', vm({ runStrategy: 'Always' }, { restoreInProgress: 'restore-1' }), vm(), /runStrategy cannot be changed until restore "restore-1" completes/],
  ])('%s is denied on spec', (_n, input, old, message) => {
    const causes = onSpec(input, old);
    expect(causes).toHaveLength(1);
    expect(causes[0]!.type).toBe(CauseType.NotSupported);
    expect(causes[0]!.message).toMatch(message);
  });

  it.each([
    ['C36/C37 admitted: other spec changes during a snapshot', vm({ template: { ...vm().spec.template, metadata: { labels: { a: 'b' } } } }, { snapshotInProgress: 's' }), vm()],
    ['C36/C37 admitted: any change on CREATE', withVolume(vm({ runStrategy: 'Always' }, { snapshotInProgress: 's' })), undefined],
    ['C38 admitted: restoring with the same effective strategy (running: false is Halted)', vm({ runStrategy: undefined, running: false }, { restoreInProgress: 'r' }), vm()],
    ['C38 admitted: a strategy change without a restore', vm({ runStrategy: 'Always' }), vm()],
  ])('%s', (_n, input, old) => {
    expect(validateVm(input, old, CTX)).toEqual([]);
  });
});

describe('validateVm: volume requests', () => {
  const add = (name: string, bus = 'scsi', extra: object = {}): VirtualMachineVolumeRequest => ({
    addVolumeOptions: { name, disk: { name, disk: { bus: bus as 'scsi' }, ...extra }, volumeSource: { persistentVolumeClaim: { claimName: name, hotpluggable: true } } },
  });
  const remove = (name: string): VirtualMachineVolumeRequest => ({ removeVolumeOptions: { name } });
  const requests = (...volumeRequests: VirtualMachineVolumeRequest[]) => vm({}, { volumeRequests });

  it.each([
    ['C39 both add and remove options', requests({ ...add('a'), ...remove('a') }), 'VolumeRequests require either addVolumeOptions or removeVolumeOptions to be set, not both'],
    ['C39 neither option', requests({}), 'VolumeRequests require one of either addVolumeOptions or removeVolumeOptions to be set'],
    ['C39 a duplicate add', requests(add('a'), add('a')), 'AddVolume request for [a] already exists'],
    ['C39 a duplicate remove', requests(remove('a'), remove('a')), 'RemoveVolume request for [a] already exists'],
    ['C39 a disk bus other than scsi', requests(add('a', 'virtio')), "AddVolume request for [a] requires disk bus to be 'scsi'; [virtio] is not permitted"],
    ['C39 a dedicated I/O thread', requests(add('a', 'scsi', { dedicatedIOThread: true })), 'AddVolume request for [a]: IOThreads are not supported by the scsi bus'],
    ['C39 a cdrom disk', requests({ addVolumeOptions: { name: 'a', disk: { name: 'a', cdrom: {} }, volumeSource: { dataVolume: { name: 'a' } } } }), "AddVolume request for [a] requires diskDevice of type 'disk' or 'lun' to be used"],
    ['C39 a clash with a template volume', requests(add('root')), 'AddVolume request for [root] conflicts with an existing volume of the same name on the vmi template'],
  ])('%s is denied on Status.volumeRequests', (_n, input, message) => {
    expect(validateVm(input, undefined, CTX).filter((c) => c.field === 'Status.volumeRequests')).toEqual([{ type: CauseType.Invalid, field: 'Status.volumeRequests', message }]);
  });

  it('C39 admitted: an add and a remove of different volumes', () => {
    expect(validateVm(requests(add('a'), remove('root')), undefined, CTX).filter((c) => c.field === 'Status.volumeRequests')).toEqual([]);
  });

  it('C40 the template with the requests carried out goes through the VMI spec rules', () => {
    const input = requests(add('a'), remove('root'));
    const spec = structuredClone(input.spec.template.spec!);
    spec.volumes = [{ name: 'a', persistentVolumeClaim: { claimName: 'a', hotpluggable: true } }];
    spec.domain.devices.disks = [{ name: 'a', disk: { bus: 'scsi' } }];
    const expected = validateVmiSpec(spec, path('spec', 'template', 'spec'), { cfg: DEFAULT_CLUSTER_CONFIG, metadata: undefined, metadataPath: path('spec', 'template', 'metadata'), origin: 'template' });
    const causes = validateVm(input, undefined, CTX);
    for (const c of expected) expect(causes).toContainEqual(c);
  });
});
