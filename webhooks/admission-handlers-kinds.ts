/**
 * The handlers of every webhook besides the VMI create path: VMI update, VM (mutating and
 * validating), replica set, preset, instancetypes and preferences. Each runs the structural schema
 * first, then the kind's own rules (written beside them in mutate/ and validate/).
 */
import type {
  VirtualMachine, VirtualMachineClusterInstancetype, VirtualMachineClusterPreference, VirtualMachineInstance, VirtualMachineInstancePreset,
  VirtualMachineInstanceReplicaSet, VirtualMachineInstancetype, VirtualMachinePreference,
} from '../crd-gen/index.js';
import { afterSchema, fromCauses, fromMutation, oldOf, unchanged, type AdmissionHandler } from './admission-handlers.js';
import { mutateVm } from './mutate/vm-mutator.js';
import { validatePreference, validateInstancetype, preferenceWarnings } from './validate/instancetype.js';
import { presetWarnings, validatePreset } from './validate/preset.js';
import { validateReplicaSet } from './validate/replicaset.js';
import { validateVmiUpdate } from './validate/vmi-update.js';
import { validateVm, vmMatcherWarnings, vmWarnings } from './validate/vm.js';

type Instancetype = VirtualMachineInstancetype | VirtualMachineClusterInstancetype;
type Preference = VirtualMachinePreference | VirtualMachineClusterPreference;

const isWrite = (operation: string): boolean => operation === 'CREATE' || operation === 'UPDATE';

/** `/virtualmachineinstances-validate-update`: schema, then KubeVirt's VMI update rules. */
export const validateVmiUpdateHandler: AdmissionHandler = (input, ctx) => {
  if (input.operation !== 'UPDATE') return unchanged(input);
  return afterSchema<VirtualMachineInstance>('VirtualMachineInstance', input, (vmi) =>
    fromCauses(vmi, validateVmiUpdate(vmi, oldOf<VirtualMachineInstance>(input) as VirtualMachineInstance, ctx)));
};

/** `/virtualmachines-mutate`: KubeVirt's VM mutation on CREATE and UPDATE. */
export const mutateVmHandler: AdmissionHandler = (input, ctx) => {
  if (!isWrite(input.operation)) return unchanged(input);
  return afterSchema<VirtualMachine>('VirtualMachine', input, (vm) => fromMutation(mutateVm(vm, oldOf<VirtualMachine>(input), ctx)));
};

/** `/virtualmachines-validate`: schema, then KubeVirt's VM admitter; an admitted VM using `spec.running` is warned. */
export const validateVmHandler: AdmissionHandler = (input, ctx) => {
  if (!isWrite(input.operation)) return unchanged(input);
  return afterSchema<VirtualMachine>('VirtualMachine', input, (vm) => {
    const causes = validateVm(vm, oldOf<VirtualMachine>(input), ctx);
    return fromCauses(vm, causes, causes.length === 0 ? [...vmWarnings(vm), ...vmMatcherWarnings(vm, ctx)] : []);
  });
};

/** `/virtualmachinereplicaset-validate`: schema, then KubeVirt's replica set admitter. */
export const validateReplicaSetHandler: AdmissionHandler = (input, ctx) => {
  if (!isWrite(input.operation)) return unchanged(input);
  return afterSchema<VirtualMachineInstanceReplicaSet>('VirtualMachineInstanceReplicaSet', input, (rs) =>
    fromCauses(rs, validateReplicaSet(rs, oldOf<VirtualMachineInstanceReplicaSet>(input), ctx)));
};

/** `/vmipreset-validate`: schema, then KubeVirt's preset admitter. */
export const validatePresetHandler: AdmissionHandler = (input, ctx) => {
  if (!isWrite(input.operation)) return unchanged(input);
  return afterSchema<VirtualMachineInstancePreset>('VirtualMachineInstancePreset', input, (preset) => {
    const causes = validatePreset(preset, oldOf<VirtualMachineInstancePreset>(input), ctx);
    return fromCauses(preset, causes, causes.length === 0 ? presetWarnings(preset) : []);
  });
};

/** The handler of one instancetype kind (namespaced or cluster). */
export function validateInstancetypeHandler(kind: 'VirtualMachineInstancetype' | 'VirtualMachineClusterInstancetype'): AdmissionHandler {
  return (input, ctx) => {
    if (!isWrite(input.operation)) return unchanged(input);
    return afterSchema<Instancetype>(kind, input, (it) => fromCauses(it, validateInstancetype(it, oldOf<Instancetype>(input), ctx)));
  };
}

/** The handler of one preference kind (namespaced or cluster); a deprecated topology is a warning. */
export function validatePreferenceHandler(kind: 'VirtualMachinePreference' | 'VirtualMachineClusterPreference'): AdmissionHandler {
  return (input, ctx) => {
    if (!isWrite(input.operation)) return unchanged(input);
    return afterSchema<Preference>(kind, input, (pref) => {
      const causes = validatePreference(pref, oldOf<Preference>(input), ctx);
      return fromCauses(pref, causes, causes.length === 0 ? preferenceWarnings(pref) : []);
    });
  };
}
