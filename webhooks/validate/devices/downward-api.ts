/**
 * downwardAPI volume files the kubevirt-ts volume planner cannot write, refused at admission: it
 * fills each file from the VMI's own metadata (name, namespace, uid, labels, annotations, or one
 * label or annotation), into a relative path inside the volume, with a file mode up to 0777, each
 * path once.
 * @see ../../../launcher/volumes/downward-api.ts, config-disks.ts
 * @see https://kubernetes.io/docs/concepts/workloads/pods/downward-api/
 */
import type { FieldPath } from '../../../core/field-path.js';
import { normalizeInsidePath, volumePathProblem } from '../../../core/paths.js';
import type { DownwardAPIVolumeFile, Volume } from '../../../crd-gen/index.js';
import type { Cause } from '../../cause.js';
import { listOf, notSupported, quote } from './common.js';

const PLAIN_FIELDS = ['metadata.name', 'metadata.namespace', 'metadata.uid', 'metadata.labels', 'metadata.annotations'];
const ONE_KEY = /^metadata\.(labels|annotations)\['.*'\]$/;
const MAX_MODE = 0o777;

function source(file: Readonly<DownwardAPIVolumeFile>, at: FieldPath): Cause[] {
  if (file.resourceFieldRef !== undefined) {
    return [notSupported(at.child('resourceFieldRef'), `the resourceFieldRef ${quote(file.resourceFieldRef.resource)}`, 'use fieldRef with a metadata field')];
  }
  const fieldPath = file.fieldRef?.fieldPath;
  if (fieldPath === undefined) return [notSupported(at.child('fieldRef'), 'a downwardAPI file without fieldRef', 'set fieldRef.fieldPath')];
  if (PLAIN_FIELDS.includes(fieldPath) || ONE_KEY.test(fieldPath)) return [];
  return [notSupported(at.child('fieldRef').child('fieldPath'), `the field ${quote(fieldPath)}`, `use ${listOf(PLAIN_FIELDS)}, or one key of the last two (metadata.labels['key'])`)];
}

function mode(file: Readonly<DownwardAPIVolumeFile>, at: FieldPath): Cause[] {
  const value = file.mode;
  if (value === undefined || (Number.isInteger(value) && value >= 0 && value <= MAX_MODE)) return [];
  return [notSupported(at.child('mode'), `the file mode ${value}`, 'use a mode from 0 to 0777 (511)')];
}

/** Whether two normalised paths are the same file, or one is a directory of the other. */
function clashes(a: string, b: string): boolean {
  return a === b || a.startsWith(`${b}/`) || b.startsWith(`${a}/`);
}

function paths(files: readonly Readonly<DownwardAPIVolumeFile>[], base: FieldPath): Cause[] {
  const seen: { readonly path: string; readonly index: number }[] = [];
  return files.flatMap((file, i) => {
    const at = base.index(i).child('path');
    const problem = volumePathProblem(file.path ?? '');
    if (problem !== undefined) return [notSupported(at, `the path ${quote(file.path ?? '')}, which ${problem},`)];
    const path = normalizeInsidePath(file.path);
    const clash = seen.find((s) => clashes(s.path, path));
    seen.push({ path, index: i });
    if (clash === undefined) return [];
    return [notSupported(at, `the path ${quote(file.path)}, which clashes with ${base.index(clash.index)}.path,`, 'give every file its own path')];
  });
}

/** Refusals for one downwardAPI volume's files. */
export function downwardApiSupportCauses(volume: Readonly<Volume>, field: FieldPath): Cause[] {
  const files = volume.downwardAPI?.fields ?? [];
  const base = field.child('downwardAPI').child('fields');
  const perFile = files.flatMap((file, i) => [...source(file, base.index(i)), ...mode(file, base.index(i))]);
  return [...perFile, ...paths(files, base)];
}
