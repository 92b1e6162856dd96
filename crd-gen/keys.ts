/**
 * The key table (`schemas/keys.yaml`): every label, annotation, finalizer, pod condition and
 * extended-resource key we read or write, and its rendering as `generated/keys.ts`. Pure: the YAML
 * is read by sources.ts. A malformed table fails `npm run gen` with the entry named.
 */
import { GENERATED_HEADER } from './render.js';
import { SchemaSourceError } from './bundle.js';

/** The sections of the table, in file order, each rendered as one `as const` object. */
export const KEY_SECTIONS = {
  labels: { constant: 'Labels', summary: 'Label keys.' },
  annotations: { constant: 'Annotations', summary: 'Annotation keys.' },
  annotationPrefixes: { constant: 'AnnotationPrefixes', summary: 'Annotation key prefixes (a name follows).' },
  finalizers: { constant: 'Finalizers', summary: 'Finalizers.' },
  podConditions: { constant: 'PodConditions', summary: 'Pod condition types (readiness gates).' },
  resourceNames: { constant: 'ResourceNames', summary: 'Extended resource names a launcher pod requests.' },
} as const;

/** A section's name. */
export type KeySection = keyof typeof KEY_SECTIONS;

/** One entry of the table. */
export interface KeyEntry {
  readonly name: string;
  readonly key: string;
  readonly meaning: string;
  readonly values?: Readonly<Record<string, string>>;
}

/** The parsed table. */
export type KeyTable = Readonly<Record<KeySection, readonly KeyEntry[]>>;

const NAME = /^[a-z][A-Za-z0-9]*$/;

const isText = (v: unknown): v is string => typeof v === 'string' && v.trim() !== '';
const isNamedValues = (v: unknown): v is Record<string, string> => typeof v === 'object' && v !== null && Object.values(v).every((x) => typeof x === 'string');

function entryOf(section: string, name: string, raw: unknown): KeyEntry {
  const where = `keys.yaml: ${section}.${name}`;
  if (!NAME.test(name)) throw new SchemaSourceError(`${where}: a constant name is lowerCamelCase`);
  const { key, meaning, values } = (raw ?? {}) as { key?: unknown; meaning?: unknown; values?: unknown };
  if (!isText(key)) throw new SchemaSourceError(`${where}: \`key\` must be a non-empty string`);
  if (!isText(meaning)) throw new SchemaSourceError(`${where}: \`meaning\` must say what the key means`);
  if (values !== undefined && !isNamedValues(values)) throw new SchemaSourceError(`${where}: \`values\` maps names to strings`);
  return { name, key, meaning: meaning.trim(), ...(values === undefined ? {} : { values }) };
}

/** The table from the parsed YAML document; refuses unknown sections, malformed and duplicate entries. */
export function parseKeyTable(doc: Readonly<Record<string, unknown>>): KeyTable {
  const unknown = Object.keys(doc).filter((s) => !(s in KEY_SECTIONS));
  if (unknown.length > 0) throw new SchemaSourceError(`keys.yaml: unknown section(s) ${unknown.join(', ')}; sections are ${Object.keys(KEY_SECTIONS).join(', ')}`);
  const seen = new Map<string, string>();
  const table = {} as Record<KeySection, KeyEntry[]>;
  for (const section of Object.keys(KEY_SECTIONS) as KeySection[]) {
    const raw = (doc[section] ?? {}) as Record<string, unknown>;
    table[section] = Object.entries(raw).map(([name, entry]) => entryOf(section, name, entry));
    for (const e of table[section]) {
      const id = `${section}:${e.key}`;
      if (seen.has(id)) throw new SchemaSourceError(`keys.yaml: ${section}.${e.name} repeats the key of ${seen.get(id) ?? ''}`);
      seen.set(id, `${section}.${e.name}`);
    }
  }
  return table;
}

const quote = (s: string): string => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
const doc = (text: string): string => `  /** ${text.replace(/\*\//g, '*\\/')} */`;

function renderSection(section: KeySection, entries: readonly KeyEntry[]): string[] {
  const { constant, summary } = KEY_SECTIONS[section];
  return [`/** ${summary} */`, `export const ${constant} = {`, ...entries.flatMap((e) => [doc(e.meaning), `  ${e.name}: ${quote(e.key)},`]), '} as const;', ''];
}

/** `generated/keys.ts`: one `as const` object per section, each key with its meaning, plus the named label values. */
export function renderKeys(table: KeyTable): string {
  const values = table.labels.flatMap((e) => Object.entries(e.values ?? {}).map(([name, value]) => ({ name, value, of: e })));
  return [
    GENERATED_HEADER,
    '',
    ...(Object.keys(KEY_SECTIONS) as KeySection[]).flatMap((s) => renderSection(s, table[s])),
    '/** Named values of labels. */',
    'export const LabelValues = {',
    ...values.flatMap((v) => [doc(`A value of ${v.of.key}.`), `  ${v.name}: ${quote(v.value)},`]),
    '} as const;',
    '',
  ].join('\n');
}
