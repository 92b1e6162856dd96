/**
 * `spec.accessCredentials[].sshPublicKey` with `propagationMethod.noCloud` or `.configDrive`: the
 * public keys of the named Secrets go into the cloud-init **meta-data**, as KubeVirt's launcher puts
 * them (pkg/cloud-init: `NoCloudMetadata.PublicSSHKeys` is `public-keys`,
 * `ConfigDriveMetadata.PublicSSHKeys` is `public_keys`), not into the user-data. Every key of each
 * Secret is one public key (KubeVirt mounts the Secret and reads each file, in name order, skipping
 * empty ones); they are numbered "0", "1", … across the credentials of that propagation method, in
 * spec order. cloud-init installs them for the default user; the demo guest reads them too.
 *
 * Pure: planning says which Secrets feed the meta-data ({@link metaDataEntry}); the launcher
 * runtime reads them and renders the file with {@link publicKeysOf} and {@link metaDataWithKeys}.
 * @see https://github.com/kubevirt/kubevirt/blob/main/pkg/cloud-init/cloud-init.go
 */
import type { VirtualMachineInstance } from '../../crd-gen/index.js';
import type { ObjectData } from './objects.js';
import type { IsoEntry } from './types.js';

/** The two propagation methods that go through a cloud-init disk. */
export type CloudInitKind = 'noCloud' | 'configDrive';

/** One Secret whose keys are public keys, with the field that named it (for errors). */
export interface KeySecret {
  readonly secret: string;
  readonly field: string;
}

/** The Secrets of the VMI's `sshPublicKey` credentials propagated through `kind`, in spec order. */
export function keySecrets(vmi: Readonly<VirtualMachineInstance>, kind: CloudInitKind): KeySecret[] {
  return (vmi.spec.accessCredentials ?? []).flatMap((credential, i): KeySecret[] => {
    const key = credential.sshPublicKey;
    if (key?.propagationMethod[kind] === undefined) return [];
    const secret = key.source.secret?.secretName ?? '';
    return secret === '' ? [] : [{ secret, field: `spec.accessCredentials[${i}].sshPublicKey.source.secret.secretName` }];
  });
}

/**
 * The meta-data file of a cloud-init disk: plain bytes when no credential goes through `kind`,
 * else an entry the runtime completes with the Secrets' keys.
 */
export function metaDataEntry(vmi: Readonly<VirtualMachineInstance>, kind: CloudInitKind, path: string, base: string): IsoEntry {
  const secrets = keySecrets(vmi, kind);
  if (secrets.length === 0) return { type: 'data', path, data: Buffer.from(base, 'utf8') };
  return { type: 'meta-data-keys', path, kind, base, secrets };
}

/** The public keys of the Secrets' data, in order: each Secret's keys by name, empty values skipped. */
export function publicKeysOf(secrets: readonly ObjectData[]): string[] {
  return secrets.flatMap((data) => Object.keys(data).sort()
    .map((name) => Buffer.from(data[name] ?? new Uint8Array()).toString('utf8'))
    .filter((text) => text !== ''));
}

/** KubeVirt's numbering: `{"0": key0, "1": key1, …}`. */
function numbered(keys: readonly string[]): Record<string, string> {
  return Object.fromEntries(keys.map((key, i) => [String(i), key]));
}

/**
 * The meta-data with `keys` added: NoCloud's YAML gains a `public-keys` map (values as JSON
 * strings, which YAML reads alike); ConfigDrive's JSON object gains `public_keys`. No keys: unchanged.
 */
export function metaDataWithKeys(kind: CloudInitKind, base: string, keys: readonly string[]): string {
  if (keys.length === 0) return base;
  if (kind === 'configDrive') {
    const meta = JSON.parse(base) as Record<string, unknown>;
    return `${JSON.stringify({ ...meta, public_keys: numbered(keys) })}\n`;
  }
  const lines = keys.map((key, i) => `  "${i}": ${JSON.stringify(key)}\n`).join('');
  return `${base.endsWith('\n') || base === '' ? base : `${base}\n`}public-keys:\n${lines}`;
}
