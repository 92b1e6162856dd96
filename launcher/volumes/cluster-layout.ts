/**
 * KubeVirt's in-pod paths: where virt-launcher's converter finds each volume, the kernel-boot
 * files, the consoles and the EFI files inside a launcher pod. `kvt domxml` prints a VMI's cluster
 * mapping with them, so it needs no image store and no host: what it prints is what KubeVirt's
 * converter would write. The launcher itself prepares volumes under its own directories
 * (plan.ts); nothing here is ever created.
 * @see ../../../shared/design/kubevirt/converter.md §5 (volume kind → source), §3, §7
 * @see https://github.com/kubevirt/kubevirt/blob/main/pkg/virt-launcher/virtwrap/converter/converter.go
 */
import { posix } from 'node:path';
import type { VirtualMachineInstance, Volume } from '../../crd-gen/index.js';
import type { DiskImageFormat, EfiFirmware, VolumeSource } from '../converter/context.js';
import { CLOUD_INIT_ISO_FILES } from './layout.js';

const PRIVATE = '/var/run/kubevirt-private';
const EPHEMERAL = '/var/run/kubevirt-ephemeral-disks';
const CONTAINER_DISKS = '/var/run/kubevirt/container-disks';

/** The launcher's cloud-init directory (`cloud-init-data` under the ephemeral-disk directory). */
const CLOUD_INIT_DIR = `${EPHEMERAL}/cloud-init-data`;

/** The OVMF files of KubeVirt's launcher image (`--ovmf-path` /usr/share/OVMF). */
export const CLUSTER_EFI: EfiFirmware = {
  code: '/usr/share/OVMF/OVMF_CODE.fd',
  vars: '/usr/share/OVMF/OVMF_VARS.fd',
  secureBootCode: '/usr/share/OVMF/OVMF_CODE.secboot.fd',
  secureBootVars: '/usr/share/OVMF/OVMF_VARS.secboot.fd',
};

/** What a cluster mapping knows of the images: the disk format KubeVirt reads from each, by reference. */
export interface ClusterImageFormats {
  readonly [ref: string]: DiskImageFormat | undefined;
}

/**
 * The format assumed for a containerDisk whose image is not at hand: KubeVirt inspects the image
 * in the pod; its demo images (cirros, fedora) carry qcow2 disks.
 */
export const ASSUMED_CONTAINER_DISK_FORMAT: DiskImageFormat = 'qcow2';

const file = (path: string, format: DiskImageFormat): VolumeSource => ({ type: 'file', path, format });

/** The ephemeral qcow2 overlay of a containerDisk or ephemeral volume. */
function overlay(volume: string, backing: { readonly path: string; readonly format: DiskImageFormat }): VolumeSource {
  return { type: 'file', path: `${EPHEMERAL}/disk-data/${volume}/disk.qcow2`, format: 'qcow2', backing: { type: 'file', ...backing } };
}

function cloudInitIso(vmi: Readonly<VirtualMachineInstance>, source: 'noCloud' | 'configDrive'): VolumeSource {
  return file(`${CLOUD_INIT_DIR}/${vmi.metadata.namespace ?? 'default'}/${vmi.metadata.name ?? ''}/${CLOUD_INIT_ISO_FILES[source]}`, 'raw');
}

interface At {
  readonly vmi: Readonly<VirtualMachineInstance>;
  readonly v: Readonly<Volume>;
  readonly index: number;
  readonly formats: ClusterImageFormats;
}

const claimFile = (name: string): VolumeSource => file(`${PRIVATE}/vmi-disks/${name}/disk.img`, 'raw');

/** Each volume kind's in-pod source, by the key that sets the kind. */
const SOURCES: readonly (readonly [keyof Volume, (at: At) => VolumeSource])[] = [
  ['containerDisk', ({ v, index, formats }) => overlay(v.name, { path: `${CONTAINER_DISKS}/disk_${index}.img`, format: formats[v.containerDisk?.image ?? ''] ?? ASSUMED_CONTAINER_DISK_FORMAT })],
  ['ephemeral', ({ v }) => overlay(v.name, { path: `${PRIVATE}/vmi-disks/${v.name}/disk.img`, format: 'raw' })],
  ['emptyDisk', ({ v }) => file(`/var/run/libvirt/empty-disks/${v.name}.qcow2`, 'qcow2')],
  ['persistentVolumeClaim', ({ v }) => claimFile(v.name)],
  ['dataVolume', ({ v }) => claimFile(v.name)],
  ['hostDisk', ({ v }) => file(`${PRIVATE}/vmi-disks/${v.name}/${posix.basename(v.hostDisk?.path ?? '')}`, 'raw')],
  ['cloudInitNoCloud', ({ vmi }) => cloudInitIso(vmi, 'noCloud')],
  ['cloudInitConfigDrive', ({ vmi }) => cloudInitIso(vmi, 'configDrive')],
  ['configMap', ({ v }) => file(`${PRIVATE}/config-map-disks/${v.name}.iso`, 'raw')],
  ['secret', ({ v }) => file(`${PRIVATE}/secret-disks/${v.name}.iso`, 'raw')],
  ['downwardAPI', ({ v }) => file(`${PRIVATE}/downwardapi-disks/${v.name}.iso`, 'raw')],
  ['serviceAccount', () => file(`${PRIVATE}/service-account-disk/service-account.iso`, 'raw')],
  ['sysprep', ({ v }) => file(`${PRIVATE}/sysprep-disks/${v.name}.iso`, 'raw')],
];

/**
 * Every volume's source as KubeVirt's converter sees it in the launcher pod: containerDisk overlays
 * over `/var/run/kubevirt/container-disks/disk_<i>.img` (i = the volume's index; its format from
 * `formats`, else {@link ASSUMED_CONTAINER_DISK_FORMAT}), claims under `vmi-disks`, every cloud-init
 * volume of a kind on the one ISO of its kind, config disks under `/var/run/kubevirt-private`.
 */
export function clusterVolumeSources(vmi: Readonly<VirtualMachineInstance>, formats: ClusterImageFormats = {}): Record<string, VolumeSource> {
  const out: Record<string, VolumeSource> = {};
  (vmi.spec.volumes ?? []).forEach((v, index) => {
    const kind = SOURCES.find(([key]) => v[key] !== undefined);
    if (kind !== undefined) out[v.name] = kind[1]({ vmi, v, index, formats });
  });
  return out;
}

/** The kernel-boot container's files in the pod: `/var/run/kubevirt/container-disks/kernel-boot/<basename>`. */
export function clusterKernelBootFiles(vmi: Readonly<VirtualMachineInstance>): { kernel?: string; initrd?: string } | undefined {
  const container = vmi.spec.domain.firmware?.kernelBoot?.container;
  if (container === undefined) return undefined;
  const at = (p: string | undefined): string | undefined => (p === undefined || p === '' ? undefined : `${CONTAINER_DISKS}/kernel-boot/${posix.basename(p)}`);
  const [kernel, initrd] = [at(container.kernelPath), at(container.initrdPath)];
  return { ...(kernel === undefined ? {} : { kernel }), ...(initrd === undefined ? {} : { initrd }) };
}

/** The launcher's per-VMI sockets and NVRAM in the pod (non-root launcher, KubeVirt's default). */
export function clusterVmiPaths(vmi: Readonly<VirtualMachineInstance>, uid: string): { serialSocketPath: string; serialLogPath: string; vncSocketPath: string; nvramPath: string } {
  return {
    serialSocketPath: `${PRIVATE}/${uid}/virt-serial0`,
    serialLogPath: `${PRIVATE}/${uid}/virt-serial0-log`,
    vncSocketPath: `${PRIVATE}/${uid}/virt-vnc`,
    nvramPath: `${PRIVATE}/libvirt/qemu/nvram/${vmi.metadata.name ?? ''}_VARS.fd`,
  };
}
