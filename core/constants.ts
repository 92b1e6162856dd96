/**
 * Label, annotation and finalizer keys, spelled exactly as KubeVirt's API spells them, in one
 * place so controllers, admission and the launcher agree.
 * @see https://github.com/kubevirt/kubevirt/blob/main/staging/src/kubevirt.io/api/core/v1/types.go
 */

/** Labels. */
export const Labels = {
  /** `kubevirt.io=virt-launcher` marks launcher pods. */
  app: 'kubevirt.io',
  /** The VMI uid a launcher pod belongs to. */
  createdBy: 'kubevirt.io/created-by',
  /** The node a VMI runs on. */
  nodeName: 'kubevirt.io/nodeName',
  /** Nodes that accept VMIs. */
  schedulable: 'kubevirt.io/schedulable',
  /** The VM name of a launcher pod (DNS-sanitized hostname). */
  vmName: 'vm.kubevirt.io/name',
} as const;

/** Label values. */
export const LabelValues = {
  virtLauncher: 'virt-launcher',
} as const;

/** Annotations. */
export const Annotations = {
  /** The VMI name on its launcher pod. */
  domain: 'kubevirt.io/domain',
  /** The VM generation a VMI was started from. */
  vmGeneration: 'kubevirt.io/vm-generation',
  latestObservedApiVersion: 'kubevirt.io/latest-observed-api-version',
  storageObservedApiVersion: 'kubevirt.io/storage-observed-api-version',
  /** The node heartbeat virt-handler refreshes. */
  heartbeat: 'kubevirt.io/heartbeat',
} as const;

/** Finalizers. */
export const Finalizers = {
  /** Added by the VMI mutating webhook; removed by the VMI controller once the launcher is gone. */
  vmiForegroundDelete: 'kubevirt.io/foregroundDeleteVirtualMachine',
  /** Added by the VM controller on the VMIs it creates. */
  vmControllerFinalize: 'kubevirt.io/virtualMachineControllerFinalize',
} as const;
