/**
 * CPU and memory hotplug limits of a VM template under the LiveUpdate rollout strategy (C33,
 * C34), checked on the expanded, defaulted template. Memory reports only the first problem.
 * @see https://github.com/kubevirt/kubevirt/blob/main/pkg/virt-api/webhooks/validating-webhook/admitters/vms-admitter.go
 */
import type { ClusterConfig } from '../../core/cluster-config.js';
import { formatQuantity, parseQuantity } from '../../core/quantity.js';
import { path } from '../../core/field-path.js';
import type { DomainSpec, VirtualMachineInstanceSpec } from '../../crd-gen/index.js';
import { cause, CauseType, type Cause } from '../cause.js';

const GI = 2 ** 30;
const BLOCK = 2 * 2 ** 20;
const DOMAIN = path('spec', 'template', 'spec', 'domain');

/** Whether VM changes roll out live (KubeVirt's default when the cluster names no strategy). */
export function isLiveUpdate(cfg: ClusterConfig): boolean {
  return cfg.vmRolloutStrategy === undefined || cfg.vmRolloutStrategy === 'LiveUpdate';
}

function socketCauses(domain: Readonly<DomainSpec>): Cause[] {
  const sockets = domain.cpu?.sockets ?? 0;
  const max = domain.cpu?.maxSockets ?? 0;
  if (sockets === 0 || max === 0 || sockets <= max) return [];
  return [cause(CauseType.Invalid, DOMAIN.child('cpu').child('sockets'), `the CPU topology has ${sockets} sockets, more than the ${max} maxSockets allowed`)];
}

/** One memory-hotplug precondition: why it fails, or undefined. */
type Check = (domain: Readonly<DomainSpec>, spec: Readonly<VirtualMachineInstanceSpec>) => string | undefined;

const bytes = (q: string | number | undefined): number | undefined => parseQuantity(q);
const alignment = (domain: Readonly<DomainSpec>): number => (bytes(domain.memory?.hugepages?.pageSize) === GI ? GI : BLOCK);

/** KubeVirt's memory-hotplug preconditions, in order (C34). */
const MEMORY_CHECKS: readonly Check[] = [
  (d) => (d.cpu?.realtime !== undefined ? 'memory hotplug is not compatible with realtime VMs (cpu.realtime is set)' : undefined),
  (d) => (d.cpu?.numa?.guestMappingPassthrough !== undefined ? 'memory hotplug is not compatible with NUMA guest mapping passthrough' : undefined),
  (d) => (d.launchSecurity !== undefined ? 'memory hotplug is not compatible with encrypted VMs (launchSecurity is set)' : undefined),
  (d) => (bytes(d.memory?.guest) === undefined ? 'guest memory must be set when memory hotplug (memory.maxGuest) is used' : undefined),
  (d) => ((bytes(d.memory?.guest) ?? 0) > (bytes(d.memory?.maxGuest) ?? 0) ? `guest memory ${d.memory?.guest} is greater than maxGuest ${d.memory?.maxGuest}` : undefined),
  (d) => ((bytes(d.memory?.guest) ?? 0) % alignment(d) !== 0 ? `guest memory ${d.memory?.guest} must be ${formatQuantity(alignment(d))} aligned for memory hotplug` : undefined),
  (d) => ((bytes(d.memory?.maxGuest) ?? 0) % alignment(d) !== 0 ? `maxGuest ${d.memory?.maxGuest} must be ${formatQuantity(alignment(d))} aligned for memory hotplug` : undefined),
  (_d, s) => (s.architecture !== 'amd64' ? `memory hotplug is only available for amd64 VMs, not ${JSON.stringify(s.architecture ?? '')}` : undefined),
  (d) => ((bytes(d.memory?.guest) ?? 0) < GI ? `guest memory ${d.memory?.guest} is below the 1Gi memory hotplug needs` : undefined),
];

function memoryCauses(spec: Readonly<VirtualMachineInstanceSpec>): Cause[] {
  if (spec.domain.memory?.maxGuest === undefined) return [];
  for (const check of MEMORY_CHECKS) {
    const problem = check(spec.domain, spec);
    if (problem !== undefined) return [cause(CauseType.Invalid, DOMAIN.child('memory').child('guest'), problem)];
  }
  return [];
}

/** C33 and C34 for the (expanded, defaulted) template spec; nothing outside LiveUpdate. */
export function liveUpdateCauses(spec: Readonly<VirtualMachineInstanceSpec>, cfg: ClusterConfig): Cause[] {
  if (!isLiveUpdate(cfg)) return [];
  return [...socketCauses(spec.domain), ...memoryCauses(spec)];
}
