/**
 * KubeVirt's VMI create admitter: the structural schema first, then every VMI spec rule on the path
 * `spec`, all causes gathered. A VMI that fails the schema gets only its schema causes: the spec
 * rules read typed data, as KubeVirt's `ValidateSchema` returning early guarantees.
 * @see ../../../shared/design/kubevirt/rules-compute.md, rules-devices.md
 */
import { path } from '../../core/field-path.js';
import type { VirtualMachineInstance } from '../../crd-gen/index.js';
import { checkSchema } from '../admission-schema.js';
import type { Cause } from '../cause.js';
import type { AdmissionContext } from '../context.js';
import { validateVmiSpec } from './vmi-spec.js';

/** Every reason KubeVirt refuses to create this VMI (empty when it is admitted). */
export function validateVmiCreate(vmi: Readonly<VirtualMachineInstance>, ctx: AdmissionContext): Cause[] {
  const schema = checkSchema('VirtualMachineInstance', vmi);
  if (schema.causes.length > 0) return [...schema.causes];
  return validateVmiSpec(vmi.spec, path('spec'), {
    cfg: ctx.cfg,
    metadata: vmi.metadata,
    metadataPath: path('metadata'),
    origin: 'VirtualMachineInstance',
  });
}
