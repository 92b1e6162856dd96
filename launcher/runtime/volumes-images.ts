/**
 * The image facts volume planning needs, gathered from the local image store: for each image a VMI
 * references, its directory, its default disk, and the format of any other disk file a
 * `containerDisk.path` names (inspected with `qemu-img info`; an overlay with its own backing file
 * is refused, since its chain could lead anywhere on the host). Store errors become
 * {@link ConversionError}s naming the VMI field.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { ConversionError } from '../../core/errors.js';
import { checkImagePath, joinInside } from '../../core/paths.js';
import type { VirtualMachineInstance } from '../../crd-gen/index.js';
import { imageRefs, type ImageFacts } from '../volumes/index.js';
import { parseQemuImgInfo } from './image-disk.js';
import { locateImageFile } from './image-locations.js';
import type { ImageRecord } from './image-record.js';
import type { ImageStore } from './image-store.js';
import { ImageStoreError } from './image-store-errors.js';

const run = promisify(execFile);

function storeError(field: string, e: unknown): never {
  if (e instanceof ImageStoreError) throw new ConversionError(field, e.message, { cause: e });
  throw e;
}

async function resolveRecord(store: ImageStore, ref: string, field: string): Promise<ImageRecord> {
  try {
    return await store.resolve(ref);
  } catch (e: unknown) {
    return storeError(`${field}.image`, e);
  }
}

async function inspect(qemuImg: string, path: string, field: string): Promise<'raw' | 'qcow2'> {
  let stdout: string;
  try {
    ({ stdout } = await run(qemuImg, ['info', '-U', '--output=json', path], { timeout: 60_000, maxBuffer: 16 * 1024 * 1024 }));
  } catch (e: unknown) {
    throw new ConversionError(field, `could not inspect ${path} with ${qemuImg}`, { cause: e });
  }
  const info = parseQemuImgInfo(stdout);
  if (info.backingFile !== undefined) throw new ConversionError(field, `${path} is a qcow2 overlay of ${info.backingFile}; the image must hold a standalone disk`);
  if (info.format !== 'raw' && info.format !== 'qcow2') throw new ConversionError(field, `${path} is a ${info.format} image; use raw or qcow2`);
  return info.format;
}

async function customDisk(record: ImageRecord, path: string, field: string, qemuImg: string): Promise<[string, 'raw' | 'qcow2'] | undefined> {
  const host = joinInside(record.dir, checkImagePath(field, path));
  try {
    await locateImageFile(record, path);
  } catch (e: unknown) {
    storeError(field, e);
  }
  if (record.disk?.path === host) return undefined;
  return [host, await inspect(qemuImg, host, field)];
}

function factsOf(record: ImageRecord, formats: Readonly<Record<string, 'raw' | 'qcow2'>>): ImageFacts {
  return {
    dir: record.dir,
    ...(record.disk === undefined ? {} : { disk: { path: record.disk.path, format: record.disk.format } }),
    ...(Object.keys(formats).length === 0 ? {} : { formats }),
  };
}

/**
 * Resolves every image the VMI references, by the reference as the VMI writes it.
 * @default qemuImg 'qemu-img'
 */
export async function gatherImageFacts(vmi: Readonly<VirtualMachineInstance>, store: ImageStore, qemuImg = 'qemu-img'): Promise<Record<string, ImageFacts>> {
  const records = new Map<string, ImageRecord>();
  const formats = new Map<string, Record<string, 'raw' | 'qcow2'>>();
  for (const { ref, field, path } of imageRefs(vmi)) {
    const record = records.get(ref) ?? (await resolveRecord(store, ref, field));
    records.set(ref, record);
    const known = formats.get(ref) ?? {};
    formats.set(ref, known);
    const custom = path === undefined ? undefined : await customDisk(record, path, `${field}.path`, qemuImg);
    if (custom !== undefined) known[custom[0]] = custom[1];
  }
  return Object.fromEntries([...records].map(([ref, record]) => [ref, factsOf(record, formats.get(ref) ?? {})]));
}

/**
 * Checks a kernel-boot file in the image on disk (it exists, is a regular file, and no symlink in
 * the image leads out of it) and returns its real path.
 */
export async function locateKernelBootFile(image: Pick<ImageRecord, 'ref' | 'dir'>, pathInImage: string, field: string): Promise<string> {
  try {
    return await locateImageFile(image, pathInImage);
  } catch (e: unknown) {
    return storeError(field, e);
  }
}
