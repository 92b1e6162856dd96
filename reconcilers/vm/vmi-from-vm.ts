/**
 * The VMI a VirtualMachine asks for (KubeVirt's `SetupVMIFromVM`): the template's metadata and spec,
 * named after the VM, in the VM's namespace, controlled by the VM, with a stable firmware UUID
 * derived from the VM's name when the template has none. Pure.
 * @see https://github.com/kubevirt/kubevirt/blob/main/pkg/virt-controller/watch/vm/vm.go
 */
import { ConversionError } from '../../core/errors.js';
import { firmwareUuidFor } from '../../core/uuid.js';
import { Gvk, type VirtualMachine, type VirtualMachineInstance } from '../../crd-gen/index.js';

/** The VMI for `vm`; a template without a spec is a ConversionError on `spec.template.spec`. */
export function vmiFromVm(vm: Readonly<VirtualMachine>): VirtualMachineInstance {
  const template = structuredClone(vm.spec.template);
  const name = vm.metadata.name ?? '';
  // The VMI is named after the VM: a template's name or generateName does not apply.
  const templateMeta = { ...template.metadata };
  delete templateMeta.name;
  delete templateMeta.generateName;
  const spec = template.spec;
  if (spec === undefined) throw new ConversionError('spec.template.spec', 'Required value: a VirtualMachine needs a template spec to start a VMI');
  spec.domain.firmware = { ...spec.domain.firmware, uuid: spec.domain.firmware?.uuid || firmwareUuidFor(name) };
  return {
    ...Gvk.VirtualMachineInstance,
    metadata: {
      ...templateMeta,
      name,
      namespace: vm.metadata.namespace ?? 'default',
      ...(vm.metadata.uid === undefined
        ? {}
        : { ownerReferences: [{ ...Gvk.VirtualMachine, name, uid: vm.metadata.uid, controller: true, blockOwnerDeletion: true }] }),
    },
    spec,
  };
}
