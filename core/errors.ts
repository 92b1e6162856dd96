/**
 * kubevirt-ts' error classes. Expected outcomes (validation causes, conflicts) are values; these are
 * for broken invariants and IO edges. Every class sets `name` to its own and forwards `{ cause }`.
 */

/** Base of every kubevirt-ts error. */
export class KubevirtError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/**
 * A VMI that cannot be turned into a libvirt domain. Admission should have refused it, so this
 * names the offending field the way a validation cause would.
 */
export class ConversionError extends KubevirtError {
  /** KubeVirt-style field path, e.g. `spec.domain.devices.disks[1].name`. */
  readonly field: string;

  constructor(field: string, message: string, options?: ErrorOptions) {
    super(`${field}: ${message}`, options);
    this.field = field;
  }
}

/** A failure that retrying cannot fix: record it as a condition, do not requeue. */
export class TerminalError extends KubevirtError {}
