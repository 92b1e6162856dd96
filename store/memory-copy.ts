/**
 * Deep copies of stored objects. The in-memory API server copies at every boundary (what a caller
 * writes, what it reads back, what each watch delivers), several times per write, so the copy is
 * on its hottest path. API objects are JSON data (plain objects, arrays, strings, numbers,
 * booleans, null), which a recursive copy handles 5-10 times faster than `structuredClone` (which
 * serialises and deserialises: 16 µs against 1.6 µs for a defaulted VMI, 30 against 6 µs for a
 * launcher pod). Anything else (a Date, a Map, an object without Object's prototype, a function)
 * is handed to `structuredClone`, so the result is what `structuredClone` gives (or throws) for it.
 * Pure.
 */

/** A deep copy of `value`, equal to `structuredClone(value)` for any acyclic input. */
export function copyObject<T>(value: T): T {
  return copy(value) as T;
}

/** Whether `value` is passed through as it is (null and the primitives structuredClone copies by value). */
function isPlainValue(value: unknown): boolean {
  return value === null || (typeof value !== 'object' && typeof value !== 'function' && typeof value !== 'symbol');
}

function copy(value: unknown): unknown {
  if (isPlainValue(value)) return value;
  if (Array.isArray(value) && Object.getPrototypeOf(value) === Array.prototype) return copyArray(value);
  if (typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) return copyRecord(value as Record<string, unknown>);
  return structuredClone(value);
}

function copyArray(source: readonly unknown[]): unknown[] {
  const out: unknown[] = new Array<unknown>(source.length);
  // Holes stay holes, as structuredClone keeps them.
  for (let i = 0; i < source.length; i += 1) if (i in source) out[i] = copy(source[i]);
  return out;
}

function copyRecord(source: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(source)) {
    // An own "__proto__" (JSON.parse makes one) stays a member: assigning it would set the prototype.
    if (key === '__proto__') Object.defineProperty(out, key, { value: copy(source[key]), enumerable: true, writable: true, configurable: true });
    else out[key] = copy(source[key]);
  }
  return out;
}
