/**
 * The Secrets and ConfigMaps a VMI's launcher pod mounts, and where: the one layout the pod renderer
 * (virt-controller) writes into the pod and the launcher reads its objects from. As in KubeVirt, the
 * launcher never reads Secrets through the API; the node (a kubelet, the kvt node agent, the local
 * kubelet) writes each mounted object's keys as files, one per key, before the launcher starts.
 *
 * - `secret` volume V: Secret volume V at `<private>/secret/V`; `configMap` volume V: ConfigMap
 *   volume V at `<private>/config-map/V` (KubeVirt's paths).
 * - cloud-init (NoCloud and ConfigDrive) `secretRef` of volume V: Secret volume `V-udata`, and
 *   `networkDataSecretRef`: `V-ndata` (KubeVirt's volume names). KubeVirt mounts their
 *   `userdata`/`userData` (`networkdata`/`networkData`) keys by subPath under `<private>/secret/V/`;
 *   the node agent has no subPath mounts, so each Secret is mounted whole at
 *   `<private>/secret/V-udata` (`V-ndata`) and the launcher picks the key, in KubeVirt's order.
 * - `sysprep` volume V: its ConfigMap or Secret at `<private>/sysprep/V` (KubeVirt's
 *   `SysprepSourceDir`), the object's keys becoming the sysprep ISO's files.
 * - `spec.accessCredentials[]` (sshPublicKey or userPassword) Secret S: Secret volume
 *   `S-access-cred` at `<private>/secret/S-access-cred`, each Secret once (KubeVirt's
 *   withAccessCredentials); the launcher reads every key as a public key into cloud-init meta-data.
 * Pure.
 * @see https://github.com/kubevirt/kubevirt/blob/main/pkg/virt-controller/services/rendervolumes.go
 * @see https://github.com/kubevirt/kubevirt/blob/main/pkg/config/config.go
 */
import type { LocalObjectReference, VirtualMachineInstance, Volume } from '../crd-gen/index.js';

/** KubeVirt's private directory of the compute container (`util.VirtPrivateDir`). */
export const VIRT_PRIVATE_DIR = '/var/run/kubevirt-private';

/** Where mounted Secrets live (`config.SecretSourceDir`). */
export const SECRET_SOURCE_DIR = `${VIRT_PRIVATE_DIR}/secret`;

/** Where mounted ConfigMaps live (`config.ConfigMapSourceDir`). */
export const CONFIG_MAP_SOURCE_DIR = `${VIRT_PRIVATE_DIR}/config-map`;

/** Where mounted sysprep ConfigMaps and Secrets live (`config.SysprepSourceDir`). */
export const SYSPREP_SOURCE_DIR = `${VIRT_PRIVATE_DIR}/sysprep`;

/** One Secret or ConfigMap volume of the launcher pod. */
export interface LauncherPodObject {
  /** The pod volume's name (and the mount's). */
  readonly volume: string;
  readonly kind: 'Secret' | 'ConfigMap';
  /** The object's name, in the VMI's namespace. */
  readonly name: string;
  /** As the VMI volume says (`secret.optional`, `configMap.optional`); cloud-init references are never optional. */
  readonly optional?: boolean;
  /** Where the compute container finds the object's keys as files. */
  readonly mountPath: string;
}

function secretAt(volume: string, name: string, optional?: boolean): LauncherPodObject {
  return { volume, kind: 'Secret', name, ...(optional === undefined ? {} : { optional }), mountPath: `${SECRET_SOURCE_DIR}/${volume}` };
}

/** The cloud-init references of one source as Secret volumes; a nameless reference mounts nothing (the launcher names the field). */
function cloudInitSecrets(volume: string, source: { readonly secretRef?: LocalObjectReference; readonly networkDataSecretRef?: LocalObjectReference } | undefined): LauncherPodObject[] {
  if (source === undefined) return [];
  const refs: [string, LocalObjectReference | undefined][] = [[`${volume}-udata`, source.secretRef], [`${volume}-ndata`, source.networkDataSecretRef]];
  return refs.flatMap(([name, ref]) => (ref?.name === undefined || ref.name === '' ? [] : [secretAt(name, ref.name)]));
}

/** The Secrets and ConfigMaps the launcher pod mounts for one VMI volume, in a fixed order. */
export function launcherPodObjectsOf(volume: Readonly<Volume>): LauncherPodObject[] {
  const found: LauncherPodObject[] = [];
  const secretName = volume.secret?.secretName;
  if (secretName !== undefined && secretName !== '') found.push(secretAt(volume.name, secretName, volume.secret?.optional));
  const configMapName = volume.configMap?.name;
  if (configMapName !== undefined && configMapName !== '') {
    const optional = volume.configMap?.optional;
    found.push({ volume: volume.name, kind: 'ConfigMap', name: configMapName, ...(optional === undefined ? {} : { optional }), mountPath: `${CONFIG_MAP_SOURCE_DIR}/${volume.name}` });
  }
  return [...found, ...sysprepObjects(volume), ...cloudInitSecrets(volume.name, volume.cloudInitNoCloud), ...cloudInitSecrets(volume.name, volume.cloudInitConfigDrive)];
}

/** A sysprep volume's ConfigMap and Secret (admission lets one be set), mounted at `<private>/sysprep/V`. */
function sysprepObjects(volume: Readonly<Volume>): LauncherPodObject[] {
  const mountPath = `${SYSPREP_SOURCE_DIR}/${volume.name}`;
  const refs = [['ConfigMap', volume.sysprep?.configMap?.name], ['Secret', volume.sysprep?.secret?.name]] as const;
  return refs.flatMap(([kind, name]) => (name === undefined || name === '' ? [] : [{ volume: volume.name, kind, name, mountPath }]));
}

/** The Secrets of `spec.accessCredentials`, each once, in spec order (KubeVirt's `<name>-access-cred` volumes). */
export function accessCredentialObjects(credentials: VirtualMachineInstance['spec']['accessCredentials']): LauncherPodObject[] {
  const names = (credentials ?? []).map((c) => c.sshPublicKey?.source.secret?.secretName ?? c.userPassword?.source.secret?.secretName ?? '');
  return [...new Set(names.filter((n) => n !== ''))].map((name) => secretAt(`${name}-access-cred`, name));
}

/** Every Secret and ConfigMap the launcher pod of a VMI with these volumes (and access credentials) mounts, in volume order. */
export function launcherPodObjects(volumes: readonly Readonly<Volume>[] | undefined, credentials?: VirtualMachineInstance['spec']['accessCredentials']): LauncherPodObject[] {
  return [...(volumes ?? []).flatMap(launcherPodObjectsOf), ...accessCredentialObjects(credentials)];
}
