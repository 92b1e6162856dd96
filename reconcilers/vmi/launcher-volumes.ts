/**
 * The launcher pod's volumes: what the node must provide to the launcher (claims, the Secrets and
 * ConfigMaps of secret, configMap and cloud-init volumes as core/launcher-pod-objects.ts lays them
 * out, downward API files, and on a cluster the images of containerDisks and of kernel boot as image
 * volumes) and the shared run directory of virt-handler and the launcher
 * (kubevirt/controllers.md §1.4). Volumes the launcher makes itself (emptyDisk, cloud-init ISOs,
 * ephemeral; containerDisk overlays) need no pod volume of their own, only the Secrets they name. Pure.
 * @see https://github.com/kubevirt/kubevirt/blob/main/pkg/virt-controller/services/rendervolumes.go
 */
import { imageDirName } from '../../core/image-ref.js';
import { accessCredentialObjects, launcherPodObjectsOf, VIRT_PRIVATE_DIR, type LauncherPodObject } from '../../core/launcher-pod-objects.js';
import type { Volume as VmiVolume, VirtualMachineInstance } from '../../crd-gen/index.js';
import type { Volume, VolumeMount } from '../pod.js';

/** The hostPath volume shared with virt-handler: launcher sockets and `vmi.json` live under it. */
export const RUN_VOLUME = { name: 'kvt-run', path: '/run/kvt' } as const;

/**
 * Where the compute container finds its image volumes: one directory per image, named by
 * `imageDirName` as in an image store, so the launcher reads them as a store of its own.
 */
export const IMAGE_VOLUMES_DIR = '/var/run/kubevirt/image-volumes';

interface Rendered {
  readonly volume: Volume;
  readonly mount: VolumeMount;
}

function claimVolume(v: Readonly<VmiVolume>): Rendered | undefined {
  const claimName = v.persistentVolumeClaim?.claimName ?? v.dataVolume?.name;
  if (claimName === undefined) return undefined;
  const readOnly = v.persistentVolumeClaim?.readOnly === true;
  return {
    volume: { name: v.name, persistentVolumeClaim: { claimName, ...(readOnly ? { readOnly } : {}) } },
    mount: { name: v.name, mountPath: `${VIRT_PRIVATE_DIR}/vmi-disks/${v.name}`, ...(readOnly ? { readOnly } : {}) },
  };
}

/** The pod volume and read-only mount of one Secret or ConfigMap (core/launcher-pod-objects.ts owns the layout). */
function objectVolume(o: LauncherPodObject): Rendered {
  const optional = o.optional === undefined ? {} : { optional: o.optional };
  const volume: Volume = o.kind === 'Secret' ? { name: o.volume, secret: { secretName: o.name, ...optional } } : { name: o.volume, configMap: { name: o.name, ...optional } };
  return { volume, mount: { name: o.volume, mountPath: o.mountPath, readOnly: true } };
}

function downwardApiVolume(v: Readonly<VmiVolume>): Rendered | undefined {
  if (v.downwardAPI === undefined) return undefined;
  const items = (v.downwardAPI.fields ?? []).map((f) => ({ path: f.path, ...(f.fieldRef === undefined ? {} : { fieldRef: { fieldPath: f.fieldRef.fieldPath } }) }));
  return {
    volume: { name: v.name, downwardAPI: { items } },
    mount: { name: v.name, mountPath: `${VIRT_PRIVATE_DIR}/downwardapi/${v.name}`, readOnly: true },
  };
}

/** The pod volumes one VMI volume needs: its claim, the Secrets and ConfigMaps it names, its downward API files. */
function volumesOf(v: Readonly<VmiVolume>): Rendered[] {
  return [claimVolume(v), ...launcherPodObjectsOf(v).map(objectVolume), downwardApiVolume(v)].filter((r): r is Rendered => r !== undefined);
}

/** The images a VMI boots from (its containerDisks, its kernel-boot container), each once, with the first pull policy given. */
function bootImages(vmi: Readonly<VirtualMachineInstance>): { readonly reference: string; readonly pullPolicy: string | undefined }[] {
  const kernel = vmi.spec.domain.firmware?.kernelBoot?.container;
  const all = [
    ...(vmi.spec.volumes ?? []).flatMap((v) => (v.containerDisk === undefined ? [] : [{ reference: v.containerDisk.image, pullPolicy: v.containerDisk.imagePullPolicy }])),
    ...(kernel === undefined ? [] : [{ reference: kernel.image, pullPolicy: kernel.imagePullPolicy }]),
  ];
  const byDir = new Map<string, (typeof all)[number]>();
  for (const image of all) if (!byDir.has(imageDirName(image.reference))) byDir.set(imageDirName(image.reference), image);
  return [...byDir.values()];
}

/** One image volume per boot image, mounted read-only under IMAGE_VOLUMES_DIR by its store name. */
function imageVolumes(vmi: Readonly<VirtualMachineInstance>): Rendered[] {
  return bootImages(vmi).map((image, i) => ({
    volume: { name: `kvt-image-${i}`, image: { reference: image.reference, ...(image.pullPolicy === undefined ? {} : { pullPolicy: image.pullPolicy }) } },
    mount: { name: `kvt-image-${i}`, mountPath: `${IMAGE_VOLUMES_DIR}/${imageDirName(image.reference)}`, readOnly: true },
  }));
}

/**
 * The pod volumes and compute-container mounts of a VMI, the shared run directory first; with
 * `imageVolumes` (a cluster, whose nodes serve images) its boot images too.
 */
export function renderVolumes(vmi: Readonly<VirtualMachineInstance>, options: { readonly imageVolumes?: boolean } = {}): { volumes: Volume[]; mounts: VolumeMount[] } {
  const volumes: Volume[] = [{ name: RUN_VOLUME.name, hostPath: { path: RUN_VOLUME.path, type: 'DirectoryOrCreate' } }];
  const mounts: VolumeMount[] = [{ name: RUN_VOLUME.name, mountPath: RUN_VOLUME.path }];
  const rendered = [...(vmi.spec.volumes ?? []).flatMap(volumesOf), ...accessCredentialObjects(vmi.spec.accessCredentials).map(objectVolume)];
  for (const r of [...rendered, ...(options.imageVolumes === true ? imageVolumes(vmi) : [])]) {
    volumes.push(r.volume);
    mounts.push(r.mount);
  }
  return { volumes, mounts };
}

/** The service account a `serviceAccount` volume names, or undefined (then no token is mounted). */
export function serviceAccountOf(vmi: Readonly<VirtualMachineInstance>): string | undefined {
  return vmi.spec.volumes?.find((v) => v.serviceAccount !== undefined)?.serviceAccount?.serviceAccountName;
}
