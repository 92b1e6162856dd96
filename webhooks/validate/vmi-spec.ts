/**
 * KubeVirt's `ValidateVirtualMachineInstanceSpec` and the VMI-only spec checks: every compute and
 * device rule, in one array, all causes collected. Shared by VMI create (path `spec`) and the VM
 * and replica set admitters (path `spec.template.spec`).
 * @see ../../../shared/design/kubevirt/rules-compute.md, rules-devices.md
 */
import type { FieldPath } from '../../core/field-path.js';
import type { VirtualMachineInstanceSpec } from '../../crd-gen/index.js';
import type { Cause } from '../cause.js';
import { COMPUTE_VALIDATORS } from './compute/index.js';
import { DEVICE_VALIDATORS } from './devices/index.js';
import type { SpecContext, SpecValidator } from './types.js';

/** Every spec rule, compute first, in KubeVirt's order within each area. */
export const VMI_SPEC_VALIDATORS: readonly SpecValidator[] = [...COMPUTE_VALIDATORS, ...DEVICE_VALIDATORS];

/** Every cause the spec rules find, in rule order, each reported once. */
export function validateVmiSpec(spec: Readonly<VirtualMachineInstanceSpec>, path: FieldPath, ctx: SpecContext): Cause[] {
  const seen = new Set<string>();
  const out: Cause[] = [];
  for (const validate of VMI_SPEC_VALIDATORS) {
    for (const c of validate(spec, path, ctx)) {
      const key = `${c.type}\u0000${c.field}\u0000${c.message}`;
      if (!seen.has(key)) out.push(c);
      seen.add(key);
    }
  }
  return out;
}
