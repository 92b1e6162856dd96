/**
 * Where the puller's settings come from on this machine: registry mirrors (`$KVT_REGISTRY_MIRRORS`,
 * which `--registry-mirror` sets for the launchers a command starts, and `<data dir>/registry-mirrors`,
 * one `HOST=URL` a line) and registry credentials from docker config files (`$REGISTRY_AUTH_FILE`,
 * the containers-auth.json convention, then `$DOCKER_CONFIG/config.json` or `~/.docker/config.json`
 * of the user running kvt).
 */
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { credentialsFor, type RegistryCredentials } from '../images/registry-auth.js';
import { parseRegistryMirrors, type RegistryMirrors } from '../images/registry-ref.js';

/** The environment variable that carries mirrors to the launchers a command starts. */
export const MIRRORS_ENV = 'KVT_REGISTRY_MIRRORS';

/** The mirrors file in the data directory. */
export function mirrorsFile(dataDir: string): string {
  return join(dataDir, 'registry-mirrors');
}

async function readIfAny(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (e: unknown) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

/** The mirrors in force: the data dir's file, then the environment (which wins for a host both name). */
export async function loadRegistryMirrors(dataDir: string, env: NodeJS.ProcessEnv = process.env): Promise<RegistryMirrors> {
  const file = await readIfAny(mirrorsFile(dataDir));
  return parseRegistryMirrors([file ?? '', env[MIRRORS_ENV] ?? '']);
}

/** Adds `--registry-mirror` items to the environment the launchers inherit (after checking them). */
export function exportRegistryMirrors(items: readonly string[], env: NodeJS.ProcessEnv = process.env): void {
  if (items.length === 0) return;
  parseRegistryMirrors(items);
  env[MIRRORS_ENV] = [env[MIRRORS_ENV] ?? '', ...items].filter((s) => s !== '').join(',');
}

/** The docker config files to read, in order. */
export function dockerConfigFiles(env: NodeJS.ProcessEnv = process.env): string[] {
  const files: string[] = [];
  if (env['REGISTRY_AUTH_FILE']) files.push(env['REGISTRY_AUTH_FILE']);
  files.push(join(env['DOCKER_CONFIG'] || join(env['HOME'] || homedir(), '.docker'), 'config.json'));
  return files;
}

/** Credentials for `registry` from the first docker config file that has some. */
export async function dockerConfigCredentials(registry: string, env: NodeJS.ProcessEnv = process.env): Promise<RegistryCredentials | undefined> {
  for (const file of dockerConfigFiles(env)) {
    const text = await readIfAny(file);
    const creds = text === undefined ? undefined : credentialsFor(text, registry);
    if (creds !== undefined) return creds;
  }
  return undefined;
}
