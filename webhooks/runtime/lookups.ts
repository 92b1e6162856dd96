/**
 * Where the webhook server gets its admission lookups: nothing (NO_LOOKUPS), or a directory of
 * manifests (`kvt virt-api --objects DIR`) re-read when it changes. Every request takes the
 * snapshot current when it arrives; a reload swaps the snapshot whole, so a request never sees
 * half of one. A reload that fails (a file mid-write or invalid) is logged and the previous
 * snapshot kept. Cluster informers will be a third provider.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import type { Logger } from '../../core/log.js';
import { NO_LOOKUPS, type AdmissionLookups } from '../context.js';
import { watchForChanges, type ChangeWatcher } from './file-watch.js';
import { indexObjects, parseObjectTexts, type ObjectIndex } from './object-index.js';

/** Admission lookups as the server takes them: the current snapshot, and whether there is one yet. */
export interface LookupsProvider {
  /** The snapshot for a request arriving now. */
  current(): AdmissionLookups;
  /** False until the first load succeeded (`/readyz` answers 503 until then). */
  ready(): boolean;
  /** Stops watching. */
  close(): void;
}

/** A provider that always answers NO_LOOKUPS and is ready at once. */
export const NO_LOOKUPS_PROVIDER: LookupsProvider = { current: () => NO_LOOKUPS, ready: () => true, close: () => undefined };

const MANIFEST_EXTENSIONS = new Set(['.yaml', '.yml', '.json']);

async function manifestFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  // Entries starting with a dot are Kubernetes volume internals (`..data`) and editors' temporaries.
  return entries
    .filter((e) => !e.name.startsWith('.') && MANIFEST_EXTENSIONS.has(extname(e.name)) && (e.isFile() || e.isSymbolicLink()))
    .map((e) => e.name)
    .sort();
}

/** The directory's manifest names with their sizes and change times; differs whenever a file changed. */
export async function directoryFingerprint(dir: string): Promise<string> {
  try {
    const names = await manifestFiles(dir);
    const stats = await Promise.all(names.map((n) => stat(join(dir, n), { bigint: true })));
    return names.map((n, i) => `${n}:${stats[i]?.ino}:${stats[i]?.size}:${stats[i]?.mtimeNs}:${stats[i]?.ctimeNs}`).join('\n');
  } catch (e: unknown) {
    return `unreadable: ${(e as NodeJS.ErrnoException).code ?? String(e)}`;
  }
}

/** Reads and indexes every manifest of the directory (not its subdirectories). */
export async function loadObjectDirectory(dir: string): Promise<ObjectIndex> {
  const names = await manifestFiles(dir);
  const texts = await Promise.all(names.map(async (name) => ({ source: name, text: await readFile(join(dir, name), 'utf8') })));
  return indexObjects(parseObjectTexts(texts));
}

/** Options of {@link watchObjectDirectory}. */
export interface ObjectDirectoryOptions {
  readonly log: Logger;
  /** Period of the fallback check. @default 10000 */
  readonly pollMs?: number;
}

/**
 * A provider over a directory of manifests: not ready until the first load succeeds (retried on
 * every change), then re-read whenever the directory changes.
 */
export function watchObjectDirectory(dir: string, options: ObjectDirectoryOptions): LookupsProvider & { readonly loaded: Promise<void> } {
  const { log } = options;
  let snapshot: AdmissionLookups | undefined;
  const load = async (): Promise<void> => {
    try {
      const index = await loadObjectDirectory(dir);
      snapshot = index.lookups;
      log.info({ dir, counts: index.counts }, 'Loaded admission objects');
    } catch (err: unknown) {
      log.error({ err, dir }, snapshot === undefined ? 'Could not load admission objects' : 'Could not reload admission objects; kept the previous ones');
    }
  };
  let watcher: ChangeWatcher | undefined;
  let closed = false;
  const loaded = (async () => {
    const initial = await directoryFingerprint(dir);
    await load();
    if (!closed) watcher = watchForChanges({ dirs: [dir], initial, fingerprint: () => directoryFingerprint(dir), onChange: load, pollMs: options.pollMs ?? 10_000, log });
  })();
  return {
    loaded,
    current: () => snapshot ?? NO_LOOKUPS,
    ready: () => snapshot !== undefined,
    close: () => {
      closed = true;
      watcher?.close();
    },
  };
}
