/**
 * Applying a preference to a VM template, after the instancetype and only when it did not
 * conflict. Preferences never conflict: each one fills a field the template leaves out. Unlike
 * KubeVirt, no empty struct (`clock: {}`, `bootloader: {}`, `features: {}`) is left behind when no
 * preference applies to it, and ACPI and disableHotplug are filled rather than overwritten (KubeVirt
 * overwrites them only because its Go types cannot tell "unset" from "false").
 * @see https://github.com/kubevirt/kubevirt/blob/main/pkg/instancetype/preference/apply/vmi.go
 */
import type {
  Bootloader, Clock, FeatureHyperv, Features, FirmwarePreferences, KubeObjectMeta, VirtualMachineInstanceSpec, VirtualMachinePreferenceSpec,
} from '../../crd-gen/index.js';
import { applyDevicePreferences } from './preference-devices.js';

type Spec = VirtualMachineInstanceSpec;
type Preference = Readonly<VirtualMachinePreferenceSpec>;

function applyCpuFeatures(spec: Spec, pref: Preference): void {
  const preferred = pref.cpu?.preferredCPUFeatures ?? [];
  if (preferred.length === 0) return;
  const cpu = { ...spec.domain.cpu };
  const named = new Set((cpu.features ?? []).map((f) => f.name));
  const added = preferred.filter((f) => !named.has(f.name)).map((f) => ({ ...f }));
  if (added.length > 0) spec.domain.cpu = { ...cpu, features: [...(cpu.features ?? []), ...added] };
}

/** Preferred feature blocks and the template features they fill. */
const FEATURES: readonly (readonly [keyof NonNullable<VirtualMachinePreferenceSpec['features']>, keyof Features])[] = [
  ['preferredAcpi', 'acpi'],
  ['preferredApic', 'apic'],
  ['preferredKvm', 'kvm'],
  ['preferredPvspinlock', 'pvspinlock'],
  ['preferredSmm', 'smm'],
];

function applyHyperv(features: Features, preferred: Readonly<FeatureHyperv>): void {
  if (features.hypervPassthrough?.enabled === true) return;
  const hyperv: Record<string, unknown> = { ...features.hyperv };
  for (const [key, value] of Object.entries(preferred)) if (value !== undefined && hyperv[key] === undefined) hyperv[key] = structuredClone(value);
  features.hyperv = hyperv as FeatureHyperv;
}

function applyFeatures(spec: Spec, pref: Preference): void {
  const preferred = pref.features;
  if (preferred === undefined) return;
  const features: Features = { ...spec.domain.features };
  const out = features as Record<string, unknown>;
  for (const [from, to] of FEATURES) if (preferred[from] !== undefined && features[to] === undefined) out[to] = structuredClone(preferred[from]);
  if (preferred.preferredHyperv !== undefined) applyHyperv(features, preferred.preferredHyperv);
  if (Object.keys(features).length > 0) spec.domain.features = features;
}

/** BIOS when preferred and no boot loader is chosen; the serial-console preference for any BIOS. */
function preferredBios(out: Bootloader, fw: Readonly<FirmwarePreferences>): void {
  if (fw.preferredUseBios === true && out.bios === undefined && out.efi === undefined) out.bios = {};
  const serial = fw.preferredUseBiosSerial;
  if (serial !== undefined && out.bios !== undefined && out.bios.useSerial === undefined) out.bios.useSerial = serial;
}

/**
 * EFI when preferred and no boot loader is chosen: `preferredEfi` (and then nothing else), else
 * the deprecated `preferredUseEfi`; the deprecated secure-boot switch fills any EFI after that.
 */
function preferredEfi(out: Bootloader, fw: Readonly<FirmwarePreferences>): void {
  const unchosen = out.bios === undefined && out.efi === undefined;
  if (unchosen && fw.preferredEfi !== undefined) {
    out.efi = structuredClone(fw.preferredEfi);
    return;
  }
  if (unchosen && fw.preferredUseEfi === true) out.efi = {};
  deprecatedSecureBoot(out, fw);
}

function deprecatedSecureBoot(out: Bootloader, fw: Readonly<FirmwarePreferences>): void {
  const secureBoot = fw.preferredUseSecureBoot;
  if (secureBoot !== undefined && out.efi !== undefined && out.efi.secureBoot === undefined) out.efi.secureBoot = secureBoot;
}

/** The bootloader after the firmware preferences (BIOS or EFI only when neither is chosen). */
function preferredBootloader(current: Readonly<Bootloader>, fw: Readonly<FirmwarePreferences>): Bootloader {
  const out: Bootloader = structuredClone(current);
  preferredBios(out, fw);
  preferredEfi(out, fw);
  return out;
}

function applyFirmware(spec: Spec, pref: Preference): void {
  if (pref.firmware === undefined) return;
  const bootloader = preferredBootloader(spec.domain.firmware?.bootloader ?? {}, pref.firmware);
  if (Object.keys(bootloader).length > 0) spec.domain.firmware = { ...spec.domain.firmware, bootloader };
}

function applyMachine(spec: Spec, pref: Preference): void {
  const type = pref.machine?.preferredMachineType ?? '';
  if (type !== '' && (spec.domain.machine?.type ?? '') === '') spec.domain.machine = { ...spec.domain.machine, type };
}

function applyClock(spec: Spec, pref: Preference): void {
  const preferred = pref.clock;
  if (preferred === undefined) return;
  const clock: Clock = { ...spec.domain.clock };
  const offset = preferred.preferredClockOffset;
  if (offset !== undefined && clock.utc === undefined && clock.timezone === undefined) Object.assign(clock, structuredClone(offset));
  if (preferred.preferredTimer !== undefined && clock.timer === undefined) clock.timer = structuredClone(preferred.preferredTimer);
  if (Object.keys(clock).length > 0) spec.domain.clock = clock;
}

const isEmpty = (value: string | undefined): boolean => (value ?? '') === '';

function applyScalars(spec: Spec, pref: Preference): void {
  if (!isEmpty(pref.preferredSubdomain) && isEmpty(spec.subdomain)) spec.subdomain = pref.preferredSubdomain;
  const grace = pref.preferredTerminationGracePeriodSeconds;
  if (grace !== undefined && spec.terminationGracePeriodSeconds === undefined) spec.terminationGracePeriodSeconds = grace;
  if (!isEmpty(pref.preferredArchitecture) && isEmpty(spec.architecture)) spec.architecture = pref.preferredArchitecture;
}

function applyAnnotations(meta: KubeObjectMeta, pref: Preference): void {
  const preferred = Object.entries(pref.annotations ?? {}).filter((e): e is [string, string] => e[1] !== undefined);
  if (preferred.length > 0) meta.annotations = { ...Object.fromEntries(preferred), ...meta.annotations };
}

/** Fills the working copy (`spec`, `meta`, changed in place) from `pref`. */
export function applyPreference(target: { spec: Spec; meta: KubeObjectMeta }, pref: Preference): void {
  applyCpuFeatures(target.spec, pref);
  applyDevicePreferences(target.spec, pref.devices);
  applyFeatures(target.spec, pref);
  applyFirmware(target.spec, pref);
  applyMachine(target.spec, pref);
  applyClock(target.spec, pref);
  applyScalars(target.spec, pref);
  applyAnnotations(target.meta, pref);
}
