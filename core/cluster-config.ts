/**
 * The cluster-wide settings KubeVirt keeps in its KubeVirt CR (`spec.configuration`) that change
 * admission and conversion. One typed object, passed to the pure code that depends on it.
 * @see https://kubevirt.io/api-reference/main/definitions.html#_v1_kubevirtconfiguration
 */

/** The settings kubevirt-ts honours, with KubeVirt's compiled-in defaults in {@link DEFAULT_CLUSTER_CONFIG}. */
export interface ClusterConfig {
  /** `spec.architecture` given to VMIs that leave it empty. @default "amd64" */
  readonly defaultArchitecture: 'amd64';
  /** Machine type for VMIs without one. @default "q35" */
  readonly machineType: string;
  /** CPU model for VMIs without one; empty means host-model. @default "" */
  readonly cpuModel: string;
  /** Default CPU request; written into a VMI only when it differs from KubeVirt's 100m. @default "100m" */
  readonly cpuRequest: string;
  /** Eviction strategy for VMIs without one. @default undefined (KubeVirt's None) */
  readonly evictionStrategy?: string;
  /** Binding of the default pod interface. @default "bridge" */
  readonly defaultNetworkInterface: 'bridge' | 'masquerade';
  /** Whether a bridge binding may attach to the pod network. @default true */
  readonly permitBridgeInterfaceOnPodNetwork: boolean;
  /** CPU and memory hotplug maxima, as a multiple of the requested amount. @default 4 */
  readonly maxHotplugRatio: number;
  /** Cluster maximum of CPU sockets for hotplug (`liveUpdateConfiguration.maxCpuSockets`). */
  readonly maxCpuSockets?: number;
  /** Cluster maximum of guest memory for hotplug (`liveUpdateConfiguration.maxGuest`). */
  readonly maxGuest?: string;
  /** Software emulation is allowed where KVM is unusable (`developerConfiguration.useEmulation`). @default false */
  readonly useEmulation: boolean;
  /** Enabled feature gates (`developerConfiguration.featureGates`). @default [] */
  readonly featureGates: readonly string[];
  /** `spec.configuration.vmRolloutStrategy`; undefined behaves as LiveUpdate. @default undefined */
  readonly vmRolloutStrategy?: 'LiveUpdate' | 'Stage';
  /** Shell-glob patterns of accepted machine types (`emulatedMachines`). @default ["q35*", "pc-q35*"] */
  readonly emulatedMachines: readonly string[];
}

/** KubeVirt's compiled-in defaults. */
export const DEFAULT_CLUSTER_CONFIG: ClusterConfig = {
  defaultArchitecture: 'amd64',
  machineType: 'q35',
  cpuModel: '',
  cpuRequest: '100m',
  defaultNetworkInterface: 'bridge',
  permitBridgeInterfaceOnPodNetwork: true,
  maxHotplugRatio: 4,
  useEmulation: false,
  featureGates: [],
  emulatedMachines: ['q35*', 'pc-q35*'],
};
