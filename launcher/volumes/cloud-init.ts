/**
 * cloudInitNoCloud and cloudInitConfigDrive: the cloud-init ISOs of a VMI, laid out as KubeVirt
 * lays them out (one per kind, from the first volume of that kind; see {@link planCloudInit}).
 * - NoCloud: volume id `cidata`; `user-data`, `meta-data`, and `network-config` when network data
 *   is given. meta-data is YAML: `instance-id` and `local-hostname`.
 * - ConfigDrive: volume id `config-2`; `openstack/latest/user_data`, `meta_data.json`, and
 *   `network_data.json` when network data is given.
 *
 * User data comes from `secretRef` (the Secret's `userdata` key, else `userData`), else `userData`,
 * else `userDataBase64`; network data likewise (`networkDataSecretRef` with `networkdata` /
 * `networkData`). With network data only, user-data is an empty file, as in KubeVirt.
 *
 * The instance id is `spec.domain.firmware.uuid`, as in KubeVirt's NoCloud metadata: admission
 * derives it from the VM's name, so it stays the same across restarts of the same VM and cloud-init
 * does not redo its first-boot work (the VMI uid would change each time). ConfigDrive's
 * `instance_id` is KubeVirt's `<name>.<namespace>`, its `uuid` the firmware UUID.
 * @see https://github.com/kubevirt/kubevirt/blob/main/pkg/cloud-init/cloud-init.go
 * @see https://kubevirt.io/user-guide/user_workloads/startup_scripts/
 */
import { ConversionError } from '../../core/errors.js';
import type { CloudInitNoCloudSource, LocalObjectReference, VirtualMachineInstance } from '../../crd-gen/index.js';
import type { PlanInput, VolumeAt, VolumePart } from './context.js';
import { metaDataEntry } from './access-credentials.js';
import { cloudInitIsoCopyPath, cloudInitIsoPath, stagingDir } from './layout.js';
import type { IsoEntry } from './types.js';

/** Both cloud-init sources have the same fields. */
type CloudInitSource = Readonly<CloudInitNoCloudSource>;

/** The Secret keys KubeVirt reads user data and network data from, in order. */
export const CLOUD_INIT_SECRET_KEYS = { userData: ['userdata', 'userData'], networkData: ['networkdata', 'networkData'] } as const;

/** The ISO volume ids cloud-init looks for. */
export const CLOUD_INIT_VOLUME_IDS = { noCloud: 'cidata', configDrive: 'config-2' } as const;

/** Mode of the files inside the cloud-init ISO (KubeVirt writes them 0600: user data holds secrets). */
const CLOUD_INIT_FILE_MODE = 0o600;

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Strict standard base64 (line breaks allowed, as Go's decoder allows them). */
export function decodeBase64(field: string, text: string): Uint8Array {
  const compact = text.replace(/[\r\n]/g, '');
  if (!BASE64.test(compact)) throw new ConversionError(field, 'is not valid base64');
  return Buffer.from(compact, 'base64');
}

interface DataFields {
  readonly raw: string | undefined;
  readonly base64: string | undefined;
  readonly secretRef: LocalObjectReference | undefined;
  /** Names of the base64 and secret-reference fields, for errors: `userDataBase64`, `secretRef`. */
  readonly names: readonly [string, string];
  readonly keys: readonly string[];
}

function secretEntry(field: string, ref: LocalObjectReference, path: string, keys: readonly string[]): IsoEntry {
  if (ref.name === undefined || ref.name === '') throw new ConversionError(`${field}.name`, 'is not set; name the Secret');
  return { type: 'secret-key', path, secret: ref.name, keys, field };
}

/** One data file of the ISO from its three possible fields; undefined when none is set. */
function dataEntry(base: string, fields: DataFields, path: string): IsoEntry | undefined {
  const [base64Name, refName] = fields.names;
  if (fields.secretRef !== undefined) return secretEntry(`${base}.${refName}`, fields.secretRef, path, fields.keys);
  if (fields.raw !== undefined && fields.raw !== '') return { type: 'data', path, data: Buffer.from(fields.raw, 'utf8') };
  if (fields.base64 !== undefined && fields.base64 !== '') return { type: 'data', path, data: decodeBase64(`${base}.${base64Name}`, fields.base64) };
  return undefined;
}

function userDataEntry(base: string, src: CloudInitSource, path: string): IsoEntry | undefined {
  return dataEntry(base, {
    raw: src.userData, base64: src.userDataBase64, secretRef: src.secretRef,
    names: ['userDataBase64', 'secretRef'], keys: CLOUD_INIT_SECRET_KEYS.userData,
  }, path);
}

function networkDataEntry(base: string, src: CloudInitSource, path: string): IsoEntry | undefined {
  return dataEntry(base, {
    raw: src.networkData, base64: src.networkDataBase64, secretRef: src.networkDataSecretRef,
    names: ['networkDataBase64', 'networkDataSecretRef'], keys: CLOUD_INIT_SECRET_KEYS.networkData,
  }, path);
}

/** The guest's host name as KubeVirt derives it: `spec.hostname`, else the name up to its first dot (63 at most). */
export function guestHostname(vmi: Readonly<VirtualMachineInstance>): string {
  if (vmi.spec.hostname !== undefined && vmi.spec.hostname !== '') return vmi.spec.hostname;
  return (vmi.metadata.name ?? '').split('.')[0]?.slice(0, 63) ?? '';
}

function firmwareUuid(vmi: Readonly<VirtualMachineInstance>): string {
  const uuid = vmi.spec.domain.firmware?.uuid;
  if (uuid === undefined || uuid === '') throw new ConversionError('spec.domain.firmware.uuid', 'is not set (admission sets it); cloud-init needs it as the instance id');
  return uuid;
}

/** A YAML scalar: plain when it is an ordinary word, else a JSON string (valid YAML). */
function yamlScalar(value: string): string {
  return /^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(value) ? value : JSON.stringify(value);
}

/** NoCloud `meta-data`: `instance-id` and `local-hostname`, one per line. */
export function noCloudMetaData(vmi: Readonly<VirtualMachineInstance>): string {
  return `instance-id: ${yamlScalar(firmwareUuid(vmi))}\nlocal-hostname: ${yamlScalar(guestHostname(vmi))}\n`;
}

/** ConfigDrive `meta_data.json`: instance id, uuid, hostname and name. */
export function configDriveMetaData(vmi: Readonly<VirtualMachineInstance>, namespace: string): string {
  const name = vmi.metadata.name ?? '';
  return `${JSON.stringify({ instance_id: `${name}.${namespace}`, uuid: firmwareUuid(vmi), hostname: guestHostname(vmi), name })}\n`;
}

const LAYOUTS = {
  noCloud: { user: 'user-data', meta: 'meta-data', network: 'network-config' },
  configDrive: { user: 'openstack/latest/user_data', meta: 'openstack/latest/meta_data.json', network: 'openstack/latest/network_data.json' },
} as const;

function entriesOf(input: PlanInput, base: string, src: CloudInitSource, kind: 'noCloud' | 'configDrive'): IsoEntry[] {
  const layout = LAYOUTS[kind];
  const user = userDataEntry(base, src, layout.user);
  const network = networkDataEntry(base, src, layout.network);
  if (user === undefined && network === undefined) {
    throw new ConversionError(base, 'needs userData, userDataBase64, secretRef, networkData, networkDataBase64 or networkDataSecretRef');
  }
  const meta = kind === 'noCloud' ? noCloudMetaData(input.vmi) : configDriveMetaData(input.vmi, input.namespace);
  return [
    user ?? { type: 'data', path: layout.user, data: new Uint8Array() },
    metaDataEntry(input.vmi, kind, layout.meta, meta),
    ...(network === undefined ? [] : [network]),
  ];
}

const KEYS = { noCloud: 'cloudInitNoCloud', configDrive: 'cloudInitConfigDrive' } as const;

/** The first volume of a kind, with its index: KubeVirt reads a kind's data from it alone. */
function firstOfKind(input: PlanInput, kind: 'noCloud' | 'configDrive'): { readonly index: number; readonly src: CloudInitSource } {
  const volumes = input.vmi.spec.volumes ?? [];
  const index = volumes.findIndex((v) => v[KEYS[kind]] !== undefined);
  const src = volumes[index]?.[KEYS[kind]];
  if (src === undefined) throw new Error(`planCloudInit: the VMI has no ${KEYS[kind]} volume`);
  return { index, src };
}

/**
 * A cloud-init volume's ISO. As KubeVirt, the first volume of a kind supplies that kind's data,
 * and every further volume of the kind shows the guest the same ISO: KubeVirt points all their
 * disks at the one file; ours get a copy each (`cloud-init/<vol>/`), as QEMU cannot open one file
 * for two writable disks. A NoCloud and a ConfigDrive volume each get their own ISO, both built
 * (KubeVirt's launcher builds only the kind of the VMI's first cloud-init volume).
 */
function planCloudInit(input: PlanInput, at: VolumeAt, kind: 'noCloud' | 'configDrive'): VolumePart {
  const key = KEYS[kind];
  if (at.volume[key] === undefined) throw new Error(`planCloudInit: not a ${key} volume`);
  const first = firstOfKind(input, kind);
  const isFirst = `spec.volumes[${first.index}]` === at.field;
  const field = `spec.volumes[${first.index}].${key}`;
  const path = isFirst ? cloudInitIsoPath(input.facts.vmiDir, kind) : cloudInitIsoCopyPath(input.facts.vmiDir, kind, at.name);
  return {
    source: { type: 'file', path, format: 'raw' },
    steps: [{
      kind: 'iso', field, path, volumeId: CLOUD_INIT_VOLUME_IDS[kind], namespace: input.namespace,
      entries: entriesOf(input, field, first.src, kind), fileMode: CLOUD_INIT_FILE_MODE,
      stagingDir: stagingDir(input.facts.vmiDir, at.name), access: at.access,
    }],
  };
}

/** cloudInitNoCloud: the `cidata` ISO. */
export function planNoCloud(input: PlanInput, at: VolumeAt): VolumePart {
  return planCloudInit(input, at, 'noCloud');
}

/** cloudInitConfigDrive: the `config-2` ISO. */
export function planConfigDrive(input: PlanInput, at: VolumeAt): VolumePart {
  return planCloudInit(input, at, 'configDrive');
}
