/**
 * KubeVirt's VirtualMachine validating admission, as one pure function. On a copy of the VM the
 * instancetype and preference are applied (a conflict ends the checks, C09–C13) and the VMI
 * defaults are set on the template; then the preference requirements (C14–C17), the reserved
 * template labels (C19), the VMI spec rules with prefix `spec.template.spec` and the template's
 * metadata (C20–C22: the ignition and sidecar annotations are spec validators), the
 * dataVolumeTemplates (C23–C28, C35), the run strategy (C29–C32), the hotplug limits (C33, C34),
 * the volume requests (C39, C40) and the snapshot/restore guards (C36–C38). Unlike KubeVirt, which
 * stops after the first failing group, every cause is gathered, each once.
 * @see https://github.com/kubevirt/kubevirt/blob/main/pkg/virt-api/webhooks/validating-webhook/admitters/vms-admitter.go
 * @see ../../../shared/design/kubevirt/rules-other-kinds.md "Pipeline facts"
 */
import type { ClusterConfig } from '../../core/cluster-config.js';
import { path } from '../../core/field-path.js';
import { firmwareUuidFor } from '../../core/uuid.js';
import { Gvk, type VirtualMachine, type VirtualMachineInstanceSpec, type VirtualMachineInstanceTemplateSpec } from '../../crd-gen/index.js';
import { cause, CauseType, type Cause } from '../cause.js';
import type { AdmissionContext } from '../context.js';
import { expandInstancetypes } from '../mutate/instancetype.js';
import { findInstancetype, findPreference } from '../mutate/instancetype-lookup.js';
import { applyVmiDefaults } from '../mutate/vmi-defaults.js';
import type { SpecContext } from './types.js';
import { dataVolumeNamespaceCauses, dataVolumeTemplateCauses } from './vm-data-volumes.js';
import { liveUpdateCauses } from './vm-live-update.js';
import { reservedLabelsByRequester } from './vm-metadata.js';
import { preferenceRequirementCauses } from './vm-requirements.js';
import { runStrategyCauses } from './vm-run-strategy.js';
import { statusGuardCauses, volumeRequestCauses } from './vm-status.js';
import { validateVmiSpec } from './vmi-spec.js';

type Vm = Readonly<VirtualMachine>;

const TEMPLATE_METADATA = path('spec', 'template', 'metadata');
const TEMPLATE_SPEC = path('spec', 'template', 'spec');

/** The template spec with KubeVirt's VMI defaults, as the admitter validates it (never stored). */
function defaultedSpec(template: Readonly<VirtualMachineInstanceTemplateSpec>, vm: Vm, cfg: ClusterConfig): VirtualMachineInstanceSpec {
  const spec = structuredClone(template.spec ?? { domain: { devices: {} } }) as VirtualMachineInstanceSpec;
  spec.domain ??= { devices: {} };
  spec.domain.devices ??= {};
  const vmi = { ...Gvk.VirtualMachineInstance, metadata: { ...template.metadata }, spec };
  // The controller derives this UUID for a template without one; no rule looks at its value.
  return applyVmiDefaults(vmi, cfg, { firmwareUuid: firmwareUuidFor(vm.metadata.name ?? '') }).spec;
}

function unique(causes: readonly Cause[]): Cause[] {
  const seen = new Set<string>();
  return causes.filter((c) => {
    const key = `${c.type}\u0000${c.field}\u0000${c.message}`;
    const fresh = !seen.has(key);
    seen.add(key);
    return fresh;
  });
}

/**
 * Every cause KubeVirt's VM admitter finds for `vm` (`old` is the stored VM on UPDATE, undefined
 * on CREATE). A VM being deleted is admitted at once; a VM without a template gets only C18.
 */
export function validateVm(vm: Vm, old: Vm | undefined, ctx: AdmissionContext): Cause[] {
  if (vm.metadata.deletionTimestamp) return [];
  const template = vm.spec.template as VirtualMachine['spec']['template'] | undefined;
  if (template === undefined) return [cause(CauseType.Required, path('spec', 'template'), 'missing virtual machine template: spec.template is required')];
  const expanded = expandInstancetypes(template, vm.spec, vm.metadata.namespace ?? 'default', ctx.lookups);
  if (!expanded.ok) return [...expanded.causes];
  const spec = defaultedSpec(expanded.template, vm, ctx.cfg);
  const metadata = expanded.template.metadata;
  const specCtx: SpecContext = { cfg: ctx.cfg, metadata, metadataPath: TEMPLATE_METADATA, origin: 'template' };
  return unique([
    ...preferenceRequirementCauses(expanded.instancetype, expanded.preference, spec),
    ...reservedLabelsByRequester(metadata, TEMPLATE_METADATA, ctx.user?.username),
    ...validateVmiSpec(spec, TEMPLATE_SPEC, specCtx),
    ...dataVolumeTemplateCauses(vm),
    ...runStrategyCauses(vm, ctx.cfg),
    ...liveUpdateCauses(spec, ctx.cfg),
    ...dataVolumeNamespaceCauses(vm, old, vm.metadata.namespace),
    ...volumeRequestCauses(vm, specCtx),
    ...statusGuardCauses(vm, old),
  ]);
}

/** The warnings of an admitted VM: the deprecated `spec.running`. */
export function vmWarnings(vm: Vm): string[] {
  return vm.spec.running === undefined ? [] : ['spec.running is deprecated, please use spec.runStrategy instead.'];
}

/**
 * The warnings of an admitted VM whose instancetype or preference does not exist (yet). KubeVirt
 * admits it (kubevirt/rules-other-kinds.md) and its VM controller holds the start with the Failure
 * condition FailedFindInstancetype / FailedFindPreference; the warning says so at once, naming the
 * missing object (`kvt validate` of a single file, whose instancetypes may come separately).
 */
export function vmMatcherWarnings(vm: Vm, ctx: AdmissionContext): string[] {
  const namespace = vm.metadata.namespace ?? 'default';
  const found = [['instancetype', findInstancetype(vm.spec.instancetype, namespace, ctx.lookups)], ['preference', findPreference(vm.spec.preference, namespace, ctx.lookups)]] as const;
  return found.flatMap(([what, result]) => (result.status === 'missing'
    ? [`spec.${what}: ${result.message}: the VirtualMachine is admitted, as KubeVirt admits it, but does not start until the ${what} exists`]
    : []));
}
