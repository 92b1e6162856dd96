/**
 * Disk-backed volumes: what KubeVirt prepares for each, on this host.
 * - containerDisk: a qcow2 overlay in `disk-data/<vol>/` over the image's disk (read-only base);
 * - ephemeral: the same overlay over the claim's volume-store file;
 * - emptyDisk: a sparse qcow2 of its capacity;
 * - persistentVolumeClaim / dataVolume: the claim's raw file in the volume store, used in place;
 * - hostDisk: the host file itself (raw), made sparse when `DiskOrCreate` finds none.
 * @see https://kubevirt.io/user-guide/storage/disks_and_volumes/
 * @see https://github.com/kubevirt/kubevirt/blob/main/pkg/virt-launcher/virtwrap/converter/converter.go (Convert_v1_*Source_To_api_Disk)
 */
import { ConversionError } from '../../core/errors.js';
import { checkDnsSubdomain, checkHostPath, checkImagePath, joinInside } from '../../core/paths.js';
import { quantityInt } from '../../core/quantity.js';
import type { Quantity } from '../../crd-gen/index.js';
import type { DiskImageFormat } from '../converter/context.js';
import type { PlanInput, VolumeAt, VolumePart } from './context.js';
import { emptyDiskPath, overlayPath, volumeStorePath } from './layout.js';
import type { ImageFacts } from './types.js';

function imageFacts(input: PlanInput, field: string, ref: string): ImageFacts {
  const image = input.facts.images[ref];
  if (image === undefined) throw new ConversionError(field, `image ${JSON.stringify(ref)} has not been resolved in the local image store`);
  return image;
}

function customDiskFormat(image: ImageFacts, path: string): DiskImageFormat | undefined {
  if (image.disk?.path === path) return image.disk.format;
  return image.formats?.[path];
}

/** The image's disk (the default one, or `containerDisk.path`) and its format. */
function containerBase(input: PlanInput, at: VolumeAt): { path: string; format: DiskImageFormat; ref: string } {
  const cd = at.volume.containerDisk;
  if (cd === undefined) throw new Error('containerBase: not a containerDisk volume');
  const image = imageFacts(input, `${at.field}.containerDisk.image`, cd.image);
  if (cd.path === undefined || cd.path === '') {
    if (image.disk === undefined) throw new ConversionError(`${at.field}.containerDisk.image`, `image ${JSON.stringify(cd.image)} has no disk (no file under /disk/); set containerDisk.path`);
    return { ...image.disk, ref: cd.image };
  }
  const field = `${at.field}.containerDisk.path`;
  const path = joinInside(image.dir, checkImagePath(field, cd.path));
  const format = customDiskFormat(image, path);
  if (format === undefined) throw new ConversionError(field, `the format of ${JSON.stringify(cd.path)} in image ${JSON.stringify(cd.image)} is not known (it was not inspected)`);
  return { path, format, ref: cd.image };
}

/** containerDisk: a qcow2 overlay over the image's disk. */
export function planContainerDisk(input: PlanInput, at: VolumeAt): VolumePart {
  const base = containerBase(input, at);
  const path = overlayPath(input.facts.vmiDir, at.name);
  return {
    source: { type: 'file', path, format: 'qcow2', backing: { type: 'file', path: base.path, format: base.format } },
    steps: [{
      kind: 'overlay', field: `${at.field}.containerDisk`, path, access: at.access,
      base: { path: base.path, format: base.format, store: 'image-store', what: `image ${JSON.stringify(base.ref)}` },
    }],
  };
}

function claimFile(input: PlanInput, field: string, claim: string): string {
  return volumeStorePath(input.facts.volumeStore, input.namespace, checkDnsSubdomain(field, claim));
}

/** ephemeral: a qcow2 overlay over the claim's volume-store file, which is never written. */
export function planEphemeral(input: PlanInput, at: VolumeAt): VolumePart {
  const claim = at.volume.ephemeral?.persistentVolumeClaim?.claimName;
  const field = `${at.field}.ephemeral.persistentVolumeClaim.claimName`;
  if (claim === undefined) throw new ConversionError(`${at.field}.ephemeral.persistentVolumeClaim`, 'is not set; an ephemeral volume needs the claim it overlays');
  const base = claimFile(input, field, claim);
  const path = overlayPath(input.facts.vmiDir, at.name);
  return {
    source: { type: 'file', path, format: 'qcow2', backing: { type: 'file', path: base, format: 'raw' } },
    steps: [{
      kind: 'overlay', field, path, access: at.access,
      base: { path: base, format: 'raw', store: 'volume-store', what: `PersistentVolumeClaim ${JSON.stringify(claim)}` },
    }],
  };
}

function positiveSize(field: string, capacity: Quantity | undefined): number {
  const size = quantityInt(capacity);
  if (size === undefined || !Number.isSafeInteger(size) || size <= 0) {
    throw new ConversionError(field, `${JSON.stringify(capacity ?? null)} is not a positive size`);
  }
  return size;
}

/** emptyDisk: a sparse qcow2 of the capacity, created per run. */
export function planEmptyDisk(input: PlanInput, at: VolumeAt): VolumePart {
  const field = `${at.field}.emptyDisk.capacity`;
  const size = positiveSize(field, at.volume.emptyDisk?.capacity);
  const path = emptyDiskPath(input.facts.vmiDir, at.name);
  return { source: { type: 'file', path, format: 'qcow2' }, steps: [{ kind: 'empty-disk', field, path, size, access: at.access }] };
}

function planClaim(input: PlanInput, at: VolumeAt, claim: { field: string; name: string; kind: string }): VolumePart {
  const path = claimFile(input, claim.field, claim.name);
  return {
    source: { type: 'file', path, format: 'raw' },
    steps: [{ kind: 'volume-store-file', field: claim.field, path, access: at.access, what: `${claim.kind} ${JSON.stringify(claim.name)}` }],
  };
}

/** persistentVolumeClaim: the claim's raw file in the volume store. */
export function planPersistentVolumeClaim(input: PlanInput, at: VolumeAt): VolumePart {
  const pvc = at.volume.persistentVolumeClaim;
  const access = pvc?.readOnly === true ? 'read' : at.access;
  return planClaim(input, { ...at, access }, { field: `${at.field}.persistentVolumeClaim.claimName`, name: pvc?.claimName ?? '', kind: 'PersistentVolumeClaim' });
}

/** dataVolume: the raw file of the DataVolume's claim (same name) in the volume store. */
export function planDataVolume(input: PlanInput, at: VolumeAt): VolumePart {
  return planClaim(input, at, { field: `${at.field}.dataVolume.name`, name: at.volume.dataVolume?.name ?? '', kind: 'DataVolume' });
}

/** hostDisk: the host file itself; `DiskOrCreate` makes a sparse raw file of `capacity` if missing. */
export function planHostDisk(input: PlanInput, at: VolumeAt): VolumePart {
  const hd = at.volume.hostDisk;
  if (hd === undefined) throw new Error('planHostDisk: not a hostDisk volume');
  const path = checkHostPath(`${at.field}.hostDisk.path`, hd.path, input.facts.hostDiskRoots);
  const field = `${at.field}.hostDisk`;
  if (hd.type !== 'Disk' && hd.type !== 'DiskOrCreate') {
    throw new ConversionError(`${field}.type`, `${JSON.stringify(hd.type)} is not Disk or DiskOrCreate`);
  }
  const createSize = hd.type === 'DiskOrCreate' ? positiveSize(`${field}.capacity`, hd.capacity) : undefined;
  return {
    source: { type: 'file', path, format: 'raw' },
    steps: [{ kind: 'host-disk', field, path, access: at.access, ...(createSize === undefined ? {} : { createSize }) }],
  };
}
