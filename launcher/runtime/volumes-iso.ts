/**
 * The ISO step of volume preparation: the files of a cloud-init, configMap, secret, serviceAccount
 * or downwardAPI disk are written into a private staging directory (never onto a command line),
 * then genisoimage makes the ISO from it and the staging directory is removed. Objects come from
 * the {@link ObjectSource}; a missing one is a {@link ConversionError} naming the volume field.
 * @see https://github.com/kubevirt/kubevirt/blob/main/pkg/config/config.go
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { ConversionError } from '../../core/errors.js';
import { metaDataWithKeys, publicKeysOf, type IsoEntry, type ObjectData, type ObjectSource, type PrepareStep } from '../volumes/index.js';
import { makeIso } from './iso.js';
import { PRIVATE_DIR_MODE } from './volumes-access.js';

/** An ISO step of the plan. */
export type IsoStep = Extract<PrepareStep, { kind: 'iso' }>;

/** One file to stage: its path inside the ISO, its bytes and its mode. */
interface StagedFile {
  readonly path: string;
  readonly data: Uint8Array;
  readonly mode: number;
}

/** Why an object key cannot be a file name at the ISO root, or undefined when it can. */
export function keyFileNameProblem(key: string): string | undefined {
  if (key === '') return 'it is empty';
  if (key === '.' || key === '..') return 'it is "." or ".."';
  if (key.includes('/')) return 'it contains "/"';
  if (key.includes('\0')) return 'it contains a NUL character';
  if (Buffer.byteLength(key) > 255) return 'it is longer than 255 bytes';
  return undefined;
}

function missing(field: string, kind: string, name: string, namespace: string): ConversionError {
  return new ConversionError(field, `${kind} ${JSON.stringify(name)} does not exist in namespace ${namespace}`);
}

async function secretKeyFile(objects: ObjectSource, step: IsoStep, entry: Extract<IsoEntry, { type: 'secret-key' }>): Promise<StagedFile> {
  const data = await objects.getSecret(step.namespace, entry.secret);
  if (data === undefined) throw missing(entry.field, 'Secret', entry.secret, step.namespace);
  const key = entry.keys.find((k) => Object.hasOwn(data, k));
  const bytes = key === undefined ? undefined : data[key];
  if (bytes === undefined) throw new ConversionError(entry.field, `Secret ${JSON.stringify(entry.secret)} has no ${entry.keys.map((k) => JSON.stringify(k)).join(' or ')} key`);
  return { path: entry.path, data: bytes, mode: step.fileMode };
}

function objectFiles(step: IsoStep, entry: Extract<IsoEntry, { type: 'object' }>, data: ObjectData): StagedFile[] {
  return Object.keys(data).sort().map((key) => {
    const problem = keyFileNameProblem(key);
    if (problem !== undefined) throw new ConversionError(entry.field, `${entry.object} ${JSON.stringify(entry.name)} has key ${JSON.stringify(key)}, which cannot be a file name: ${problem}`);
    return { path: key, data: data[key] ?? new Uint8Array(), mode: step.fileMode };
  });
}

/** A key the entry requires (sysprep's autounattend.xml, any case) that the object lacks. */
function missingRequiredKey(entry: Extract<IsoEntry, { type: 'object' }>, data: ObjectData): ConversionError | undefined {
  const required = entry.requiredKey;
  if (required === undefined || Object.keys(data).some((k) => k.toLowerCase() === required.toLowerCase())) return undefined;
  return new ConversionError(entry.field, `${entry.object} ${JSON.stringify(entry.name)} has no ${required} key, which the drive must contain`);
}

async function objectEntryFiles(objects: ObjectSource, step: IsoStep, entry: Extract<IsoEntry, { type: 'object' }>): Promise<StagedFile[]> {
  const data = entry.object === 'Secret' ? await objects.getSecret(step.namespace, entry.name) : await objects.getConfigMap(step.namespace, entry.name);
  const problem = data === undefined ? undefined : missingRequiredKey(entry, data);
  if (problem !== undefined) throw problem;
  if (data !== undefined) return objectFiles(step, entry, data);
  if (entry.optional) return [];
  throw missing(entry.field, entry.object, entry.name, step.namespace);
}

async function serviceAccountFiles(objects: ObjectSource, step: IsoStep, entry: Extract<IsoEntry, { type: 'service-account' }>): Promise<StagedFile[]> {
  const token = await objects.serviceAccountToken(step.namespace, entry.name);
  if (token === undefined) throw new ConversionError(entry.field, `ServiceAccount ${JSON.stringify(entry.name)} has no token in namespace ${step.namespace}`);
  const text = (path: string, value: string): StagedFile => ({ path, data: Buffer.from(value, 'utf8'), mode: step.fileMode });
  return [
    ...(token.caCrt === undefined ? [] : [text('ca.crt', token.caCrt)]),
    text('namespace', step.namespace),
    text('token', token.token),
  ];
}

/** cloud-init meta-data with the public keys of the accessCredentials' Secrets (each must exist). */
async function metaDataKeysFile(objects: ObjectSource, step: IsoStep, entry: Extract<IsoEntry, { type: 'meta-data-keys' }>): Promise<StagedFile> {
  const secrets: ObjectData[] = [];
  for (const { secret, field } of entry.secrets) {
    const data = await objects.getSecret(step.namespace, secret);
    if (data === undefined) throw missing(field, 'Secret', secret, step.namespace);
    secrets.push(data);
  }
  return { path: entry.path, data: Buffer.from(metaDataWithKeys(entry.kind, entry.base, publicKeysOf(secrets)), 'utf8'), mode: step.fileMode };
}

async function entryFiles(objects: ObjectSource, step: IsoStep, entry: IsoEntry): Promise<StagedFile[]> {
  switch (entry.type) {
    case 'data': return [{ path: entry.path, data: entry.data, mode: entry.mode ?? step.fileMode }];
    case 'secret-key': return [await secretKeyFile(objects, step, entry)];
    case 'object': return objectEntryFiles(objects, step, entry);
    case 'service-account': return serviceAccountFiles(objects, step, entry);
    case 'meta-data-keys': return [await metaDataKeysFile(objects, step, entry)];
  }
}

/** Every file of the ISO, with its bytes, in a stable order; reads the objects it needs. */
export async function isoFiles(objects: ObjectSource, step: IsoStep): Promise<StagedFile[]> {
  const files: StagedFile[] = [];
  for (const entry of step.entries) files.push(...(await entryFiles(objects, step, entry)));
  return files;
}

async function stage(dir: string, files: readonly StagedFile[]): Promise<void> {
  await mkdir(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  for (const file of files) {
    const target = join(dir, file.path);
    await mkdir(dirname(target), { recursive: true, mode: 0o755 });
    // 'wx': a fresh file in our own fresh directory; never follows or overwrites anything.
    await writeFile(target, file.data, { flag: 'wx', mode: file.mode });
  }
}

/** Tools the ISO step runs. */
export interface IsoTools {
  /** @default 'genisoimage' */
  readonly genisoimage?: string;
}

/**
 * Makes the ISO of a step: reads its objects, stages the files, runs genisoimage, removes the
 * staging directory whatever happens. The output file is created first (0600, not following any
 * existing entry) so the ISO is never readable by others, even before it is granted.
 */
export async function writeIsoStep(objects: ObjectSource, step: IsoStep, tools: IsoTools = {}): Promise<void> {
  const files = await isoFiles(objects, step);
  await rm(step.stagingDir, { recursive: true, force: true });
  try {
    await stage(step.stagingDir, files);
    await rm(step.path, { force: true });
    await writeFile(step.path, new Uint8Array(), { flag: 'wx', mode: 0o600 });
    await makeIso({ output: step.path, volumeId: step.volumeId, contentDir: step.stagingDir, ...(tools.genisoimage === undefined ? {} : { tool: tools.genisoimage }) });
  } finally {
    await rm(step.stagingDir, { recursive: true, force: true });
  }
}
