/**
 * KubeVirt's VirtualMachineInstancePreset admission (C46, C47): a domain is required, and its
 * disks and firmware boot settings pass the same rules a VMI's do (KubeVirt's `ValidateDisks`, and
 * the bootloader and kernel-boot checks of `validateFirmware`). The selector is checked by the
 * schema only. Nothing else of the domain is checked: a preset is a fragment merged into VMIs,
 * which are validated in full when they are created.
 * @see https://github.com/kubevirt/kubevirt/blob/main/pkg/virt-api/webhooks/validating-webhook/admitters/vmi-preset-admitter.go
 */
import { path } from '../../core/field-path.js';
import type { VirtualMachineInstancePreset, VirtualMachineInstanceSpec } from '../../crd-gen/index.js';
import { cause, CauseType, type Cause } from '../cause.js';
import type { AdmissionContext } from '../context.js';
import { validateFirmware } from './compute/firmware.js';
import { validateDisks } from './devices/disks.js';
import type { SpecContext } from './types.js';

/** The parts of the firmware rules a preset is held to (not secure boot's SMM need, nor SMBIOS). */
const FIRMWARE_PARTS = ['spec.domain.firmware.bootloader', 'spec.domain.firmware.kernelBoot'];

const inFirmwarePart = (c: Cause): boolean => FIRMWARE_PARTS.some((p) => c.field === p || c.field.startsWith(`${p}.`) || c.field.startsWith(`${p}[`));

/** Every cause of KubeVirt's preset admitter, all gathered. */
export function validatePreset(preset: Readonly<VirtualMachineInstancePreset>, _old: Readonly<VirtualMachineInstancePreset> | undefined, ctx: AdmissionContext): Cause[] {
  const domain = preset.spec?.domain;
  if (domain === undefined) return [cause(CauseType.Required, path('spec', 'domain'), 'missing domain: spec.domain is required')];
  // The preset's domain alone, as a spec, so the VMI rules report KubeVirt's `spec.domain…` paths.
  const spec: VirtualMachineInstanceSpec = { domain: { ...domain, devices: domain.devices ?? {} } };
  const specCtx: SpecContext = { cfg: ctx.cfg, metadata: undefined, metadataPath: path('metadata'), origin: 'template' };
  return [...validateDisks(spec, path('spec'), specCtx), ...validateFirmware(spec, path('spec'), specCtx).filter(inFirmwarePart)];
}

/**
 * The warnings of an admitted preset: `spec.domain.memory` (KubeVirt's own vmi-preset-small.yaml
 * sets `memory.guest`) is never applied to a VMI: KubeVirt merges only `resources.requests`, `cpu`,
 * `firmware`, `features`, `clock`, `devices.watchdog` and `ioThreadsPolicy` from a preset
 * (kubevirt/mutation.md §1), so the VMI's memory must come from the preset's requests.
 */
export function presetWarnings(preset: Readonly<VirtualMachineInstancePreset>): string[] {
  const memory = preset.spec?.domain?.memory;
  if (memory === undefined) return [];
  const set = Object.keys(memory).map((k) => `spec.domain.memory.${k}`).join(', ');
  return [`${set}: ignored: presets never apply domain.memory to a VirtualMachineInstance (KubeVirt merges only resources.requests, cpu, firmware, features, clock, devices.watchdog and ioThreadsPolicy); give the memory as spec.domain.resources.requests.memory`];
}
