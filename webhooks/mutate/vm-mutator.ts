/**
 * KubeVirt's VirtualMachine mutating webhook (CREATE and UPDATE), pure: matcher checks (C01–C07),
 * instancetype/preference inference from volume labels (C08), the preference's architecture,
 * machine type and storage class, on CREATE the template firmware UUID and serial and the PCI
 * topology annotation, and on every request the template architecture and machine type defaults.
 * Idempotent: mutating the result again changes nothing (every default fills only what is unset).
 * @see https://github.com/kubevirt/kubevirt/blob/main/pkg/virt-api/webhooks/mutating-webhook/mutators/vm-mutator.go
 * @see ../../../shared/design/kubevirt/mutation.md §3
 */
import type { ClusterConfig } from '../../core/cluster-config.js';
import { Labels, type VirtualMachine, type VirtualMachineInstanceSpec, type VirtualMachinePreferenceSpec } from '../../crd-gen/index.js';
import type { AdmissionContext, AdmissionIds, AdmissionLookups, MutationResult } from '../context.js';
import { inferMatchers } from './instancetype-infer.js';
import { findPreference } from './instancetype-lookup.js';
import { vmMatcherCauses } from './vm-mutator-matchers.js';
import { defaultMachine, withPciTopologyVersion } from './vmi-defaults.js';

/** Architectures a DataSource label may give a VM template. */
const LABEL_ARCHITECTURES: readonly string[] = ['amd64', 'arm64', 's390x'];

/** The template spec of the working copy, created as Go's zero value when the template has none. */
function templateSpec(vm: VirtualMachine): VirtualMachineInstanceSpec | undefined {
  const template = vm.spec.template;
  if (template === undefined) return undefined;
  template.spec ??= { domain: { devices: {} } };
  return template.spec;
}

function applyPreferredStorageClass(vm: VirtualMachine, storageClassName: string): void {
  for (const dvt of vm.spec.dataVolumeTemplates ?? []) {
    for (const target of [dvt.spec.pvc, dvt.spec.storage]) if (target !== undefined && target.storageClassName === undefined) target.storageClassName = storageClassName;
  }
}

/** The preference's architecture, machine type (only when the template has none) and storage class. */
function applyPreferenceDefaults(vm: VirtualMachine, pref: Readonly<VirtualMachinePreferenceSpec>): void {
  const spec = templateSpec(vm);
  if (spec !== undefined) {
    if (!spec.architecture && pref.preferredArchitecture) spec.architecture = pref.preferredArchitecture;
    const machineType = pref.machine?.preferredMachineType;
    if (!spec.domain.machine?.type && machineType) spec.domain.machine = { ...spec.domain.machine, type: machineType };
  }
  const storageClassName = pref.volumes?.preferredStorageClassName;
  if (storageClassName) applyPreferredStorageClass(vm, storageClassName);
}

/** CREATE only: a random firmware UUID and serial, and the PCI topology generation. */
function applyCreateDefaults(vm: VirtualMachine, ids: AdmissionIds): void {
  const spec = templateSpec(vm);
  if (spec === undefined || vm.spec.template === undefined) return;
  const firmware = { ...spec.domain.firmware };
  firmware.uuid ||= ids.uuid();
  firmware.serial ||= ids.uuid();
  spec.domain.firmware = firmware;
  const template = vm.spec.template;
  template.metadata = { ...template.metadata, annotations: withPciTopologyVersion(template.metadata?.annotations) };
}

/** The architecture label of the first DataSource a dataVolumeTemplate's sourceRef names. */
function architectureFromDataSources(vm: Readonly<VirtualMachine>, lookups: AdmissionLookups): string | undefined {
  const namespace = vm.metadata.namespace ?? 'default';
  for (const dvt of vm.spec.dataVolumeTemplates ?? []) {
    const ref = dvt.spec.sourceRef;
    if (ref?.kind !== 'DataSource') continue;
    const arch = lookups.volumeLabels(ref.namespace || namespace, 'DataSource', ref.name)?.[Labels.dataSourceArchitecture];
    if (arch !== undefined && LABEL_ARCHITECTURES.includes(arch)) return arch;
  }
  return undefined;
}

/** Every request: the architecture (DataSource label, else cluster default), machine type and `domain.resources`. */
function applyTemplateDefaults(vm: VirtualMachine, lookups: AdmissionLookups, cfg: ClusterConfig): void {
  const spec = templateSpec(vm);
  if (spec === undefined) return;
  spec.architecture ||= architectureFromDataSources(vm, lookups) ?? cfg.defaultArchitecture;
  defaultMachine(spec.domain, cfg);
  // KubeVirt's webhook answers with the whole spec as Go writes it: domain.resources is a struct, always there.
  spec.domain.resources ??= {};
}

/**
 * The VM as KubeVirt's mutating webhook leaves it; `oldVm` is the stored object on UPDATE and
 * undefined on CREATE. A VM being deleted passes unchanged. Matcher problems are a 422 with
 * causes; a failed inference is KubeVirt's 400 with only a message.
 */
export function mutateVm(vm: Readonly<VirtualMachine>, oldVm: Readonly<VirtualMachine> | undefined, ctx: AdmissionContext): MutationResult<VirtualMachine> {
  if (vm.metadata.deletionTimestamp) return { ok: true, object: structuredClone(vm) as VirtualMachine, warnings: [] };
  const causes = vmMatcherCauses(vm, oldVm);
  if (causes.length > 0) return { ok: false, causes };
  const inferred = inferMatchers(vm, ctx.lookups);
  if (!inferred.ok) return { ok: false, causes: [], code: 400, message: inferred.message };
  const out = inferred.vm;
  const pref = findPreference(out.spec.preference, out.metadata.namespace ?? 'default', ctx.lookups);
  if (pref.status === 'found') applyPreferenceDefaults(out, pref.spec);
  if (oldVm === undefined) applyCreateDefaults(out, ctx.ids);
  applyTemplateDefaults(out, ctx.lookups, ctx.cfg);
  return { ok: true, object: out, warnings: [] };
}
