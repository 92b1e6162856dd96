/**
 * configMap, secret, serviceAccount and downwardAPI volumes become ISO disks with one file per key,
 * as KubeVirt makes them. The volume id is the volume's `volumeLabel` when set, else KubeVirt's
 * default `cfgdata` (serviceAccount volumes have no label and always get `cfgdata`).
 * Files keep a mode inside the ISO (Rock Ridge): 0644 for configMap and downwardAPI, Kubernetes'
 * default volume mode; 0600 for secret and serviceAccount data, which stays root-only in the guest.
 * A missing object is an error unless the volume is `optional`, which gives an empty ISO (the
 * empty directory Kubernetes would mount).
 * @see https://github.com/kubevirt/kubevirt/blob/main/pkg/config/config.go
 * @see https://kubevirt.io/user-guide/storage/disks_and_volumes/#configmap
 */
import { ConversionError } from '../../core/errors.js';
import { checkVolumePath } from '../../core/paths.js';
import type { DownwardAPIVolumeFile } from '../../crd-gen/index.js';
import type { PlanInput, VolumeAt, VolumePart } from './context.js';
import { downwardApiValue } from './downward-api.js';
import { configIsoPath, serviceAccountIsoPath, stagingDir } from './layout.js';
import type { IsoEntry, PrepareStep } from './types.js';

/** KubeVirt's volume id for config disks without a `volumeLabel`. */
export const DEFAULT_CONFIG_VOLUME_ID = 'cfgdata';
/** Kubernetes' default mode of files in configMap and downwardAPI volumes. */
const PUBLIC_FILE_MODE = 0o644;
/** Secret and token files: readable by the guest's root only. */
const PRIVATE_FILE_MODE = 0o600;
/** ISO9660 volume ids are at most 32 characters. */
const MAX_VOLUME_ID = 32;

function volumeId(field: string, label: string | undefined): string {
  if (label === undefined || label === '') return DEFAULT_CONFIG_VOLUME_ID;
  if (label.length > MAX_VOLUME_ID || !/^[\x20-\x7e]+$/.test(label)) {
    throw new ConversionError(field, `${JSON.stringify(label)} must be 1 to ${MAX_VOLUME_ID} printable ASCII characters (an ISO9660 volume id)`);
  }
  return label;
}

interface IsoSpec {
  readonly field: string;
  readonly path: string;
  readonly volumeId: string;
  readonly entries: readonly IsoEntry[];
  readonly fileMode: number;
}

function isoPart(input: PlanInput, at: VolumeAt, iso: IsoSpec): VolumePart {
  const step: PrepareStep = {
    kind: 'iso', ...iso, namespace: input.namespace, stagingDir: stagingDir(input.facts.vmiDir, at.name), access: at.access,
  };
  return { source: { type: 'file', path: iso.path, format: 'raw' }, steps: [step] };
}

function requiredName(field: string, name: string | undefined, what: string): string {
  if (name === undefined || name === '') throw new ConversionError(field, `is not set; name the ${what}`);
  return name;
}

/** configMap: every key of the ConfigMap as a file. */
export function planConfigMap(input: PlanInput, at: VolumeAt): VolumePart {
  const cm = at.volume.configMap;
  const field = `${at.field}.configMap`;
  const name = requiredName(`${field}.name`, cm?.name, 'ConfigMap');
  return isoPart(input, at, {
    field, path: configIsoPath(input.facts.vmiDir, 'configMap', at.name),
    volumeId: volumeId(`${field}.volumeLabel`, cm?.volumeLabel), fileMode: PUBLIC_FILE_MODE,
    entries: [{ type: 'object', object: 'ConfigMap', name, optional: cm?.optional === true, field }],
  });
}

/** secret: every key of the Secret as a file. */
export function planSecret(input: PlanInput, at: VolumeAt): VolumePart {
  const secret = at.volume.secret;
  const field = `${at.field}.secret`;
  const name = requiredName(`${field}.secretName`, secret?.secretName, 'Secret');
  return isoPart(input, at, {
    field, path: configIsoPath(input.facts.vmiDir, 'secret', at.name),
    volumeId: volumeId(`${field}.volumeLabel`, secret?.volumeLabel), fileMode: PRIVATE_FILE_MODE,
    entries: [{ type: 'object', object: 'Secret', name, optional: secret?.optional === true, field }],
  });
}

/** serviceAccount: the account's token, namespace and CA certificate (one per VMI). */
export function planServiceAccount(input: PlanInput, at: VolumeAt): VolumePart {
  const field = `${at.field}.serviceAccount`;
  const name = requiredName(`${field}.serviceAccountName`, at.volume.serviceAccount?.serviceAccountName, 'ServiceAccount');
  return isoPart(input, at, {
    field, path: serviceAccountIsoPath(input.facts.vmiDir), volumeId: DEFAULT_CONFIG_VOLUME_ID, fileMode: PRIVATE_FILE_MODE,
    entries: [{ type: 'service-account', name, field }],
  });
}

function fileMode(field: string, mode: number | undefined): number {
  if (mode === undefined) return PUBLIC_FILE_MODE;
  if (!Number.isInteger(mode) || mode < 0 || mode > 0o777) throw new ConversionError(field, `${mode} is not a file mode from 0 to 0777`);
  return mode;
}

function downwardEntry(input: PlanInput, file: Readonly<DownwardAPIVolumeFile>, field: string): IsoEntry {
  const path = checkVolumePath(`${field}.path`, file.path);
  const data = Buffer.from(downwardApiValue(input.vmi, input.namespace, file, field), 'utf8');
  return { type: 'data', path, data, mode: fileMode(`${field}.mode`, file.mode) };
}

/** Refuses a file path used twice, or used both as a file and as a directory of another file. */
function checkDistinctPaths(field: string, paths: readonly string[]): void {
  paths.forEach((path, i) => {
    const clash = paths.findIndex((other, j) => j < i && (other === path || other.startsWith(`${path}/`) || path.startsWith(`${other}/`)));
    if (clash !== -1) throw new ConversionError(`${field}.fields[${i}].path`, `${JSON.stringify(path)} clashes with fields[${clash}].path ${JSON.stringify(paths[clash])}`);
  });
}

/** downwardAPI: each field's value (from the VMI's own metadata) as a file. */
export function planDownwardApi(input: PlanInput, at: VolumeAt): VolumePart {
  const dapi = at.volume.downwardAPI;
  const field = `${at.field}.downwardAPI`;
  const entries = (dapi?.fields ?? []).map((f, i) => downwardEntry(input, f, `${field}.fields[${i}]`));
  checkDistinctPaths(field, entries.map((e) => (e.type === 'data' ? e.path : '')));
  return isoPart(input, at, {
    field, path: configIsoPath(input.facts.vmiDir, 'downwardAPI', at.name),
    volumeId: volumeId(`${field}.volumeLabel`, dapi?.volumeLabel), fileMode: PUBLIC_FILE_MODE, entries,
  });
}
