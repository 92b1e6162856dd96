/**
 * YAML for humans and for kubectl. kubectl reads YAML 1.1, where `yes`, `on` and `no` are booleans,
 * so strings like those are quoted on the way out, and manifests are read with kubectl's scalars.
 */
import { parseAllDocuments, stringify, type Document, type ScalarTag, type Tags } from 'yaml';

/** One object as a YAML document body, quoting strings kubectl would read as booleans. */
export function toYaml(value: unknown): string {
  return stringify(value, { version: '1.1', lineWidth: 0, aliasDuplicateObjects: false });
}

/** Several objects as one multi-document YAML stream, each document opened by `---`. */
export function toYamlDocuments(values: readonly unknown[]): string {
  return values.map((v) => `---\n${toYaml(v)}`).join('');
}

/**
 * A YAML 1.1 float as kubectl's parser (go-yaml v2) resolves it: a mantissa with at least one digit,
 * an optional exponent. The `yaml` package's own 1.1 rule also takes `e1000` (a NIC model) and `.`
 * as floats, which would turn `model: e1000` into NaN.
 */
const kubeFloat: ScalarTag = {
  identify: (value) => typeof value === 'number',
  default: true,
  tag: 'tag:yaml.org,2002:float',
  test: /^[-+]?(?:\.[0-9][0-9_]*|[0-9][0-9_]*(?:\.[0-9_]*)?)(?:[eE][-+]?[0-9]+)?$/,
  resolve: (str: string) => parseFloat(str.replace(/_/g, '')),
};

/**
 * The YAML 1.1 tags kubectl resolves: the `yaml` package's set without its float rules (replaced
 * above), sexagesimal numbers (`1:30` stays a string) and timestamps (go-yaml v2 hands those to
 * JSON as strings).
 */
function kubeTags(tags: Tags): Tags {
  const dropped = (t: Tags[number]): boolean => {
    if (typeof t !== 'object' || !('tag' in t)) return false;
    if (t.tag === 'tag:yaml.org,2002:float' && 'test' in t && t.test !== undefined && !String(t.test).includes('inf')) return true;
    if (t.tag === 'tag:yaml.org,2002:timestamp') return true;
    return 'format' in t && t.format === 'TIME';
  };
  return [...tags.filter((t) => !dropped(t)), kubeFloat];
}

/**
 * Parses a multi-document YAML (or JSON) text with kubectl's YAML 1.1 scalar rules. A key repeated
 * in one mapping is a document error unless `uniqueKeys` is false (then the later value wins when
 * the document is turned into data, and core/manifests.ts names the repeated fields).
 */
export function parseKubeYamlDocuments(text: string, options: { readonly uniqueKeys?: boolean } = {}): Document[] {
  const docs = parseAllDocuments(text, { version: '1.1', customTags: kubeTags, prettyErrors: true, uniqueKeys: options.uniqueKeys ?? true });
  return Array.isArray(docs) ? docs : [docs];
}
