/**
 * The guest CPU: mode and model, flags, topology, the vCPU count, the CPU-hotplug layout
 * (`maxSockets`) and the single NUMA cell that memfd-backed memory and memory hotplug need.
 * @see https://github.com/kubevirt/kubevirt/blob/main/pkg/virt-launcher/virtwrap/converter/converter.go (CPU model, features, domainVCPUTopologyForHotplug)
 */
import type { CPU, VirtualMachineInstance } from '../../crd-gen/index.js';
import type { Cpu, DomainSpec, VcpuState } from '../domain/schema.js';
import type { Configurator } from './configurator.js';
import { bootMemoryBytes } from './memory.js';
import { requestedTopology, vcpuCount, type Topology } from './cpu-topology.js';
import { matching, oneOf, yesNo } from './values.js';

const HOST_MODES: readonly string[] = ['host-model', 'host-passthrough'];
const POLICIES = ['force', 'require', 'optional', 'disable', 'forbid'] as const;
/** libvirt's `featureName`, also used for model names here. */
const CPU_NAME = /^[a-zA-Z0-9\-_.]+$/;
const CPU_NAME_WORDS = 'letters, digits, "-", "_" and "." only';

function mode(cpu: CPU | undefined): Pick<Cpu, 'mode' | 'model'> {
  const model = cpu?.model;
  if (model === undefined || model === '' || HOST_MODES.includes(model)) return { mode: model || 'host-model' };
  return { mode: 'custom', model: { value: matching('spec.domain.cpu.model', model, CPU_NAME, CPU_NAME_WORDS) } };
}

/**
 * The VMI's flags in order. An empty policy means require; libvirt's grammar needs the attribute,
 * so it is written out. On x86_64, a CPU block whose model is not host-model/host-passthrough gets
 * `mpx` disabled unless the VMI names mpx itself (libvirt rejects models whose mpx the host lacks).
 */
function features(cpu: CPU | undefined): Cpu['features'] {
  if (cpu === undefined) return [];
  const listed = (cpu.features ?? []).map((f, i) => ({
    name: matching(`spec.domain.cpu.features[${i}].name`, f.name, CPU_NAME, CPU_NAME_WORDS),
    policy: oneOf(`spec.domain.cpu.features[${i}].policy`, f.policy || 'require', POLICIES),
  }));
  const needsMpxOff = !HOST_MODES.includes(cpu.model ?? '') && !listed.some((f) => f.name === 'mpx');
  return needsMpxOff ? [...listed, { name: 'mpx', policy: 'disable' }] : listed;
}

/** KubeVirt's hotplug layout: requested vCPUs enabled, the first socket's vCPUs not unpluggable. */
function hotplugLayout(requested: Topology, maxSockets: number): VcpuState[] {
  const enabled = vcpuCount(requested);
  const pinned = requested.cores * requested.threads;
  const total = vcpuCount({ ...requested, sockets: maxSockets });
  const layout: VcpuState[] = [];
  for (let id = 0; id < total; id += 1) layout.push({ id, enabled: yesNo(id < enabled), hotpluggable: yesNo(id >= pinned) });
  return layout;
}

function withTopology(vmi: Readonly<VirtualMachineInstance>, domain: DomainSpec, cpu: Cpu): DomainSpec {
  const requested = requestedTopology(vmi);
  const maxSockets = vmi.spec.domain.cpu?.maxSockets ?? 0;
  if (maxSockets === 0) return { ...domain, cpu: { ...cpu, topology: { ...requested } }, vcpu: { placement: 'static', value: vcpuCount(requested) } };
  const topology = { ...requested, sockets: maxSockets };
  return {
    ...domain,
    cpu: { ...cpu, topology },
    vcpu: { placement: 'static', value: vcpuCount(topology) },
    vcpus: { vcpus: hotplugLayout(requested, maxSockets) },
  };
}

/**
 * Whether the guest needs a NUMA topology: memfd backing does (KubeVirt adds the cell with it),
 * and so does memory hotplug (libvirt: "At least one numa node has to be configured when enabling
 * memory hotplug"; the virtio-mem device names node 0).
 */
function needsNumaCell(domain: DomainSpec): boolean {
  return domain.memoryBacking?.source?.type === 'memfd' || domain.maxMemory !== undefined;
}

/**
 * One cell holds every vCPU and the boot memory; hotpluggable memory comes on top of it from the
 * memory devices, so memfd backing and hotplug share the same cell.
 */
function withNumaCell(domain: DomainSpec): DomainSpec {
  if (!needsNumaCell(domain) || domain.cpu === undefined || domain.cpu.numa !== undefined) return domain;
  const vcpus = domain.vcpu?.value ?? 1;
  const cell = { id: 0, cpus: `0-${vcpus - 1}`, memory: Math.floor(bootMemoryBytes(domain) / 1024), unit: 'KiB' };
  return { ...domain, cpu: { ...domain.cpu, numa: { cells: [cell] } } };
}

/**
 * Sets `<cpu>`, `<vcpu>`, with `maxSockets` the `<vcpus>` hotplug layout, and the NUMA cell memfd
 * backing or memory hotplug needs. Runs after memory.
 */
export const configureCpu: Configurator = (vmi, _ctx, domain) => {
  const spec = vmi.spec.domain.cpu;
  const cpu: Cpu = { ...mode(spec), features: features(spec) };
  return withNumaCell(withTopology(vmi, domain, cpu));
};
