/**
 * What the device rules share: where devices sit under a spec path, the cause kubevirt-ts gives for
 * what it cannot run, quoting values into messages, finding repeated names, and the value grammars
 * KubeVirt and libvirt both use (PCI addresses, user aliases).
 */
import type { FieldPath } from '../../../core/field-path.js';
import type { Devices, VirtualMachineInstanceSpec } from '../../../crd-gen/index.js';
import { cause, CauseType, type Cause } from '../../cause.js';

/** A spec as the validators see it. */
export type Spec = Readonly<VirtualMachineInstanceSpec>;

/** `<spec>.domain.devices`: where every device rule's field starts. */
export function devicesPath(spec: FieldPath): FieldPath {
  return spec.child('domain').child('devices');
}

const NO_DEVICES: Readonly<Devices> = {};

/**
 * The spec's devices, or none. The schema requires them, but validators never throw on bad input,
 * so a spec that skipped the schema still gets causes rather than a TypeError.
 */
export function devicesOf(spec: Spec): Readonly<Devices> {
  return (spec.domain as Spec['domain'] | undefined)?.devices ?? NO_DEVICES;
}

/** A value as messages quote it: JSON, so empty strings and odd characters stay visible. */
export function quote(value: unknown): string {
  return JSON.stringify(value) ?? String(value);
}

/** The wording of every refusal of something KubeVirt accepts but kubevirt-ts cannot run. */
export const NOT_SUPPORTED = 'is not supported by kubevirt-ts';

/**
 * FieldValueNotSupported for a feature the launcher (converter or volume planner) refuses, so
 * admission never accepts a VMI that would fail at start. `hint` says what to use instead.
 */
export function notSupported(field: FieldPath, what: string, hint?: string): Cause {
  const tail = hint === undefined ? '' : `; ${hint}`;
  return cause(CauseType.NotSupported, field, `${what} ${NOT_SUPPORTED}${tail}`);
}

/** FieldValueInvalid, the cause type most KubeVirt rules use. */
export function invalid(field: FieldPath, message: string): Cause {
  return cause(CauseType.Invalid, field, message);
}

interface NameIndex {
  /** Each name's entry indexes, in list order. */
  readonly byName: ReadonlyMap<unknown, readonly number[]>;
  /** For each entry, how many entries before it carry its name. */
  readonly earlier: readonly number[];
}

const NAME_INDEXES = new WeakMap<readonly unknown[], NameIndex>();

/** The name index of a list, built once per list (a rule asks for each entry: linear, not quadratic). */
function nameIndexOf(list: readonly { readonly name?: unknown }[]): NameIndex {
  const known = NAME_INDEXES.get(list);
  if (known !== undefined) return known;
  const byName = new Map<unknown, number[]>();
  const earlier = list.map((entry, i) => {
    const indexes = byName.get(entry.name) ?? [];
    if (indexes.length === 0) byName.set(entry.name, indexes);
    indexes.push(i);
    return indexes.length - 1;
  });
  const index = { byName, earlier };
  NAME_INDEXES.set(list, index);
  return index;
}

/**
 * The entries before `index` that carry the same name: the first `limit` of their indexes in list
 * order, and how many there are in all. Linear over a list however often its names repeat.
 */
export function earlierWithName(list: readonly { readonly name?: unknown }[], index: number, limit: number): { readonly indexes: readonly number[]; readonly count: number } {
  const { byName, earlier } = nameIndexOf(list);
  const count = earlier[index] ?? 0;
  if (count === 0) return { indexes: [], count };
  const all = byName.get(list[index]?.name) ?? [];
  return { indexes: all.slice(0, Math.min(count, limit)), count };
}

/** Whether a KubeVirt FeatureState-like switch is present and not turned off (`enabled` unset means on). */
export function isOn(feature: { readonly enabled?: boolean } | undefined): boolean {
  return feature !== undefined && feature.enabled !== false;
}

/** Whether the string is set and not empty (Go's `!= ""`). */
export function isSet(value: string | undefined): value is string {
  return value !== undefined && value !== '';
}

/** KubeVirt's `ParsePciAddress` grammar: `DDDD:BB:SS.F` in hex, function 0 to 7. */
const PCI_ADDRESS = /^[0-9a-fA-F]{4}:[0-9a-fA-F]{2}:[0-9a-fA-F]{2}\.[0-7]$/;

/** Whether `value` is a guest PCI address `DDDD:BB:SS.F`. */
export function isPciAddress(value: string): boolean {
  return PCI_ADDRESS.test(value);
}

/** libvirt's `aliasName`: the converter names user devices `ua-<name>`, so the name must fit it. */
const ALIAS_NAME = /^[a-zA-Z0-9_.-]+$/;

/**
 * A refusal of a device name libvirt cannot hold in the converter's user alias `ua-<name>`, or
 * undefined when the name fits.
 * @see https://github.com/kubevirt/kubevirt/blob/main/pkg/virt-launcher/virtwrap/api/schema.go (NewUserDefinedAlias)
 */
export function aliasNameCause(field: FieldPath, name: string | undefined): Cause | undefined {
  if (ALIAS_NAME.test(name ?? '')) return undefined;
  return notSupported(field, `the device name ${quote(name ?? '')}`, 'kubevirt-ts names the device "ua-<name>" in libvirt, which takes letters, digits, "_", "." and "-" only');
}

/** The values of a list as `a, b, c` for messages. */
export function listOf(values: readonly string[]): string {
  return values.join(', ');
}
