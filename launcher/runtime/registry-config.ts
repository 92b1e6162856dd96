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
import { credentialHosts, parseRegistryMirrors, type RegistryMirrors } from '../images/registry-ref.js';

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

/** Where a pull's credentials may come from, beside the registry's host. */
export interface CredentialSources {
  /** Docker configs (a pull Secret's `.dockerconfigjson` text), tried in order before the user's files. */
  readonly configs?: readonly string[];
  /** Whether the docker config files of the user running kvt are read after `configs`. @default true */
  readonly userConfig?: boolean;
  readonly env?: NodeJS.ProcessEnv;
}

/**
 * The credentials a pull from `registry` uses: under each of its credential hosts in turn (the
 * registry, then its mirror: `credentialHosts`), the first of `configs` holding some, then the
 * user's docker config files; undefined for an anonymous pull. The one lookup of `kvt image pull`,
 * a VMI's images (its `imagePullSecret`, else the user's files) and the node agent's image volumes
 * (the pod's `imagePullSecrets`, then the node's files, as a kubelet tries them).
 */
export async function registryCredentials(registry: string, mirrors: RegistryMirrors, sources: CredentialSources = {}): Promise<RegistryCredentials | undefined> {
  for (const host of credentialHosts(registry, mirrors)) {
    for (const config of sources.configs ?? []) {
      const found = credentialsFor(config, host);
      if (found !== undefined) return found;
    }
    const found = sources.userConfig === false ? undefined : await dockerConfigCredentials(host, sources.env);
    if (found !== undefined) return found;
  }
  return undefined;
}
