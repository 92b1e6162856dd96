/**
 * Field paths as KubeVirt reports them: dotted names with `[i]` list indexes, from the object root
 * (`spec.domain.devices.disks[1].name`).
 */

/** An immutable field path; `child` and `index` return new paths. */
export interface FieldPath {
  readonly child: (name: string) => FieldPath;
  readonly index: (i: number) => FieldPath;
  readonly toString: () => string;
}

function make(text: string): FieldPath {
  return {
    child: (name) => make(text === '' ? name : `${text}.${name}`),
    index: (i) => make(`${text}[${i}]`),
    toString: () => text,
  };
}

/** A path starting at the given segments: `path('spec', 'domain')` → `spec.domain`. */
export function path(...names: readonly string[]): FieldPath {
  return names.reduce((p, n) => p.child(n), make(''));
}
