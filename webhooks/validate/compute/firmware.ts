/**
 * Firmware: the ACPI table references (A15–A17, reported under `domain.firmware.acpi` where
 * KubeVirt says `spec.acpi`), one bootloader (A43), kernel boot from a container (A44–A48), secure
 * boot's need for SMM (A49), and the values the launcher writes into the domain XML as they are:
 * the SMBIOS uuid (AX19), serial (AX20) and chassis strings (AX21), the kernel command line (AX22)
 * and the kernel and initrd paths inside the image (AX23).
 * @see https://github.com/kubevirt/kubevirt/blob/main/pkg/virt-api/webhooks/validating-webhook/admitters/vmi-create-admitter.go (validateFirmwareACPI, validateBootloader, validateKernelBoot, validateDomainSpec)
 */
import type { FieldPath } from '../../../core/field-path.js';
import { imagePathProblem } from '../../../core/paths.js';
import type { KernelBoot } from '../../../crd-gen/index.js';
import { cause, CauseType, type Cause } from '../../cause.js';
import type { SpecValidator } from '../types.js';
import { at, isOn, libvirtPatternCauses, secureBootOn, xmlTextCauses, type Spec } from './common.js';

const UUID = /^[a-fA-F0-9]{8}-([a-fA-F0-9]{4}-){3}[a-fA-F0-9]{12}$|^[a-fA-F0-9]{32}$/;
const CHASSIS_KEYS = ['manufacturer', 'version', 'serial', 'asset', 'sku'] as const;

/** A16, A17: one table reference names a Secret volume. */
function acpiRef(spec: Spec, field: FieldPath, name: string | undefined, volumes: FieldPath): Cause[] {
  if (!name) return [];
  const volume = (spec.volumes ?? []).find((v) => v.name === name);
  if (volume === undefined) return [cause(CauseType.Invalid, field, `${field} ${JSON.stringify(name)} does not have a matching volume in ${volumes}`)];
  if (volume.secret === undefined) return [cause(CauseType.Invalid, field, `${field} ${JSON.stringify(name)} refers to a volume of unsupported type; only a secret volume can hold an ACPI table`)];
  return [];
}

/** A15–A17: ACPI SLIC/MSDM tables come from Secret volumes. */
export const validateFirmwareAcpi: SpecValidator = (spec, path) => {
  const acpi = spec.domain.firmware?.acpi;
  if (acpi === undefined) return [];
  const field = at(path, 'domain.firmware.acpi');
  if (!acpi.slicNameRef && !acpi.msdmNameRef) return [cause(CauseType.Invalid, field, `${field} was set but neither slicNameRef nor msdmNameRef names a volume`)];
  const volumes = path.child('volumes');
  return [...acpiRef(spec, field.child('slicNameRef'), acpi.slicNameRef, volumes), ...acpiRef(spec, field.child('msdmNameRef'), acpi.msdmNameRef, volumes)];
};

/** The cleaned form of `/` + `p`, as Go's `filepath.Join("/", p)`. */
function cleanRooted(p: string): string {
  const out: string[] = [];
  for (const segment of p.split('/')) {
    if (segment === '..') out.pop();
    else if (segment !== '' && segment !== '.') out.push(segment);
  }
  return `/${out.join('/')}`;
}

/** A47, A48 (KubeVirt's validatePath), then AX23 (what the launcher's image store accepts). */
function kernelFilePath(field: FieldPath, value: string | undefined): Cause[] {
  if (!value) return [];
  if (value === '/') return [cause(CauseType.Invalid, field, `${field} ${JSON.stringify(value)} must not point to root`)];
  const trimmed = value.endsWith('/') ? value.slice(0, -1) : value;
  if (cleanRooted(value) !== trimmed) return [cause(CauseType.Invalid, field, `${field} ${JSON.stringify(value)} must be an absolute path to a file without relative components`)];
  const problem = imagePathProblem(value);
  return problem === undefined ? [] : [cause(CauseType.Invalid, field, `${field} ${JSON.stringify(value)} ${problem}`)];
}

/** A44–A48, AX22, AX23: kernel boot. */
function kernelBootCauses(kb: KernelBoot | undefined, field: FieldPath): Cause[] {
  if (kb === undefined) return [];
  const args = xmlTextCauses(field.child('kernelArgs'), kb.kernelArgs);
  const container = kb.container;
  if (container === undefined) {
    if (!kb.kernelArgs) return args;
    return [cause(CauseType.Invalid, field.child('kernelArgs'), `${field.child('kernelArgs')} ${JSON.stringify(kb.kernelArgs)}: kernel arguments cannot be provided without an external kernel (${field.child('container')})`), ...args];
  }
  const containerField = field.child('container');
  const out: Cause[] = [];
  if (!container.image) out.push(cause(CauseType.Required, containerField.child('image'), `${containerField} must be defined with an image`));
  if (!container.kernelPath && !container.initrdPath) out.push(cause(CauseType.Required, containerField, `${containerField} must be defined with at least one of kernelPath, initrdPath`));
  out.push(...kernelFilePath(containerField.child('kernelPath'), container.kernelPath), ...kernelFilePath(containerField.child('initrdPath'), container.initrdPath));
  return [...out, ...args];
}

/** AX19–AX21: the SMBIOS identity the launcher writes. */
function smbiosCauses(spec: Spec, path: FieldPath): Cause[] {
  const firmware = spec.domain.firmware;
  const uuid = firmware?.uuid || undefined;
  const out = [
    ...libvirtPatternCauses(at(path, 'domain.firmware.uuid'), uuid, UUID, 'a UUID (8-4-4-4-12 hex digits, or 32 hex digits)'),
    ...xmlTextCauses(at(path, 'domain.firmware.serial'), firmware?.serial),
  ];
  const chassis = spec.domain.chassis;
  for (const key of CHASSIS_KEYS) out.push(...xmlTextCauses(at(path, `domain.chassis.${key}`), chassis?.[key]));
  return out;
}

/** A49: EFI secure boot (on unless `secureBoot: false`) needs the SMM feature on. */
function secureBootCauses(spec: Spec, path: FieldPath): Cause[] {
  if (!secureBootOn(spec) || isOn(spec.domain.features?.smm)) return [];
  const field = path.child('domain');
  return [cause(CauseType.Invalid, field, `${field} has EFI secure boot enabled (${at(path, 'domain.firmware.bootloader.efi.secureBoot')} is unset or true); secure boot requires SMM, which is disabled (${at(path, 'domain.features.smm')})`)];
}

/** A43–A49, AX19–AX23. */
export const validateFirmware: SpecValidator = (spec, path) => {
  const firmware = spec.domain.firmware;
  const bootloader = at(path, 'domain.firmware.bootloader');
  const out: Cause[] = [];
  if (firmware?.bootloader?.efi !== undefined && firmware.bootloader.bios !== undefined) {
    out.push(cause(CauseType.Invalid, bootloader, `${bootloader} has both efi and bios configured, but they are mutually exclusive`));
  }
  out.push(...kernelBootCauses(firmware?.kernelBoot, at(path, 'domain.firmware.kernelBoot')));
  out.push(...secureBootCauses(spec, path));
  out.push(...smbiosCauses(spec, path));
  return out;
};
