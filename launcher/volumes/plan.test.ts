import { describe, expect, it } from 'vitest';
import { ConversionError } from '../../core/errors.js';
import type { Disk, VirtualMachineInstance, Volume } from '../../crd-gen/index.js';
import { imageRefs, planVolumes } from './plan.js';
import type { VolumePlanFacts } from './types.js';

const UUID = '5d307ca9-b3ef-428c-8861-06e72d69f223';
const IMAGE_DIR = '/var/lib/kvt/images/.blobs/abc/rootfs';

const FACTS: VolumePlanFacts = {
  vmiDir: '/var/lib/kvt/vmis/0123456789',
  volumeStore: '/var/lib/kvt/volumes',
  hostDiskRoots: ['/srv/host-disks'],
  images: {
    'localhost/demo-guest:latest': { dir: IMAGE_DIR, disk: { path: `${IMAGE_DIR}/disk/disk.img`, format: 'raw' } },
    'localhost/custom': { dir: '/img/custom', disk: { path: '/img/custom/disk/a.qcow2', format: 'qcow2' }, formats: { '/img/custom/other/b.img': 'raw' } },
    'localhost/nodisk': { dir: '/img/nodisk' },
  },
};

function vmi(volumes: Volume[], extra: { disks?: Disk[]; spec?: Partial<VirtualMachineInstance['spec']>; namespace?: string } = {}): VirtualMachineInstance {
  const disks = extra.disks ?? volumes.map((v) => ({ name: v.name, disk: { bus: 'virtio' as const } }));
  return {
    apiVersion: 'kubevirt.io/v1',
    kind: 'VirtualMachineInstance',
    metadata: { name: 'testvmi', namespace: extra.namespace ?? 'ns1', uid: 'uid-1', labels: { app: 'web', 'kubevirt.io/domain': 'testvmi' }, annotations: { note: 'say "hi"\n' } },
    spec: { domain: { devices: { disks }, firmware: { uuid: UUID } }, volumes, ...extra.spec },
  } as VirtualMachineInstance;
}

const D = FACTS.vmiDir;

describe('planVolumes: what each volume kind becomes', () => {
  it.each<[string, Volume, unknown, unknown]>([
    ['containerDisk → overlay over the image disk',
      { name: 'rootdisk', containerDisk: { image: 'localhost/demo-guest:latest' } },
      { type: 'file', path: `${D}/disk-data/rootdisk/disk.qcow2`, format: 'qcow2', backing: { type: 'file', path: `${IMAGE_DIR}/disk/disk.img`, format: 'raw' } },
      [{ kind: 'overlay', field: 'spec.volumes[0].containerDisk', path: `${D}/disk-data/rootdisk/disk.qcow2`, access: 'write',
        base: { path: `${IMAGE_DIR}/disk/disk.img`, format: 'raw', store: 'image-store', what: 'image "localhost/demo-guest:latest"' } }]],
    ['containerDisk with path → overlay over that file, format from the facts',
      { name: 'data', containerDisk: { image: 'localhost/custom', path: '/other//b.img' } },
      { type: 'file', path: `${D}/disk-data/data/disk.qcow2`, format: 'qcow2', backing: { type: 'file', path: '/img/custom/other/b.img', format: 'raw' } },
      [expect.objectContaining({ kind: 'overlay', base: expect.objectContaining({ path: '/img/custom/other/b.img', format: 'raw' }) })]],
    ['containerDisk with the default disk path named → its format',
      { name: 'data', containerDisk: { image: 'localhost/custom', path: '/disk/a.qcow2' } },
      { type: 'file', path: `${D}/disk-data/data/disk.qcow2`, format: 'qcow2', backing: { type: 'file', path: '/img/custom/disk/a.qcow2', format: 'qcow2' } },
      [expect.objectContaining({ kind: 'overlay' })]],
    ['ephemeral → overlay over the claim file',
      { name: 'eph', ephemeral: { persistentVolumeClaim: { claimName: 'golden' } } },
      { type: 'file', path: `${D}/disk-data/eph/disk.qcow2`, format: 'qcow2', backing: { type: 'file', path: '/var/lib/kvt/volumes/ns1/golden/disk.img', format: 'raw' } },
      [{ kind: 'overlay', field: 'spec.volumes[0].ephemeral.persistentVolumeClaim.claimName', path: `${D}/disk-data/eph/disk.qcow2`, access: 'write',
        base: { path: '/var/lib/kvt/volumes/ns1/golden/disk.img', format: 'raw', store: 'volume-store', what: 'PersistentVolumeClaim "golden"' } }]],
    ['emptyDisk → sparse qcow2 of its capacity',
      { name: 'scratch', emptyDisk: { capacity: '2Gi' } },
      { type: 'file', path: `${D}/empty-disks/scratch.qcow2`, format: 'qcow2' },
      [{ kind: 'empty-disk', field: 'spec.volumes[0].emptyDisk.capacity', path: `${D}/empty-disks/scratch.qcow2`, size: 2 * 2 ** 30, access: 'write' }]],
    ['persistentVolumeClaim → the volume-store file, raw',
      { name: 'pvc', persistentVolumeClaim: { claimName: 'my.claim' } },
      { type: 'file', path: '/var/lib/kvt/volumes/ns1/my.claim/disk.img', format: 'raw' },
      [{ kind: 'volume-store-file', field: 'spec.volumes[0].persistentVolumeClaim.claimName', path: '/var/lib/kvt/volumes/ns1/my.claim/disk.img', access: 'write', what: 'PersistentVolumeClaim "my.claim"' }]],
    ['read-only persistentVolumeClaim → read access',
      { name: 'pvc', persistentVolumeClaim: { claimName: 'c', readOnly: true } },
      { type: 'file', path: '/var/lib/kvt/volumes/ns1/c/disk.img', format: 'raw' },
      [expect.objectContaining({ kind: 'volume-store-file', access: 'read' })]],
    ['dataVolume → its claim file',
      { name: 'dv', dataVolume: { name: 'fedora' } },
      { type: 'file', path: '/var/lib/kvt/volumes/ns1/fedora/disk.img', format: 'raw' },
      [{ kind: 'volume-store-file', field: 'spec.volumes[0].dataVolume.name', path: '/var/lib/kvt/volumes/ns1/fedora/disk.img', access: 'write', what: 'DataVolume "fedora"' }]],
    ['hostDisk Disk → the host file, must exist',
      { name: 'host', hostDisk: { path: '/srv/host-disks/./a.img', type: 'Disk' } },
      { type: 'file', path: '/srv/host-disks/a.img', format: 'raw' },
      [{ kind: 'host-disk', field: 'spec.volumes[0].hostDisk', path: '/srv/host-disks/a.img', access: 'write' }]],
    ['hostDisk DiskOrCreate → created sparse when missing',
      { name: 'host', hostDisk: { path: '/srv/host-disks/vm/b.img', type: 'DiskOrCreate', capacity: '1G' } },
      { type: 'file', path: '/srv/host-disks/vm/b.img', format: 'raw' },
      [{ kind: 'host-disk', field: 'spec.volumes[0].hostDisk', path: '/srv/host-disks/vm/b.img', access: 'write', createSize: 1e9 }]],
    ['cloudInitNoCloud → cloud-init/noCloud.iso (cidata)',
      { name: 'cloudinit', cloudInitNoCloud: { userData: '#cloud-config\n' } },
      { type: 'file', path: `${D}/cloud-init/noCloud.iso`, format: 'raw' },
      [expect.objectContaining({ kind: 'iso', volumeId: 'cidata', path: `${D}/cloud-init/noCloud.iso`, stagingDir: `${D}/staging/cloudinit`, namespace: 'ns1', fileMode: 0o600 })]],
    ['cloudInitConfigDrive → cloud-init/configdrive.iso (config-2)',
      { name: 'cloudinit', cloudInitConfigDrive: { userData: '#cloud-config\n' } },
      { type: 'file', path: `${D}/cloud-init/configdrive.iso`, format: 'raw' },
      [expect.objectContaining({ kind: 'iso', volumeId: 'config-2' })]],
    ['configMap → config-map-disks/<vol>.iso (cfgdata)',
      { name: 'cm', configMap: { name: 'app-config' } },
      { type: 'file', path: `${D}/config-map-disks/cm.iso`, format: 'raw' },
      [expect.objectContaining({ kind: 'iso', volumeId: 'cfgdata', fileMode: 0o644, entries: [{ type: 'object', object: 'ConfigMap', name: 'app-config', optional: false, field: 'spec.volumes[0].configMap' }] })]],
    ['configMap with volumeLabel and optional',
      { name: 'cm', configMap: { name: 'app-config', volumeLabel: 'MYCFG', optional: true } },
      { type: 'file', path: `${D}/config-map-disks/cm.iso`, format: 'raw' },
      [expect.objectContaining({ volumeId: 'MYCFG', entries: [expect.objectContaining({ optional: true })] })]],
    ['secret → secret-disks/<vol>.iso',
      { name: 'sec', secret: { secretName: 'creds' } },
      { type: 'file', path: `${D}/secret-disks/sec.iso`, format: 'raw' },
      [expect.objectContaining({ kind: 'iso', volumeId: 'cfgdata', fileMode: 0o600, entries: [{ type: 'object', object: 'Secret', name: 'creds', optional: false, field: 'spec.volumes[0].secret' }] })]],
    ['serviceAccount → service-account-disk/service-account.iso',
      { name: 'sa', serviceAccount: { serviceAccountName: 'default' } },
      { type: 'file', path: `${D}/service-account-disk/service-account.iso`, format: 'raw' },
      [expect.objectContaining({ kind: 'iso', volumeId: 'cfgdata', entries: [{ type: 'service-account', name: 'default', field: 'spec.volumes[0].serviceAccount' }] })]],
    ['downwardAPI → downwardapi-disks/<vol>.iso',
      { name: 'dapi', downwardAPI: { fields: [{ path: 'name', fieldRef: { fieldPath: 'metadata.name' } }] } },
      { type: 'file', path: `${D}/downwardapi-disks/dapi.iso`, format: 'raw' },
      [expect.objectContaining({ kind: 'iso', volumeId: 'cfgdata' })]],
    ['sysprep from a ConfigMap → sysprep-disks/<vol>.iso (unattendCD), autounattend.xml required',
      { name: 'sysprep', sysprep: { configMap: { name: 'unattend' } } },
      { type: 'file', path: `${D}/sysprep-disks/sysprep.iso`, format: 'raw' },
      [expect.objectContaining({ kind: 'iso', volumeId: 'unattendCD', fileMode: 0o644, path: `${D}/sysprep-disks/sysprep.iso`, stagingDir: `${D}/staging/sysprep`,
        entries: [{ type: 'object', object: 'ConfigMap', name: 'unattend', optional: false, field: 'spec.volumes[0].sysprep.configMap', requiredKey: 'autounattend.xml' }] })]],
    ['sysprep from a Secret, private files',
      { name: 'sp', sysprep: { secret: { name: 'win' } } },
      { type: 'file', path: `${D}/sysprep-disks/sp.iso`, format: 'raw' },
      [expect.objectContaining({ kind: 'iso', volumeId: 'unattendCD', fileMode: 0o600,
        entries: [{ type: 'object', object: 'Secret', name: 'win', optional: false, field: 'spec.volumes[0].sysprep.secret', requiredKey: 'autounattend.xml' }] })]],
  ])('%s', (_, volume, source, steps) => {
    const plan = planVolumes(vmi([volume]), FACTS);
    expect(plan.sources).toEqual({ [volume.name]: source });
    expect(plan.volumes[0]?.steps).toEqual(steps);
    expect(plan.steps).toEqual(steps);
    expect(plan.kernelBoot).toBeUndefined();
  });

  it('keeps the VMI order, and is the same every time without touching its input', () => {
    const input = vmi([
      { name: 'rootdisk', containerDisk: { image: 'localhost/demo-guest:latest' } },
      { name: 'scratch', emptyDisk: { capacity: '1Mi' } },
      { name: 'cloudinit', cloudInitNoCloud: { userData: 'x' } },
    ]);
    const frozen = structuredClone(input);
    const plan = planVolumes(input, FACTS);
    expect(plan.volumes.map((v) => [v.name, v.kind, v.field])).toEqual([
      ['rootdisk', 'containerDisk', 'spec.volumes[0]'], ['scratch', 'emptyDisk', 'spec.volumes[1]'], ['cloudinit', 'cloudInitNoCloud', 'spec.volumes[2]'],
    ]);
    expect(Object.keys(plan.sources)).toEqual(['rootdisk', 'scratch', 'cloudinit']);
    expect(planVolumes(input, FACTS)).toEqual(plan);
    expect(input).toEqual(frozen);
  });

  it('gives every cloud-init volume an ISO: each kind from its first volume, later volumes of a kind a copy of it', () => {
    const plan = planVolumes(vmi([
      { name: 'ci1', cloudInitNoCloud: { userData: 'first' } },
      { name: 'cd1', cloudInitConfigDrive: { userData: 'drive' } },
      { name: 'ci2', cloudInitNoCloud: { userData: 'second' } },
    ]), FACTS);
    expect(plan.sources).toEqual({
      ci1: { type: 'file', path: `${D}/cloud-init/noCloud.iso`, format: 'raw' },
      cd1: { type: 'file', path: `${D}/cloud-init/configdrive.iso`, format: 'raw' },
      ci2: { type: 'file', path: `${D}/cloud-init/ci2/noCloud.iso`, format: 'raw' },
    });
    const userData = (i: number) => {
      const step = plan.steps[i];
      if (step?.kind !== 'iso') throw new Error('expected an iso step');
      const entry = step.entries.find((e) => e.type === 'data' && /user[-_]data$/.test(e.path));
      return entry?.type === 'data' ? [step.volumeId, step.field, Buffer.from(entry.data).toString('utf8')] : undefined;
    };
    // KubeVirt reads a kind's data from its first volume alone: the guest sees it on every disk of the kind.
    expect([userData(0), userData(1), userData(2)]).toEqual([
      ['cidata', 'spec.volumes[0].cloudInitNoCloud', 'first'],
      ['config-2', 'spec.volumes[1].cloudInitConfigDrive', 'drive'],
      ['cidata', 'spec.volumes[0].cloudInitNoCloud', 'first'],
    ]);
  });

  it('treats a VMI without a namespace as in "default"', () => {
    const input = vmi([{ name: 'pvc', persistentVolumeClaim: { claimName: 'c' } }]);
    delete input.metadata.namespace;
    expect(planVolumes(input, FACTS).sources['pvc']).toEqual({ type: 'file', path: '/var/lib/kvt/volumes/default/c/disk.img', format: 'raw' });
  });
});

describe('planVolumes: access from the disks that use a volume', () => {
  const vol: Volume = { name: 'v', emptyDisk: { capacity: '1Mi' } };
  it.each<[string, Disk[], string]>([
    ['a plain disk', [{ name: 'v', disk: {} }], 'write'],
    ['a disk without a target', [{ name: 'v' }], 'write'],
    ['a read-only disk', [{ name: 'v', disk: { readonly: true } }], 'read'],
    ['a cdrom (read-only by default)', [{ name: 'v', cdrom: {} }], 'read'],
    ['a cdrom with readonly false', [{ name: 'v', cdrom: { readonly: false } }], 'write'],
    ['a lun', [{ name: 'v', lun: {} }], 'write'],
    ['a read-only lun', [{ name: 'v', lun: { readonly: true } }], 'read'],
    ['no disk at all', [{ name: 'other', disk: {} }], 'read'],
  ])('%s → %s', (_, disks, access) => {
    const plan = planVolumes(vmi([vol], { disks }), FACTS);
    expect(plan.steps[0]).toEqual(expect.objectContaining({ access }));
  });
});

describe('planVolumes: kernel boot from a container', () => {
  it('points at the kernel and initrd inside the image, used in place', () => {
    const input = vmi([], { spec: { domain: { devices: {}, firmware: { uuid: UUID, kernelBoot: { kernelArgs: 'console=ttyS0', container: {
      image: 'localhost/demo-guest:latest', kernelPath: '/boot/vmlinuz', initrdPath: '/boot//initrd.img' } } } } } });
    const plan = planVolumes(input, FACTS);
    expect(plan.kernelBoot).toEqual({ kernel: `${IMAGE_DIR}/boot/vmlinuz`, initrd: `${IMAGE_DIR}/boot/initrd.img` });
    expect(plan.steps).toEqual([
      { kind: 'image-file', field: 'spec.domain.firmware.kernelBoot.container.kernelPath', path: `${IMAGE_DIR}/boot/vmlinuz`, ref: 'localhost/demo-guest:latest', pathInImage: '/boot/vmlinuz' },
      { kind: 'image-file', field: 'spec.domain.firmware.kernelBoot.container.initrdPath', path: `${IMAGE_DIR}/boot/initrd.img`, ref: 'localhost/demo-guest:latest', pathInImage: '/boot//initrd.img' },
    ]);
  });

  it('plans only the files named', () => {
    const input = vmi([], { spec: { domain: { devices: {}, firmware: { kernelBoot: { container: { image: 'localhost/demo-guest:latest', kernelPath: '/boot/vmlinuz' } } } } } });
    expect(planVolumes(input, FACTS).kernelBoot).toEqual({ kernel: `${IMAGE_DIR}/boot/vmlinuz` });
  });
});

function kernelVmi(container: Record<string, string>): VirtualMachineInstance {
  return vmi([], { spec: { domain: { devices: {}, firmware: { kernelBoot: { container: { image: 'localhost/demo-guest:latest', ...container } } } } } });
}

describe('planVolumes: refusals name the KubeVirt field', () => {
  it.each<[string, VirtualMachineInstance, string, string]>([
    ['a volume name that is not a DNS-1123 label', vmi([{ name: 'Root_Disk', emptyDisk: { capacity: '1Mi' } }]), 'spec.volumes[0].name', 'DNS-1123 label'],
    ['a volume name with ..', vmi([{ name: '..', emptyDisk: { capacity: '1Mi' } }]), 'spec.volumes[0].name', 'DNS-1123 label'],
    ['a volume name used twice', vmi([{ name: 'a', emptyDisk: { capacity: '1Mi' } }, { name: 'a', emptyDisk: { capacity: '1Mi' } }]), 'spec.volumes[1].name', 'used by more than one volume'],
    ['a namespace that is not a label', vmi([], { namespace: '../etc' }), 'metadata.namespace', 'DNS-1123 label'],
    ['no volume source', vmi([{ name: 'a' }]), 'spec.volumes[0]', 'sets no volume source'],
    ['two volume sources', vmi([{ name: 'a', emptyDisk: { capacity: '1Mi' }, secret: { secretName: 's' } }]), 'spec.volumes[0]', 'more than one volume source (emptyDisk, secret)'],
    ['an unsupported kind', vmi([{ name: 'a', memoryDump: { claimName: 's' } }]), 'spec.volumes[0].memoryDump', 'not supported by kubevirt-ts'],
    ['a sysprep volume naming no object', vmi([{ name: 'a', sysprep: {} }]), 'spec.volumes[0].sysprep', 'needs a configMap or a secret'],
    ['a sysprep volume naming both', vmi([{ name: 'a', sysprep: { configMap: { name: 'c' }, secret: { name: 's' } } }]), 'spec.volumes[0].sysprep', 'set one'],
    ['a sysprep ConfigMap without a name', vmi([{ name: 'a', sysprep: { configMap: {} } }]), 'spec.volumes[0].sysprep.configMap.name', 'is not set'],
    ['an unresolved image', vmi([{ name: 'a', containerDisk: { image: 'localhost/missing' } }]), 'spec.volumes[0].containerDisk.image', 'has not been resolved'],
    ['an image without a disk', vmi([{ name: 'a', containerDisk: { image: 'localhost/nodisk' } }]), 'spec.volumes[0].containerDisk.image', 'has no disk'],
    ['a containerDisk path with ..', vmi([{ name: 'a', containerDisk: { image: 'localhost/custom', path: '/disk/../../../etc/shadow' } }]), 'spec.volumes[0].containerDisk.path', '".." segments'],
    ['a relative containerDisk path', vmi([{ name: 'a', containerDisk: { image: 'localhost/custom', path: 'disk/a.qcow2' } }]), 'spec.volumes[0].containerDisk.path', 'must be absolute'],
    ['a containerDisk path of unknown format', vmi([{ name: 'a', containerDisk: { image: 'localhost/custom', path: '/other/c.img' } }]), 'spec.volumes[0].containerDisk.path', 'format'],
    ['an ephemeral volume without a claim', vmi([{ name: 'a', ephemeral: {} }]), 'spec.volumes[0].ephemeral.persistentVolumeClaim', 'is not set'],
    ['an ephemeral claim name with /', vmi([{ name: 'a', ephemeral: { persistentVolumeClaim: { claimName: '../x' } } }]), 'spec.volumes[0].ephemeral.persistentVolumeClaim.claimName', 'DNS-1123 subdomain'],
    ['a claim name with ..', vmi([{ name: 'a', persistentVolumeClaim: { claimName: '..' } }]), 'spec.volumes[0].persistentVolumeClaim.claimName', 'DNS-1123 subdomain'],
    ['a DataVolume name with /', vmi([{ name: 'a', dataVolume: { name: 'a/b' } }]), 'spec.volumes[0].dataVolume.name', 'DNS-1123 subdomain'],
    ['an emptyDisk of 0 bytes', vmi([{ name: 'a', emptyDisk: { capacity: '0' } }]), 'spec.volumes[0].emptyDisk.capacity', 'not a positive size'],
    ['an emptyDisk of no size', vmi([{ name: 'a', emptyDisk: { capacity: 'lots' } }]), 'spec.volumes[0].emptyDisk.capacity', 'not a positive size'],
    ['a hostDisk outside the roots', vmi([{ name: 'a', emptyDisk: { capacity: '1Mi' } }, { name: 'b', emptyDisk: { capacity: '1Mi' } }, { name: 'c', hostDisk: { path: '/etc/shadow', type: 'Disk' } }]), 'spec.volumes[2].hostDisk.path', 'not under an allowed host-disk root'],
    ['a hostDisk in a look-alike root', vmi([{ name: 'a', hostDisk: { path: '/srv/host-disks-2/a.img', type: 'Disk' } }]), 'spec.volumes[0].hostDisk.path', 'not under an allowed host-disk root'],
    ['a hostDisk escaping with ..', vmi([{ name: 'a', hostDisk: { path: '/srv/host-disks/../../etc/shadow', type: 'Disk' } }]), 'spec.volumes[0].hostDisk.path', '".." segments'],
    ['a relative hostDisk', vmi([{ name: 'a', hostDisk: { path: 'a.img', type: 'Disk' } }]), 'spec.volumes[0].hostDisk.path', 'absolute'],
    ['a DiskOrCreate without capacity', vmi([{ name: 'a', hostDisk: { path: '/srv/host-disks/a.img', type: 'DiskOrCreate' } }]), 'spec.volumes[0].hostDisk.capacity', 'not a positive size'],
    ['a hostDisk of another type', vmi([{ name: 'a', hostDisk: { path: '/srv/host-disks/a.img', type: 'Directory' as 'Disk' } }]), 'spec.volumes[0].hostDisk.type', 'not Disk or DiskOrCreate'],
    ['cloud-init without data', vmi([{ name: 'a', cloudInitNoCloud: {} }]), 'spec.volumes[0].cloudInitNoCloud', 'needs userData'],
    ['cloud-init with bad base64', vmi([{ name: 'a', cloudInitConfigDrive: { userDataBase64: 'not base64!' } }]), 'spec.volumes[0].cloudInitConfigDrive.userDataBase64', 'not valid base64'],
    ['cloud-init with a nameless secretRef', vmi([{ name: 'a', cloudInitNoCloud: { secretRef: {} } }]), 'spec.volumes[0].cloudInitNoCloud.secretRef.name', 'is not set'],
    ['cloud-init with a nameless networkDataSecretRef', vmi([{ name: 'a', cloudInitNoCloud: { userData: 'x', networkDataSecretRef: { name: '' } } }]), 'spec.volumes[0].cloudInitNoCloud.networkDataSecretRef.name', 'is not set'],
    ['two serviceAccount volumes', vmi([{ name: 'a', serviceAccount: { serviceAccountName: 'x' } }, { name: 'b', serviceAccount: { serviceAccountName: 'y' } }]), 'spec.volumes[1]', 'one serviceAccount'],
    ['cloud-init without a firmware uuid', vmi([{ name: 'a', cloudInitNoCloud: { userData: 'x' } }], { spec: { domain: { devices: {} } } }), 'spec.domain.firmware.uuid', 'is not set'],
    ['a configMap without a name', vmi([{ name: 'a', configMap: {} }]), 'spec.volumes[0].configMap.name', 'is not set'],
    ['a secret without a name', vmi([{ name: 'a', secret: {} }]), 'spec.volumes[0].secret.secretName', 'is not set'],
    ['a serviceAccount without a name', vmi([{ name: 'a', serviceAccount: {} }]), 'spec.volumes[0].serviceAccount.serviceAccountName', 'is not set'],
    ['a volume label over 32 characters', vmi([{ name: 'a', configMap: { name: 'c', volumeLabel: 'x'.repeat(33) } }]), 'spec.volumes[0].configMap.volumeLabel', 'ISO9660 volume id'],
    ['a volume label with a newline', vmi([{ name: 'a', secret: { secretName: 'c', volumeLabel: 'a\nb' } }]), 'spec.volumes[0].secret.volumeLabel', 'printable ASCII'],
    ['a downwardAPI path with ..', vmi([{ name: 'a', downwardAPI: { fields: [{ path: '../x', fieldRef: { fieldPath: 'metadata.name' } }] } }]), 'spec.volumes[0].downwardAPI.fields[0].path', '".." segments'],
    ['an absolute downwardAPI path', vmi([{ name: 'a', downwardAPI: { fields: [{ path: '/x', fieldRef: { fieldPath: 'metadata.name' } }] } }]), 'spec.volumes[0].downwardAPI.fields[0].path', 'relative'],
    ['a downwardAPI field of the pod', vmi([{ name: 'a', downwardAPI: { fields: [{ path: 'x', fieldRef: { fieldPath: 'spec.nodeName' } }] } }]), 'spec.volumes[0].downwardAPI.fields[0].fieldRef.fieldPath', 'not supported'],
    ['a downwardAPI resource field', vmi([{ name: 'a', downwardAPI: { fields: [{ path: 'x', resourceFieldRef: { resource: 'limits.cpu' } }] } }]), 'spec.volumes[0].downwardAPI.fields[0].resourceFieldRef', 'not supported'],
    ['a downwardAPI file used as a directory', vmi([{ name: 'a', downwardAPI: { fields: [{ path: 'x', fieldRef: { fieldPath: 'metadata.name' } }, { path: 'x/y', fieldRef: { fieldPath: 'metadata.uid' } }] } }]), 'spec.volumes[0].downwardAPI.fields[1].path', 'clashes with fields[0].path'],
    ['a downwardAPI mode over 0777', vmi([{ name: 'a', downwardAPI: { fields: [{ path: 'x', mode: 0o1777, fieldRef: { fieldPath: 'metadata.name' } }] } }]), 'spec.volumes[0].downwardAPI.fields[0].mode', 'not a file mode'],
    ['a kernel path with ..', kernelVmi({ kernelPath: '/boot/../../../../etc/shadow' }), 'spec.domain.firmware.kernelBoot.container.kernelPath', '".." segments'],
    ['a relative initrd path', kernelVmi({ initrdPath: 'boot/initrd.img' }), 'spec.domain.firmware.kernelBoot.container.initrdPath', 'must be absolute'],
    ['a kernel path naming a directory', kernelVmi({ kernelPath: '/boot/' }), 'spec.domain.firmware.kernelBoot.container.kernelPath', 'ends with "/"'],
    ['a kernel-boot container naming no file', kernelVmi({}), 'spec.domain.firmware.kernelBoot.container', 'needs kernelPath, initrdPath or both'],
    ['an unresolved kernel-boot image', kernelVmi({ image: 'localhost/missing', kernelPath: '/boot/vmlinuz' }), 'spec.domain.firmware.kernelBoot.container.image', 'has not been resolved'],
  ])('%s', (_, input, field, message) => {
    let error: unknown;
    try {
      planVolumes(input, FACTS);
    } catch (e: unknown) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConversionError);
    expect((error as ConversionError).field).toBe(field);
    expect((error as ConversionError).message).toContain(message);
  });

  it('refuses facts that are not absolute (a caller bug, not a VMI problem)', () => {
    expect(() => planVolumes(vmi([]), { ...FACTS, vmiDir: 'relative' })).toThrow(/facts\.vmiDir/);
    expect(() => planVolumes(vmi([]), { ...FACTS, volumeStore: '/a/../b' })).toThrow(/facts\.volumeStore/);
  });
});

describe('imageRefs', () => {
  it('lists containerDisk images and the kernel-boot image with their fields', () => {
    const input = kernelVmi({ kernelPath: '/boot/vmlinuz' });
    input.spec.volumes = [{ name: 'a', emptyDisk: { capacity: '1' } }, { name: 'b', containerDisk: { image: 'localhost/custom', path: '/other/b.img' } }];
    expect(imageRefs(input)).toEqual([
      { ref: 'localhost/custom', field: 'spec.volumes[1].containerDisk', path: '/other/b.img' },
      { ref: 'localhost/demo-guest:latest', field: 'spec.domain.firmware.kernelBoot.container' },
    ]);
  });
});
