// KubeVirt's in-pod paths, one row per volume kind (shared/design/kubevirt/converter.md §5): what
// `kvt domxml` writes for a VMI without any local store.
import { describe, expect, it } from 'vitest';
import type { VirtualMachineInstance, Volume } from '../../crd-gen/index.js';
import { clusterKernelBootFiles, clusterVmiPaths, clusterVolumeSources } from './cluster-layout.js';

function vmi(volumes: Volume[]): VirtualMachineInstance {
  return { apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachineInstance', metadata: { name: 'testvmi', namespace: 'ns1' }, spec: { domain: { devices: {} }, volumes } } as VirtualMachineInstance;
}

const raw = (path: string) => ({ type: 'file', path, format: 'raw' });

describe('clusterVolumeSources', () => {
  it.each<[string, Volume, unknown]>([
    ['containerDisk: an overlay over disk_<index>.img, qcow2 unless known', { name: 'root', containerDisk: { image: 'quay.io/kubevirt/cirros-container-disk-demo' } },
      { type: 'file', path: '/var/run/kubevirt-ephemeral-disks/disk-data/root/disk.qcow2', format: 'qcow2', backing: { type: 'file', path: '/var/run/kubevirt/container-disks/disk_1.img', format: 'qcow2' } }],
    ['ephemeral: an overlay over the claim', { name: 'eph', ephemeral: { persistentVolumeClaim: { claimName: 'golden' } } },
      { type: 'file', path: '/var/run/kubevirt-ephemeral-disks/disk-data/eph/disk.qcow2', format: 'qcow2', backing: { type: 'file', path: '/var/run/kubevirt-private/vmi-disks/eph/disk.img', format: 'raw' } }],
    ['emptyDisk', { name: 'scratch', emptyDisk: { capacity: '1Gi' } }, { type: 'file', path: '/var/run/libvirt/empty-disks/scratch.qcow2', format: 'qcow2' }],
    ['persistentVolumeClaim', { name: 'pvc', persistentVolumeClaim: { claimName: 'c' } }, raw('/var/run/kubevirt-private/vmi-disks/pvc/disk.img')],
    ['dataVolume', { name: 'dv', dataVolume: { name: 'd' } }, raw('/var/run/kubevirt-private/vmi-disks/dv/disk.img')],
    ['hostDisk: its file name under vmi-disks', { name: 'host', hostDisk: { path: '/data/disk.img', type: 'DiskOrCreate', capacity: '1Gi' } }, raw('/var/run/kubevirt-private/vmi-disks/host/disk.img')],
    ['cloudInitNoCloud', { name: 'ci', cloudInitNoCloud: { userData: 'x' } }, raw('/var/run/kubevirt-ephemeral-disks/cloud-init-data/ns1/testvmi/noCloud.iso')],
    ['cloudInitConfigDrive', { name: 'cd', cloudInitConfigDrive: { userData: 'x' } }, raw('/var/run/kubevirt-ephemeral-disks/cloud-init-data/ns1/testvmi/configdrive.iso')],
    ['configMap', { name: 'cm', configMap: { name: 'c' } }, raw('/var/run/kubevirt-private/config-map-disks/cm.iso')],
    ['secret', { name: 'sec', secret: { secretName: 's' } }, raw('/var/run/kubevirt-private/secret-disks/sec.iso')],
    ['downwardAPI', { name: 'dapi', downwardAPI: { fields: [] } }, raw('/var/run/kubevirt-private/downwardapi-disks/dapi.iso')],
    ['serviceAccount', { name: 'sa', serviceAccount: { serviceAccountName: 'default' } }, raw('/var/run/kubevirt-private/service-account-disk/service-account.iso')],
    ['sysprep', { name: 'sysprep', sysprep: { configMap: { name: 'unattend' } } }, raw('/var/run/kubevirt-private/sysprep-disks/sysprep.iso')],
  ])('%s', (_what, volume, source) => {
    // A volume before it, so containerDisk's index shows.
    expect(clusterVolumeSources(vmi([{ name: 'first', emptyDisk: { capacity: '1Mi' } }, volume]))[volume.name]).toEqual(source);
  });

  it('takes a containerDisk format from what is known of its image', () => {
    const sources = clusterVolumeSources(vmi([{ name: 'root', containerDisk: { image: 'localhost/demo-guest:latest' } }]), { 'localhost/demo-guest:latest': 'raw' });
    expect(sources['root']).toMatchObject({ backing: { path: '/var/run/kubevirt/container-disks/disk_0.img', format: 'raw' } });
  });

  it('puts the kernel-boot files, sockets and NVRAM where KubeVirt\'s launcher pod has them', () => {
    const input = vmi([]);
    input.spec.domain.firmware = { kernelBoot: { container: { image: 'img', kernelPath: '/boot/vmlinuz-6.1', initrdPath: '/boot/initrd.img' } } };
    expect(clusterKernelBootFiles(input)).toEqual({ kernel: '/var/run/kubevirt/container-disks/kernel-boot/vmlinuz-6.1', initrd: '/var/run/kubevirt/container-disks/kernel-boot/initrd.img' });
    expect(clusterKernelBootFiles(vmi([]))).toBeUndefined();
    expect(clusterVmiPaths(input, 'u-1')).toEqual({
      serialSocketPath: '/var/run/kubevirt-private/u-1/virt-serial0', serialLogPath: '/var/run/kubevirt-private/u-1/virt-serial0-log',
      vncSocketPath: '/var/run/kubevirt-private/u-1/virt-vnc', nvramPath: '/var/run/kubevirt-private/libvirt/qemu/nvram/testvmi_VARS.fd',
    });
  });
});
