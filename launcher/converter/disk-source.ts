/**
 * Where a disk's data comes from: the source the launcher prepared for its volume (a raw file, a
 * qcow2 overlay over a read-only base, or a block device), or nothing for a cdrom without a
 * volume (an empty drive). The converter never derives host paths itself.
 * @see https://github.com/kubevirt/kubevirt/blob/main/pkg/virt-launcher/virtwrap/converter/converter.go (Convert_v1_Volume_To_api_Disk)
 */
import { ConversionError } from '../../core/errors.js';
import type { Disk as VmiDisk, Volume } from '../../crd-gen/index.js';
import type { BackingStore, Disk, DiskSource } from '../domain/schema.js';
import type { VolumeSource } from './context.js';

/** The parts of a `<disk>` its volume decides. */
export type SourcePart = Pick<Disk, 'type' | 'source' | 'backingStore'> & { readonly format: string };

/** Volume kinds that cannot back a lun (KubeVirt: "not compatible with a file based disk"). */
const NOT_FOR_LUN = ['containerDisk', 'cloudInitNoCloud', 'cloudInitConfigDrive', 'emptyDisk', 'sysprep'] as const;

function sourceOf(type: 'file' | 'block', path: string): DiskSource {
  return type === 'file' ? { file: path } : { dev: path };
}

function backingOf(prepared: VolumeSource): BackingStore | undefined {
  if (prepared.type !== 'file' || prepared.backing === undefined) return undefined;
  const b = prepared.backing;
  return { type: b.type, format: { type: b.format }, source: sourceOf(b.type, b.path) };
}

/** The source of a prepared volume. */
export function preparedSource(prepared: VolumeSource): SourcePart {
  const backingStore = backingOf(prepared);
  return {
    type: prepared.type,
    source: sourceOf(prepared.type, prepared.path),
    format: prepared.format,
    ...(backingStore === undefined ? {} : { backingStore }),
  };
}

/** A cdrom drive with no medium: KubeVirt's block-type empty drive. */
export const EMPTY_DRIVE: SourcePart = { type: 'block', format: 'raw' };

/** Refuses a lun on a volume that can only be a file. */
export function checkLunVolume(field: string, disk: VmiDisk, volume: Volume, prepared: VolumeSource): void {
  if (disk.lun === undefined) return;
  const kind = NOT_FOR_LUN.find((k) => volume[k] !== undefined);
  if (kind !== undefined) throw new ConversionError(`${field}.lun`, `a ${kind} volume cannot be attached as a lun; use disk or cdrom`);
  if (prepared.type !== 'block') throw new ConversionError(`${field}.lun`, `volume "${volume.name}" is not a block device; a lun needs a block-mode PVC or DataVolume`);
}
