/**
 * `kubevirt-ts/cdk8s`: the constructs a cdk8s app declares VMs with, in cdk8s-plus style (flat
 * readonly props, `Size` and `Duration`, kplus objects by reference, admission at synth). The L1
 * classes generated from our CRDs are `kubevirt-ts/cdk8s/l1`.
 */
export { KubevirtObject, ClusterKubevirtObject } from './base.js';
export {
  CloudInit, Disk, Interface,
  type CloudInitOptions, type ContainerImageDiskOptions, type DiskAndVolume, type DiskOptions, type InterfaceAndNetwork, type InterfaceOptions,
  type InterfacePort, type KeyPropagation,
} from './devices.js';
export {
  VirtualMachineClusterInstancetype, VirtualMachineClusterPreference, VirtualMachineInstancePreset, VirtualMachineInstancetype,
  VirtualMachinePreference, type InstancetypeProps, type PreferenceProps, type VirtualMachineInstancePresetProps,
} from './sizing.js';
export {
  TolerationOperator, type CpuProps, type FirmwareProps, type IPreset, type TolerationProps, type VirtualMachineInstanceTemplateProps,
} from './template.js';
export { Bootloader, DiskBus, ImagePullPolicy, Protocol, RunStrategy } from './values.js';
export {
  VirtualMachine, VirtualMachineInstance, VirtualMachineInstanceReplicaSet,
  type ExposeViaServiceOptions, type IInstancetype, type IPreference, type VirtualMachineInstanceProps,
  type VirtualMachineInstanceReplicaSetProps, type VirtualMachineProps,
} from './vm.js';
