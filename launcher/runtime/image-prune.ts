/**
 * `kvt image prune`: removes what no image of the store uses: unpacked layers no record lists,
 * image directories no reference points at (an interrupted commit), and abandoned pulls and imports
 * in `.tmp/`. Anything younger than the grace period is left alone, since a pull running in another
 * process (a launcher starting a VMI) may be about to use it.
 */
import { lstat, readdir, readlink, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { ImageStore } from './image-store.js';
import { LAYERS_DIR } from './image-layers.js';

/** What a prune removed, and the bytes that freed. */
export interface PruneResult {
  /** Digests of the removed layers. */
  readonly layers: readonly string[];
  /** Other directories removed (`.blobs/<id>`, `.tmp/<id>`), relative to the store root. */
  readonly other: readonly string[];
  readonly bytes: number;
}

async function entries(dir: string): Promise<string[]> {
  return readdir(dir).catch((e: unknown) => {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  });
}

/** Bytes a removal frees: files of the tree with no other hard link (a layer's files linked into a live image free nothing). */
async function freedBytes(path: string): Promise<number> {
  const info = await lstat(path).catch(() => undefined);
  if (info === undefined) return 0;
  if (!info.isDirectory()) return info.isFile() && info.nlink <= 1 ? info.blocks * 512 : 0;
  let total = 0;
  for (const name of await entries(path)) total += await freedBytes(join(path, name));
  return total;
}

async function oldEnough(path: string, before: number): Promise<boolean> {
  const info = await lstat(path).catch(() => undefined);
  return info !== undefined && info.mtimeMs <= before;
}

/** Removes what no image uses; `graceMs` (default 10 minutes) spares what is newer. */
export async function pruneImageStore(store: ImageStore, options: { readonly graceMs?: number; readonly now?: number } = {}): Promise<PruneResult> {
  const before = (options.now ?? Date.now()) - (options.graceMs ?? 10 * 60_000);
  const records = await store.list();
  const liveLayers = new Set(records.flatMap((r) => r.source?.layers ?? []).map((d) => d.replace(':', '-')));
  const liveBlobs = new Set<string>();
  for (const name of (await entries(store.root)).filter((n) => !n.startsWith('.'))) {
    const target = await readlink(join(store.root, name)).catch(() => undefined);
    if (target !== undefined) liveBlobs.add(target.replace(/^\.blobs\//, ''));
  }
  const candidates: { readonly rel: string; readonly layer?: string }[] = [
    ...(await entries(join(store.root, LAYERS_DIR))).filter((n) => !liveLayers.has(n)).map((n) => ({ rel: join(LAYERS_DIR, n), layer: n.replace('-', ':') })),
    ...(await entries(join(store.root, '.blobs'))).filter((n) => !liveBlobs.has(n)).map((n) => ({ rel: join('.blobs', n) })),
    ...(await entries(join(store.root, '.tmp'))).map((n) => ({ rel: join('.tmp', n) })),
  ];
  const layers: string[] = [];
  const other: string[] = [];
  let bytes = 0;
  for (const c of candidates) {
    const full = join(store.root, c.rel);
    if (!(await oldEnough(full, before))) continue;
    bytes += await freedBytes(full);
    await rm(full, { recursive: true, force: true });
    if (c.layer === undefined) other.push(c.rel);
    else layers.push(c.layer);
  }
  return { layers, other, bytes };
}
