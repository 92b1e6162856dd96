/**
 * Where the launcher puts each prepared volume: KubeVirt's directory layout, re-rooted under the
 * VMI's private directory (one directory per VMI, so KubeVirt's `<namespace>/<name>` level of the
 * cloud-init directory is dropped). Volume names are checked DNS-1123 labels before they get here.
 * @see https://github.com/kubevirt/kubevirt/blob/main/pkg/config/config.go (disk directories)
 * @see https://github.com/kubevirt/kubevirt/blob/main/pkg/cloud-init/cloud-init.go (noCloud.iso, configdrive.iso)
 */
import { posix } from 'node:path';

/** The directories below the VMI's private directory, by what they hold. */
export const VMI_DIRS = {
  /** containerDisk and ephemeral overlays: `disk-data/<vol>/disk.qcow2`. */
  diskData: 'disk-data',
  /** emptyDisk images: `empty-disks/<vol>.qcow2`. */
  emptyDisks: 'empty-disks',
  /**
   * The cloud-init ISOs: `cloud-init/noCloud.iso` and `cloud-init/configdrive.iso`, and a copy per
   * further volume of a kind, `cloud-init/<vol>/<file>` (QEMU cannot open one file for two disks).
   */
  cloudInit: 'cloud-init',
  configMapDisks: 'config-map-disks',
  secretDisks: 'secret-disks',
  downwardApiDisks: 'downwardapi-disks',
  serviceAccountDisk: 'service-account-disk',
  /** sysprep ISOs: `sysprep-disks/<vol>.iso`. */
  sysprepDisks: 'sysprep-disks',
  /** Private scratch directories for ISO contents, removed once each ISO is made. */
  staging: 'staging',
} as const;

/** The qcow2 overlay of a containerDisk or ephemeral volume. */
export function overlayPath(vmiDir: string, volume: string): string {
  return posix.join(vmiDir, VMI_DIRS.diskData, volume, 'disk.qcow2');
}

/** The image of an emptyDisk volume. */
export function emptyDiskPath(vmiDir: string, volume: string): string {
  return posix.join(vmiDir, VMI_DIRS.emptyDisks, `${volume}.qcow2`);
}

/** KubeVirt's file name of the cloud-init ISO of each data source. */
export const CLOUD_INIT_ISO_FILES = { noCloud: 'noCloud.iso', configDrive: 'configdrive.iso' } as const;

/** The cloud-init ISO, by data source (KubeVirt's file names). */
export function cloudInitIsoPath(vmiDir: string, source: 'noCloud' | 'configDrive'): string {
  return posix.join(vmiDir, VMI_DIRS.cloudInit, CLOUD_INIT_ISO_FILES[source]);
}

/**
 * The cloud-init ISO of the second and later volumes of one kind: a copy of the first one's under
 * the volume's name (KubeVirt points every such disk at the one ISO; QEMU refuses to open one file
 * for two writable disks).
 */
export function cloudInitIsoCopyPath(vmiDir: string, source: 'noCloud' | 'configDrive', volume: string): string {
  return posix.join(vmiDir, VMI_DIRS.cloudInit, volume, CLOUD_INIT_ISO_FILES[source]);
}

/** The ISO of a sysprep volume (KubeVirt's `sysprep-disks/<vol>.iso`). */
export function sysprepIsoPath(vmiDir: string, volume: string): string {
  return posix.join(vmiDir, VMI_DIRS.sysprepDisks, `${volume}.iso`);
}

/** The ISO of a configMap, secret or downwardAPI volume. */
export function configIsoPath(vmiDir: string, kind: 'configMap' | 'secret' | 'downwardAPI', volume: string): string {
  const dir = kind === 'configMap' ? VMI_DIRS.configMapDisks : kind === 'secret' ? VMI_DIRS.secretDisks : VMI_DIRS.downwardApiDisks;
  return posix.join(vmiDir, dir, `${volume}.iso`);
}

/** The service-account ISO (one per VMI, as in KubeVirt). */
export function serviceAccountIsoPath(vmiDir: string): string {
  return posix.join(vmiDir, VMI_DIRS.serviceAccountDisk, 'service-account.iso');
}

/** The scratch directory one volume's ISO contents are written to. */
export function stagingDir(vmiDir: string, volume: string): string {
  return posix.join(vmiDir, VMI_DIRS.staging, volume);
}

/** The volume store's file of claim `claim` in namespace `namespace`. */
export function volumeStorePath(volumeStore: string, namespace: string, claim: string): string {
  return posix.join(volumeStore, namespace, claim, 'disk.img');
}
