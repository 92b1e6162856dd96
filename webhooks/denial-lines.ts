/**
 * A denial as the lines a person reads, one per cause: `Kind/name: field.path: message`. `kvt
 * validate` prints them and `cdk8s synth` fails with them (synth/vm/admission.ts), so both say
 * the same thing about the same object.
 */
import type { DenialStatus } from './admission-handlers.js';
import type { Cause } from './cause.js';

/**
 * The message without a leading copy of its own field: KubeVirt's messages often start with the
 * path, and the line already names it once.
 */
function withoutField(field: string, message: string): string {
  if (field === '' || !message.startsWith(field)) return message;
  const rest = message.slice(field.length);
  // Only a whole path: `spec.a` must not be cut out of `spec.ab …` or `spec.a[0] …`.
  if (!/^[\s:]/.test(rest)) return message;
  const trimmed = rest.replace(/^:?\s*/, '');
  return trimmed === '' ? message : trimmed;
}

/** One cause as a line: `Kind/name: field.path: message` (`<root>` for the object itself). */
export function causeLine(name: string, c: Cause): string {
  return `${name}: ${c.field === '' ? '<root>' : c.field}: ${withoutField(c.field, c.message)}`;
}

/** A denial as lines: one per cause, or its message when it has none (KubeVirt's 400s carry only a message). */
export function denialLines(name: string, status: DenialStatus): string[] {
  const causes = status.details?.causes ?? [];
  return causes.length > 0 ? causes.map((c) => causeLine(name, c)) : [`${name}: ${status.message}`];
}
