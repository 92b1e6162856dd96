/**
 * `--registry-mirror HOST=URL` of the commands that start launchers (`kvt run`, `kvt daemon`) or pull
 * (`kvt image pull`): checked when parsed (a bad item is a usage error naming the flag), then put in
 * `$KVT_REGISTRY_MIRRORS`, which the launchers these commands start inherit.
 */
import { parseRegistryMirrors, RegistryRefError } from '../launcher/images/registry-ref.js';
import { exportRegistryMirrors } from '../launcher/runtime/registry-config.js';
import { UsageError } from './command.js';

/** The flag, in node:util parseArgs' form. */
export const REGISTRY_MIRROR_FLAGS = {
  'registry-mirror': { type: 'string', multiple: true },
} as const;

/** Its line in a command's Options: section. */
export const REGISTRY_MIRROR_USAGE: readonly string[] = [
  '  --registry-mirror HOST=URL  pull HOST\'s images from URL (e.g. quay.io=http://127.0.0.1:5000; plain http only to loopback; repeatable; also $KVT_REGISTRY_MIRRORS and <data dir>/registry-mirrors)',
];

/** The checked items of the flag; a bad one is a UsageError. */
export function registryMirrorsOf(values: { readonly 'registry-mirror'?: readonly string[] | undefined }): readonly string[] {
  const items = values['registry-mirror'] ?? [];
  try {
    parseRegistryMirrors(items);
  } catch (e: unknown) {
    if (e instanceof RegistryRefError) throw new UsageError(`--registry-mirror: ${e.message}`);
    throw e;
  }
  return items;
}

/** Makes the mirrors those of this process and the launchers it starts. */
export function useRegistryMirrors(items: readonly string[]): void {
  exportRegistryMirrors(items);
}
