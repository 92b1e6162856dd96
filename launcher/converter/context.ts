/**
 * Every host fact the converter needs, gathered at the edge (launcher/runtime/host-facts.ts and the
 * volume preparation) and passed in, so the conversion itself stays a pure function of VMI +
 * context. Mirrors KubeVirt's `ConverterContext`: when a configurator needs something from the
 * host, it becomes a field here; the configurator never reads the host itself.
 * @see https://github.com/kubevirt/kubevirt/blob/main/pkg/virt-launcher/virtwrap/converter/converter.go
 */

/** A prepared disk image as QEMU opens it. */
export type DiskImageFormat = 'raw' | 'qcow2';

/**
 * Where one volume's data lives on this host, after the launcher prepared it.
 * - `file`: a regular file (`raw` or a `qcow2` overlay). An overlay names its read-only base in
 *   `backing` (containerDisk, ephemeral), so the base is never written.
 * - `block`: a block device (a block-mode PVC).
 */
export type VolumeSource =
  | {
      readonly type: 'file';
      readonly path: string;
      readonly format: DiskImageFormat;
      readonly backing?: { readonly type: 'file' | 'block'; readonly path: string; readonly format: DiskImageFormat };
    }
  | { readonly type: 'block'; readonly path: string; readonly format: 'raw' };

/** The UEFI firmware files of this host (Debian's `ovmf` package: /usr/share/OVMF). */
export interface EfiFirmware {
  /** Code image for EFI without secure boot. */
  readonly code: string;
  /** Variable-store template for EFI without secure boot. */
  readonly vars: string;
  /** Code image built with secure boot (needs SMM). */
  readonly secureBootCode: string;
  /** Variable-store template with secure boot keys enrolled. */
  readonly secureBootVars: string;
}

/** SMBIOS system entries the cluster configures (KubeVirt's `smbios` setting). */
export interface SmbiosConfig {
  readonly manufacturer: string;
  readonly family: string;
  readonly product: string;
  readonly sku: string;
  readonly version: string;
}

/**
 * How guest NICs reach the network.
 * - `tap`: KubeVirt's cluster mapping, `<interface type="ethernet">` on a tap device the launcher
 *   (or CNI) prepared in the pod.
 * - `user`: QEMU user-mode networking, for a session libvirtd that cannot create tap devices
 *   (local mode without privileges).
 */
export type NetworkMode = 'tap' | 'user';

/** A NIC's tap the launcher prepared in its pod (launcher/network/plan.ts), by VMI interface name. */
export interface PodNicContext {
  readonly tap: string;
  /** The guest's MAC when the VMI names none (generated, or the pod's under the bridge binding). */
  readonly mac: string;
  readonly mtu: number;
}

/** Host facts for converting one VMI. */
export interface ConverterContext {
  /** The host (and guest) architecture; only x86_64 is supported. */
  readonly architecture: 'x86_64';
  /** Whether KVM works here (probed by capability, not by the presence of /dev/kvm). */
  readonly kvmUsable: boolean;
  /** The cluster allows software emulation (KubeVirt's `developerConfiguration.useEmulation`). */
  readonly allowEmulation: boolean;
  /** Prepared sources of the VMI's disk-backed volumes, by volume name. */
  readonly volumes: Readonly<Record<string, VolumeSource>>;
  /** Host paths of `firmware.kernelBoot.container`'s kernel and initrd, once extracted. */
  readonly kernelBoot?: { readonly kernel?: string; readonly initrd?: string };
  /** UEFI firmware files; required only by VMIs with an EFI bootloader. */
  readonly efi?: EfiFirmware;
  /** Per-VMI copy of the EFI variable store (`<nvram>`), written by QEMU. */
  readonly nvramPath?: string;
  /** Unix socket of the serial console (`kvt console` attaches to it). */
  readonly serialSocketPath: string;
  /** File the serial console is logged to, when `devices.logSerialConsole` (or the default) says so. */
  readonly serialLogPath: string;
  /** Unix socket of the VNC display. */
  readonly vncSocketPath: string;
  /** SMBIOS system entries (cluster defaults: manufacturer and family "KubeVirt", product "None"). */
  readonly smbios: SmbiosConfig;
  /** How NICs attach (see {@link NetworkMode}). */
  readonly networkMode: NetworkMode;
  /**
   * The taps the launcher prepared, by VMI interface name (`tap` mode in a pod network). Unset
   * (`kvt domxml`): the cluster mapping without a target. Set: each NIC gets its tap, MTU and MAC.
   */
  readonly podNics?: Readonly<Record<string, PodNicContext>>;
  /**
   * Whether QEMU can use the host's vhost-net (`/dev/vhost-net`); without it a multi-queue NIC gets
   * QEMU's own backend (`<driver name="qemu" queues=N>`), which a vhost request would fail on.
   * @default true
   */
  readonly vhostNet?: boolean;
  /** Memory balloon statistics period in seconds; 0 turns statistics off. @default 10 */
  readonly memBalloonStatsPeriod: number;
  /** Whether free page reporting may be offered to the guest (a cluster setting). @default true */
  readonly freePageReporting: boolean;
  /** Cluster default for `devices.logSerialConsole` when the VMI leaves it unset. @default true */
  readonly serialConsoleLogDefault: boolean;
  /**
   * Volumes whose storage does not take discards (KubeVirt's `VolumesDiscardIgnore`): their disks
   * get no `discard="unmap"`, so guest TRIMs are not passed to storage that would fail them.
   * @default [] (every disk and lun passes discards through)
   */
  readonly volumesDiscardIgnore?: readonly string[];
}

/** KubeVirt's cluster SMBIOS defaults. */
export const DEFAULT_SMBIOS: SmbiosConfig = { manufacturer: 'KubeVirt', family: 'KubeVirt', product: 'None', sku: '', version: '' };
