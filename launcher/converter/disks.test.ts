import { describe, expect, it } from 'vitest';
import type { Disk as VmiDisk, Volume } from '../../crd-gen/index.js';
import type { Disk } from '../domain/schema.js';
import { newVmi, withDevices, withDisk } from '../../test/builders/vmi.js';
import { TEST_RUN_DIR, rawFile, testContext } from '../../test/builders/context.js';
import type { ConverterContext, VolumeSource } from './context.js';
import { emptyDomain } from './configurator.js';
import { configureDisks } from './disks.js';

const PVC: Omit<Volume, 'name'> = { persistentVolumeClaim: { claimName: 'c' } };
const overlay: VolumeSource = {
  type: 'file', path: `${TEST_RUN_DIR}/disk-data/root/disk.qcow2`, format: 'qcow2',
  backing: { type: 'file', path: '/var/lib/kvt/images/sha256-abc/disk.img', format: 'raw' },
};
const block: VolumeSource = { type: 'block', path: '/dev/kvt/pvc-block', format: 'raw' };

function one(disk: VmiDisk, volume: Omit<Volume, 'name'> | undefined, source: VolumeSource | undefined, ctx: Partial<ConverterContext> = {}): Disk | undefined {
  const vmi = newVmi(withDisk(disk, volume));
  const volumes = source === undefined ? {} : { [disk.name]: source };
  return configureDisks(vmi, testContext({ volumes, ...ctx }), emptyDomain()).devices.disks[0];
}

const driver = (type: string, extra: object = {}) => ({ errorPolicy: 'stop', name: 'qemu', type, ...extra });

describe('configureDisks', () => {
  it.each([
    ['a virtio disk on a raw file', { name: 'data', disk: { bus: 'virtio' } }, PVC, rawFile('data'), {
      device: 'disk', type: 'file', model: 'virtio-non-transitional', source: { file: rawFile('data').path },
      target: { bus: 'virtio', dev: 'vda' }, driver: driver('raw', { discard: 'unmap' }), alias: { name: 'ua-data' },
    }],
    ['a qcow2 overlay with its backing store', { name: 'root', disk: { bus: 'virtio' }, bootOrder: 1 }, { containerDisk: { image: 'i:1' } }, overlay, {
      device: 'disk', type: 'file', model: 'virtio-non-transitional', source: { file: overlay.path },
      backingStore: { type: 'file', format: { type: 'raw' }, source: { file: '/var/lib/kvt/images/sha256-abc/disk.img' } },
      target: { bus: 'virtio', dev: 'vda' }, driver: driver('qcow2', { discard: 'unmap' }), alias: { name: 'ua-root' }, boot: { order: 1 },
    }],
    ['a block PVC on sata', { name: 'blk', disk: { bus: 'sata' } }, PVC, block, {
      device: 'disk', type: 'block', source: { dev: '/dev/kvt/pvc-block' }, target: { bus: 'sata', dev: 'sda' }, driver: driver('raw', { discard: 'unmap' }), alias: { name: 'ua-blk' },
    }],
    ['a cdrom: readonly, tray, no discard', { name: 'ci', cdrom: { bus: 'sata' } }, { cloudInitNoCloud: { userData: 'x' } }, rawFile('ci'), {
      device: 'cdrom', type: 'file', source: { file: rawFile('ci').path }, target: { bus: 'sata', dev: 'sda', tray: 'closed' }, driver: driver('raw'), readonly: true, alias: { name: 'ua-ci' },
    }],
    ['a writable cdrom with its tray open', { name: 'ci', cdrom: { bus: 'sata', readonly: false, tray: 'open' } }, { cloudInitNoCloud: { userData: 'x' } }, rawFile('ci'), {
      device: 'cdrom', type: 'file', source: { file: rawFile('ci').path }, target: { bus: 'sata', dev: 'sda', tray: 'open' }, driver: driver('raw'), alias: { name: 'ua-ci' },
    }],
    ['a cdrom without a volume: an empty drive', { name: 'empty', cdrom: { bus: 'sata' } }, undefined, undefined, {
      device: 'cdrom', type: 'block', target: { bus: 'sata', dev: 'sda', tray: 'closed' }, driver: driver('raw', { discard: 'unmap' }), readonly: true, alias: { name: 'ua-empty' },
    }],
    ['a scsi lun on a block device, with its drive address', { name: 'lun0', lun: { bus: 'scsi' } }, PVC, block, {
      device: 'lun', type: 'block', source: { dev: '/dev/kvt/pvc-block' }, target: { bus: 'scsi', dev: 'sda' }, address: { type: 'drive', controller: '0', bus: '0', unit: '0' },
      driver: driver('raw', { discard: 'unmap' }), alias: { name: 'ua-lun0' },
    }],
    ['serial, readonly, cache, io, error policy', { name: 's', disk: { bus: 'sata', readonly: true }, serial: 'D23YZ9W6WA5DJ487', cache: 'writethrough', io: 'threads', errorPolicy: 'report' }, { secret: { secretName: 's' } }, rawFile('s'), {
      device: 'disk', type: 'file', source: { file: rawFile('s').path }, target: { bus: 'sata', dev: 'sda' }, serial: 'D23YZ9W6WA5DJ487',
      driver: { cache: 'writethrough', errorPolicy: 'report', io: 'threads', name: 'qemu', type: 'raw', discard: 'unmap' }, readonly: true, alias: { name: 'ua-s' },
    }],
    ['a shareable disk bypasses the host cache', { name: 'sh', disk: { bus: 'virtio' }, shareable: true }, PVC, rawFile('sh'), {
      device: 'disk', type: 'file', model: 'virtio-non-transitional', source: { file: rawFile('sh').path }, target: { bus: 'virtio', dev: 'vda' },
      driver: driver('raw', { cache: 'none', discard: 'unmap' }), alias: { name: 'ua-sh' }, shareable: true,
    }],
    ['a virtio disk at a PCI address with custom block sizes', { name: 'p', disk: { bus: 'virtio', pciAddress: '0000:81:01.0' }, blockSize: { custom: { logical: 512, physical: 4096 } } }, PVC, rawFile('p'), {
      device: 'disk', type: 'file', model: 'virtio-non-transitional', source: { file: rawFile('p').path }, target: { bus: 'virtio', dev: 'vda' },
      address: { type: 'pci', domain: '0x0000', bus: '0x81', slot: '0x01', function: '0x0' }, blockio: { logicalBlockSize: 512, physicalBlockSize: 4096 },
      driver: driver('raw', { discard: 'unmap' }), alias: { name: 'ua-p' },
    }],
  ])('%s', (_what, disk, volume, source, expected) => {
    expect(one(disk as VmiDisk, volume, source)).toEqual(expected);
  });

  it('leaves discard off for volumes on the ignore list', () => {
    expect(one({ name: 'data', disk: { bus: 'virtio' } }, PVC, rawFile('data'), { volumesDiscardIgnore: ['data'] })?.driver).toEqual(driver('raw'));
  });

  it('uses transitional virtio and one queue per vCPU when the VMI asks', () => {
    const vmi = newVmi(withDisk({ name: 'data', disk: { bus: 'virtio' } }, PVC), withDevices({ useVirtioTransitional: true, blockMultiQueue: true }), (v) => { v.spec.domain.cpu = { ...v.spec.domain.cpu, sockets: 2, cores: 2 }; });
    const disk = configureDisks(vmi, testContext({ volumes: { data: rawFile('data') } }), emptyDomain()).devices.disks[0];
    expect([disk?.model, disk?.driver?.queues]).toEqual(['virtio-transitional', 4]);
  });

  it.each([
    ['a disk whose volume is missing', { name: 'ghost', disk: { bus: 'virtio' } }, undefined, undefined, 'spec.domain.devices.disks[0].name: no volume named "ghost" in spec.volumes'],
    ['a volume with no prepared source', { name: 'data', disk: { bus: 'virtio' } }, PVC, undefined, 'spec.domain.devices.disks[0].name: volume "data" has no prepared source on this host'],
    ['a serial outside libvirt\'s charset', { name: 'data', disk: { bus: 'virtio' }, serial: 'a"b' }, PVC, rawFile('data'), 'spec.domain.devices.disks[0].serial: "a\\"b" is not allowed'],
    ['a lun on a container disk', { name: 'l', lun: { bus: 'scsi' } }, { containerDisk: { image: 'i:1' } }, overlay, 'spec.domain.devices.disks[0].lun: a containerDisk volume cannot be attached as a lun'],
    ['a lun on a file', { name: 'l', lun: { bus: 'scsi' } }, PVC, rawFile('l'), 'spec.domain.devices.disks[0].lun: volume "l" is not a block device'],
    ['a virtio cdrom', { name: 'c', cdrom: { bus: 'virtio' } }, PVC, rawFile('c'), 'spec.domain.devices.disks[0].cdrom.bus: virtio cannot carry a cdrom'],
    ['an ide disk', { name: 'i', disk: { bus: 'ide' } }, PVC, rawFile('i'), 'spec.domain.devices.disks[0].disk.bus: "ide" is not supported'],
    ['a PCI address off virtio', { name: 'p', disk: { bus: 'sata', pciAddress: '0000:81:01.0' } }, PVC, rawFile('p'), 'spec.domain.devices.disks[0].disk.pciAddress: a PCI address needs the virtio bus'],
    ['a shareable disk with writeback', { name: 's', disk: { bus: 'virtio' }, shareable: true, cache: 'writeback' }, PVC, rawFile('s'), 'spec.domain.devices.disks[0].cache: a shareable disk needs cache none'],
    ['block sizes matched to the volume', { name: 'm', disk: { bus: 'virtio' }, blockSize: { matchVolume: {} } }, PVC, rawFile('m'), 'spec.domain.devices.disks[0].blockSize.matchVolume: is not supported'],
    ['a disk name no alias can hold', { name: 'a b', disk: { bus: 'virtio' } }, PVC, rawFile('a b'), 'spec.domain.devices.disks[0].name: "a b" is not allowed'],
  ])('refuses %s', (_what, disk, volume, source, message) => {
    expect(() => one(disk as VmiDisk, volume, source)).toThrow(message);
  });
});
