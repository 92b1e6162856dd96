/**
 * The props every VMI-carrying construct shares (a VM, a VMI, a replica set's template) and how
 * they become a VirtualMachineInstance spec and labels. Nothing is checked here: the spec goes
 * through KubeVirt's admission when the app synthesizes, which names the field of any problem.
 */
import type { Duration, Size } from 'cdk8s';
import type { ContainerResources, ISecret, TaintEffect } from 'cdk8s-plus-27';
import type { AccessCredential, CPU, Firmware, Toleration, VirtualMachineInstanceSpec } from '../../crd-gen/generated/types.js';
import type { CloudInit, Disk, DiskAndVolume, Interface } from './devices.js';
import { Bootloader, quantityOf, secondsOf } from './values.js';

/** Something a VMI's labels can make apply: a {@link VirtualMachineInstancePreset}. */
export interface IPreset {
  /** The labels a VMI needs for the preset to apply (its selector's matchLabels). */
  readonly matchLabels: Readonly<Record<string, string>>;
}

/** The guest's CPU topology and model. */
export interface CpuProps {
  /**
   * Cores per socket.
   * @default KubeVirt's: 1 (or what the CPU request implies)
   */
  readonly cores?: number;
  /**
   * Sockets.
   * @default KubeVirt's: 1
   */
  readonly sockets?: number;
  /**
   * Threads per core.
   * @default KubeVirt's: 1
   */
  readonly threads?: number;
  /**
   * The CPU model ("host-passthrough", "host-model" or a named model).
   * @default KubeVirt's: host-model
   */
  readonly model?: string;
}

/** The guest's firmware. */
export interface FirmwareProps {
  /**
   * The bootloader.
   * @default KubeVirt's: BIOS
   */
  readonly bootloader?: Bootloader;
  /**
   * With EFI, whether Secure Boot is on; it needs SMM, which is then enabled too.
   * @default false
   */
  readonly secureBoot?: boolean;
  /**
   * The system serial number the guest sees.
   * @default a random one KubeVirt draws
   */
  readonly serial?: string;
  /**
   * The system UUID the guest sees.
   * @default one KubeVirt derives from the VM's name
   */
  readonly uuid?: string;
}

/** The operator of a toleration. */
export enum TolerationOperator {
  /** The taint's value equals the toleration's. */
  EQUAL = 'Equal',
  /** Any value of the taint's key. */
  EXISTS = 'Exists',
}

/** A taint the guest's pod tolerates. */
export interface TolerationProps {
  /**
   * The taint's key.
   * @default every key (with operator EXISTS)
   */
  readonly key?: string;
  /**
   * How the value is compared.
   * @default EQUAL
   */
  readonly operator?: TolerationOperator;
  /**
   * The taint's value (with operator EQUAL).
   * @default ""
   */
  readonly value?: string;
  /**
   * The taint effect tolerated.
   * @default every effect
   */
  readonly effect?: TaintEffect;
  /**
   * With effect NO_EXECUTE, how long the pod stays bound after the taint appears.
   * @default for ever
   */
  readonly tolerationSeconds?: Duration;
}

/** What a VM, a VMI or a replica set's template declares about its guest. */
export interface VirtualMachineInstanceTemplateProps {
  /**
   * Labels of the instance (and of its launcher pod).
   * @default none (plus the preset's)
   */
  readonly labels?: Readonly<Record<string, string>>;
  /**
   * Annotations of the instance.
   * @default none
   */
  readonly annotations?: Readonly<Record<string, string>>;
  /**
   * A preset the instance takes its CPU, memory and firmware from: the instance gets the labels the
   * preset selects. Not together with an instancetype.
   * @default none
   */
  readonly preset?: IPreset;
  /**
   * The guest's disks, in order.
   * @default none
   */
  readonly disks?: readonly Disk[];
  /**
   * A cloud-init data source; its disk comes after `disks`.
   * @default none
   */
  readonly cloudInit?: CloudInit;
  /**
   * Secrets whose keys are SSH public keys (`accessCredentials`): they reach the guest through
   * `cloudInit` (NoCloud or ConfigDrive), which is then needed.
   * @default none
   */
  readonly sshKeys?: readonly ISecret[];
  /**
   * The guest's network interfaces, each on the pod network.
   * @default KubeVirt's: one masquerade interface on the pod network
   */
  readonly interfaces?: readonly Interface[];
  /**
   * The guest's CPU topology and model.
   * @default KubeVirt's, or the preset's or instancetype's
   */
  readonly cpu?: CpuProps;
  /**
   * The guest's memory (`domain.memory.guest`).
   * @default the memory request
   */
  readonly memory?: Size;
  /**
   * The compute resources of the instance's pod (CPU and memory requests and limits).
   * @default KubeVirt's: the memory request follows the guest memory
   */
  readonly resources?: ContainerResources;
  /**
   * Node labels the instance's node must carry.
   * @default any node
   */
  readonly nodeSelector?: Readonly<Record<string, string>>;
  /**
   * Taints the instance's pod tolerates.
   * @default none
   */
  readonly tolerations?: readonly TolerationProps[];
  /**
   * The guest's firmware.
   * @default KubeVirt's: BIOS
   */
  readonly firmware?: FirmwareProps;
  /**
   * The guest's host name.
   * @default the instance's name
   */
  readonly hostname?: string;
  /**
   * The guest's DNS subdomain (`<hostname>.<subdomain>.<namespace>.svc`).
   * @default none
   */
  readonly subdomain?: string;
  /**
   * How long the guest has to shut down when it is stopped.
   * @default KubeVirt's: 30 seconds (180 for a Windows guest's preference)
   */
  readonly terminationGracePeriod?: Duration;
}

/** The cdk8s values of `resources` as quantities (`field` names the prop in errors). */
export function resourcesOf(resources: ContainerResources, field: string): { requests?: Record<string, string>; limits?: Record<string, string> } {
  const pick = (side: 'request' | 'limit'): Record<string, string> | undefined => {
    const out: Record<string, string> = {};
    const cpu = resources.cpu?.[side];
    const memory = resources.memory?.[side];
    const storage = resources.ephemeralStorage?.[side];
    if (cpu !== undefined) out['cpu'] = cpu.amount;
    if (memory !== undefined) out['memory'] = quantityOf(memory, `${field}.memory.${side}`);
    if (storage !== undefined) out['ephemeral-storage'] = quantityOf(storage, `${field}.ephemeralStorage.${side}`);
    return Object.keys(out).length === 0 ? undefined : out;
  };
  return { requests: pick('request'), limits: pick('limit') };
}

/** The domain's CPU of `cpu`. */
export function cpuOf(cpu: CpuProps): CPU {
  return { cores: cpu.cores, sockets: cpu.sockets, threads: cpu.threads, model: cpu.model };
}

/** The domain's firmware of `firmware`, and the features Secure Boot needs. */
export function firmwareOf(firmware: FirmwareProps): { firmware: Firmware; features?: { smm: { enabled: boolean } } } {
  const { bootloader, secureBoot, serial, uuid } = firmware;
  const loader = bootloader === Bootloader.EFI ? { efi: { secureBoot: secureBoot ?? false } } : bootloader === Bootloader.BIOS ? { bios: {} } : undefined;
  const features = bootloader === Bootloader.EFI && secureBoot === true ? { smm: { enabled: true } } : undefined;
  return { firmware: { bootloader: loader, serial, uuid }, features };
}

function tolerationOf(t: TolerationProps): Toleration {
  return { key: t.key, operator: t.operator, value: t.value, effect: t.effect, tolerationSeconds: t.tolerationSeconds === undefined ? undefined : secondsOf(t.tolerationSeconds, 'tolerations.tolerationSeconds') };
}

function accessCredentialOf(secret: ISecret, cloudInit: CloudInit | undefined): AccessCredential {
  // Without cloud-init the key names NoCloud anyway, so admission reports the missing disk at its field.
  const method = cloudInit?.keyPropagation ?? 'noCloud';
  return { sshPublicKey: { source: { secret: { secretName: secret.name } }, propagationMethod: { [method]: {} } } };
}

/** Adds `disk` and its volume to `spec` (a second disk of one name is left for admission to report). */
export function addDiskTo(spec: VirtualMachineInstanceSpec, disk: { toKube(): DiskAndVolume }): void {
  const { disk: device, volume } = disk.toKube();
  (spec.domain.devices.disks ??= []).push(device);
  (spec.volumes ??= []).push(volume);
}

/** Adds `iface` and its network to `spec`. */
export function addInterfaceTo(spec: VirtualMachineInstanceSpec, iface: Interface): void {
  const { iface: device, network } = iface.toKube();
  (spec.domain.devices.interfaces ??= []).push(device);
  (spec.networks ??= []).push(network);
}

function domainOf(props: VirtualMachineInstanceTemplateProps): VirtualMachineInstanceSpec['domain'] {
  const firmware = props.firmware === undefined ? undefined : firmwareOf(props.firmware);
  return {
    devices: {},
    cpu: props.cpu === undefined ? undefined : cpuOf(props.cpu),
    memory: props.memory === undefined ? undefined : { guest: quantityOf(props.memory, 'memory') },
    resources: props.resources === undefined ? undefined : resourcesOf(props.resources, 'resources'),
    firmware: firmware?.firmware,
    features: firmware?.features,
  };
}

/** The VMI spec the props declare. */
export function vmiSpecOf(props: VirtualMachineInstanceTemplateProps): VirtualMachineInstanceSpec {
  const spec: VirtualMachineInstanceSpec = {
    domain: domainOf(props),
    hostname: props.hostname,
    subdomain: props.subdomain,
    nodeSelector: props.nodeSelector === undefined ? undefined : { ...props.nodeSelector },
    tolerations: props.tolerations?.map(tolerationOf),
    terminationGracePeriodSeconds: props.terminationGracePeriod === undefined ? undefined : secondsOf(props.terminationGracePeriod, 'terminationGracePeriod'),
    accessCredentials: props.sshKeys?.map((s) => accessCredentialOf(s, props.cloudInit)),
  };
  for (const disk of props.disks ?? []) addDiskTo(spec, disk);
  if (props.cloudInit !== undefined) addDiskTo(spec, props.cloudInit);
  for (const iface of props.interfaces ?? []) addInterfaceTo(spec, iface);
  return spec;
}

/** The instance's labels: its own and those its preset selects. */
export function vmiLabelsOf(props: VirtualMachineInstanceTemplateProps): Record<string, string> | undefined {
  const labels = { ...props.labels, ...props.preset?.matchLabels };
  return Object.keys(labels).length === 0 ? undefined : labels;
}
