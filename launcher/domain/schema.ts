/**
 * The libvirt domain, as a clean camelCase model. The converter builds it; `xml.ts` is the only
 * place that knows how it is spelled in XML. Only what kubevirt-ts emits is modelled.
 * @see https://libvirt.org/formatdomain.html
 */

/** `yes`/`no` and `on`/`off` stay strings: libvirt spells them that way, and they round-trip. */
export type YesNo = 'yes' | 'no';
export type OnOff = 'on' | 'off';

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

export interface MemoryAmount { value: number; unit: string }
export interface MaxMemory { value: number; unit: string; slots?: number }
export interface MemoryBacking { hugepages?: boolean; source?: { type: string }; access?: { mode: string } }

export interface DomainOs {
  type: { arch: string; machine: string; value: string };
  loader?: { readonly?: YesNo; secure?: YesNo; type?: string; path: string };
  nvram?: { template?: string; path: string };
  kernel?: string;
  initrd?: string;
  cmdline?: string;
  bootmenu?: { enable: YesNo; timeout?: number };
  smbios?: { mode: string };
  bios?: { useserial?: YesNo };
  acpi?: { tables: { type: string; path: string }[] };
}

export interface SysinfoEntry { name: string; value: string }
export interface Sysinfo {
  type: string;
  system?: { entries: SysinfoEntry[] };
  bios?: { entries: SysinfoEntry[] };
  baseBoard?: { entries: SysinfoEntry[] };
  chassis?: { entries: SysinfoEntry[] };
}

export interface Alias { name: string }
export interface Address {
  type: string;
  domain?: string;
  bus?: string;
  slot?: string;
  function?: string;
  controller?: string;
  unit?: string;
}

export interface Disk {
  type: 'file' | 'block';
  device: 'disk' | 'cdrom' | 'lun';
  model?: string;
  driver?: DiskDriver;
  source?: { file?: string; dev?: string; name?: string };
  backingStore?: { type: string; format?: { type: string }; source?: { file?: string; dev?: string } };
  target: { dev: string; bus: string; tray?: string };
  boot?: { order: number };
  readonly?: boolean;
  shareable?: boolean;
  serial?: string;
  alias?: Alias;
  address?: Address;
  blockio?: { logicalBlockSize?: number; physicalBlockSize?: number; discardGranularity?: number };
}
export interface DiskDriver {
  name: string;
  type?: string;
  cache?: string;
  io?: string;
  errorPolicy?: string;
  discard?: string;
  iothread?: number;
  queues?: number;
}

export interface Controller { type: string; index: number; model?: string; driver?: { iothread?: number } }

export interface Interface {
  type: string;
  mac?: { address: string };
  source?: { bridge?: string; network?: string; dev?: string };
  backend?: { type: string };
  target?: { dev: string; managed?: YesNo };
  model?: { type: string };
  mtu?: { size: number };
  boot?: { order: number };
  rom?: { enabled: YesNo };
  link?: { state: string };
  driver?: { name?: string; queues?: number };
  alias?: Alias;
  address?: Address;
}

export interface CharSource { mode?: string; path?: string }
export interface Serial { type: string; target?: { port: number; type?: string }; source?: CharSource; log?: { file: string; append?: OnOff }; alias?: Alias }
export interface Console { type: string; target?: { type: string; port: number }; source?: CharSource; alias?: Alias }
export interface Channel { type: string; source?: CharSource; target: { type: string; name: string } }
export interface Input { type: string; bus?: string; model?: string; alias?: Alias }
export interface Graphics { type: string; listen?: { type: string; socket?: string; address?: string } }
export interface Video { model: { type: string; heads?: number; vram?: number } }
export interface Watchdog { model: string; action?: string; alias?: Alias }
export interface Rng { model: string; backend: { model: string; path: string } }
export interface MemBalloon { model: string; freePageReporting?: OnOff; stats?: { period: number } }

export interface Devices {
  emulator?: string;
  disks: Disk[];
  controllers: Controller[];
  interfaces: Interface[];
  serials: Serial[];
  consoles: Console[];
  channels: Channel[];
  inputs: Input[];
  graphics: Graphics[];
  videos: Video[];
  watchdogs: Watchdog[];
  rngs: Rng[];
  memballoon?: MemBalloon;
}

export interface Timer { name: string; tickpolicy?: string; track?: string; present?: YesNo; frequency?: string }
export interface Clock { offset: string; timezone?: string; adjustment?: string; timers: Timer[] }

export interface DomainMetadata { kubevirt: { uid: string; graceperiod?: { deletionGracePeriodSeconds: number } } }

export interface FeatureState { state: OnOff }
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
export interface Features {
  acpi?: boolean;
  apic?: boolean;
  hyperv?: Hyperv;
  kvm?: { hidden?: FeatureState };
  pvspinlock?: FeatureState;
  pmu?: FeatureState;
  smm?: boolean;
  vmport?: FeatureState;
}

export interface Cpu {
  mode: string;
  model?: { value: string; fallback?: string };
  topology?: { sockets: number; cores: number; threads: number };
  features: { name: string; policy?: string }[];
  numa?: { cells: { id: number; cpus: string; memory: number; unit?: string }[] };
}
export interface Vcpu { placement?: string; current?: number; value: number }
export interface VcpuState { id: number; enabled: YesNo; hotpluggable: YesNo; order?: number }
