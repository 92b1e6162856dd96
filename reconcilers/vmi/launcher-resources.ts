/**
 * The compute container's resources: KubeVirt's memory overhead of the launcher and QEMU on top of
 * the guest, and the cpu/memory requests and limits rendered from the VMI (kubevirt/controllers.md
 * §1.1, §1.2). Pure.
 * @see https://github.com/kubevirt/kubevirt/blob/main/pkg/virt-controller/services/renderresources.go
 */
import type { ClusterConfig } from '../../core/cluster-config.js';
import { formatQuantity, parseQuantity, quantityInt } from '../../core/quantity.js';
import { ResourceNames, type VirtualMachineInstance } from '../../crd-gen/index.js';
import type { ResourceList } from '../pod.js';
import { DEFAULT_INTERFACE_MODEL, interfaceModelOf } from '../../core/implicit-defaults.js';
import { hasTpmDevice } from '../../core/tpm.js';

const MI = 2 ** 20;

/** KubeVirt's fixed overheads (hypervisorbackend.go), in bytes. */
export const Overhead = {
  /** virt-launcher-monitor 25Mi + virt-launcher 100Mi + virtlogd 25Mi + virtqemud 40Mi + qemu 30Mi. */
  processes: 220 * MI,
  perVcpu: 8 * MI,
  ioThread: 8 * MI,
  video: 32 * MI,
  arm64Pflash: 128 * MI,
  vfio: 1024 * MI,
  downwardMetrics: 1 * MI,
  perExecProbe: 10 * MI,
  execProbes: 100 * MI,
  sev: 256 * MI,
  tpm: 53 * MI,
  dedicatedCpu: 100 * MI,
} as const;

/** KubeVirt's default `cpuAllocationRatio`: one vCPU asks for a tenth of a core. */
export const CPU_ALLOCATION_RATIO = 10;
/** The ephemeral-storage request KubeVirt adds to the compute container. */
export const EPHEMERAL_STORAGE_REQUEST = 50_000_000;

type Vmi = Readonly<VirtualMachineInstance>;

/** The guest's vCPUs as KubeVirt counts them: the topology when `domain.cpu` is set, else the cpu limit or request; at least 1. */
export function vcpusOf(vmi: Vmi): number {
  const cpu = vmi.spec.domain.cpu;
  if (cpu !== undefined) return Math.max(1, [cpu.sockets, cpu.cores, cpu.threads].reduce<number>((n, k) => n * (k ?? 1), 1));
  const resources = vmi.spec.domain.resources;
  const fromResources = quantityInt(resources?.limits?.['cpu'] ?? resources?.requests?.['cpu']);
  return Math.max(1, fromResources ?? 1);
}

/** The guest memory the pod must hold: the memory request, else the limit, else `memory.guest` (bytes). */
export function guestMemoryRequest(vmi: Vmi): number {
  const resources = vmi.spec.domain.resources;
  const request = parseQuantity(resources?.requests?.['memory']);
  if (request !== undefined && request > 0) return request;
  return parseQuantity(resources?.limits?.['memory']) ?? parseQuantity(vmi.spec.domain.memory?.guest) ?? 0;
}

function probeOverhead(vmi: Vmi): number {
  const execProbes = [vmi.spec.livenessProbe, vmi.spec.readinessProbe].filter((p) => p?.exec !== undefined).length;
  return execProbes === 0 ? 0 : execProbes * Overhead.perExecProbe + Overhead.execProbes;
}

function needsVfio(vmi: Vmi): boolean {
  const devices = vmi.spec.domain.devices;
  return (devices.gpus?.length ?? 0) > 0 || (devices.hostDevices?.length ?? 0) > 0 || (vmi.spec.domain.devices.interfaces ?? []).some((i) => i.sriov !== undefined);
}

function isDedicated(vmi: Vmi): boolean {
  const requests = vmi.spec.domain.resources?.requests ?? {};
  const limits = vmi.spec.domain.resources?.limits ?? {};
  const guaranteed = limits['cpu'] !== undefined && limits['memory'] !== undefined && requests['cpu'] === limits['cpu'] && requests['memory'] === limits['memory'];
  return vmi.spec.domain.cpu?.dedicatedCpuPlacement === true || guaranteed;
}

function hasSev(vmi: Vmi): boolean {
  const security = vmi.spec.domain.launchSecurity;
  return security?.sev !== undefined || security?.snp !== undefined;
}

/** Device- and feature-dependent overheads: each applies when its test holds. */
const OPTIONAL_OVERHEADS: readonly (readonly [(vmi: Vmi) => boolean, number])[] = [
  [(vmi) => vmi.spec.domain.devices.autoattachGraphicsDevice !== false, Overhead.video],
  [(vmi) => vmi.spec.architecture === 'arm64', Overhead.arm64Pflash],
  [needsVfio, Overhead.vfio],
  [(vmi) => (vmi.spec.volumes ?? []).some((v) => v.downwardMetrics !== undefined), Overhead.downwardMetrics],
  [hasSev, Overhead.sev],
  [(vmi) => hasTpmDevice(vmi.spec), Overhead.tpm],
  [isDedicated, Overhead.dedicatedCpu],
];

function optionalOverhead(vmi: Vmi): number {
  return OPTIONAL_OVERHEADS.reduce((sum, [applies, bytes]) => sum + (applies(vmi) ? bytes : 0), 0);
}

/**
 * The memory KubeVirt reserves beside the guest (`GetMemoryOverhead`), in bytes: page tables
 * (request / 512), the 220Mi of launcher processes, 8Mi per vCPU, 8Mi IOThread, video, probes, and
 * the device- and feature-dependent parts of §1.1.
 */
export function memoryOverhead(vmi: Vmi): number {
  const pageTables = Math.floor(guestMemoryRequest(vmi) / 512);
  const fixed = Overhead.processes + vcpusOf(vmi) * Overhead.perVcpu + Overhead.ioThread;
  return pageTables + fixed + optionalOverhead(vmi) + probeOverhead(vmi);
}

/** A cpu amount in KubeVirt's output form: whole cores as `2`, fractions in millicores (`100m`). */
export function formatCpu(millis: number): string {
  return millis % 1000 === 0 ? String(millis / 1000) : `${millis}m`;
}

/** Device-plugin resources the compute container asks for (limits only, value 1). */
function devicePluginLimits(vmi: Vmi, cfg: Readonly<ClusterConfig>): ResourceList {
  const out: ResourceList = {};
  if (!cfg.useEmulation) out[ResourceNames.kvm] = '1';
  const interfaces = vmi.spec.domain.devices.interfaces ?? [];
  if (interfaces.length > 0) out[ResourceNames.tun] = '1';
  if (!cfg.useEmulation && interfaces.some((i) => interfaceModelOf(i) === DEFAULT_INTERFACE_MODEL)) out[ResourceNames.vhostNet] = '1';
  return out;
}

function cpuResources(vmi: Vmi, requests: ResourceList, limits: ResourceList): void {
  const user = vmi.spec.domain.resources;
  const vcpus = vcpusOf(vmi);
  if (vmi.spec.domain.cpu?.dedicatedCpuPlacement === true) {
    const cores = formatCpu((vcpus + (vmi.spec.domain.cpu.isolateEmulatorThread === true ? 1 : 0)) * 1000);
    requests['cpu'] = cores;
    limits['cpu'] = cores;
    return;
  }
  requests['cpu'] = String(user?.requests?.['cpu'] ?? formatCpu((vcpus * 1000) / CPU_ALLOCATION_RATIO));
  if (user?.limits?.['cpu'] !== undefined) limits['cpu'] = String(user.limits['cpu']);
}

function memoryResources(vmi: Vmi, requests: ResourceList, limits: ResourceList): void {
  const user = vmi.spec.domain.resources;
  const overhead = user?.overcommitGuestOverhead === true ? 0 : memoryOverhead(vmi);
  const request = guestMemoryRequest(vmi);
  requests['memory'] = formatQuantity(request + overhead);
  const limit = parseQuantity(user?.limits?.['memory']);
  if (limit !== undefined) limits['memory'] = formatQuantity(limit + memoryOverhead(vmi));
  else if (vmi.spec.domain.cpu?.dedicatedCpuPlacement === true) limits['memory'] = requests['memory'];
}

/** Requests and limits of the compute container (§1.2, without ResourceQuota- and hugepage-driven rules). */
export function computeResources(vmi: Vmi, cfg: Readonly<ClusterConfig>): { requests: ResourceList; limits: ResourceList } {
  const requests: ResourceList = { 'ephemeral-storage': String(EPHEMERAL_STORAGE_REQUEST) };
  const limits: ResourceList = devicePluginLimits(vmi, cfg);
  cpuResources(vmi, requests, limits);
  memoryResources(vmi, requests, limits);
  return { requests, limits };
}
