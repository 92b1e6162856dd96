/**
 * Volumes KubeVirt accepts but the kubevirt-ts volume planner refuses, refused here so admission
 * never admits a VMI the launcher cannot prepare: volume kinds it has no planner for (sysprep,
 * containerPath, memoryDump; downwardMetrics is refused by B38), a sysprep volume without exactly
 * one of configMap and secret, names that cannot be path segments, image references and image paths the image store refuses, claims without a usable
 * name, disks without a positive size, host paths that are not absolute files, ISO volume labels,
 * downwardAPI files it cannot fill and nameless cloud-init secret references. Several cloud-init
 * volumes, of one kind or both, are admitted as KubeVirt admits them (launcher/volumes/cloud-init.ts).
 * @see ../../../launcher/volumes/plan.ts, disk-volumes.ts, config-disks.ts, cloud-init.ts
 */
import type { FieldPath } from '../../../core/field-path.js';
import { dnsLabelProblem, dnsSubdomainProblem, hostPathProblem, imagePathProblem } from '../../../core/paths.js';
import { quantityInt } from '../../../core/quantity.js';
import type { Quantity, Volume } from '../../../crd-gen/index.js';
import type { Cause } from '../../cause.js';
import type { SpecValidator } from '../types.js';
import { cloudInitSupportCauses } from './cloud-init.js';
import { isSet, notSupported, quote } from './common.js';
import { downwardApiSupportCauses } from './downward-api.js';
import { imageRefProblem } from './image-ref.js';
import { isCleanAbsolutePath } from './volume-paths.js';

type VolumeCheck = (volume: Readonly<Volume>, field: FieldPath) => Cause[];

const UNPLANNED_KINDS = ['containerPath', 'memoryDump'] as const;
/** ISO9660 volume ids: 1 to 32 printable ASCII characters. */
const VOLUME_ID = /^[\x20-\x7e]{1,32}$/;
/** Any absolute file path: the allowed host-disk roots are a launcher option, unknown here. */
const ANY_HOST_ROOT = ['/'];

function problemCause(at: FieldPath, what: string, problem: string | undefined): Cause[] {
  return problem === undefined ? [] : [notSupported(at, `${what}, which ${problem},`)];
}

/** Volume names become directory and file names of the launcher. */
const name: VolumeCheck = (volume, field) => problemCause(field.child('name'), `the volume name ${quote(volume.name)}`, dnsLabelProblem(volume.name ?? ''));

const kinds: VolumeCheck = (volume, field) =>
  UNPLANNED_KINDS.filter((kind) => volume[kind] !== undefined).map((kind) => notSupported(field.child(kind), `the ${kind} volume ${quote(volume.name)}`));

const containerDisk: VolumeCheck = (volume, field) => {
  const cd = volume.containerDisk;
  if (cd === undefined) return [];
  const at = field.child('containerDisk');
  const image = problemCause(at.child('image'), `the image reference ${quote(cd.image ?? '')}`, imageRefProblem(cd.image ?? ''));
  // Paths KubeVirt already refuses (B36, B37) are reported once, by that rule.
  const p = cd.path;
  if (!isSet(p) || !isCleanAbsolutePath(p)) return image;
  return [...image, ...problemCause(at.child('path'), `the image path ${quote(p)}`, imagePathProblem(p))];
};

function claimName(at: FieldPath, claim: string | undefined): Cause[] {
  return problemCause(at, `the claim name ${quote(claim ?? '')}`, dnsSubdomainProblem(claim ?? ''));
}

const claims: VolumeCheck = (volume, field) => {
  const out: Cause[] = [];
  if (volume.persistentVolumeClaim !== undefined) out.push(...claimName(field.child('persistentVolumeClaim').child('claimName'), volume.persistentVolumeClaim.claimName));
  const dataVolume = volume.dataVolume?.name;
  // An empty DataVolume name is KubeVirt's own rule (B34).
  if (isSet(dataVolume)) out.push(...claimName(field.child('dataVolume').child('name'), dataVolume));
  const ephemeral = volume.ephemeral;
  if (ephemeral === undefined) return out;
  const at = field.child('ephemeral').child('persistentVolumeClaim');
  if (ephemeral.persistentVolumeClaim === undefined) return [...out, notSupported(at, 'an ephemeral volume without persistentVolumeClaim', 'name the claim it overlays')];
  return [...out, ...claimName(at.child('claimName'), ephemeral.persistentVolumeClaim.claimName)];
};

function positiveSize(at: FieldPath, capacity: Quantity | undefined): Cause[] {
  const size = quantityInt(capacity);
  if (size !== undefined && Number.isSafeInteger(size) && size > 0) return [];
  return [notSupported(at, `the capacity ${quote(capacity ?? null)}`, 'give a positive size such as 1Gi')];
}

const sizes: VolumeCheck = (volume, field) => {
  const out: Cause[] = [];
  if (volume.emptyDisk !== undefined) out.push(...positiveSize(field.child('emptyDisk').child('capacity'), volume.emptyDisk.capacity));
  const hostDisk = volume.hostDisk;
  if (hostDisk?.type === 'DiskOrCreate') out.push(...positiveSize(field.child('hostDisk').child('capacity'), hostDisk.capacity));
  return out;
};

/** hostDisk paths: an absolute file path without `..`; an empty one is KubeVirt's own rule (B40). */
const hostDiskPath: VolumeCheck = (volume, field) => {
  const p = volume.hostDisk?.path;
  if (!isSet(p)) return [];
  return problemCause(field.child('hostDisk').child('path'), `the host path ${quote(p)}`, hostPathProblem(p, ANY_HOST_ROOT));
};

const labels: VolumeCheck = (volume, field) =>
  (['configMap', 'secret', 'downwardAPI'] as const).flatMap((kind) => {
    const label = volume[kind]?.volumeLabel;
    if (!isSet(label) || VOLUME_ID.test(label)) return [];
    return [notSupported(field.child(kind).child('volumeLabel'), `the volume label ${quote(label)}`, 'an ISO volume id has 1 to 32 printable ASCII characters')];
  });

/** A sysprep volume makes its ISO from one object: KubeVirt admits none or both, and then builds no working drive. */
const sysprep: VolumeCheck = (volume, field) => {
  const sp = volume.sysprep;
  if (sp === undefined) return [];
  const at = field.child('sysprep');
  const set = [sp.configMap, sp.secret].filter((r) => r !== undefined).length;
  if (set !== 1) return [notSupported(at, `the sysprep volume ${quote(volume.name)} with ${set === 0 ? 'neither configMap nor secret' : 'both configMap and secret'}`, 'name one ConfigMap or Secret holding autounattend.xml')];
  const ref = sp.configMap ?? sp.secret;
  if (isSet(ref?.name)) return [];
  return [notSupported(at.child(sp.configMap !== undefined ? 'configMap' : 'secret').child('name'), 'a sysprep reference without a name', 'name the object')];
};

const CHECKS: readonly VolumeCheck[] = [name, kinds, sysprep, containerDisk, claims, sizes, hostDiskPath, labels, downwardApiSupportCauses, cloudInitSupportCauses];

/** Refuses volumes the kubevirt-ts launcher cannot prepare. */
export const validateVolumeSupport: SpecValidator = (spec, path) => {
  const volumes = spec.volumes ?? [];
  const base = path.child('volumes');
  return volumes.flatMap((volume, i) => CHECKS.flatMap((check) => check(volume, base.index(i))));
};
