/**
 * Field paths as KubeVirt reports them: dotted names with `[i]` list indexes, from the object root
 * (`spec.domain.devices.disks[1].name`). A small class, not closures: validators build thousands of
 * paths per admission, and a path is just its text.
 */

/** An immutable field path; `child` and `index` return new paths. */
export class FieldPath {
  private constructor(private readonly text: string) {}

  /** The empty path (the object root). */
  static readonly root: FieldPath = new FieldPath('');

  /** This path with `.name` appended. */
  child(name: string): FieldPath {
    return new FieldPath(this.text === '' ? name : `${this.text}.${name}`);
  }

  /** This path with `[i]` appended. */
  index(i: number): FieldPath {
    return new FieldPath(`${this.text}[${i}]`);
  }

  /** The path as KubeVirt prints it. */
  toString(): string {
    return this.text;
  }
}

/** A path starting at the given segments: `path('spec', 'domain')` → `spec.domain`. */
export function path(...names: readonly string[]): FieldPath {
  let p = FieldPath.root;
  for (const n of names) p = p.child(n);
  return p;
}
