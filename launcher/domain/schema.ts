/**
 * The libvirt domain, as a clean camelCase model. The converter builds it; `xml.ts` is the only
 * place that knows how it is spelled in XML. Only what kubevirt-ts emits is modelled.
 * @see https://libvirt.org/formatdomain.html
 * @see https://github.com/kubevirt/kubevirt/blob/main/pkg/virt-launcher/virtwrap/api/schema.go
 */

/** libvirt's `yes`/`no`, kept as strings: libvirt spells them that way, and they round-trip. */
export type YesNo = 'yes' | 'no';
/** libvirt's `on`/`off`, kept as strings for the same reason as {@link YesNo}. */
export type OnOff = 'on' | 'off';

/** A whole libvirt domain definition (`<domain>`). */
export interface DomainSpec {
  type: 'kvm' | 'qemu';
  name: string;
  uuid?: string;
  memory: MemoryAmount;
  maxMemory?: MaxMemory;
  memoryBacking?: MemoryBacking;
  os: DomainOs;
  sysinfo?: Sysinfo;
  devices: Devices;
  clock?: Clock;
  metadata?: DomainMetadata;
  features?: Features;
  cpu?: Cpu;
  vcpu?: Vcpu;
  vcpus?: { vcpus: VcpuState[] };
  iothreads?: number;
  onPoweroff?: string;
  onReboot?: string;
  onCrash?: string;
}

/** An amount of memory in `unit` (the converter always uses bytes, `b`). */
export interface MemoryAmount { value: number; unit: string }
/**
 * The memory-hotplug ceiling. libvirt's grammar requires `slots` next to it, and libvirt 9.0 also
 * refuses `slots="0"` ("both maximum memory size and memory slot count must be specified").
 */
export interface MaxMemory { value: number; unit: string; slots: number }
/** How guest memory is backed on the host (hugepages, memfd, shared access). */
export interface MemoryBacking { hugepages?: boolean; source?: { type: string }; access?: { mode: string } }

/** One ACPI table handed to the guest (`<os><acpi><table>`). */
export interface AcpiTable { type: string; path: string }
/** The boot setup: machine, firmware, direct kernel boot, SMBIOS mode. */
export interface DomainOs {
  type: { arch: string; machine: string; value: string };
  acpi?: { tables: AcpiTable[] };
  smbios?: { mode: string };
  bootmenu?: { enable: YesNo; timeout?: number };
  bios?: { useserial?: YesNo };
  loader?: { readonly?: YesNo; secure?: YesNo; type?: string; path: string };
  nvram?: { template?: string; path: string };
  kernel?: string;
  initrd?: string;
  cmdline?: string;
}

/** One SMBIOS field (`<entry name="…">value</entry>`). */
export interface SysinfoEntry { name: string; value: string }
/** SMBIOS tables shown to the guest. */
export interface Sysinfo {
  type: string;
  system?: { entries: SysinfoEntry[] };
  bios?: { entries: SysinfoEntry[] };
  baseBoard?: { entries: SysinfoEntry[] };
  chassis?: { entries: SysinfoEntry[] };
}

/** A device alias; user-named devices get `ua-<name>`. */
export interface Alias { name: string }
/** A device address on its bus (`pci`, `drive`, …); numbers stay strings (hex). */
export interface Address {
  type: string;
  domain?: string;
  bus?: string;
  slot?: string;
  function?: string;
  controller?: string;
  unit?: string;
}

/** Where a disk's data lives: a file or a block device. */
export interface DiskSource { file?: string; dev?: string }
/** A read-only image under a disk's overlay. */
export interface BackingStore { type: string; format?: { type: string }; source?: DiskSource }
/** A block device the guest sees (`<disk>`). */
export interface Disk {
  device: 'disk' | 'cdrom' | 'lun';
  type: 'file' | 'block';
  model?: string;
  source?: DiskSource;
  target: { bus: string; dev: string; tray?: string };
  serial?: string;
  driver?: DiskDriver;
  readonly?: boolean;
  alias?: Alias;
  backingStore?: BackingStore;
  boot?: { order: number };
  address?: Address;
  blockio?: { logicalBlockSize?: number; physicalBlockSize?: number; discardGranularity?: number };
  shareable?: boolean;
}
/** How QEMU opens a disk. */
export interface DiskDriver {
  cache?: string;
  errorPolicy?: string;
  io?: string;
  name: string;
  type?: string;
  iothread?: number;
  queues?: number;
  discard?: string;
}

/** A controller (usb, scsi, virtio-serial, pci). */
export interface Controller {
  type: string;
  index: number;
  model?: string;
  driver?: { iothread?: number; queues?: number };
  alias?: Alias;
  address?: Address;
  pcihole64?: { unit: string; value: number };
}

/** A network card (`<interface>`). */
export interface Interface {
  address?: Address;
  type: string;
  source?: { bridge?: string; network?: string; dev?: string };
  target?: { dev: string; managed?: YesNo };
  model?: { type: string };
  mac?: { address: string };
  mtu?: { size: number };
  boot?: { order: number };
  link?: { state: string };
  alias?: Alias;
  driver?: { name?: string; queues?: number };
  rom?: { enabled: YesNo };
  acpi?: { index: number };
  backend?: { type: string };
}

/** The host side of a character device. */
export interface CharSource { mode?: string; path?: string }
/** A serial port. */
export interface Serial { type: string; target?: { port: number; type?: string }; source?: CharSource; alias?: Alias; log?: { file: string; append?: OnOff } }
/** A console, usually wired to the first serial port. */
export interface Console { type: string; target?: { type: string; port: number }; source?: CharSource; alias?: Alias }
/** A guest ↔ host channel (the QEMU guest agent). */
export interface Channel { type: string; source?: CharSource; target: { type: string; name: string } }
/** An input device (tablet). */
export interface Input { type: string; bus?: string; model?: string; alias?: Alias }
/** A remote display (VNC on a unix socket). */
export interface Graphics { type: string; listen?: { type: string; address?: string; socket?: string } }
/** A video card. */
export interface Video { model: { type: string; heads?: number; vram?: number } }
/** A hardware watchdog. */
export interface Watchdog { model: string; action?: string; alias?: Alias }
/** A random number generator device. */
export interface Rng { model: string; backend: { model: string; path: string } }
/**
 * An emulated TPM: libvirt starts swtpm for the `emulator` backend and keeps its state under the
 * daemon's swtpm directory, beyond the domain's life when `persistentState` is `yes`.
 * @see https://libvirt.org/formatdomain.html#tpm-device
 */
export interface Tpm { model: string; backend: { type: string; version?: string; persistentState?: YesNo } }
/** The memory balloon (`model="none"` turns it off). */
export interface MemBalloon { model: string; stats?: { period: number }; freePageReporting?: OnOff }

/**
 * Where a memory device's memory goes and how much of it: `size` is the most it can give the
 * guest, `requested` what the guest is asked to use now, `block` the granularity (virtio-mem),
 * `node` the guest NUMA cell it belongs to.
 */
export interface MemoryTarget { size: MemoryAmount; requested?: MemoryAmount; node?: number; block?: MemoryAmount }
/**
 * A memory device (`<memory model="…">` in `<devices>`). kubevirt-ts emits only `virtio-mem`,
 * the hotpluggable region between the boot memory and `maxGuest`.
 * @see https://libvirt.org/formatdomain.html#memory-devices
 */
export interface MemoryDevice { model: string; target: MemoryTarget }

/** Everything plugged into the guest, one list per device kind. */
export interface Devices {
  emulator?: string;
  interfaces: Interface[];
  channels: Channel[];
  controllers: Controller[];
  videos: Video[];
  graphics: Graphics[];
  memballoon?: MemBalloon;
  disks: Disk[];
  inputs: Input[];
  serials: Serial[];
  consoles: Console[];
  watchdogs: Watchdog[];
  rngs: Rng[];
  tpms: Tpm[];
  memories: MemoryDevice[];
}

/** A guest timer. */
export interface Timer { name: string; tickpolicy?: string; present?: YesNo; track?: string; frequency?: string }
/** The guest clock: its offset and timers. */
export interface Clock { offset?: string; timezone?: string; adjustment?: string; timers: Timer[] }

/** KubeVirt's own metadata, in the `http://kubevirt.io` namespace. */
export interface DomainMetadata { kubevirt: { uid: string; graceperiod?: { deletionGracePeriodSeconds: number } } }

/** An on/off switch of a hypervisor feature. */
export interface FeatureState { state: OnOff }
/** Hyper-V enlightenments, or `mode="passthrough"`. */
export interface Hyperv {
  mode?: string;
  relaxed?: FeatureState;
  vapic?: FeatureState;
  spinlocks?: { state: OnOff; retries?: number };
  vpindex?: FeatureState;
  runtime?: FeatureState;
  synic?: FeatureState;
  stimer?: { state: OnOff; direct?: FeatureState };
  reset?: FeatureState;
  vendorId?: { state: OnOff; value?: string };
  frequencies?: FeatureState;
  reenlightenment?: FeatureState;
  tlbflush?: FeatureState;
  ipi?: FeatureState;
  evmcs?: FeatureState;
}
/** Platform features (`<features>`). */
export interface Features {
  acpi?: boolean;
  apic?: boolean;
  hyperv?: Hyperv;
  smm?: boolean;
  kvm?: { hidden?: FeatureState };
  pvspinlock?: FeatureState;
  pmu?: FeatureState;
  vmport?: FeatureState;
}

/** One guest NUMA cell. */
export interface NumaCell { id: number; cpus: string; memory: number; unit?: string }
/** The guest CPU: mode, model, flags, topology, NUMA. */
export interface Cpu {
  mode: string;
  model?: { value: string; fallback?: string };
  features: { name: string; policy?: string }[];
  topology?: { sockets: number; cores: number; threads: number };
  numa?: { cells: NumaCell[] };
}
/** The vCPU count (the maximum, with hotplug). */
export interface Vcpu { placement?: string; current?: number; value: number }
/** The state of one vCPU in a hotplug layout. */
export interface VcpuState { id: number; enabled: YesNo; hotpluggable: YesNo; order?: number }
