/**
 * What a VM's guest is given, each as a value made by a static factory in cdk8s-plus style:
 * disks (a disk and the volume of its name), cloud-init (a disk KubeVirt fills with the data) and
 * network interfaces (an interface and the network of its name). Kubernetes objects are passed by
 * reference (a kplus Secret, ConfigMap or PersistentVolumeClaim); only their name is written.
 */
import type { Size } from 'cdk8s';
import type { IConfigMap, IPersistentVolumeClaim, ISecret } from 'cdk8s-plus-27';
import type {
  Disk as ApiDisk, Interface as ApiInterface, Network as ApiNetwork, Volume as ApiVolume,
} from '../../crd-gen/generated/types.js';
import { quantityOf, type DiskBus, type ImagePullPolicy, type Protocol } from './values.js';

/** Options of every disk. */
export interface DiskOptions {
  /**
   * The bus the disk is attached to.
   * @default KubeVirt's: the preference's `diskBus`, else SATA (on amd64)
   */
  readonly bus?: DiskBus;
  /**
   * The boot order: devices with one boot lowest first, from 1.
   * @default none (KubeVirt boots the first disk)
   */
  readonly bootOrder?: number;
  /**
   * The serial number the guest sees (`/dev/disk/by-id/*-<serial>`).
   * @default none
   */
  readonly serial?: string;
  /**
   * Whether the guest sees the disk read-only.
   * @default false
   */
  readonly readOnly?: boolean;
}

/** Options of a disk from a container image. */
export interface ContainerImageDiskOptions extends DiskOptions {
  /**
   * When the image is pulled.
   * @default KubeVirt's: Always for a `:latest` image, else IfNotPresent
   */
  readonly imagePullPolicy?: ImagePullPolicy;
  /**
   * The path of the disk image inside the container image.
   * @default the single file under /disk
   */
  readonly path?: string;
}

/** A volume source: a volume without its name. */
type VolumeSource = Omit<ApiVolume, 'name'>;

/** What a disk becomes in a VMI spec: the disk device and the volume of the same name behind it. */
export interface DiskAndVolume {
  /** The entry of `domain.devices.disks`. */
  readonly disk: ApiDisk;
  /** The entry of `volumes`, of the disk's name. */
  readonly volume: ApiVolume;
}

/** A disk of the guest and the volume behind it; make one with the static methods. */
export class Disk {
  /** A disk copied from a container image (a containerDisk): writes are lost when the VM stops. */
  public static fromContainerImage(name: string, image: string, options: ContainerImageDiskOptions = {}): Disk {
    const { imagePullPolicy, path, ...disk } = options;
    return new Disk(name, { containerDisk: { image, imagePullPolicy, path } }, disk);
  }

  /** An empty disk of `capacity` (an emptyDisk): it lives as long as the VM's instance. */
  public static empty(name: string, capacity: Size, options: DiskOptions = {}): Disk {
    return new Disk(name, { emptyDisk: { capacity: quantityOf(capacity, `disk "${name}": capacity`) } }, options);
  }

  /** The PersistentVolumeClaim `claim` as a disk: writes persist. */
  public static fromPersistentVolumeClaim(name: string, claim: IPersistentVolumeClaim, options: DiskOptions = {}): Disk {
    return new Disk(name, { persistentVolumeClaim: { claimName: claim.name } }, options);
  }

  /** The PersistentVolumeClaim `claim` as a copy-on-write disk (an ephemeral volume): writes are lost when the VM stops. */
  public static ephemeral(name: string, claim: IPersistentVolumeClaim, options: DiskOptions = {}): Disk {
    return new Disk(name, { ephemeral: { persistentVolumeClaim: { claimName: claim.name } } }, options);
  }

  /** The keys of the Secret `secret` as files on a disk (an ISO image KubeVirt builds). */
  public static fromSecret(name: string, secret: ISecret, options: DiskOptions = {}): Disk {
    return new Disk(name, { secret: { secretName: secret.name } }, options);
  }

  /** The keys of the ConfigMap `configMap` as files on a disk (an ISO image KubeVirt builds). */
  public static fromConfigMap(name: string, configMap: IConfigMap, options: DiskOptions = {}): Disk {
    return new Disk(name, { configMap: { name: configMap.name } }, options);
  }

  private constructor(
    /** The name of the disk and of its volume. */
    public readonly name: string,
    private readonly source: VolumeSource,
    private readonly options: DiskOptions,
  ) {}

  /** The disk device and its volume, as the VMI spec holds them. */
  public toKube(): DiskAndVolume {
    const { bus, bootOrder, serial, readOnly } = this.options;
    const target = { bus, readonly: readOnly };
    return { disk: { name: this.name, disk: target, bootOrder, serial }, volume: { name: this.name, ...structuredClone(this.source) } };
  }
}

/** The data of a cloud-init disk. */
export interface CloudInitOptions {
  /**
   * The user data: a `#cloud-config` document or a script.
   * @default none (give userData or userDataSecret)
   */
  readonly userData?: string;
  /**
   * A Secret whose `userdata` key (and `networkdata`, unless networkData is given) holds the data.
   * @default none
   */
  readonly userDataSecret?: ISecret;
  /**
   * The network configuration (cloud-init's network-config, version 1 or 2).
   * @default none (the guest configures its network by DHCP)
   */
  readonly networkData?: string;
  /**
   * A Secret whose `networkdata` key holds the network configuration.
   * @default none
   */
  readonly networkDataSecret?: ISecret;
  /**
   * The name of the cloud-init disk and its volume.
   * @default "cloudinitdisk"
   */
  readonly diskName?: string;
}

/** How an SSH key reaches the guest with this cloud-init (`accessCredentials[].sshPublicKey.propagationMethod`). */
export type KeyPropagation = 'noCloud' | 'configDrive';

/** A cloud-init data source for the guest; make one with the static methods. */
export class CloudInit {
  /** A NoCloud data source (a disk labelled `cidata`): what most cloud images look for. */
  public static noCloud(options: CloudInitOptions): CloudInit {
    return new CloudInit('noCloud', options);
  }

  /** A ConfigDrive data source (a disk labelled `config-2`), as OpenStack images expect. */
  public static configDrive(options: CloudInitOptions): CloudInit {
    return new CloudInit('configDrive', options);
  }

  private constructor(
    /** How SSH keys (`sshKeys`) reach the guest with this data source. */
    public readonly keyPropagation: KeyPropagation,
    private readonly options: CloudInitOptions,
  ) {}

  /** The cloud-init disk and its volume, as the VMI spec holds them. */
  public toKube(): DiskAndVolume {
    const { userData, userDataSecret, networkData, networkDataSecret, diskName = 'cloudinitdisk' } = this.options;
    const source = {
      userData,
      networkData,
      secretRef: userDataSecret === undefined ? undefined : { name: userDataSecret.name },
      networkDataSecretRef: networkDataSecret === undefined ? undefined : { name: networkDataSecret.name },
    };
    const volume: ApiVolume = this.keyPropagation === 'noCloud' ? { name: diskName, cloudInitNoCloud: source } : { name: diskName, cloudInitConfigDrive: source };
    return { disk: { name: diskName, disk: {} }, volume };
  }
}

/** A port of an interface, forwarded to the guest. */
export interface InterfacePort {
  /** The port number. */
  readonly port: number;
  /**
   * The port's name.
   * @default none
   */
  readonly name?: string;
  /**
   * The port's protocol.
   * @default TCP
   */
  readonly protocol?: Protocol;
}

/** Options of a network interface. */
export interface InterfaceOptions {
  /**
   * The ports forwarded to the guest (numbers, or ports with a name and protocol).
   * @default all ports
   */
  readonly ports?: readonly (number | InterfacePort)[];
  /**
   * The MAC address of the guest's interface.
   * @default one KubeVirt (libvirt) generates
   */
  readonly macAddress?: string;
  /**
   * The device model the guest sees.
   * @default KubeVirt's: the preference's `interfaceModel`, else virtio
   */
  readonly model?: ApiInterface['model'];
  /**
   * The boot order of the interface (PXE boot), counted with the disks' boot orders.
   * @default none
   */
  readonly bootOrder?: number;
}

/** What an interface becomes in a VMI spec: the interface and the network of the same name. */
export interface InterfaceAndNetwork {
  /** The entry of `domain.devices.interfaces`. */
  readonly iface: ApiInterface;
  /** The entry of `networks`, of the interface's name (the pod network). */
  readonly network: ApiNetwork;
}

type Binding = 'masquerade' | 'bridge';

/** A network interface of the guest on the pod network; make one with the static methods. */
export class Interface {
  /** The guest behind NAT on the pod's address: ports reach the guest through the pod. */
  public static masquerade(name: string, options: InterfaceOptions = {}): Interface {
    return new Interface(name, 'masquerade', options);
  }

  /** The guest bridged to the pod's interface: the guest takes the pod's address by DHCP. */
  public static bridge(name: string, options: InterfaceOptions = {}): Interface {
    return new Interface(name, 'bridge', options);
  }

  /** The ports the interface forwards, with their protocol. */
  public readonly ports: readonly InterfacePort[];

  private constructor(
    /** The name of the interface and of its network. */
    public readonly name: string,
    private readonly binding: Binding,
    private readonly options: InterfaceOptions,
  ) {
    this.ports = (options.ports ?? []).map((p) => (typeof p === 'number' ? { port: p } : { ...p }));
  }

  /** The interface and its pod network, as the VMI spec holds them. */
  public toKube(): InterfaceAndNetwork {
    const { macAddress, model, bootOrder } = this.options;
    const ports = this.options.ports === undefined ? undefined : this.ports.map((p) => ({ port: p.port, name: p.name, protocol: p.protocol }));
    const iface: ApiInterface = { name: this.name, [this.binding]: {}, ports, macAddress, model, bootOrder };
    return { iface, network: { name: this.name, pod: {} } };
  }
}
