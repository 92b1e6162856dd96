/**
 * YAML for humans and for kubectl. kubectl reads YAML 1.1, where `yes`, `on` and `no` are booleans,
 * so strings like those are quoted on the way out.
 */
import { stringify } from 'yaml';

/** One object as a YAML document body, quoting strings kubectl would read as booleans. */
export function toYaml(value: unknown): string {
  return stringify(value, { version: '1.1', lineWidth: 0, aliasDuplicateObjects: false });
}

/** Several objects as one multi-document YAML stream, each document opened by `---`. */
export function toYamlDocuments(values: readonly unknown[]): string {
  return values.map((v) => `---\n${toYaml(v)}`).join('');
}
