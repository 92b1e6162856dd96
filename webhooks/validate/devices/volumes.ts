/**
 * KubeVirt's volume rules (B33–B54): unique names, a DataVolume name, exactly one source per
 * volume, containerDisk and hostDisk paths, required object names, cloud-init data, at most one
 * serviceAccount, downwardMetrics and memoryDump volume, and no utility volumes at create.
 *
 * B38 (downwardMetrics volumes need the DownwardMetrics gate) guards a feature kubevirt-ts does not
 * implement, so such a volume is refused as not supported whatever the gates say.
 * @see https://github.com/kubevirt/kubevirt/blob/main/pkg/virt-api/webhooks/validating-webhook/admitters/vmi-create-admitter.go (validateVolumes)
 */
import type { FieldPath } from '../../../core/field-path.js';
import type { Volume } from '../../../crd-gen/index.js';
import { CauseType, cause, type Cause } from '../../cause.js';
import type { SpecValidator } from '../types.js';
import { cloudInitCauses } from './cloud-init.js';
import { earlierWithName, invalid, isSet, listOf, notSupported, quote, type Spec } from './common.js';
import { containerDiskPathCauses, hostDiskCauses } from './volume-paths.js';

/** Every volume source KubeVirt counts for "exactly one". */
export const VOLUME_SOURCES = [
  'persistentVolumeClaim', 'sysprep', 'cloudInitNoCloud', 'cloudInitConfigDrive', 'containerDisk', 'ephemeral', 'emptyDisk', 'hostDisk',
  'dataVolume', 'configMap', 'secret', 'serviceAccount', 'downwardAPI', 'downwardMetrics', 'memoryDump', 'containerPath',
] as const;

/** One volume and where it sits. */
interface VolumeAt {
  readonly volumes: readonly Readonly<Volume>[];
  readonly volume: Readonly<Volume>;
  readonly index: number;
  /** `<spec>.volumes`. */
  readonly base: FieldPath;
  /** `<spec>.volumes[index]`. */
  readonly field: FieldPath;
}

type VolumeCheck = (at: VolumeAt) => Cause[];

/** B33: reported on the later volume, naming the first one with that name. */
const uniqueName: VolumeCheck = ({ volumes, volume, index, base, field }) => {
  const [first] = earlierWithName(volumes, index, 1).indexes;
  if (first === undefined) return [];
  return [invalid(field.child('name'), `${field} and ${base.index(first)} must not share the name ${quote(volume.name)}; volume names must be unique`)];
};

/** B34: on the volume's name, as KubeVirt reports it. */
const dataVolumeName: VolumeCheck = ({ volume, field }) => {
  if (volume.dataVolume === undefined || isSet(volume.dataVolume.name)) return [];
  const at = field.child('name');
  return [cause(CauseType.Required, at, `${field}.dataVolume.name of the volume ${quote(volume.name)} must be set`)];
};

/** B35. */
const oneSource: VolumeCheck = ({ volume, field }) => {
  const set = VOLUME_SOURCES.filter((key) => volume[key] !== undefined && volume[key] !== null);
  if (set.length === 1) return [];
  const which = set.length === 0 ? 'none' : listOf(set);
  return [invalid(field, `${field} must have exactly one source type set, but has ${set.length} (${which})`)];
};

/** B38, as a refusal: kubevirt-ts has no downward metrics. */
const downwardMetrics: VolumeCheck = ({ volume, field }) =>
  volume.downwardMetrics === undefined ? [] : [notSupported(field, `the downwardMetrics volume ${quote(volume.name)}`)];

/** B43: the object a configMap, secret or serviceAccount volume names. */
const objectNames: VolumeCheck = ({ volume, field }) => {
  const required = [
    [volume.configMap, 'configMap', volume.configMap?.name, 'name'],
    [volume.secret, 'secret', volume.secret?.secretName, 'secretName'],
    [volume.serviceAccount, 'serviceAccount', volume.serviceAccount?.serviceAccountName, 'serviceAccountName'],
  ] as const;
  return required.flatMap(([source, key, name, child]) => {
    if (source === undefined || isSet(name)) return [];
    const at = field.child(key).child(child);
    return [invalid(at, `${at} is a required field (volume ${quote(volume.name)})`)];
  });
};

const VOLUME_CHECKS: readonly VolumeCheck[] = [
  uniqueName, dataVolumeName, oneSource, ({ volume, field }) => containerDiskPathCauses(volume, field), downwardMetrics,
  ({ volume, field }) => hostDiskCauses(volume, field), objectNames, ({ volume, field }) => cloudInitCauses(volume, field),
];

/** B44–B46: one cause for the list when a kind appears more than once. */
function atMostOne(volumes: readonly Readonly<Volume>[], base: FieldPath): Cause[] {
  const kinds = [['serviceAccount', 'serviceAccount'], ['downwardMetrics', 'downwardMetrics'], ['memoryDump', 'memory dump']] as const;
  return kinds.flatMap(([key, what]) => {
    const names = volumes.filter((v) => v[key] !== undefined).map((v) => quote(v.name));
    return names.length > 1 ? [invalid(base, `${base} may have at most one ${what} volume, but has ${names.length}: ${listOf(names)}`)] : [];
  });
}

/** B47: utility volumes come only by hotplug. */
function utilityVolumes(spec: Spec, path: FieldPath): Cause[] {
  if (spec.utilityVolumes === undefined || spec.utilityVolumes === null) return [];
  const at = path.child('utilityVolumes');
  return [invalid(at, `${at} (${spec.utilityVolumes.length} set) can only be added by hotplug, not at creation`)];
}

/**
 * B33–B54 over `volumes`.
 * @see ../../../../shared/design/kubevirt/rules-devices.md (Volumes, Cloud-init)
 */
export const validateVolumes: SpecValidator = (spec, path) => {
  const volumes = spec.volumes ?? [];
  const base = path.child('volumes');
  const perVolume = volumes.flatMap((volume, index) => {
    const at: VolumeAt = { volumes, volume, index, base, field: base.index(index) };
    return VOLUME_CHECKS.flatMap((check) => check(at));
  });
  return [...perVolume, ...atMostOne(volumes, base), ...utilityVolumes(spec, path)];
};
