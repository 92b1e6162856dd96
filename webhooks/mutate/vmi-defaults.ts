/**
 * KubeVirt's VMI defaults (the mutating webhook on CREATE, amd64), in KubeVirt's order. The one
 * place defaults are applied: reconcilers and the converter take their input as already defaulted.
 * Pure: the firmware UUID, which KubeVirt draws at random, comes in as an argument.
 * @see ../../../shared/design/kubevirt/mutation.md §2
 */
import type { ClusterConfig } from '../../core/cluster-config.js';
import { defaultImagePullPolicy } from '../../core/image-ref.js';
import { formatQuantity, isNonZeroQuantity, parseQuantity, quantityInt } from '../../core/quantity.js';
import { Annotations, type CPU, type Devices, type Disk, type DomainSpec, type FeatureHyperv, type Features, type FeatureState, type Input, type Probe, type Timer, type VirtualMachineInstance, type VirtualMachineInstanceSpec } from '../../crd-gen/index.js';

/** Values the caller draws for the object (KubeVirt makes them up in the webhook). */
export interface DefaultingIds {
  /** `spec.domain.firmware.uuid` when the VMI has none. */
  readonly firmwareUuid: string;
}

const PCI_TOPOLOGY_VERSION = 'v3';

/** Annotations with KubeVirt's PCI topology version added unless they carry one (VMIs here, a VM's template in the VM webhook). */
export function withPciTopologyVersion(annotations: Readonly<Record<string, string>> | undefined): Record<string, string> {
  return { [Annotations.pciTopologyVersion]: PCI_TOPOLOGY_VERSION, ...annotations };
}
const MAX_VCPUS = 512;
const GI = 2 ** 30;
const HOTPLUG_ALIGNMENT = 2 * 2 ** 20;

type Spec = VirtualMachineInstanceSpec;

/** The VMI with every KubeVirt default applied; the input is left untouched. */
export function applyVmiDefaults(vmi: Readonly<VirtualMachineInstance>, cfg: ClusterConfig, ids: DefaultingIds): VirtualMachineInstance {
  const out = structuredClone(vmi) as VirtualMachineInstance;
  const spec = out.spec;
  spec.architecture ||= cfg.defaultArchitecture;
  // KubeVirt's domain.resources is a struct, not a pointer: its webhook's answer always carries it.
  spec.domain.resources ??= {};
  defaultMachine(spec.domain, cfg);
  defaultCpuRequest(spec.domain, cfg);
  defaultGuestMemory(spec.domain);
  defaultCpuTopology(spec.domain);
  defaultPullPolicies(spec);
  if (spec.evictionStrategy === undefined && cfg.evictionStrategy !== undefined) spec.evictionStrategy = cfg.evictionStrategy as Spec['evictionStrategy'];
  defaultPodNetwork(spec, cfg);
  addDisksForVolumes(spec);
  applyApiDefaults(spec, ids);
  addHypervDependencies(spec.domain);
  applyAmd64Defaults(spec.domain.devices);
  spec.domain.cpu = { ...spec.domain.cpu, model: spec.domain.cpu?.model || cfg.cpuModel || 'host-model' };
  defaultHotplugMaxima(spec.domain, cfg);
  out.metadata = { ...out.metadata, annotations: withPciTopologyVersion(out.metadata?.annotations) };
  return out;
}

/** The machine type the cluster configuration gives a domain without one (VMIs, and a VM's template in the VM webhook). */
export function defaultMachine(domain: DomainSpec, cfg: ClusterConfig): void {
  if (!domain.machine?.type) domain.machine = { ...domain.machine, type: cfg.machineType };
}

type Quantities = Readonly<Record<string, string | number | undefined>>;
const NONE: Quantities = {};

function requestsOf(domain: DomainSpec): Quantities {
  return domain.resources?.requests ?? NONE;
}

function limitsOf(domain: DomainSpec): Quantities {
  return domain.resources?.limits ?? NONE;
}

function setRequest(domain: DomainSpec, key: string, value: string | number | undefined): void {
  domain.resources = { ...domain.resources, requests: { ...domain.resources?.requests, [key]: value } };
}

function defaultCpuRequest(domain: DomainSpec, cfg: ClusterConfig): void {
  const limit = limitsOf(domain)['cpu'];
  const request = requestsOf(domain)['cpu'];
  if (isNonZeroQuantity(limit) && !isNonZeroQuantity(request)) {
    setRequest(domain, 'cpu', limit);
    return;
  }
  const custom = parseQuantity(cfg.cpuRequest) !== parseQuantity('100m');
  if (custom && request === undefined && domain.cpu?.dedicatedCpuPlacement !== true) setRequest(domain, 'cpu', cfg.cpuRequest);
}

/** The first of: non-zero memory request, non-zero memory limit, the hugepage size. */
function guestMemorySource(domain: DomainSpec): string | number | undefined {
  const request = requestsOf(domain)['memory'];
  if (isNonZeroQuantity(request)) return request;
  const limit = limitsOf(domain)['memory'];
  if (isNonZeroQuantity(limit)) return limit;
  const pageSize = domain.memory?.hugepages?.pageSize;
  return parseQuantity(pageSize) === undefined ? undefined : pageSize;
}

function defaultGuestMemory(domain: DomainSpec): void {
  if (domain.memory?.guest !== undefined) return;
  const guest = guestMemorySource(domain);
  if (guest !== undefined) domain.memory = { ...domain.memory, guest };
}

function positiveInt(q: string | number | undefined): number | undefined {
  const v = quantityInt(q);
  return v !== undefined && v > 0 ? v : undefined;
}

function defaultCpuTopology(domain: DomainSpec): void {
  const cpu = domain.cpu ?? {};
  if ([cpu.sockets, cpu.cores, cpu.threads].some((n) => (n ?? 0) !== 0)) return;
  const sockets = positiveInt(limitsOf(domain)['cpu']) ?? positiveInt(requestsOf(domain)['cpu']) ?? 1;
  domain.cpu = { ...cpu, sockets, cores: 1, threads: 1 };
}

function defaultPullPolicies(spec: Spec): void {
  for (const v of spec.volumes ?? []) {
    if (v.containerDisk !== undefined && !v.containerDisk.imagePullPolicy) v.containerDisk.imagePullPolicy = defaultImagePullPolicy(v.containerDisk.image);
  }
  const kernel = spec.domain.firmware?.kernelBoot?.container;
  if (kernel !== undefined && !kernel.imagePullPolicy) kernel.imagePullPolicy = defaultImagePullPolicy(kernel.image);
}


function defaultPodNetwork(spec: Spec, cfg: ClusterConfig): void {
  const devices = spec.domain.devices;
  if (devices.autoattachPodInterface === false) return;
  if ((spec.networks?.length ?? 0) > 0 || (devices.interfaces?.length ?? 0) > 0) return;
  spec.networks = [{ name: 'default', pod: {} }];
  devices.interfaces = [cfg.defaultNetworkInterface === 'masquerade' ? { name: 'default', masquerade: {} } : { name: 'default', bridge: {} }];
}

function addDisksForVolumes(spec: Spec): void {
  const devices = spec.domain.devices;
  const taken = new Set([...(devices.disks ?? []).map((d) => d.name), ...(devices.filesystems ?? []).map((f) => f.name)]);
  const added = (spec.volumes ?? []).filter((v) => !taken.has(v.name)).map((v): Disk => ({ name: v.name }));
  if (added.length > 0) devices.disks = [...(devices.disks ?? []), ...added];
}

/** KubeVirt's generated API defaults (`SetDefaults_*`): firmware, features, disks, inputs, probes. */
function applyApiDefaults(spec: Spec, ids: DefaultingIds): void {
  const domain = spec.domain;
  domain.firmware = { ...domain.firmware, uuid: domain.firmware?.uuid || ids.firmwareUuid };
  domain.features = defaultFeatures(domain.features ?? {});
  defaultClock(domain);
  for (const disk of domain.devices.disks ?? []) defaultDisk(disk);
  for (const input of domain.devices.inputs ?? []) defaultInput(input);
  for (const probe of [spec.readinessProbe, spec.livenessProbe]) if (probe !== undefined) defaultProbe(probe);
}

function defaultClock(domain: DomainSpec): void {
  if (domain.clock?.timer !== undefined) domain.clock.timer = defaultTimers(domain.clock.timer);
}

function defaultInput(input: Input): void {
  input.bus ||= 'usb';
  input.type ||= 'tablet';
}

const PROBE_DEFAULTS = { timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3 } as const;

function defaultProbe(probe: Probe): void {
  for (const [key, value] of Object.entries(PROBE_DEFAULTS) as [keyof typeof PROBE_DEFAULTS, number][]) {
    if ((probe[key] ?? 0) < 1) probe[key] = value;
  }
}

function enabled<T extends { enabled?: boolean }>(f: T | undefined): T | undefined {
  return f === undefined ? undefined : { ...f, enabled: f.enabled ?? true };
}

function defaultFeatures(features: Features): Features {
  const out: Features = { ...features, acpi: { ...features.acpi, enabled: features.acpi?.enabled ?? true } };
  for (const key of ['apic', 'smm', 'pvspinlock'] as const) if (features[key] !== undefined) out[key] = enabled(features[key]);
  if (features.hyperv !== undefined) out.hyperv = defaultHyperv(features.hyperv);
  return out;
}

const HYPERV_FLAGS = ['relaxed', 'vapic', 'vpindex', 'runtime', 'synic', 'reset', 'frequencies', 'reenlightenment', 'ipi', 'evmcs', 'vendorid'] as const;

/** Enables the struct and the named sub-features that are present (synictimer.direct, tlbflush.*). */
function enabledWith<T extends { enabled?: boolean }>(f: T | undefined, subs: readonly (keyof T)[]): T | undefined {
  const out = enabled(f);
  if (out === undefined) return undefined;
  for (const sub of subs) if (out[sub] !== undefined) out[sub] = enabled(out[sub] as FeatureState) as T[keyof T];
  return out;
}

const SPINLOCK_RETRIES = 4096;

function defaultHyperv(h: FeatureHyperv): FeatureHyperv {
  const out: FeatureHyperv = { ...h };
  for (const key of HYPERV_FLAGS) if (h[key] !== undefined) (out as Record<string, unknown>)[key] = enabled(h[key] as FeatureState);
  const spinlocks = enabled(h.spinlocks);
  if (spinlocks?.enabled === true) spinlocks.spinlocks ??= SPINLOCK_RETRIES;
  if (spinlocks !== undefined) out.spinlocks = spinlocks;
  if (h.synictimer !== undefined) out.synictimer = enabledWith(h.synictimer, ['direct']);
  if (h.tlbflush !== undefined) out.tlbflush = enabledWith(h.tlbflush, ['direct', 'extended']);
  return out;
}

function defaultTimers(timer: Timer): Timer {
  const out: Timer = { ...timer };
  for (const key of ['hpet', 'kvm', 'pit', 'rtc', 'hyperv'] as const) {
    const t = timer[key];
    if (t !== undefined) (out as Record<string, unknown>)[key] = { ...t, present: t.present ?? true };
  }
  return out;
}

function defaultDisk(disk: Disk): void {
  if (disk.disk === undefined && disk.cdrom === undefined && disk.lun === undefined) disk.disk = {};
  if (disk.cdrom !== undefined) {
    disk.cdrom.readonly ??= true;
    disk.cdrom.tray ||= 'closed';
  }
  if (disk.blockSize?.matchVolume !== undefined) disk.blockSize.matchVolume.enabled ??= true;
}

/** Dependencies between Hyper-V enlightenments, leaves first (KubeVirt's order). */
const HYPERV_DEPENDENCIES: readonly (readonly [keyof FeatureHyperv, keyof FeatureHyperv])[] = [
  ['evmcs', 'vapic'], ['ipi', 'vpindex'], ['tlbflush', 'vpindex'], ['synictimer', 'synic'], ['synic', 'vpindex'],
];

/**
 * Turns on what an enabled enlightenment needs when the need is unset. An explicitly disabled
 * dependency stops the walk (KubeVirt only logs it; the validating webhook rejects the VMI).
 */
function addHypervDependencies(domain: DomainSpec): void {
  const hyperv = domain.features?.hyperv;
  if (hyperv === undefined) return;
  const flag = (key: keyof FeatureHyperv): boolean | undefined => (hyperv[key] as { enabled?: boolean } | undefined)?.enabled;
  for (const [feature, needs] of HYPERV_DEPENDENCIES) {
    if (hyperv[feature] === undefined || flag(feature) === false) continue;
    if (flag(needs) === false) break;
    if (flag(needs) === undefined) (hyperv as Record<string, unknown>)[needs] = { ...(hyperv[needs] as object | undefined), enabled: true };
  }
  if (hyperv.evmcs !== undefined && hyperv.evmcs.enabled !== false) domain.cpu = requireVmx(domain.cpu);
}

function requireVmx(cpu: CPU | undefined): CPU {
  const features = cpu?.features ?? [];
  const hasVmx = features.some((f) => f.name === 'vmx');
  return {
    ...cpu,
    features: hasVmx ? features.map((f) => (f.name === 'vmx' ? { ...f, policy: 'require' } : f)) : [...features, { name: 'vmx', policy: 'require' }],
  };
}

function applyAmd64Defaults(devices: Devices): void {
  for (const disk of devices.disks ?? []) {
    for (const target of [disk.disk, disk.cdrom, disk.lun]) if (target !== undefined && !target.bus) target.bus = 'sata';
  }
  if (devices.watchdog !== undefined && devices.watchdog.diag288 === undefined) {
    devices.watchdog.i6300esb = { ...devices.watchdog.i6300esb, action: devices.watchdog.i6300esb?.action || 'reset' };
  }
}

/** KubeVirt sets the hotplug maxima only under the LiveUpdate rollout strategy (its compiled default). */
function defaultHotplugMaxima(domain: DomainSpec, cfg: ClusterConfig): void {
  if (cfg.vmRolloutStrategy !== undefined && cfg.vmRolloutStrategy !== 'LiveUpdate') return;
  const cpu = domain.cpu ?? {};
  if ((cpu.maxSockets ?? 0) === 0) {
    const max = maxSocketsFor(cpu, cfg);
    // Go's omitempty: a maximum of 0 (no sockets given, no cluster maximum) is not written.
    domain.cpu = max === 0 ? cpu : { ...cpu, maxSockets: max };
  }
  if (domain.memory?.maxGuest === undefined) {
    const max = maxGuestFor(domain, cfg);
    if (max !== undefined) domain.memory = { ...domain.memory, maxGuest: max };
  }
}

/**
 * KubeVirt's CPU-hotplug ceiling: the cluster's `maxCpuSockets` (raised to the VMI's sockets), else
 * sockets × the hotplug ratio, capped at 512 vCPUs. Sockets are taken as written: a VMI that gives
 * cores or threads but no sockets keeps sockets 0 through defaulting (only a VMI with no topology
 * at all is given 1/1/1), so its ceiling is 0 and its domain has no hotplug slots.
 */
function maxSocketsFor(cpu: CPU, cfg: ClusterConfig): number {
  const sockets = cpu.sockets ?? 0;
  let max = cfg.maxCpuSockets ? Math.max(cfg.maxCpuSockets, sockets) : sockets * cfg.maxHotplugRatio;
  const perSocket = (cpu.cores || 1) * (cpu.threads || 1);
  if (max * perSocket > MAX_VCPUS) max = Math.max(Math.floor(MAX_VCPUS / perSocket), sockets);
  return max;
}

/** KubeVirt's memory-hotplug compatibility check, for a guest of `guest` bytes. */
function memoryHotplugCompatible(domain: DomainSpec, guest: number): boolean {
  const cpu = domain.cpu ?? {};
  if (cpu.realtime !== undefined || cpu.numa?.guestMappingPassthrough !== undefined || domain.launchSecurity !== undefined) return false;
  const alignment = parseQuantity(domain.memory?.hugepages?.pageSize) === GI ? GI : HOTPLUG_ALIGNMENT;
  return guest >= GI && guest % alignment === 0;
}

function maxGuestFor(domain: DomainSpec, cfg: ClusterConfig): string | number | undefined {
  const guest = parseQuantity(domain.memory?.guest);
  if (guest === undefined || !memoryHotplugCompatible(domain, guest)) return undefined;
  // A ceiling past what can be counted exactly is no ceiling: validation refuses such a guest (AX34).
  if (cfg.maxGuest === undefined) return Number.isSafeInteger(guest * cfg.maxHotplugRatio) ? formatQuantity(guest * cfg.maxHotplugRatio) : undefined;
  const clusterMax = parseQuantity(cfg.maxGuest);
  return clusterMax !== undefined && guest <= clusterMax ? cfg.maxGuest : undefined;
}
