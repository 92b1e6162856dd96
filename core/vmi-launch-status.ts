/**
 * The status a VMI carries from its creation on: the user its launcher and QEMU run as, the guest
 * memory and the CPU topology it boots with. KubeVirt's VMI webhook writes them at CREATE (its VMI
 * has no status subresource); ours has one, so the API server drops a webhook's status and the VMI
 * controller writes these fields, before it renders the launcher pod from them. Both compute them
 * here, so the webhook's answer and the stored status cannot disagree. Pure.
 * @see https://github.com/kubevirt/kubevirt/blob/main/pkg/virt-api/webhooks/mutating-webhook/mutators/vmi-mutator.go
 */
import type { ClusterConfig } from './cluster-config.js';
import type { VirtualMachineInstanceSpec, VirtualMachineInstanceStatus } from '../crd-gen/index.js';

/** The uid (and gid) of a non-root launcher and its QEMU (KubeVirt's `util.NonRootUID`, the qemu user). */
export const NON_ROOT_UID = 107;
/** The uid of a root launcher (only under the `Root` feature gate). */
export const ROOT_UID = 0;
/** The feature gate under which VMIs run as root. */
export const ROOT_FEATURE_GATE = 'Root';

/** The fields of {@link vmiLaunchStatus}. */
export type VmiLaunchStatus = Pick<VirtualMachineInstanceStatus, 'runtimeUser' | 'memory' | 'currentCPUTopology'>;

/** The user a VMI's launcher runs as under `cfg`: non-root (107) unless the `Root` feature gate is on. */
export function runtimeUserOf(cfg: Readonly<ClusterConfig>): number {
  return cfg.featureGates.includes(ROOT_FEATURE_GATE) ? ROOT_UID : NON_ROOT_UID;
}

/**
 * The launch status of a VMI with a defaulted `spec`: `runtimeUser` from `cfg`, and where the spec
 * says them, `memory` (guest at boot, current and requested, over `current.memory`) and
 * `currentCPUTopology` (unless `current` has one).
 */
export function vmiLaunchStatus(spec: Readonly<VirtualMachineInstanceSpec>, cfg: Readonly<ClusterConfig>, current: Readonly<VirtualMachineInstanceStatus> = {}): VmiLaunchStatus {
  const out: VmiLaunchStatus = {};
  const guest = spec.domain.memory?.guest;
  if (guest !== undefined) out.memory = { ...current.memory, guestAtBoot: guest, guestCurrent: guest, guestRequested: guest };
  const cpu = spec.domain.cpu;
  if (current.currentCPUTopology === undefined && cpu !== undefined) out.currentCPUTopology = { sockets: cpu.sockets, cores: cpu.cores, threads: cpu.threads };
  out.runtimeUser = runtimeUserOf(cfg);
  return out;
}

/** Whether the VMI controller has given this status its launch fields yet. */
export function hasLaunchStatus(status: Readonly<VirtualMachineInstanceStatus> | undefined): boolean {
  return status?.runtimeUser !== undefined;
}
