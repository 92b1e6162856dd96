/**
 * Small shared pieces of the converter: on/off spellings, KubeVirt's "present but enabled unset
 * means on" rule, and the checks that keep user strings inside what libvirt's grammar
 * (`domaincommon.rng`) and XML 1.0 can carry. A value outside them is refused with a
 * ConversionError naming the field, never written as XML libvirt would reject or alter.
 * @see /usr/share/libvirt/schemas/domaincommon.rng
 */
import { ConversionError } from '../../core/errors.js';
import type { Alias, OnOff, YesNo } from '../domain/schema.js';

/** `on`/`off` for a flag. */
export function onOff(value: boolean): OnOff {
  return value ? 'on' : 'off';
}

/** `yes`/`no` for a flag. */
export function yesNo(value: boolean): YesNo {
  return value ? 'yes' : 'no';
}

/** KubeVirt's FeatureState rule: a switch that is present with `enabled` unset counts as on. */
export function isEnabled(feature: { readonly enabled?: boolean } | undefined): boolean {
  return feature !== undefined && feature.enabled !== false;
}

/**
 * Characters XML 1.0 cannot carry verbatim: C0 controls (a parser normalises tab, CR and LF in
 * attributes and CR in text, and rejects the rest), U+FFFE/U+FFFF and lone surrogates.
 */
const NOT_XML_SAFE = /[\u0000-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/u;

/**
 * The value when XML can carry it unchanged; a ConversionError naming `field` otherwise.
 * Every free-text user value (kernel arguments, SMBIOS strings, names) passes through here.
 */
export function xmlText(field: string, value: string): string {
  const bad = NOT_XML_SAFE.exec(value);
  if (bad !== null) {
    const code = bad[0].codePointAt(0) ?? 0;
    throw new ConversionError(field, `contains the character U+${code.toString(16).toUpperCase().padStart(4, '0')}, which XML cannot carry; control characters are not allowed`);
  }
  return value;
}

/**
 * The value when it matches libvirt's pattern for the field, a ConversionError otherwise.
 * `allowed` describes the pattern in words for the message.
 */
export function matching(field: string, value: string, pattern: RegExp, allowed: string): string {
  if (!pattern.test(value)) throw new ConversionError(field, `${JSON.stringify(value)} is not allowed: libvirt accepts ${allowed}`);
  return value;
}

/** The value when it is one of `choices`, a ConversionError listing them otherwise. */
export function oneOf<T extends string>(field: string, value: string, choices: readonly T[]): T {
  if (!(choices as readonly string[]).includes(value)) throw new ConversionError(field, `${JSON.stringify(value)} is not supported; use one of ${choices.join(', ')}`);
  return value as T;
}

/** libvirt's `aliasName`; user aliases are `ua-` + the device name. */
const ALIAS_NAME = /^[a-zA-Z0-9_\-.]+$/;

/**
 * KubeVirt's user alias `ua-<name>` for a user-named device, so events and status map back to the
 * VMI's device. Names libvirt cannot hold in an alias are refused.
 * @see https://github.com/kubevirt/kubevirt/blob/main/pkg/virt-launcher/virtwrap/api/schema.go (NewUserDefinedAlias)
 */
export function userAlias(field: string, name: string): Alias {
  return { name: `ua-${matching(field, name, ALIAS_NAME, 'letters, digits, "_", "-" and "." only')}` };
}

/** The model of a virtio device: non-transitional (PCIe only) unless the VMI asks for transitional. */
export function virtioModel(useTransitional: boolean | undefined): string {
  return useTransitional === true ? 'virtio-transitional' : 'virtio-non-transitional';
}

const PCI_ADDRESS = /^([0-9a-fA-F]{4}):([0-9a-fA-F]{2}):([0-9a-fA-F]{2})\.([0-7])$/;

/** A `DDDD:BB:SS.F` guest PCI address as libvirt's `<address type="pci">`. */
export function pciAddress(field: string, text: string): { type: string; domain: string; bus: string; slot: string; function: string } {
  const m = PCI_ADDRESS.exec(text);
  if (m === null) throw new ConversionError(field, `${JSON.stringify(text)} is not a PCI address of the form DDDD:BB:SS.F (hex)`);
  const [, domain = '', bus = '', slot = '', fn = ''] = m;
  return { type: 'pci', domain: `0x${domain}`, bus: `0x${bus}`, slot: `0x${slot}`, function: `0x${fn}` };
}
