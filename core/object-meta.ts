/**
 * Object metadata as the Kubernetes API server validates it before any validating webhook sees the
 * object (apimachinery's ValidateObjectMeta): the name (a DNS-1123 subdomain for most kinds, a
 * DNS-1123 label for Namespaces, a DNS-1035 label for Services), generateName, the namespace,
 * label keys and values, annotation keys and their total size; every value of the wrong JSON type.
 * Pure. The local store and `kvt validate` refuse with it what a cluster refuses, in the API
 * server's words, so a manifest behaves the same in both modes.
 * @see https://kubernetes.io/docs/concepts/overview/working-with-objects/names/
 * @see https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#syntax-and-character-set
 */
import { DNS_LABEL, DNS_SUBDOMAIN } from './paths.js';

/** One reason metadata is refused, as a Kubernetes StatusCause. */
export interface MetaCause {
  readonly type: 'FieldValueInvalid' | 'FieldValueRequired' | 'FieldValueTooLong';
  readonly field: string;
  readonly message: string;
}

/** Which rule a kind's names follow. */
export type NameRule = 'dns1123-subdomain' | 'dns1123-label' | 'dns1035-label';

const DNS1123_SUBDOMAIN_MESSAGE =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const DNS1123_LABEL_MESSAGE =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const DNS1035_LABEL_MESSAGE =
  "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";
const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const QUALIFIED_NAME_MESSAGE =
  "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const LABEL_VALUE_MESSAGE =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";
/** Longest label value and name part of a qualified name. */
const MAX_LABEL = 63;
const MAX_SUBDOMAIN = 253;
/** The API server's limit on all annotations of one object together (keys and values), in bytes. */
export const MAX_ANNOTATIONS_BYTES = 256 * 1024;

/** The name rule of a kind (core kinds with their own; every other kind, ours included, a subdomain). */
export function nameRuleOf(kind: string): NameRule {
  if (kind === 'Namespace') return 'dns1123-label';
  if (kind === 'Service') return 'dns1035-label';
  return 'dns1123-subdomain';
}

const RULES: Readonly<Record<NameRule, { readonly pattern: RegExp; readonly max: number; readonly message: string }>> = {
  'dns1123-subdomain': { pattern: DNS_SUBDOMAIN, max: MAX_SUBDOMAIN, message: DNS1123_SUBDOMAIN_MESSAGE },
  'dns1123-label': { pattern: DNS_LABEL, max: MAX_LABEL, message: DNS1123_LABEL_MESSAGE },
  'dns1035-label': { pattern: DNS1035_LABEL, max: MAX_LABEL, message: DNS1035_LABEL_MESSAGE },
};

/** Kubernetes' messages for why `value` breaks `rule` (none when it follows it): its length, then its form. */
export function nameProblems(value: string, rule: NameRule): string[] {
  const { pattern, max, message } = RULES[rule];
  return [...(value.length > max ? [`must be no more than ${max} characters`] : []), ...(pattern.test(value) ? [] : [message])];
}

/** Go's `%q`-like quoting the API server uses for a bad value. */
const shown = (value: unknown): string => (typeof value === 'string' ? JSON.stringify(value) : JSON.stringify(value) ?? String(value));

const invalidValue = (field: string, value: unknown, detail: string): MetaCause => ({ type: 'FieldValueInvalid', field, message: `Invalid value: ${shown(value)}: ${detail}` });

/** Why `key` is not a qualified name (`prefix/name`, the prefix a DNS-1123 subdomain): Kubernetes' messages. */
export function qualifiedNameProblems(key: string): string[] {
  const parts = key.split('/');
  if (parts.length > 2) return [`a qualified name ${QUALIFIED_NAME_MESSAGE} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`];
  const [prefix, name] = parts.length === 2 ? [parts[0] as string, parts[1] as string] : [undefined, parts[0] as string];
  const out: string[] = [];
  if (prefix !== undefined) {
    if (prefix === '') out.push('prefix part must be non-empty');
    else out.push(...nameProblems(prefix, 'dns1123-subdomain').map((p) => `prefix part ${p}`));
  }
  if (name === '') out.push('name part must be non-empty');
  else if (name.length > MAX_LABEL) out.push(`name part must be no more than ${MAX_LABEL} characters`);
  if (name !== '' && !QUALIFIED_NAME.test(name)) out.push(`name part ${QUALIFIED_NAME_MESSAGE}`);
  return out;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function labelCauses(labels: unknown, field: string): MetaCause[] {
  if (labels === undefined || labels === null) return [];
  if (!isRecord(labels)) return [invalidValue(field, labels, 'must be a map of strings to strings')];
  const out: MetaCause[] = [];
  for (const [key, value] of Object.entries(labels)) {
    for (const p of qualifiedNameProblems(key)) out.push(invalidValue(field, key, p));
    if (typeof value !== 'string') out.push(invalidValue(`${field}.${key}`, value, 'must be a string'));
    else {
      if (value.length > MAX_LABEL) out.push(invalidValue(field, value, `must be no more than ${MAX_LABEL} characters`));
      if (!LABEL_VALUE.test(value)) out.push(invalidValue(field, value, LABEL_VALUE_MESSAGE));
    }
  }
  return out;
}

function annotationCauses(annotations: unknown, field: string): MetaCause[] {
  if (annotations === undefined || annotations === null) return [];
  if (!isRecord(annotations)) return [invalidValue(field, annotations, 'must be a map of strings to strings')];
  const out: MetaCause[] = [];
  let bytes = 0;
  for (const [key, value] of Object.entries(annotations)) {
    for (const p of qualifiedNameProblems(key.toLowerCase())) out.push(invalidValue(field, key, p));
    if (typeof value !== 'string') out.push(invalidValue(`${field}.${key}`, value, 'must be a string'));
    bytes += Buffer.byteLength(key) + (typeof value === 'string' ? Buffer.byteLength(value) : 0);
  }
  if (bytes > MAX_ANNOTATIONS_BYTES) out.push({ type: 'FieldValueTooLong', field, message: `Too long: may not be more than ${MAX_ANNOTATIONS_BYTES} bytes` });
  return out;
}

/** A map of strings to strings (labels, annotations), or unset. */
const isStringMap = (v: unknown): boolean => v === undefined || v === null || (isRecord(v) && Object.values(v).every((x) => typeof x === 'string'));

/**
 * The metadata fields whose JSON type is wrong (a number as a name, a list as labels): what the API
 * server refuses when it decodes the object, before any rule. Empty when every type is right.
 */
export function metaTypeProblems(object: unknown): string[] {
  const meta = isRecord(object) ? object['metadata'] : undefined;
  if (meta === undefined) return [];
  if (!isRecord(meta)) return [`metadata is ${Array.isArray(meta) ? 'a list' : typeof meta}, not an object`];
  const strings = STRING_FIELDS.filter((f) => !isStringOrUnset(meta[f])).map((f) => `metadata.${f} is ${Array.isArray(meta[f]) ? 'a list' : typeof meta[f]}, not a string`);
  const maps = MAP_FIELDS.filter((f) => !isStringMap(meta[f])).map((f) => `metadata.${f} is not a map of strings to strings`);
  return [...strings, ...maps];
}

const STRING_FIELDS = ['name', 'generateName', 'namespace', 'uid', 'resourceVersion'] as const;
const MAP_FIELDS = ['labels', 'annotations'] as const;
const isStringOrUnset = (v: unknown): boolean => v === undefined || v === null || typeof v === 'string';

/** How a kind's metadata is checked. */
export interface MetaRules {
  readonly namespaced: boolean;
  readonly nameRule: NameRule;
}

function generateNameCauses(generateName: unknown, rule: NameRule): MetaCause[] {
  if (generateName === undefined || generateName === '') return [];
  if (typeof generateName !== 'string') return [invalidValue('metadata.generateName', generateName, 'must be a string')];
  // A prefix may end in '-' (a suffix follows): checked as the API server does, without it.
  const prefix = generateName.endsWith('-') ? `${generateName.slice(0, -1)}a` : generateName;
  return nameProblems(prefix, rule).map((p) => invalidValue('metadata.generateName', generateName, p));
}

function nameCauses(meta: Record<string, unknown>, rules: MetaRules): MetaCause[] {
  const { name, generateName } = meta;
  const out = generateNameCauses(generateName, rules.nameRule);
  const generated = typeof generateName === 'string' && generateName !== '';
  if (name === undefined || name === '') return generated ? out : [...out, { type: 'FieldValueRequired', field: 'metadata.name', message: 'Required value: name or generateName is required' }];
  if (typeof name !== 'string') return [...out, invalidValue('metadata.name', name, 'must be a string')];
  return [...out, ...nameProblems(name, rules.nameRule).map((p) => invalidValue('metadata.name', name, p))];
}

function namespaceCauses(namespace: unknown, rules: MetaRules): MetaCause[] {
  if (namespace === undefined || namespace === '' || !rules.namespaced) return [];
  if (typeof namespace !== 'string') return [invalidValue('metadata.namespace', namespace, 'must be a string')];
  return nameProblems(namespace, 'dns1123-label').map((p) => invalidValue('metadata.namespace', namespace, p));
}

/**
 * Why an object's metadata is refused (nothing: an empty list), in the API server's words and
 * field paths. `metadata` itself missing or not an object is one cause.
 */
export function objectMetaCauses(object: unknown, rules: MetaRules): MetaCause[] {
  const meta = isRecord(object) ? object['metadata'] : undefined;
  if (!isRecord(meta)) return [isRecord(object) && object['metadata'] !== undefined ? invalidValue('metadata', object['metadata'], 'must be an object') : { type: 'FieldValueRequired', field: 'metadata.name', message: 'Required value: name or generateName is required' }];
  return [
    ...nameCauses(meta, rules),
    ...namespaceCauses(meta['namespace'], rules),
    ...labelCauses(meta['labels'], 'metadata.labels'),
    ...annotationCauses(meta['annotations'], 'metadata.annotations'),
  ];
}
