/**
 * Compute fields kubevirt-ts accepts in its API but cannot run, refused at admission with
 * FieldValueNotSupported on the field itself, in the launcher's words, so a VMI admission accepts
 * never fails conversion and nothing is silently dropped. The first five are the launcher's own
 * refusals (launcher/converter/unsupported.ts); the gated features of rules-compute.md that
 * kubevirt-ts does not implement take the place of KubeVirt's "feature gate not enabled" causes
 * (A27 NUMA, A53 HostDevices, A56 VSOCK, A59 PanicDevices, A63 ReservedOverheadMemlock, A73/A75
 * launch security); the rest are fields the launcher would otherwise ignore.
 */
import type { Cause } from '../../cause.js';
import type { SpecValidator } from '../types.js';
import { at, isOn, notSupported, type Spec } from './common.js';

const nonEmpty = (list: readonly unknown[] | undefined): boolean => (list?.length ?? 0) > 0;

/** `[id, field under the spec, is it used, what it is, why (when not obvious)]`, in this order. */
const UNSUPPORTED: readonly (readonly [string, string, (spec: Spec) => boolean, string, string?])[] = [
  ['AX01', 'domain.cpu.dedicatedCpuPlacement', (s) => s.domain.cpu?.dedicatedCpuPlacement === true, 'dedicated CPU placement (vCPU pinning)'],
  ['AX02', 'domain.cpu.realtime', (s) => s.domain.cpu?.realtime !== undefined, 'realtime vCPUs'],
  ['AX03', 'domain.cpu.numa.guestMappingPassthrough', (s) => s.domain.cpu?.numa?.guestMappingPassthrough !== undefined, 'NUMA passthrough'],
  ['AX04', 'domain.launchSecurity', (s) => s.domain.launchSecurity !== undefined, 'launch security (SEV, SNP, TDX)'],
  ['AX05', 'domain.firmware.acpi', (s) => s.domain.firmware?.acpi !== undefined, 'ACPI SLIC/MSDM tables'],
  ['AX06', 'domain.memory.reservedOverhead', (s) => s.domain.memory?.reservedOverhead !== undefined, 'reserved overhead memory and memory locking (KubeVirt\'s ReservedOverheadMemlock feature)'],
  ['AX08', 'domain.devices.hostDevices', (s) => nonEmpty(s.domain.devices.hostDevices), 'host device passthrough'],
  ['AX09', 'domain.devices.autoattachVSOCK', (s) => s.domain.devices.autoattachVSOCK === true, 'VSOCK'],
  ['AX10', 'domain.devices.panicDevices', (s) => nonEmpty(s.domain.devices.panicDevices), 'panic devices'],
  ['AX30', 'domain.firmware.bootloader.efi.persistent', (s) => s.domain.firmware?.bootloader?.efi?.persistent === true, 'persistent EFI variables', 'the UEFI variable store starts fresh on every start'],
  ['AX31', 'domain.features.apic.endOfInterrupt', (s) => s.domain.features?.apic?.endOfInterrupt === true, 'the paravirtual end-of-interrupt APIC optimisation'],
  ['AX32', 'domain.features.hyperv.tlbflush.direct', (s) => isOn(s.domain.features?.hyperv?.tlbflush?.direct), 'Hyper-V direct TLB flush', 'the libvirt it targets (9.0) has no element for it'],
  ['AX32', 'domain.features.hyperv.tlbflush.extended', (s) => isOn(s.domain.features?.hyperv?.tlbflush?.extended), 'Hyper-V extended TLB flush', 'the libvirt it targets (9.0) has no element for it'],
];

/** The ids of {@link UNSUPPORTED}'s rows, for tests and the rule inventory. */
export const UNSUPPORTED_FIELDS: readonly (readonly [string, string])[] = UNSUPPORTED.map(([id, field]) => [id, field]);

/** AX01–AX06, AX08–AX10, AX30–AX32: one cause per unsupported field the spec uses. */
export const validateUnsupported: SpecValidator = (spec, path) => {
  const out: Cause[] = [];
  for (const [, field, used, what, why] of UNSUPPORTED) {
    if (used(spec)) out.push(notSupported(at(path, field), what, why));
  }
  return out;
};
