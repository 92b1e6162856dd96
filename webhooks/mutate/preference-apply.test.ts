// Preference application through expandInstancetypes (shared/design/kubevirt/mutation.md §4):
// a preference fills only fields the template leaves out, and never applies after a conflict.
import { describe, expect, it } from 'vitest';
import type { ApiKind, VirtualMachineInstanceTemplateSpec, VirtualMachinePreferenceSpec } from '../../crd-gen/index.js';
import { lookupsFromObjects } from '../admission-lookups.js';
import { expandInstancetypes, type ExpansionResult } from './instancetype.js';

const NS = 'default';
const pref1 = (name: string, spec: VirtualMachinePreferenceSpec): ApiKind => ({ apiVersion: 'instancetype.kubevirt.io/v1beta1', kind: 'VirtualMachinePreference', metadata: { name, namespace: NS }, spec });
const CLARGE: ApiKind = { apiVersion: 'instancetype.kubevirt.io/v1beta1', kind: 'VirtualMachineInstancetype', metadata: { name: 'clarge', namespace: NS }, spec: { cpu: { guest: 4 }, memory: { guest: '2Gi' } } };

function cirros(domain: object = {}): VirtualMachineInstanceTemplateSpec {
  return { spec: { domain: { devices: { disks: [{ name: 'containerdisk', disk: {} }] }, ...domain }, volumes: [{ name: 'containerdisk', containerDisk: { image: 'cirros' } }] } };
}

function expand(template: VirtualMachineInstanceTemplateSpec, instancetype: string | undefined, preference: string, lookups: ReturnType<typeof lookupsFromObjects>): ExpansionResult {
  return expandInstancetypes(template, {
    ...(instancetype === undefined ? {} : { instancetype: { kind: 'VirtualMachineInstancetype', name: instancetype } }),
    preference: { kind: 'VirtualMachinePreference', name: preference },
  }, NS, lookups);
}

function expanded(result: ExpansionResult): VirtualMachineInstanceTemplateSpec {
  if (!result.ok) throw new Error(`expansion refused: ${JSON.stringify(result.causes)}`);
  return result.template;
}

describe('applyPreference: preferences fill only unset fields', () => {
  const full = pref1('full', {
    cpu: { preferredCPUFeatures: [{ name: 'vmx', policy: 'require' }, { name: 'pcid' }] },
    devices: {
      preferredDiskBus: 'virtio', preferredDiskCache: 'writeback', preferredDiskIO: 'native', preferredDiskDedicatedIoThread: true,
      preferredCdromBus: 'scsi', preferredLunBus: 'scsi', preferredInterfaceModel: 'e1000e', preferredInterfaceMasquerade: {},
      preferredInputBus: 'virtio', preferredInputType: 'tablet', preferredSoundModel: 'ac97', preferredRng: {},
      preferredAutoattachGraphicsDevice: false, preferredAutoattachSerialConsole: false, preferredPanicDeviceModel: 'isa',
      preferredBlockMultiQueue: true, preferredNetworkInterfaceMultiQueue: true,
    },
    firmware: { preferredEfi: { secureBoot: false }, preferredUseBios: false },
    machine: { preferredMachineType: 'pc-q35-rhel9.6.0' },
    preferredSubdomain: 'sub', preferredTerminationGracePeriodSeconds: 60, preferredArchitecture: 'amd64',
    annotations: { 'example.org/p': 'pref', 'example.org/kept': 'pref' },
  });
  const lookups = lookupsFromObjects([full]);

  it('fills every unset field of a bare template', () => {
    const template: VirtualMachineInstanceTemplateSpec = {
      metadata: { annotations: { 'example.org/kept': 'vm' } },
      spec: {
        domain: {
          cpu: { features: [{ name: 'vmx', policy: 'disable' }] },
          devices: {
            disks: [{ name: 'a' }, { name: 'b', cdrom: {} }, { name: 'c', lun: {} }, { name: 'd', disk: { bus: 'sata' } }],
            interfaces: [{ name: 'pod' }, { name: 'multus' }, { name: 'bridged', bridge: {} }],
            inputs: [{ name: 'tablet', type: '' }],
            sound: { name: 's' },
          },
        },
        networks: [{ name: 'pod', pod: {} }, { name: 'multus', multus: { networkName: 'net' } }, { name: 'bridged', pod: {} }],
      },
    };
    const out = expanded(expand(template, undefined, 'full', lookups));
    const spec = out.spec!;
    expect(spec.domain.cpu?.features).toEqual([{ name: 'vmx', policy: 'disable' }, { name: 'pcid' }]);
    expect(spec.domain.devices.disks).toEqual([
      { name: 'a', disk: { bus: 'virtio' }, cache: 'writeback', io: 'native', dedicatedIOThread: true },
      { name: 'b', cdrom: { bus: 'scsi' } },
      { name: 'c', lun: { bus: 'scsi' } },
      { name: 'd', disk: { bus: 'sata' }, cache: 'writeback', io: 'native' },
    ]);
    expect(spec.domain.devices.interfaces).toEqual([
      { name: 'pod', model: 'e1000e', masquerade: {} },
      { name: 'multus', model: 'e1000e' },
      { name: 'bridged', bridge: {}, model: 'e1000e' },
    ]);
    expect(spec.domain.devices.inputs).toEqual([{ name: 'tablet', bus: 'virtio', type: 'tablet' }]);
    expect(spec.domain.devices.sound).toEqual({ name: 's', model: 'ac97' });
    expect(spec.domain.devices).toMatchObject({ rng: {}, autoattachGraphicsDevice: false, autoattachSerialConsole: false, blockMultiQueue: true, networkInterfaceMultiqueue: true, panicDevices: [{ model: 'isa' }] });
    expect(spec.domain.firmware).toEqual({ bootloader: { efi: { secureBoot: false } } });
    expect(spec.domain.machine).toEqual({ type: 'pc-q35-rhel9.6.0' });
    expect([spec.subdomain, spec.terminationGracePeriodSeconds, spec.architecture]).toEqual(['sub', 60, 'amd64']);
    expect(out.metadata?.annotations).toEqual({ 'example.org/p': 'pref', 'example.org/kept': 'vm', 'kubevirt.io/preference-name': 'full' });
  });

  it('leaves fields the template sets alone', () => {
    const template: VirtualMachineInstanceTemplateSpec = {
      spec: {
        architecture: 'arm64', subdomain: 'mine', terminationGracePeriodSeconds: 5,
        domain: {
          machine: { type: 'q35' },
          firmware: { bootloader: { bios: {} } },
          devices: { disks: [{ name: 'a', disk: { bus: 'scsi' }, cache: 'none', io: 'threads' }], blockMultiQueue: false, autoattachGraphicsDevice: true },
        },
      },
    };
    const out = expanded(expand(template, undefined, 'full', lookups));
    const spec = out.spec!;
    expect(spec.domain.devices.disks).toEqual([{ name: 'a', disk: { bus: 'scsi' }, cache: 'none', io: 'threads' }]);
    expect([spec.domain.devices.blockMultiQueue, spec.domain.devices.autoattachGraphicsDevice]).toEqual([false, true]);
    expect(spec.domain.firmware).toEqual({ bootloader: { bios: {} } });
    expect([spec.domain.machine?.type, spec.architecture, spec.subdomain, spec.terminationGracePeriodSeconds]).toEqual(['q35', 'arm64', 'mine', 5]);
  });

  it('C10 denied: no preference is applied when the instancetype conflicts', () => {
    const all = lookupsFromObjects([CLARGE, full]);
    const result = expand(cirros({ cpu: { sockets: 2 } }), 'clarge', 'full', all);
    expect(result.ok).toBe(false);
  });
});
