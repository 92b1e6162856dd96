/**
 * Small pieces the compute rules share: field paths from dotted names, quantities read the way
 * Kubernetes' `resource.Quantity` reads them (`Value()` rounded up, `MilliValue()`), KubeVirt's
 * "present with `enabled` unset means on" switch, feature gates, and the two kinds of cause that
 * are kubevirt-ts' own: "not supported by kubevirt-ts" and "libvirt cannot carry this value".
 */
import type { ClusterConfig } from '../../../core/cluster-config.js';
import type { FieldPath } from '../../../core/field-path.js';
import { parseQuantity, quantityInt } from '../../../core/quantity.js';
import type { Quantity, VirtualMachineInstanceSpec } from '../../../crd-gen/index.js';
import { cause, CauseType, type Cause } from '../../cause.js';

/** A spec as validators receive it. */
export type Spec = Readonly<VirtualMachineInstanceSpec>;

/** `base` extended by dotted names: `at(path, 'domain.cpu.cores')` → `spec.domain.cpu.cores`. */
export function at(base: FieldPath, dotted: string): FieldPath {
  return dotted.split('.').reduce((p, name) => p.child(name), base);
}

/** A quantity's integer value rounded up, as `Quantity.Value()`; absent or malformed counts as 0. */
export function valueOf(q: Quantity | undefined): number {
  return quantityInt(q) ?? 0;
}

/** A quantity in thousandths, rounded up, as `Quantity.MilliValue()`; absent or malformed is 0. */
export function milliOf(q: Quantity | undefined): number {
  const v = parseQuantity(q);
  return v === undefined ? 0 : Math.ceil(Math.round(v * 1e6) / 1e3);
}

/** A quantity as the user wrote it, for messages (`'1500m'`), or `'0'` when absent. */
export function shown(q: Quantity | undefined): string {
  return `'${q ?? 0}'`;
}

/** `spec.domain.resources.requests[name]`. */
export function requestOf(spec: Spec, name: 'cpu' | 'memory'): Quantity | undefined {
  return spec.domain.resources?.requests?.[name];
}

/** `spec.domain.resources.limits[name]`. */
export function limitOf(spec: Spec, name: 'cpu' | 'memory'): Quantity | undefined {
  return spec.domain.resources?.limits?.[name];
}

/** KubeVirt's FeatureState rule: a switch that is present with `enabled` unset counts as on. */
export function isOn(feature: { readonly enabled?: boolean } | undefined): boolean {
  return feature !== undefined && feature.enabled !== false;
}

/** Whether a feature gate is listed in the cluster's `developerConfiguration.featureGates`. */
export function gateEnabled(cfg: ClusterConfig, gate: string): boolean {
  return cfg.featureGates.includes(gate);
}

/** The guest architecture: the spec's, else the cluster default (KubeVirt's fallback in several rules). */
export function archOf(spec: Spec, cfg: ClusterConfig): string {
  return spec.architecture || cfg.defaultArchitecture;
}

/** Whether the guest uses UEFI with secure boot on (`secureBoot` left out means on). */
export function secureBootOn(spec: Spec): boolean {
  const efi = spec.domain.firmware?.bootloader?.efi;
  return efi !== undefined && efi.secureBoot !== false;
}

/**
 * The cause for a field kubevirt-ts cannot run. The wording is the launcher's own
 * (`<what> is not supported by kubevirt-ts`), so admission and conversion say the same thing.
 */
export function notSupported(field: FieldPath, what: string, why?: string): Cause {
  return cause(CauseType.NotSupported, field, `${what} is not supported by kubevirt-ts${why === undefined ? '' : `: ${why}`}`);
}

/**
 * Characters XML 1.0 cannot carry verbatim (C0 controls, U+FFFE/U+FFFF, lone surrogates): the
 * launcher refuses free text holding them, so admission refuses it first.
 */
const NOT_XML_SAFE = /[\u0000-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/u;

/** The first character of `value` XML cannot carry, as `U+000A`, or undefined when there is none. */
export function xmlUnsafeChar(value: string): string | undefined {
  const bad = NOT_XML_SAFE.exec(value);
  if (bad === null) return undefined;
  const code = bad[0].codePointAt(0) ?? 0;
  return `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
}

/** A cause when free text holds a character XML cannot carry; none otherwise (or when unset). */
export function xmlTextCauses(field: FieldPath, value: string | undefined): Cause[] {
  const bad = value === undefined ? undefined : xmlUnsafeChar(value);
  if (bad === undefined) return [];
  return [cause(CauseType.Invalid, field, `${field} ${JSON.stringify(value)} contains the character ${bad}, which the domain XML cannot carry; control characters are not allowed`)];
}

/** A cause when a set value does not match libvirt's grammar for the field; `allowed` says it in words. */
export function libvirtPatternCauses(field: FieldPath, value: string | undefined, pattern: RegExp, allowed: string): Cause[] {
  if (value === undefined || pattern.test(value)) return [];
  return [cause(CauseType.Invalid, field, `${field} ${JSON.stringify(value)} is not allowed: libvirt accepts ${allowed}`)];
}
