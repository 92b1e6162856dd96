/**
 * The constructs that run guests: VirtualMachine, VirtualMachineInstance and
 * VirtualMachineInstanceReplicaSet (kubevirt.io/v1), with flat props, `addDisk`/`addInterface`
 * mutators and `exposeViaService`. `spec` is the object written to the manifest: edit it for what
 * the props do not cover.
 */
import { App, LazyResolver, type ApiObjectMetadata } from 'cdk8s';
import { Service, type ServicePort, type ServiceType } from 'cdk8s-plus-27';
import type { Construct } from 'constructs';
import type {
  VirtualMachineInstanceReplicaSetSpec, VirtualMachineInstanceSpec, VirtualMachineSpec,
} from '../../crd-gen/generated/types.js';
import { LabelValues, Labels } from '../../crd-gen/generated/keys.js';
import * as L1 from '../imports/kubevirt.js';
import { KubevirtObject } from './base.js';
import type { Disk, Interface } from './devices.js';
import { addDiskTo, addInterfaceTo, vmiLabelsOf, vmiSpecOf, type VirtualMachineInstanceTemplateProps } from './template.js';
import { RunStrategy } from './values.js';

/** An instancetype a VM can name: {@link VirtualMachineInstancetype} or {@link VirtualMachineClusterInstancetype}. */
export interface IInstancetype {
  /** The instancetype's name. */
  readonly name: string;
  /** Its kind: VirtualMachineInstancetype or VirtualMachineClusterInstancetype. */
  readonly kind: string;
}

/** A preference a VM can name: {@link VirtualMachinePreference} or {@link VirtualMachineClusterPreference}. */
export interface IPreference {
  /** The preference's name. */
  readonly name: string;
  /** Its kind: VirtualMachinePreference or VirtualMachineClusterPreference. */
  readonly kind: string;
}

/** Options of `exposeViaService`. */
export interface ExposeViaServiceOptions {
  /**
   * The ports the Service binds.
   * @default the ports of the guest's interfaces
   */
  readonly ports?: readonly ServicePort[];
  /**
   * The type of the Service.
   * @default ClusterIP
   */
  readonly serviceType?: ServiceType;
  /**
   * The Service's name; exposing twice needs a name from the second call on.
   * @default a name cdk8s generates
   */
  readonly name?: string;
}

/** The label virt-controller puts on every launcher pod (KubeVirt's `kubevirt.io: virt-launcher`). */
const LAUNCHER_LABEL = [Labels.app, LabelValues.virtLauncher] as const;
/** The label of a launcher pod that names its VMI (KubeVirt's `vm.kubevirt.io/name`). */
const VMI_NAME_LABEL = Labels.vmName;
/** The label a replica set selects its instances by (cdk8s-plus's pod address label). */
const ADDRESS_LABEL = 'cdk8s.io/metadata.addr';

/**
 * Makes the app resolve the lazy values of kplus objects this package creates. A package installed
 * from a path (`npm install ../kubevirt-ts`) is a link whose modules load cdk8s from its own
 * node_modules: when the app's cdk8s is another copy, the app's LazyResolver does not know our
 * copy's `Lazy` (`instanceof`), and the Service would fail to synthesize. With one copy, the app
 * has our LazyResolver already and nothing is added.
 */
function resolveOurLazies(scope: Construct): void {
  const resolvers = App.of(scope).resolvers;
  if (!resolvers.some((r) => r instanceof LazyResolver)) resolvers.push(new LazyResolver());
}

/** The Service construct `exposeViaService` adds under `owner`, selecting launcher pods by `selector`. */
function exposeService(owner: Construct, selector: Readonly<Record<string, string>>, interfacePorts: readonly ServicePort[], options: ExposeViaServiceOptions): Service {
  const ports = [...(options.ports ?? interfacePorts)];
  if (ports.length === 0) {
    throw new Error(`${owner.node.path}: exposeViaService: no ports: pass options.ports, or give an interface its ports`);
  }
  resolveOurLazies(owner);
  const service = new Service(owner, `${options.name ?? ''}Service`, {
    ...(options.name === undefined ? {} : { metadata: { name: options.name } }),
    ...(options.serviceType === undefined ? {} : { type: options.serviceType }),
    ports,
  });
  service.selectLabel(...LAUNCHER_LABEL);
  for (const [key, value] of Object.entries(selector)) service.selectLabel(key, value);
  return service;
}

/** The Service ports of the interfaces in `spec` (each interface port, same number and protocol). */
function interfacePortsOf(spec: VirtualMachineInstanceSpec): ServicePort[] {
  return (spec.domain.devices.interfaces ?? []).flatMap((i) => (i.ports ?? []).map((p) => ({ port: p.port, ...(p.protocol === undefined ? {} : { protocol: p.protocol as ServicePort['protocol'] }) })));
}

/** Metadata with `labels` and `annotations` added to the given ones. */
function withLabels(metadata: ApiObjectMetadata | undefined, labels: Record<string, string> | undefined, annotations: Readonly<Record<string, string>> | undefined): ApiObjectMetadata | undefined {
  if (labels === undefined && annotations === undefined) return metadata;
  return { ...metadata, labels: { ...metadata?.labels, ...labels }, annotations: { ...metadata?.annotations, ...annotations } };
}

/** Props of {@link VirtualMachine}. */
export interface VirtualMachineProps extends VirtualMachineInstanceTemplateProps {
  /**
   * The VM's metadata.
   * @default a name cdk8s generates, the chart's namespace
   */
  readonly metadata?: ApiObjectMetadata;
  /**
   * Whether and when the VM runs.
   * @default RunStrategy.HALTED (what KubeVirt makes of a VM that gives none)
   */
  readonly runStrategy?: RunStrategy;
  /**
   * The instancetype the VM takes its CPU and memory from. Not together with a preset.
   * @default none
   */
  readonly instancetype?: IInstancetype;
  /**
   * The preference the VM takes its device defaults from.
   * @default none
   */
  readonly preference?: IPreference;
}

/** A VirtualMachine (kubevirt.io/v1): a guest KubeVirt starts and stops by its run strategy. */
export class VirtualMachine extends KubevirtObject {
  /** The VM's spec as it is written: edit it for what the props do not cover. */
  public readonly spec: VirtualMachineSpec;

  public constructor(scope: Construct, id: string, props: VirtualMachineProps = {}) {
    const labels = vmiLabelsOf(props);
    const spec: VirtualMachineSpec = {
      runStrategy: props.runStrategy ?? RunStrategy.HALTED,
      instancetype: props.instancetype === undefined ? undefined : { name: props.instancetype.name, kind: props.instancetype.kind },
      preference: props.preference === undefined ? undefined : { name: props.preference.name, kind: props.preference.kind },
      template: { metadata: labels === undefined && props.annotations === undefined ? undefined : { labels, annotations: props.annotations }, spec: vmiSpecOf(props) },
    };
    super(scope, id, L1.VirtualMachine.GVK, { metadata: props.metadata, spec });
    this.spec = spec;
    const { preset, instancetype } = props;
    this.addPropsValidation(() => (preset !== undefined && instancetype !== undefined
      ? ['preset and instancetype: give one or the other: an instancetype sets the CPU and memory a preset would (spec.instancetype, and the preset\'s labels on spec.template.metadata.labels), so KubeVirt would skip the preset or apply part of it']
      : []));
  }

  /** The spec of the VM's instances (its template's). */
  private get vmiSpec(): VirtualMachineInstanceSpec {
    return (this.spec.template.spec ??= { domain: { devices: {} } });
  }

  /** Adds a disk (and its volume) to the VM's instances. */
  public addDisk(disk: Disk): void {
    addDiskTo(this.vmiSpec, disk);
  }

  /** Adds a network interface (and its pod network) to the VM's instances. */
  public addInterface(iface: Interface): void {
    addInterfaceTo(this.vmiSpec, iface);
  }

  /** A Service (kplus) in the VM's namespace selecting the launcher pod of the VM's instance. */
  public exposeViaService(options: ExposeViaServiceOptions = {}): Service {
    return exposeService(this, { [VMI_NAME_LABEL]: this.name }, interfacePortsOf(this.vmiSpec), options);
  }
}

/** Props of {@link VirtualMachineInstance}. */
export interface VirtualMachineInstanceProps extends VirtualMachineInstanceTemplateProps {
  /**
   * The instance's metadata; `labels` and `annotations` are added to it.
   * @default a name cdk8s generates, the chart's namespace
   */
  readonly metadata?: ApiObjectMetadata;
}

/** A VirtualMachineInstance (kubevirt.io/v1): a guest that runs once, from its creation. */
export class VirtualMachineInstance extends KubevirtObject {
  /** The instance's spec as it is written: edit it for what the props do not cover. */
  public readonly spec: VirtualMachineInstanceSpec;

  public constructor(scope: Construct, id: string, props: VirtualMachineInstanceProps = {}) {
    const spec = vmiSpecOf(props);
    super(scope, id, L1.VirtualMachineInstance.GVK, { metadata: withLabels(props.metadata, vmiLabelsOf(props), props.annotations), spec });
    this.spec = spec;
  }

  /** Adds a disk (and its volume). */
  public addDisk(disk: Disk): void {
    addDiskTo(this.spec, disk);
  }

  /** Adds a network interface (and its pod network). */
  public addInterface(iface: Interface): void {
    addInterfaceTo(this.spec, iface);
  }

  /** A Service (kplus) in the instance's namespace selecting its launcher pod. */
  public exposeViaService(options: ExposeViaServiceOptions = {}): Service {
    return exposeService(this, { [VMI_NAME_LABEL]: this.name }, interfacePortsOf(this.spec), options);
  }
}

/** Props of {@link VirtualMachineInstanceReplicaSet}. */
export interface VirtualMachineInstanceReplicaSetProps {
  /**
   * The replica set's metadata.
   * @default a name cdk8s generates, the chart's namespace
   */
  readonly metadata?: ApiObjectMetadata;
  /**
   * How many instances run.
   * @default KubeVirt's: 1
   */
  readonly replicas?: number;
  /** The instances' template. */
  readonly template: VirtualMachineInstanceTemplateProps;
}

/** A VirtualMachineInstanceReplicaSet (kubevirt.io/v1): `replicas` identical instances. */
export class VirtualMachineInstanceReplicaSet extends KubevirtObject {
  /** The replica set's spec as it is written: edit it for what the props do not cover. */
  public readonly spec: VirtualMachineInstanceReplicaSetSpec;

  public constructor(scope: Construct, id: string, props: VirtualMachineInstanceReplicaSetProps) {
    const matchLabels: Record<string, string> = {};
    const labels: Record<string, string> = { ...vmiLabelsOf(props.template) };
    const spec: VirtualMachineInstanceReplicaSetSpec = {
      replicas: props.replicas,
      selector: { matchLabels },
      template: { metadata: { labels, annotations: props.template.annotations }, spec: vmiSpecOf(props.template) },
    };
    super(scope, id, L1.VirtualMachineInstanceReplicaSet.GVK, { metadata: props.metadata, spec });
    this.spec = spec;
    // The instances carry this construct's address; the selector picks them by it.
    matchLabels[ADDRESS_LABEL] = this.node.addr;
    labels[ADDRESS_LABEL] = this.node.addr;
  }

  /** The spec of the instances (the template's). */
  private get vmiSpec(): VirtualMachineInstanceSpec {
    return (this.spec.template.spec ??= { domain: { devices: {} } });
  }

  /** Adds a disk (and its volume) to every instance. */
  public addDisk(disk: Disk): void {
    addDiskTo(this.vmiSpec, disk);
  }

  /** Adds a network interface (and its pod network) to every instance. */
  public addInterface(iface: Interface): void {
    addInterfaceTo(this.vmiSpec, iface);
  }

  /** A Service (kplus) in the replica set's namespace balancing over the launcher pods of its instances. */
  public exposeViaService(options: ExposeViaServiceOptions = {}): Service {
    return exposeService(this, { [ADDRESS_LABEL]: this.node.addr }, interfacePortsOf(this.vmiSpec), options);
  }
}
