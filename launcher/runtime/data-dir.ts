/**
 * Where kvt keeps its state on this machine (the image store, volume files, caches): one data
 * directory, chosen the same way by every entry point.
 */
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

/** The facts the default depends on; tests pass their own. */
export interface DataDirFacts {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly uid: number;
  readonly home: string;
}

function hostFacts(): DataDirFacts {
  return { env: process.env, uid: process.getuid?.() ?? -1, home: homedir() };
}

/**
 * The default data directory: `$KVT_DATA_DIR` when set, else `/var/lib/kvt` for root, else
 * `~/.local/share/kvt`.
 * @default facts the current process's environment, uid and home directory
 */
export function defaultDataDir(facts: DataDirFacts = hostFacts()): string {
  const fromEnv = facts.env['KVT_DATA_DIR'];
  if (fromEnv !== undefined && fromEnv !== '') return resolve(fromEnv);
  if (facts.uid === 0) return '/var/lib/kvt';
  return join(facts.home, '.local', 'share', 'kvt');
}

/** The image store's root inside a data directory. */
export function imageStoreRoot(dataDir: string): string {
  return join(dataDir, 'images');
}
