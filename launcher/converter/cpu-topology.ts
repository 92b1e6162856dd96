/**
 * The guest CPU topology and vCPU count, shared by the CPU configurator and the devices whose
 * queue counts follow the vCPUs (virtio-blk multi-queue, NIC multi-queue).
 * @see https://github.com/kubevirt/kubevirt/blob/main/pkg/virt-launcher/virtwrap/converter/vcpu/ (GetCPUTopology, CalculateRequestedVCPUs)
 */
import { quantityInt } from '../../core/quantity.js';
import type { CPU, Quantity, VirtualMachineInstance } from '../../crd-gen/index.js';

/** Sockets × cores × threads. */
export interface Topology {
  readonly sockets: number;
  readonly cores: number;
  readonly threads: number;
}

type Resources = Readonly<Record<string, Quantity | undefined>> | undefined;

function cpuResource(resources: Resources): number | undefined {
  const q = resources?.['cpu'];
  return q === undefined ? undefined : quantityInt(q);
}

/**
 * Sockets of a VMI that gives no topology at all: the CPU limit, else the CPU request, else 1
 * (admission normally fills the topology first; KubeVirt keeps this fallback in the converter).
 */
function socketsFromResources(vmi: Readonly<VirtualMachineInstance>): number {
  const resources = vmi.spec.domain.resources;
  return cpuResource(resources?.limits) ?? cpuResource(resources?.requests) ?? 1;
}

function hasNoTopology(cpu: CPU | undefined): boolean {
  return cpu === undefined || (!cpu.sockets && !cpu.cores && !cpu.threads);
}

/** The topology the VMI asks for now (hotplug headroom not included); each 0 counts as 1. */
export function requestedTopology(vmi: Readonly<VirtualMachineInstance>): Topology {
  const cpu = vmi.spec.domain.cpu;
  if (hasNoTopology(cpu)) return { sockets: socketsFromResources(vmi), cores: 1, threads: 1 };
  return { sockets: cpu?.sockets || 1, cores: cpu?.cores || 1, threads: cpu?.threads || 1 };
}

/** vCPUs of a topology. */
export function vcpuCount(t: Topology): number {
  return t.sockets * t.cores * t.threads;
}

/** The vCPUs the VMI asks for now (at least 1). */
export function requestedVcpus(vmi: Readonly<VirtualMachineInstance>): number {
  return Math.max(1, vcpuCount(requestedTopology(vmi)));
}
