/**
 * The Secrets and ConfigMaps that travel with a VMI in a manifest, as the launcher's object source
 * (cloud-init `secretRef`, configMap and secret disks). Namespace-less objects are in `default`,
 * like the VMI.
 */
import { staticObjectSource, type ConfigMapLike, type ObjectSource, type SecretLike } from '../launcher/volumes/index.js';

function keyOf(object: Readonly<Record<string, unknown>>): string {
  const meta = (object['metadata'] ?? {}) as { name?: unknown; namespace?: unknown };
  const namespace = typeof meta.namespace === 'string' && meta.namespace !== '' ? meta.namespace : 'default';
  return `${namespace}/${String(meta.name)}`;
}

/** The core/v1 Secrets and ConfigMaps among `objects`; everything else is ignored. */
export function manifestObjectSource(objects: readonly Readonly<Record<string, unknown>>[]): ObjectSource {
  const secrets: Record<string, SecretLike> = {};
  const configMaps: Record<string, ConfigMapLike> = {};
  for (const o of objects) {
    if (o['apiVersion'] !== 'v1') continue;
    if (o['kind'] === 'Secret') secrets[keyOf(o)] = o as SecretLike;
    if (o['kind'] === 'ConfigMap') configMaps[keyOf(o)] = o as ConfigMapLike;
  }
  return staticObjectSource({ secrets, configMaps });
}
