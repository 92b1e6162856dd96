/**
 * Values of a downwardAPI volume's files, from the VMI's own metadata (KubeVirt projects the
 * launcher pod's, which carries the VMI's). The fields Kubernetes allows in a volume:
 * `metadata.name`, `metadata.namespace`, `metadata.uid`, `metadata.labels`, `metadata.annotations`
 * and one key of the last two (`metadata.labels['app']`). Maps are written as Kubernetes writes
 * them: `key="value"` lines, sorted by key, values quoted as Go's `%q` quotes them.
 * @see https://kubernetes.io/docs/concepts/workloads/pods/downward-api/
 * @see https://github.com/kubernetes/kubernetes/blob/master/pkg/fieldpath/fieldpath.go (FormatMap)
 */
import { ConversionError } from '../../core/errors.js';
import type { DownwardAPIVolumeFile, VirtualMachineInstance } from '../../crd-gen/index.js';

const MAP_KEY = /^metadata\.(labels|annotations)\['(.*)'\]$/;

/** A string quoted as Go's `%q` does for the strings labels and annotations hold. */
export function goQuote(value: string): string {
  let out = '"';
  for (const ch of value) {
    const code = ch.codePointAt(0) ?? 0;
    if (ch === '"' || ch === '\\') out += `\\${ch}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\r') out += '\\r';
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}

/** `key="value"` lines sorted by key, without a trailing newline (Kubernetes' FormatMap). */
export function formatMap(map: Readonly<Record<string, string>> | undefined): string {
  return Object.keys(map ?? {})
    .sort()
    .map((k) => `${k}=${goQuote(map?.[k] ?? '')}`)
    .join('\n');
}

function metadataValue(vmi: Readonly<VirtualMachineInstance>, namespace: string, fieldPath: string): string | undefined {
  const meta = vmi.metadata;
  const keyed = MAP_KEY.exec(fieldPath);
  if (keyed !== null) {
    const map = keyed[1] === 'labels' ? meta.labels : meta.annotations;
    return map?.[keyed[2] ?? ''] ?? '';
  }
  const plain: Readonly<Record<string, () => string>> = {
    'metadata.name': () => meta.name ?? '',
    'metadata.namespace': () => namespace,
    'metadata.uid': () => meta.uid ?? '',
    'metadata.labels': () => formatMap(meta.labels),
    'metadata.annotations': () => formatMap(meta.annotations),
  };
  return Object.hasOwn(plain, fieldPath) ? plain[fieldPath]?.() : undefined;
}

/** The content of one downwardAPI file; `field` is `spec.volumes[i].downwardAPI.fields[j]`. */
export function downwardApiValue(vmi: Readonly<VirtualMachineInstance>, namespace: string, file: Readonly<DownwardAPIVolumeFile>, field: string): string {
  if (file.resourceFieldRef !== undefined) {
    throw new ConversionError(`${field}.resourceFieldRef`, 'is not supported by kubevirt-ts; use fieldRef with a metadata field');
  }
  const fieldPath = file.fieldRef?.fieldPath;
  if (fieldPath === undefined) throw new ConversionError(`${field}.fieldRef`, 'is not set; a downwardAPI file needs a fieldRef');
  const value = metadataValue(vmi, namespace, fieldPath);
  if (value === undefined) {
    throw new ConversionError(`${field}.fieldRef.fieldPath`, `${JSON.stringify(fieldPath)} is not supported; use metadata.name, metadata.namespace, metadata.uid, metadata.labels, metadata.annotations, or one key of the last two`);
  }
  return value;
}
