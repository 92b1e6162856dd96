/**
 * Image layers in the store, content-addressed: `<root>/.layers/sha256-<hex>/` holds one unpacked
 * layer (`fs/`, and `entries.json`, what the layer holds in tar order, whiteouts included) and is
 * written once, by a rename of a finished `.tmp/` directory (two pulls of the same layer: the second
 * rename finds it there and drops its copy). A layer is unpacked while it streams in: its bytes are
 * hashed (and must match the descriptor's digest and size), decompressed (gzip; zstd where Node's
 * zlib has it), and each tar entry goes through the planner of launcher/images/tar-plan.ts before
 * anything is written. An image's root filesystem is then made of hard links into its layers, so
 * two images sharing a layer store it once.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { link, mkdir, readFile, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { PassThrough, Readable, Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import * as zlib from 'node:zlib';
import * as tarStream from 'tar-stream';
import { layerCompression, type Descriptor } from '../images/manifest.js';
import { DEFAULT_LAYER_LIMITS, mergeLayers, newLayerPlanState, planTarEntry, type LayerEntry, type LayerLimits } from '../images/tar-plan.js';
import { ImageStoreError } from './image-store-errors.js';

/** The store's folder of unpacked layers. */
export const LAYERS_DIR = '.layers';

/** A layer that cannot be unpacked: a digest or size mismatch, a refused entry, an unsupported compression. */
export class LayerError extends ImageStoreError {}

/** The directory of a layer by its digest (`sha256:<hex>` → `.layers/sha256-<hex>`). */
export function layerDir(root: string, digest: string): string {
  if (!/^sha256:[0-9a-f]{64}$/.test(digest)) throw new LayerError(`${JSON.stringify(digest)} is not a sha256 digest`);
  return join(root, LAYERS_DIR, digest.replace(':', '-'));
}

function isErrno(e: unknown, ...codes: string[]): boolean {
  return e instanceof Error && codes.includes((e as NodeJS.ErrnoException).code ?? '');
}

/** Whether the store already holds the unpacked layer. */
export async function hasLayer(root: string, digest: string): Promise<boolean> {
  try {
    await readFile(join(layerDir(root, digest), 'entries.json'));
    return true;
  } catch (e: unknown) {
    if (isErrno(e, 'ENOENT', 'ENOTDIR')) return false;
    throw e;
  }
}

function decompressor(desc: Descriptor): Transform {
  const compression = layerCompression(desc.mediaType);
  if (compression === 'gzip') return zlib.createGunzip();
  if (compression === 'none') return new PassThrough();
  const zstd = (zlib as unknown as { createZstdDecompress?: () => Transform }).createZstdDecompress;
  if (compression === 'zstd' && zstd !== undefined) return zstd();
  if (compression === 'zstd') throw new LayerError(`layer ${desc.digest} is zstd-compressed, which this Node.js (${process.version}) cannot decompress (Node 22.15 and later can)`);
  throw new LayerError(`layer ${desc.digest} has media type ${desc.mediaType}, which is not a filesystem layer`);
}

/** Counts and hashes what streams through, refusing more than `max` bytes and (with `idleMs`) a stream that stalls. */
function meter(max: number, what: string, options: { readonly onBytes?: (n: number) => void; readonly idleMs?: number } = {}): Transform & { readonly hash: () => string; readonly bytes: () => number } {
  const hash = createHash('sha256');
  let bytes = 0;
  let timer: NodeJS.Timeout | undefined;
  const arm = (): void => {
    if (options.idleMs === undefined) return;
    clearTimeout(timer);
    timer = setTimeout(() => { t.destroy(new LayerError(`${what}: no data for ${options.idleMs ?? 0} ms`)); }, options.idleMs);
  };
  const t = new Transform({
    transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
      arm();
      bytes += chunk.length;
      if (bytes > max) {
        cb(new LayerError(`${what} is longer than ${max} bytes`));
        return;
      }
      hash.update(chunk);
      options.onBytes?.(bytes);
      cb(null, chunk);
    },
  });
  arm();
  t.once('close', () => { clearTimeout(timer); });
  let digest: string | undefined;
  return Object.assign(t, { hash: () => (digest ??= `sha256:${hash.digest('hex')}`), bytes: () => bytes });
}

function fileMode(mode: number): number {
  return (mode & 0o100) !== 0 ? 0o750 : 0o640;
}

/** Writes one planned entry under `fs`; the planner guarantees no path goes through a symlink or out of `fs`. */
async function writeEntry(fs: string, entry: LayerEntry, body: AsyncIterable<unknown>, linkTo: string | undefined): Promise<void> {
  const full = join(fs, entry.path);
  if (entry.type === 'dir') {
    await mkdir(full, { recursive: true, mode: 0o750 });
    return;
  }
  if (entry.type === 'whiteout' || entry.type === 'opaque') return;
  await mkdir(dirname(full), { recursive: true, mode: 0o750 });
  await rm(full, { recursive: true, force: true });
  if (entry.type === 'symlink') await symlink(entry.target, full);
  else if (linkTo !== undefined) await link(join(fs, linkTo), full);
  else await pipeline(body, createWriteStream(full, { flags: 'wx', mode: fileMode(entry.mode) }));
}

/** Pulls the tar stream apart, entry by entry through the planner; resolves with the entries in tar order. */
function untar(fs: string, limits: LayerLimits): { sink: (source: AsyncIterable<Buffer>) => Promise<void>; entries: LayerEntry[] } {
  const extract = tarStream.extract();
  const state = newLayerPlanState();
  const entries: LayerEntry[] = [];
  extract.on('entry', (header, stream, next) => {
    const action = planTarEntry({ name: header.name, type: header.type ?? 'file', linkname: header.linkname ?? null, size: header.size ?? 0, mode: header.mode ?? 0o644 }, state, limits);
    if (!action.ok) {
      extract.destroy(new LayerError(action.reason));
      return;
    }
    entries.push(action.entry);
    const done = (e?: unknown): void => {
      if (e === undefined) next();
      else extract.destroy(e instanceof Error ? e : new Error(String(e)));
    };
    const writing = writeEntry(fs, action.entry, stream, action.linkTo);
    // Entries with no body still have their (empty) stream to drain.
    if (action.entry.type !== 'file' || action.linkTo !== undefined) stream.resume();
    writing.then(() => { done(); }, done);
  });
  return { sink: feed(extract), entries };
}

/** The last stage of the pipeline: writes into tar-stream's extractor (a streamx stream) and waits until it has written every entry, or failed. */
function feed(extract: tarStream.Extract): (source: AsyncIterable<Buffer>) => Promise<void> {
  const ended = new Promise<void>((resolve, reject) => {
    extract.once('error', reject);
    extract.once('finish', () => { resolve(); });
    extract.once('close', () => { reject(new LayerError('the tar stream was closed before its end')); });
  });
  ended.catch(() => undefined);
  return async (source) => {
    for await (const chunk of source) {
      if (!extract.write(chunk)) await Promise.race([new Promise<void>((resolve) => { extract.once('drain', () => { resolve(); }); }), ended]);
    }
    (extract as unknown as { end(): void }).end();
    await ended;
  };
}

/** Progress of one layer: bytes received of its size. */
export type LayerProgress = (received: number, total: number) => void;

/**
 * Streams a layer blob into the store (verifying its digest and size while it unpacks) unless it is
 * there already. Nothing is left behind on failure.
 */
export async function storeLayer(root: string, desc: Descriptor, body: ReadableStream<Uint8Array>, options: { readonly limits?: LayerLimits; readonly progress?: LayerProgress; readonly idleMs?: number } = {}): Promise<void> {
  const limits = options.limits ?? DEFAULT_LAYER_LIMITS;
  const tmp = join(root, '.tmp', `layer-${randomBytes(6).toString('hex')}`);
  await mkdir(join(tmp, 'fs'), { recursive: true, mode: 0o750 });
  try {
    // A registry that stops sending mid-layer fails the pull instead of holding it forever.
    const raw = meter(desc.size, `layer ${desc.digest}`, { onBytes: (n) => options.progress?.(n, desc.size), idleMs: options.idleMs ?? 120_000 });
    const unpacked = meter(limits.maxLayerBytes + 64 * 1024 * 1024, `layer ${desc.digest} unpacked`);
    const { sink, entries } = untar(join(tmp, 'fs'), limits);
    await pipeline(Readable.fromWeb(body as import('node:stream/web').ReadableStream<Uint8Array>), raw, decompressor(desc), unpacked, sink).catch((e: unknown) => {
      // zlib's and the tar reader's own errors ("incorrect header check") say nothing of which layer.
      throw e instanceof LayerError ? e : new LayerError(`layer ${desc.digest} cannot be unpacked: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
    });
    if (raw.bytes() !== desc.size) throw new LayerError(`layer ${desc.digest}: received ${raw.bytes()} bytes, the manifest says ${desc.size}`);
    if (raw.hash() !== desc.digest) throw new LayerError(`layer ${desc.digest}: its content's digest is ${raw.hash()}; refused`);
    await writeFile(join(tmp, 'entries.json'), JSON.stringify(entries));
    await mkdir(join(root, LAYERS_DIR), { recursive: true, mode: 0o750 });
    await rename(tmp, layerDir(root, desc.digest)).catch((e: unknown) => {
      if (!isErrno(e, 'ENOTEMPTY', 'EEXIST')) throw e;
    });
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

async function layerEntries(root: string, digest: string): Promise<LayerEntry[]> {
  const file = join(layerDir(root, digest), 'entries.json');
  try {
    return JSON.parse(await readFile(file, 'utf8')) as LayerEntry[];
  } catch (e: unknown) {
    throw new LayerError(`the stored layer ${digest} is damaged (${file}): run kvt image prune and pull again`, { cause: e });
  }
}

/** Builds an image's filesystem in `rootfs` from its layers (lowest first): directories made, files hard-linked, symlinks written. */
export async function materializeLayers(root: string, layers: readonly string[], rootfs: string): Promise<void> {
  const merged = mergeLayers(await Promise.all(layers.map((d) => layerEntries(root, d))));
  for (const { layer, entry } of merged) {
    const full = join(rootfs, entry.path);
    if (entry.type === 'dir') {
      await mkdir(full, { recursive: true, mode: 0o750 });
      continue;
    }
    await mkdir(dirname(full), { recursive: true, mode: 0o750 });
    if (entry.type === 'symlink') await symlink(entry.target, full);
    else await link(join(layerDir(root, layers[layer] ?? ''), 'fs', entry.path), full);
  }
}
