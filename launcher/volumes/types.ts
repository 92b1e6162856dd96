/**
 * The shapes of volume planning: the host facts planning needs (all resolved beforehand, so
 * planning stays pure), and the plan it returns: per volume, the source the converter will see and
 * the preparation steps the launcher runtime executes. `kvt domxml` prints a domain from the plan
 * alone, so every host path is decided here and nowhere else.
 */
import type { DiskImageFormat, VolumeSource } from '../converter/context.js';

/** What the local image store knows of one image the VMI references. */
export interface ImageFacts {
  /** The image's filesystem root on the host (image-store's `ImageRecord.dir`). */
  readonly dir: string;
  /** The image's default disk (the first file under `/disk/`), when it has one. */
  readonly disk?: { readonly path: string; readonly format: DiskImageFormat };
  /**
   * Formats of other disk files of the image, by host path: what `containerDisk.path` names when it
   * is not the default disk (the runtime inspects them with `qemu-img info`).
   */
  readonly formats?: Readonly<Record<string, DiskImageFormat>>;
}

/** Host facts for planning one VMI's volumes. */
export interface VolumePlanFacts {
  /**
   * The VMI's private directory (absolute). Everything the launcher creates lives below it, in
   * KubeVirt's layout re-rooted here.
   */
  readonly vmiDir: string;
  /**
   * Root of the local volume store (absolute): claim `C` in namespace `N` is the raw file
   * `<volumeStore>/<N>/<C>/disk.img`, which must already exist.
   */
  readonly volumeStore: string;
  /** Directories under which hostDisk paths are allowed; none means hostDisk is refused. */
  readonly hostDiskRoots: readonly string[];
  /** The images the VMI references, by reference exactly as the VMI writes it. */
  readonly images: Readonly<Record<string, ImageFacts>>;
}

/**
 * How QEMU opens a prepared file: `write` unless every disk of the volume is read-only (a cdrom,
 * or `readonly: true`). It decides the file's grant to the QEMU user.
 */
export type Access = 'read' | 'write';

/** Where an overlay's read-only base lives, which decides how the QEMU user is let read it. */
export type BaseStore = 'image-store' | 'volume-store';

/** One file of an ISO disk, or a set of them, by where its bytes come from. */
export type IsoEntry =
  /** Bytes known at planning time (meta-data, inline user-data, downward API values). */
  | { readonly type: 'data'; readonly path: string; readonly data: Uint8Array; readonly mode?: number }
  /** One key of a Secret, the first of `keys` the Secret holds (cloud-init `secretRef`). */
  | { readonly type: 'secret-key'; readonly path: string; readonly secret: string; readonly keys: readonly string[]; readonly field: string }
  /**
   * Every key of a Secret or ConfigMap as a file of that name at the ISO root; with `requiredKey`,
   * the object must hold that key (compared without case, as KubeVirt's sysprep check).
   */
  | {
      readonly type: 'object';
      readonly object: 'Secret' | 'ConfigMap';
      readonly name: string;
      readonly optional: boolean;
      readonly field: string;
      readonly requiredKey?: string;
    }
  /** A service account's `token`, `namespace` and `ca.crt`. */
  | { readonly type: 'service-account'; readonly name: string; readonly field: string }
  /** cloud-init meta-data `base` plus the public keys of `secrets` (accessCredentials, access-credentials.ts). */
  | {
      readonly type: 'meta-data-keys';
      readonly path: string;
      readonly kind: 'noCloud' | 'configDrive';
      readonly base: string;
      readonly secrets: readonly { readonly secret: string; readonly field: string }[];
    };

/** One thing the launcher does before the domain starts; every path is absolute. */
export type PrepareStep =
  /** `qemu-img create -f qcow2 -F <format> -b <base> <path>`: the base is never written. */
  | {
      readonly kind: 'overlay';
      readonly field: string;
      readonly path: string;
      readonly base: { readonly path: string; readonly format: DiskImageFormat; readonly store: BaseStore; readonly what: string };
      readonly access: Access;
    }
  /** A sparse qcow2 of `size` bytes (emptyDisk). */
  | { readonly kind: 'empty-disk'; readonly field: string; readonly path: string; readonly size: number; readonly access: Access }
  /** A claim's file in the volume store, used as it is; missing is an error naming `what`. */
  | { readonly kind: 'volume-store-file'; readonly field: string; readonly path: string; readonly what: string; readonly access: Access }
  /** A host disk (hostDisk); with `createSize` (DiskOrCreate), a sparse raw file is made when missing. */
  | { readonly kind: 'host-disk'; readonly field: string; readonly path: string; readonly createSize?: number; readonly access: Access }
  /** An ISO9660 image (Joliet + Rock Ridge) with volume id `volumeId` and the entries' files. */
  | {
      readonly kind: 'iso';
      readonly field: string;
      readonly path: string;
      readonly volumeId: string;
      readonly namespace: string;
      readonly entries: readonly IsoEntry[];
      /** Mode of files read from objects inside the ISO (Rock Ridge keeps it). */
      readonly fileMode: number;
      /** Private directory the files are written to before the ISO is made, then removed. */
      readonly stagingDir: string;
      readonly access: Access;
    }
  /** A file inside an image in the store, used read-only in place (kernel, initrd). */
  | { readonly kind: 'image-file'; readonly field: string; readonly path: string; readonly ref: string; readonly pathInImage: string };

/** The volume kinds the launcher prepares (keys of a KubeVirt `Volume`). */
export type VolumeKind =
  | 'containerDisk'
  | 'ephemeral'
  | 'emptyDisk'
  | 'persistentVolumeClaim'
  | 'dataVolume'
  | 'hostDisk'
  | 'cloudInitNoCloud'
  | 'cloudInitConfigDrive'
  | 'configMap'
  | 'secret'
  | 'serviceAccount'
  | 'downwardAPI'
  | 'sysprep';

/** One volume of the plan. */
export interface PlannedVolume {
  readonly name: string;
  /** `spec.volumes[i]`. */
  readonly field: string;
  readonly kind: VolumeKind;
  /** What the converter sees for this volume (`ConverterContext.volumes[name]`). */
  readonly source: VolumeSource;
  /** What the launcher does for it, in order. */
  readonly steps: readonly PrepareStep[];
}

/** Host paths of `firmware.kernelBoot.container`'s files (`ConverterContext.kernelBoot`). */
export interface KernelBootFiles {
  readonly kernel?: string;
  readonly initrd?: string;
}

/** Everything the launcher prepares for one VMI. */
export interface VolumePlan {
  /** Every volume of `spec.volumes`, in order. */
  readonly volumes: readonly PlannedVolume[];
  /** The converter's `ConverterContext.volumes`. */
  readonly sources: Readonly<Record<string, VolumeSource>>;
  /** The converter's `ConverterContext.kernelBoot`, when the VMI boots a kernel from a container. */
  readonly kernelBoot?: KernelBootFiles;
  /** Every step (volumes in order, then the kernel-boot files). */
  readonly steps: readonly PrepareStep[];
}
