/**
 * KubeVirt's VMI mutating webhook on CREATE: presets, then the spec defaults, then what the webhook
 * sets outside the spec (status phase Pending with its transition time, the memory and CPU-topology
 * status, the runtime user, the foreground-delete finalizer). Idempotent, unlike KubeVirt: admitting
 * an admitted VMI changes nothing (no second finalizer, no second Pending timestamp, no new UUID).
 * @see ../../../shared/design/kubevirt/mutation.md §1, §2
 * @see https://github.com/kubevirt/kubevirt/blob/main/pkg/virt-api/webhooks/mutating-webhook/mutators/vmi-mutator.go
 */
import { Finalizers, type VirtualMachineInstance, type VirtualMachineInstanceStatus } from '../../crd-gen/index.js';
import type { AdmissionContext, MutationResult } from '../context.js';
import { applyPresets, presetDeprecationWarnings } from './presets.js';
import { applyVmiDefaults } from './vmi-defaults.js';
import { formatKubeTime } from '../../core/time.js';
import { vmiLaunchStatus } from '../../core/vmi-launch-status.js';
import { VmiPhase } from '../../core/phases.js';


/** The namespace whose presets apply: the VMI's own; one created without a namespace lands in `default`. */
export function presetNamespaceOf(vmi: Readonly<VirtualMachineInstance>): string {
  return vmi.metadata.namespace || 'default';
}

function withPending(status: VirtualMachineInstanceStatus, now: Date): VirtualMachineInstanceStatus {
  const transitions = status.phaseTransitionTimestamps ?? [];
  const hasPending = transitions.some((t) => t.phase === VmiPhase.Pending);
  return {
    ...status,
    phase: VmiPhase.Pending,
    phaseTransitionTimestamps: hasPending ? transitions : [...transitions, { phase: VmiPhase.Pending, phaseTransitionTimestamp: formatKubeTime(now) }],
  };
}

/** The status KubeVirt's webhook gives a new VMI (the spec has been defaulted); the API server drops it under our status subresource, and the VMI controller writes the same launch fields. */
function createStatus(vmi: Readonly<VirtualMachineInstance>, ctx: AdmissionContext): VirtualMachineInstanceStatus {
  const pending = withPending(structuredClone(vmi.status ?? {}), ctx.now);
  return { ...pending, ...vmiLaunchStatus(vmi.spec, ctx.cfg, pending) };
}

function withFinalizer(vmi: VirtualMachineInstance): VirtualMachineInstance {
  const finalizers = vmi.metadata.finalizers ?? [];
  if (finalizers.includes(Finalizers.vmiForegroundDelete)) return vmi;
  return { ...vmi, metadata: { ...vmi.metadata, finalizers: [...finalizers, Finalizers.vmiForegroundDelete] } };
}

/**
 * The VMI as KubeVirt's mutating webhook leaves it on CREATE, or the denial (conflicting presets, a
 * preset selector that cannot be used). The firmware UUID is drawn from `ctx.ids` only when the VMI
 * has none; the Pending timestamp is `ctx.now`. The input is left untouched.
 */
export function mutateVmiOnCreate(vmi: Readonly<VirtualMachineInstance>, ctx: AdmissionContext): MutationResult<VirtualMachineInstance> {
  const presets = applyPresets(vmi, ctx.lookups.presets(presetNamespaceOf(vmi)));
  if (!presets.ok) return { ok: false, causes: presets.causes, code: presets.code, message: presets.message };
  const firmwareUuid = presets.object.spec.domain.firmware?.uuid || ctx.ids.uuid();
  const defaulted = applyVmiDefaults(presets.object, ctx.cfg, { firmwareUuid });
  const object = withFinalizer({ ...defaulted, status: createStatus(defaulted, ctx) });
  return { ok: true, object, warnings: presetDeprecationWarnings(object) };
}
