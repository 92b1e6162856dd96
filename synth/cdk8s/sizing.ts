/**
 * The constructs a VM takes its size and device defaults from: VirtualMachineInstancePreset
 * (kubevirt.io/v1, deprecated by KubeVirt but served), the instancetypes and the preferences
 * (instancetype.kubevirt.io/v1beta1), namespaced and cluster-wide. Pass them to a VM by reference.
 */
import type { ApiObjectMetadata, Duration, Size } from 'cdk8s';
import type { Construct } from 'constructs';
import type {
  VirtualMachineInstancePresetSpec, VirtualMachineInstancetypeSpec, VirtualMachinePreferenceSpec,
} from '../../crd-gen/generated/types.js';
import { Labels } from '../../crd-gen/generated/keys.js';
import * as L1 from '../imports/kubevirt.js';
import { ClusterKubevirtObject, KubevirtObject } from './base.js';
import { cpuOf, firmwareOf, type CpuProps, type FirmwareProps, type IPreset } from './template.js';
import type { IInstancetype, IPreference } from './vm.js';
import { Bootloader, quantityOf, secondsOf, type DiskBus } from './values.js';

/** The label key of a preset's default selector. */
const FLAVOR_LABEL = Labels.flavor;

/** Props of {@link VirtualMachineInstancePreset}. */
export interface VirtualMachineInstancePresetProps {
  /**
   * The preset's metadata.
   * @default a name cdk8s generates, the chart's namespace
   */
  readonly metadata?: ApiObjectMetadata;
  /**
   * The labels an instance needs for the preset to apply (the selector's matchLabels).
   * @default { 'kubevirt.io/flavor': <the preset's name> }
   */
  readonly selector?: Readonly<Record<string, string>>;
  /**
   * The CPU topology and model the preset gives.
   * @default none
   */
  readonly cpu?: CpuProps;
  /**
   * The memory the preset gives, as the memory request (KubeVirt merges requests from a preset,
   * never `domain.memory`; the guest memory follows the request).
   * @default none
   */
  readonly memory?: Size;
  /**
   * The firmware the preset gives.
   * @default none
   */
  readonly firmware?: FirmwareProps;
}

/**
 * A VirtualMachineInstancePreset (kubevirt.io/v1): KubeVirt merges its domain into every new
 * instance of its namespace whose labels its selector matches, when the instance does not set the
 * field itself. Pass it as a VM's `preset`.
 */
export class VirtualMachineInstancePreset extends KubevirtObject implements IPreset {
  /** The preset's spec as it is written: edit it for what the props do not cover. */
  public readonly spec: VirtualMachineInstancePresetSpec;
  /** The labels an instance needs for the preset to apply. */
  public readonly matchLabels: Readonly<Record<string, string>>;

  public constructor(scope: Construct, id: string, props: VirtualMachineInstancePresetProps = {}) {
    const matchLabels: Record<string, string> = { ...props.selector };
    const firmware = props.firmware === undefined ? undefined : firmwareOf(props.firmware);
    const spec: VirtualMachineInstancePresetSpec = {
      selector: { matchLabels },
      domain: {
        devices: {},
        cpu: props.cpu === undefined ? undefined : cpuOf(props.cpu),
        resources: props.memory === undefined ? undefined : { requests: { memory: quantityOf(props.memory, 'memory') } },
        firmware: firmware?.firmware,
        features: firmware?.features,
      },
    };
    super(scope, id, L1.VirtualMachineInstancePreset.GVK, { metadata: props.metadata, spec });
    if (props.selector === undefined) matchLabels[FLAVOR_LABEL] = this.name;
    this.spec = spec;
    this.matchLabels = matchLabels;
  }
}

/** Props of {@link VirtualMachineInstancetype} and {@link VirtualMachineClusterInstancetype}. */
export interface InstancetypeProps {
  /**
   * The instancetype's metadata.
   * @default a name cdk8s generates (and for the namespaced kind, the chart's namespace)
   */
  readonly metadata?: ApiObjectMetadata;
  /** The guest's vCPUs (`spec.cpu.guest`). */
  readonly cpu: number;
  /** The guest's memory (`spec.memory.guest`). */
  readonly memory: Size;
  /**
   * Whether each vCPU gets a host CPU of its own.
   * @default false
   */
  readonly dedicatedCpuPlacement?: boolean;
  /**
   * Node labels the VM's node must carry.
   * @default any node
   */
  readonly nodeSelector?: Readonly<Record<string, string>>;
}

function instancetypeSpecOf(props: InstancetypeProps): VirtualMachineInstancetypeSpec {
  return {
    cpu: { guest: props.cpu, dedicatedCPUPlacement: props.dedicatedCpuPlacement },
    memory: { guest: quantityOf(props.memory, 'memory') },
    nodeSelector: props.nodeSelector === undefined ? undefined : { ...props.nodeSelector },
  };
}

/** A VirtualMachineInstancetype (instancetype.kubevirt.io/v1beta1) of the chart's namespace. Pass it as a VM's `instancetype`. */
export class VirtualMachineInstancetype extends KubevirtObject implements IInstancetype {
  /** The instancetype's spec as it is written: edit it for what the props do not cover. */
  public readonly spec: VirtualMachineInstancetypeSpec;

  public constructor(scope: Construct, id: string, props: InstancetypeProps) {
    const spec = instancetypeSpecOf(props);
    super(scope, id, L1.VirtualMachineInstancetype.GVK, { metadata: props.metadata, spec });
    this.spec = spec;
  }
}

/** A VirtualMachineClusterInstancetype (instancetype.kubevirt.io/v1beta1), cluster-wide. Pass it as a VM's `instancetype`. */
export class VirtualMachineClusterInstancetype extends ClusterKubevirtObject implements IInstancetype {
  /** The instancetype's spec as it is written: edit it for what the props do not cover. */
  public readonly spec: VirtualMachineInstancetypeSpec;

  public constructor(scope: Construct, id: string, props: InstancetypeProps) {
    const spec = instancetypeSpecOf(props);
    super(scope, id, L1.VirtualMachineClusterInstancetype.GVK, { metadata: props.metadata, spec });
    this.spec = spec;
  }
}

/** Props of {@link VirtualMachinePreference} and {@link VirtualMachineClusterPreference}. */
export interface PreferenceProps {
  /**
   * The preference's metadata.
   * @default a name cdk8s generates (and for the namespaced kind, the chart's namespace)
   */
  readonly metadata?: ApiObjectMetadata;
  /**
   * The bus of disks that name none (`devices.preferredDiskBus`).
   * @default KubeVirt's: SATA (on amd64)
   */
  readonly diskBus?: DiskBus;
  /**
   * The model of interfaces that name none (`devices.preferredInterfaceModel`).
   * @default KubeVirt's: virtio
   */
  readonly interfaceModel?: string;
  /**
   * The bootloader of VMs that name none (`firmware.preferredUseEfi` or `preferredUseBios`).
   * @default KubeVirt's: BIOS
   */
  readonly bootloader?: Bootloader;
  /**
   * With EFI, whether Secure Boot is preferred (`firmware.preferredUseSecureBoot`).
   * @default KubeVirt's
   */
  readonly secureBoot?: boolean;
  /**
   * The machine type of VMs that name none (`machine.preferredMachineType`).
   * @default the cluster's (q35)
   */
  readonly machineType?: string;
  /**
   * How long the guest has to shut down, for VMs that give none (`preferredTerminationGracePeriodSeconds`).
   * @default KubeVirt's: 30 seconds
   */
  readonly terminationGracePeriod?: Duration;
}

function preferenceSpecOf(props: PreferenceProps): VirtualMachinePreferenceSpec {
  const { diskBus, interfaceModel, bootloader, secureBoot, machineType, terminationGracePeriod } = props;
  const devices = diskBus === undefined && interfaceModel === undefined ? undefined : { preferredDiskBus: diskBus, preferredInterfaceModel: interfaceModel };
  const firmware = bootloader === undefined && secureBoot === undefined ? undefined : {
    preferredUseEfi: bootloader === Bootloader.EFI ? true : undefined,
    preferredUseBios: bootloader === Bootloader.BIOS ? true : undefined,
    preferredUseSecureBoot: secureBoot,
  };
  return {
    devices,
    firmware,
    machine: machineType === undefined ? undefined : { preferredMachineType: machineType },
    preferredTerminationGracePeriodSeconds: terminationGracePeriod === undefined ? undefined : secondsOf(terminationGracePeriod, 'terminationGracePeriod'),
  };
}

/** A VirtualMachinePreference (instancetype.kubevirt.io/v1beta1) of the chart's namespace. Pass it as a VM's `preference`. */
export class VirtualMachinePreference extends KubevirtObject implements IPreference {
  /** The preference's spec as it is written: edit it for what the props do not cover. */
  public readonly spec: VirtualMachinePreferenceSpec;

  public constructor(scope: Construct, id: string, props: PreferenceProps = {}) {
    const spec = preferenceSpecOf(props);
    super(scope, id, L1.VirtualMachinePreference.GVK, { metadata: props.metadata, spec });
    this.spec = spec;
  }
}

/** A VirtualMachineClusterPreference (instancetype.kubevirt.io/v1beta1), cluster-wide. Pass it as a VM's `preference`. */
export class VirtualMachineClusterPreference extends ClusterKubevirtObject implements IPreference {
  /** The preference's spec as it is written: edit it for what the props do not cover. */
  public readonly spec: VirtualMachinePreferenceSpec;

  public constructor(scope: Construct, id: string, props: PreferenceProps = {}) {
    const spec = preferenceSpecOf(props);
    super(scope, id, L1.VirtualMachineClusterPreference.GVK, { metadata: props.metadata, spec });
    this.spec = spec;
  }
}
