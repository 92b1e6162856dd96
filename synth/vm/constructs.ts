/**
 * The constructs our users declare VMs with: typed props from crd-gen's types, convenience methods
 * in cdk8s-plus style, and admission at synth (an invalid object fails `cdk8s synth` with the
 * field path). GVKs come from the generated L1 classes in synth/imports.
 */
import { ApiObject, type ApiObjectMetadata, type GroupVersionKind } from 'cdk8s';
import type { Construct } from 'constructs';
import type {
  VirtualMachineInstancePresetSpec, VirtualMachineInstanceReplicaSetSpec, VirtualMachineInstanceSpec, VirtualMachineInstancetypeSpec,
  VirtualMachinePreferenceSpec, VirtualMachineSpec,
} from '../../crd-gen/index.js';
import * as L1 from '../imports/kubevirt.js';
import { admissionErrors, synthAdmissionContext } from './admission.js';
import { addDiskVolume, addPodInterface, volumes, type DiskOptions, type InterfaceBinding } from './spec-edits.js';

/** An object of our groups that admission checks when the app synthesizes. */
export abstract class KubevirtObject extends ApiObject {
  protected constructor(scope: Construct, id: string, gvk: GroupVersionKind, props: { readonly metadata?: ApiObjectMetadata; readonly spec: object }) {
    super(scope, id, { ...gvk, metadata: props.metadata, spec: props.spec });
    this.node.addValidation({ validate: () => admissionErrors(this.toJson() as Record<string, unknown>, synthAdmissionContext(this.node.root)) });
  }
}

/** Something a VMI template can take labels from: a preset construct or a plain selector. */
export interface PresetLike {
  readonly matchLabels: Readonly<Record<string, string>>;
}

/** An object that carries a VMI spec (itself or in its template), with the convenience methods. */
export abstract class VmiSpecObject extends KubevirtObject {
  /** The VMI spec the methods edit. */
  protected abstract readonly vmiSpec: VirtualMachineInstanceSpec;
  /** Sets a label on the VMI (the object itself or its template). */
  protected abstract setVmiLabel(key: string, value: string): void;

  /** Adds a containerDisk disk: `image` is the disk's container image. */
  public addContainerDisk(name: string, image: string, options?: DiskOptions): this {
    addDiskVolume(this.vmiSpec, volumes.containerDisk(name, image), options);
    return this;
  }

  /** Adds a NoCloud cloud-init disk with `userData`. @default name "cloudinitdisk" */
  public addCloudInitNoCloud(userData: string, name = 'cloudinitdisk'): this {
    addDiskVolume(this.vmiSpec, volumes.cloudInitNoCloud(name, userData));
    return this;
  }

  /** Adds an empty scratch disk of `capacity` (a quantity, e.g. "2Gi") that lives as long as the VMI. */
  public addEmptyDisk(name: string, capacity: string, options?: DiskOptions): this {
    addDiskVolume(this.vmiSpec, volumes.emptyDisk(name, capacity), options);
    return this;
  }

  /** Adds a disk backed by the PersistentVolumeClaim `claimName` of the VM's namespace. */
  public addPersistentVolumeClaim(name: string, claimName: string, options?: DiskOptions): this {
    addDiskVolume(this.vmiSpec, volumes.persistentVolumeClaim(name, claimName), options);
    return this;
  }

  /** Adds an interface on the pod network. @default binding "masquerade" */
  public addInterface(name: string, binding: InterfaceBinding = 'masquerade'): this {
    addPodInterface(this.vmiSpec, name, binding);
    return this;
  }

  /** Labels the VMI so the preset's selector (matchLabels) picks it. */
  public usePreset(preset: PresetLike): this {
    for (const [key, value] of Object.entries(preset.matchLabels)) this.setVmiLabel(key, value);
    return this;
  }

  /** Sets one label on the VMI (for a VM or replica set: on its template). */
  public addVmiLabel(key: string, value: string): this {
    this.setVmiLabel(key, value);
    return this;
  }
}

const EMPTY_VMI_SPEC = (): VirtualMachineInstanceSpec => ({ domain: { devices: {} } });

/** Props of {@link VirtualMachineInstance}. */
export interface VirtualMachineInstanceProps {
  /** Object metadata. @default a name cdk8s generates */
  readonly metadata?: ApiObjectMetadata;
  /** The VMI spec; the methods add to it. @default a spec with an empty domain */
  readonly spec?: VirtualMachineInstanceSpec;
}

/** A VirtualMachineInstance (kubevirt.io/v1). */
export class VirtualMachineInstance extends VmiSpecObject {
  protected readonly vmiSpec: VirtualMachineInstanceSpec;

  public constructor(scope: Construct, id: string, props: VirtualMachineInstanceProps = {}) {
    const spec = structuredClone(props.spec ?? EMPTY_VMI_SPEC());
    super(scope, id, L1.VirtualMachineInstance.GVK, { ...(props.metadata === undefined ? {} : { metadata: props.metadata }), spec });
    this.vmiSpec = spec;
  }

  protected setVmiLabel(key: string, value: string): void {
    this.metadata.addLabel(key, value);
  }
}

function templateSpecOf(template: { metadata?: { labels?: Record<string, string> }; spec?: VirtualMachineInstanceSpec }): VirtualMachineInstanceSpec {
  return (template.spec ??= EMPTY_VMI_SPEC());
}

function setTemplateLabel(template: { metadata?: { labels?: Record<string, string> } }, key: string, value: string): void {
  const metadata = (template.metadata ??= {});
  (metadata.labels ??= {})[key] = value;
}

/** Props of {@link VirtualMachine}. */
export interface VirtualMachineProps {
  /** Object metadata. @default a name cdk8s generates */
  readonly metadata?: ApiObjectMetadata;
  /** The VM spec; the methods add to its template. @default Halted, with an empty template */
  readonly spec?: VirtualMachineSpec;
}

/** What an instancetype or preference reference names. */
export interface MatcherTarget {
  readonly name: string;
  readonly kind: string;
}

/** A VirtualMachine (kubevirt.io/v1). */
export class VirtualMachine extends VmiSpecObject {
  protected readonly vmiSpec: VirtualMachineInstanceSpec;
  private readonly vmSpec: VirtualMachineSpec;

  public constructor(scope: Construct, id: string, props: VirtualMachineProps = {}) {
    const initial: VirtualMachineSpec = props.spec ?? { runStrategy: 'Halted', template: {} };
    const spec = structuredClone(initial);
    super(scope, id, L1.VirtualMachine.GVK, { ...(props.metadata === undefined ? {} : { metadata: props.metadata }), spec });
    this.vmSpec = spec;
    this.vmiSpec = templateSpecOf(spec.template);
  }

  protected setVmiLabel(key: string, value: string): void {
    setTemplateLabel(this.vmSpec.template, key, value);
  }

  /** Names the instancetype the VM takes its CPU and memory from (a construct or a name and kind). */
  public useInstancetype(target: MatcherTarget): this {
    this.vmSpec.instancetype = { name: target.name, kind: target.kind };
    return this;
  }

  /** Names the preference the VM takes its device defaults from. */
  public usePreference(target: MatcherTarget): this {
    this.vmSpec.preference = { name: target.name, kind: target.kind };
    return this;
  }
}

/** Props of {@link VirtualMachineInstanceReplicaSet}. */
export interface VirtualMachineInstanceReplicaSetProps {
  /** Object metadata. @default a name cdk8s generates */
  readonly metadata?: ApiObjectMetadata;
  /** The replica set spec (its selector must match the template's labels). */
  readonly spec: VirtualMachineInstanceReplicaSetSpec;
}

/** A VirtualMachineInstanceReplicaSet (kubevirt.io/v1). */
export class VirtualMachineInstanceReplicaSet extends VmiSpecObject {
  protected readonly vmiSpec: VirtualMachineInstanceSpec;
  private readonly rsSpec: VirtualMachineInstanceReplicaSetSpec;

  public constructor(scope: Construct, id: string, props: VirtualMachineInstanceReplicaSetProps) {
    const spec = structuredClone(props.spec);
    super(scope, id, L1.VirtualMachineInstanceReplicaSet.GVK, { ...(props.metadata === undefined ? {} : { metadata: props.metadata }), spec });
    this.rsSpec = spec;
    this.vmiSpec = templateSpecOf(spec.template);
  }

  protected setVmiLabel(key: string, value: string): void {
    setTemplateLabel(this.rsSpec.template, key, value);
  }
}

/** Props of {@link VirtualMachineInstancePreset}. */
export interface VirtualMachineInstancePresetProps {
  /** Object metadata. @default a name cdk8s generates */
  readonly metadata?: ApiObjectMetadata;
  /** The preset: a selector with matchLabels and the domain it merges in. */
  readonly spec: VirtualMachineInstancePresetSpec & { readonly selector: { readonly matchLabels: Record<string, string> } };
}

/** A VirtualMachineInstancePreset (kubevirt.io/v1); pass it to `usePreset`. */
export class VirtualMachineInstancePreset extends KubevirtObject implements PresetLike {
  /** The labels a VMI needs for this preset to apply. */
  public readonly matchLabels: Readonly<Record<string, string>>;

  public constructor(scope: Construct, id: string, props: VirtualMachineInstancePresetProps) {
    super(scope, id, L1.VirtualMachineInstancePreset.GVK, { ...(props.metadata === undefined ? {} : { metadata: props.metadata }), spec: structuredClone(props.spec) });
    this.matchLabels = { ...props.spec.selector.matchLabels };
  }
}

/** Props of the instancetype constructs. */
export interface InstancetypeProps {
  /** Object metadata. @default a name cdk8s generates */
  readonly metadata?: ApiObjectMetadata;
  readonly spec: VirtualMachineInstancetypeSpec;
}

/** Props of the preference constructs. */
export interface PreferenceProps {
  /** Object metadata. @default a name cdk8s generates */
  readonly metadata?: ApiObjectMetadata;
  readonly spec: VirtualMachinePreferenceSpec;
}

function matcherObject(gvk: GroupVersionKind): new (scope: Construct, id: string, props: { readonly metadata?: ApiObjectMetadata; readonly spec: object }) => KubevirtObject & MatcherTarget {
  // ApiObject's own `name` and `kind` are what a matcher names.
  return class extends KubevirtObject implements MatcherTarget {
    public constructor(scope: Construct, id: string, props: { readonly metadata?: ApiObjectMetadata; readonly spec: object }) {
      super(scope, id, gvk, { ...(props.metadata === undefined ? {} : { metadata: props.metadata }), spec: structuredClone(props.spec) });
    }
  };
}

/** A namespaced VirtualMachineInstancetype; pass it to `useInstancetype`. */
export class VirtualMachineInstancetype extends matcherObject(L1.VirtualMachineInstancetype.GVK) {
  public constructor(scope: Construct, id: string, props: InstancetypeProps) {
    super(scope, id, props);
  }
}

/** A VirtualMachineClusterInstancetype; pass it to `useInstancetype`. */
export class VirtualMachineClusterInstancetype extends matcherObject(L1.VirtualMachineClusterInstancetype.GVK) {
  public constructor(scope: Construct, id: string, props: InstancetypeProps) {
    super(scope, id, props);
  }
}

/** A namespaced VirtualMachinePreference; pass it to `usePreference`. */
export class VirtualMachinePreference extends matcherObject(L1.VirtualMachinePreference.GVK) {
  public constructor(scope: Construct, id: string, props: PreferenceProps) {
    super(scope, id, props);
  }
}

/** A VirtualMachineClusterPreference; pass it to `usePreference`. */
export class VirtualMachineClusterPreference extends matcherObject(L1.VirtualMachineClusterPreference.GVK) {
  public constructor(scope: Construct, id: string, props: PreferenceProps) {
    super(scope, id, props);
  }
}
