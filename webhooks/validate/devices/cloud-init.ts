/**
 * KubeVirt's cloud-init rules (B48–B54) for a cloudInitNoCloud volume, else a cloudInitConfigDrive
 * one: base64 that decodes, one user-data and one network-data source at most, 2048 bytes of each
 * inline (a Secret has no limit), and at least one source. Plus a refusal of what the kubevirt-ts
 * volume planner cannot build: a secret reference without a Secret name.
 * @see https://github.com/kubevirt/kubevirt/blob/main/pkg/virt-api/webhooks/validating-webhook/admitters/vmi-create-admitter.go (validateCloudInitNoCloud…)
 * @see ../../../launcher/volumes/cloud-init.ts
 */
import type { FieldPath } from '../../../core/field-path.js';
import type { CloudInitNoCloudSource, LocalObjectReference, Volume } from '../../../crd-gen/index.js';
import type { Cause } from '../../cause.js';
import { invalid, isSet, notSupported, quote } from './common.js';

/** Both cloud-init sources have the same fields. */
type CloudInit = Readonly<CloudInitNoCloudSource>;

/** The most inline user data or network data KubeVirt takes, in bytes. */
const MAX_INLINE_BYTES = 2048;
/** RFC 4648 standard alphabet, padded. */
const STD_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

const OUTSIDE_ALPHABET = /[^A-Za-z0-9+/=]/;

/** Line breaks are skipped, as Go's decoder skips them. */
function compacted(text: string): string {
  return text.replace(/[\r\n]/g, '');
}

/**
 * Why `text` is not standard base64, or undefined. The reason names the offending character or
 * length rather than quoting the data, which may hold secrets.
 */
export function base64Problem(text: string): string | undefined {
  const compact = compacted(text);
  if (STD_BASE64.test(compact)) return undefined;
  const bad = OUTSIDE_ALPHABET.exec(compact);
  if (bad !== null) return `the character ${quote(bad[0])} at offset ${bad.index} is outside the standard base64 alphabet`;
  if (compact.length % 4 !== 0) return `its length ${compact.length} is not a multiple of 4 (standard base64 is padded)`;
  return 'its "=" padding is misplaced';
}

/** The bytes standard base64 decodes to, or undefined when it is not valid. */
function decodedLength(text: string): number | undefined {
  return base64Problem(text) === undefined ? Buffer.from(compacted(text), 'base64').length : undefined;
}

/** The three fields of one kind of data, by name. */
interface DataKind {
  readonly what: 'userdata' | 'networkdata';
  readonly plain: 'userData' | 'networkData';
  readonly base64: 'userDataBase64' | 'networkDataBase64';
  readonly secretRef: 'secretRef' | 'networkDataSecretRef';
}

const USER: DataKind = { what: 'userdata', plain: 'userData', base64: 'userDataBase64', secretRef: 'secretRef' };
const NETWORK: DataKind = { what: 'networkdata', plain: 'networkData', base64: 'networkDataBase64', secretRef: 'networkDataSecretRef' };

/** How many sources of `kind` the volume sets (a secret reference counts only with a name). */
function sourceCount(ci: CloudInit, kind: DataKind): number {
  const ref = ci[kind.secretRef];
  return [isSet(ref?.name), isSet(ci[kind.base64]), isSet(ci[kind.plain])].filter(Boolean).length;
}

/** B48/B51, B49/B52, B50/B53 for one kind of data. */
function dataCauses(ci: CloudInit, kind: DataKind, at: FieldPath): Cause[] {
  const out: Cause[] = [];
  const encoded = ci[kind.base64];
  const decoded = isSet(encoded) ? decodedLength(encoded) : 0;
  if (decoded === undefined) out.push(invalid(at.child(kind.base64), `${at}.${kind.base64} is not valid base64: ${base64Problem(encoded ?? '') ?? ''}`));
  const count = sourceCount(ci, kind);
  if (count > 1) out.push(invalid(at, `${at} sets ${count} ${kind.what} sources; only one is allowed`));
  const plain = ci[kind.plain];
  const size = isSet(plain) ? Buffer.byteLength(plain, 'utf8') : (decoded ?? 0);
  if (size > MAX_INLINE_BYTES) {
    out.push(invalid(at, `${at} has ${size} bytes of ${kind.what}, over the ${MAX_INLINE_BYTES}-byte limit; use ${kind.secretRef} for more`));
  }
  return out;
}

/** The cloud-init source of a volume and its field name: NoCloud first, as KubeVirt picks it. */
function cloudInitOf(volume: Readonly<Volume>): { readonly key: 'cloudInitNoCloud' | 'cloudInitConfigDrive'; readonly ci: CloudInit } | undefined {
  if (volume.cloudInitNoCloud !== undefined) return { key: 'cloudInitNoCloud', ci: volume.cloudInitNoCloud };
  return volume.cloudInitConfigDrive === undefined ? undefined : { key: 'cloudInitConfigDrive', ci: volume.cloudInitConfigDrive };
}

/** B48–B54 for one volume. */
export function cloudInitCauses(volume: Readonly<Volume>, field: FieldPath): Cause[] {
  const found = cloudInitOf(volume);
  if (found === undefined) return [];
  const at = field.child(found.key);
  const out = [...dataCauses(found.ci, USER, at), ...dataCauses(found.ci, NETWORK, at)];
  if (sourceCount(found.ci, USER) + sourceCount(found.ci, NETWORK) === 0) {
    out.push(invalid(at, `${at} must have at least one userdata or networkdata source`));
  }
  return out;
}

function namelessRef(ref: Readonly<LocalObjectReference> | undefined, at: FieldPath): Cause[] {
  if (ref === undefined || isSet(ref.name)) return [];
  return [notSupported(at.child('name'), `the secret reference ${quote(ref)} without a Secret name`, 'name the Secret, or drop the reference')];
}

/** The planner reads a secret reference before inline data, and cannot read one without a name. */
export function cloudInitSupportCauses(volume: Readonly<Volume>, field: FieldPath): Cause[] {
  return (['cloudInitNoCloud', 'cloudInitConfigDrive'] as const).flatMap((key) => {
    const ci = volume[key];
    if (ci === undefined) return [];
    const at = field.child(key);
    return [...namelessRef(ci.secretRef, at.child('secretRef')), ...namelessRef(ci.networkDataSecretRef, at.child('networkDataSecretRef'))];
  });
}
