/**
 * The enums of the L2 props and the conversions of cdk8s values to what KubeVirt's API holds:
 * a `Size` becomes a binary quantity ("256Mi"), a `Duration` whole seconds.
 */
import { SizeRoundingBehavior, type Duration, type Size } from 'cdk8s';

/** How a VM's guest is started and kept running (`spec.runStrategy`). */
export enum RunStrategy {
  /** The VM is always running: restarted whenever it stops. */
  ALWAYS = 'Always',
  /** The VM is stopped. */
  HALTED = 'Halted',
  /** The VM is started and stopped only by hand (`kvt start`, `kvt stop`). */
  MANUAL = 'Manual',
  /** The VM is restarted only when its guest fails. */
  RERUN_ON_FAILURE = 'RerunOnFailure',
  /** The VM runs once and is not restarted. */
  ONCE = 'Once',
}

/** The bus a disk is attached to. */
export enum DiskBus {
  VIRTIO = 'virtio',
  SATA = 'sata',
  SCSI = 'scsi',
  USB = 'usb',
}

/** The firmware the guest boots with. */
export enum Bootloader {
  BIOS = 'bios',
  EFI = 'efi',
}

/** A port's protocol. */
export enum Protocol {
  TCP = 'TCP',
  UDP = 'UDP',
}

/** When a container image is pulled. */
export enum ImagePullPolicy {
  ALWAYS = 'Always',
  IF_NOT_PRESENT = 'IfNotPresent',
  NEVER = 'Never',
}

const KIB_PER_UNIT: readonly (readonly [suffix: string, kibibytes: number])[] = [
  ['Pi', 1024 ** 4], ['Ti', 1024 ** 3], ['Gi', 1024 ** 2], ['Mi', 1024], ['Ki', 1],
];

/**
 * `size` as a Kubernetes quantity in the largest binary unit that holds it whole ("1Gi", "1536Mi");
 * a size under 1 KiB as bytes. `field` names the prop in the error for a fraction of a byte.
 */
export function quantityOf(size: Size, field: string): string {
  const kib = size.toKibibytes({ rounding: SizeRoundingBehavior.NONE });
  if (kib === 0) return '0';
  for (const [suffix, factor] of KIB_PER_UNIT) {
    const amount = kib / factor;
    if (Number.isInteger(amount)) return `${amount}${suffix}`;
  }
  const bytes = kib * 1024;
  if (Number.isInteger(bytes)) return String(bytes);
  throw new Error(`${field}: ${kib} KiB is not a whole number of bytes`);
}

/** `duration` in whole seconds; `field` names the prop in the error for a fraction of a second. */
export function secondsOf(duration: Duration, field: string): number {
  const seconds = duration.toSeconds({ integral: false });
  if (!Number.isInteger(seconds)) throw new Error(`${field}: ${seconds} seconds is not a whole number of seconds`);
  return seconds;
}

