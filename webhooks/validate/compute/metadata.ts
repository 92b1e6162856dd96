/**
 * The VMI's (or template's) metadata, on `ctx.metadataPath`. KubeVirt's metadata check refuses the
 * ignition and hook-sidecar annotations unless their feature gates are on; kubevirt-ts implements
 * neither, so both are refused as not supported (AX28, AX29). A VMI's name and namespace become
 * the libvirt domain name, which may not hold "/" or control characters (AX27).
 *
 * KubeVirt also refuses its reserved `kubevirt.io/` labels unless a KubeVirt service account asks;
 * a spec validator does not know who asks, so that check is {@link reservedLabelCauses}, for the
 * admitter that has the request's user.
 * @see https://github.com/kubevirt/kubevirt/blob/main/pkg/virt-api/webhooks/validating-webhook/admitters/vmi-create-admitter.go (ValidateVirtualMachineInstanceMetadata)
 */
import type { FieldPath } from '../../../core/field-path.js';
import { Annotations, type KubeObjectMeta, Labels } from '../../../crd-gen/index.js';
import { cause, CauseType, type Cause } from '../../cause.js';
import type { SpecValidator } from '../types.js';
import { notSupported, xmlTextCauses } from './common.js';


/** Labels only KubeVirt's own service accounts may set on a VMI. */
export const RESERVED_LABELS: readonly string[] = [
  Labels.createdBy, Labels.migrationJobUid, Labels.nodeName, Labels.migrationTargetNodeName, Labels.schedulable, Labels.installStrategy,
];

const ANNOTATIONS = [
  [Annotations.ignitionData, 'ignition data (KubeVirt\'s ExperimentalIgnitionSupport feature)'],
  [Annotations.hookSidecars, 'hook sidecars (KubeVirt\'s Sidecar feature)'],
] as const;

/** AX27: a domain-name part without "/" or characters XML cannot carry. */
function namePartCauses(field: FieldPath, value: string | undefined): Cause[] {
  if (value === undefined) return [];
  if (value.includes('/')) return [cause(CauseType.Invalid, field, `${field} ${JSON.stringify(value)} contains "/", which libvirt does not allow in a domain name`)];
  return xmlTextCauses(field, value);
}

/** AX27–AX29. */
export const validateMetadata: SpecValidator = (_spec, _path, ctx) => {
  const meta = ctx.metadata;
  if (meta === undefined) return [];
  const annotations = ctx.metadataPath.child('annotations');
  const out: Cause[] = ANNOTATIONS.filter(([key]) => Boolean(meta.annotations?.[key]))
    .map(([key, what]) => notSupported(annotations, `the annotation ${key}: ${what}`));
  if (ctx.origin === 'VirtualMachineInstance') {
    out.push(...namePartCauses(ctx.metadataPath.child('name'), meta.name), ...namePartCauses(ctx.metadataPath.child('namespace'), meta.namespace));
  }
  return out;
};

/**
 * AX33 (KubeVirt's reserved-label check): the causes for reserved `kubevirt.io/` labels, for an
 * admitter to add when the requester is not one of KubeVirt's service accounts.
 */
export function reservedLabelCauses(metadata: Readonly<KubeObjectMeta> | undefined, metadataPath: FieldPath): Cause[] {
  const used = Object.keys(metadata?.labels ?? {}).filter((key) => RESERVED_LABELS.includes(key));
  if (used.length === 0) return [];
  const field = metadataPath.child('labels');
  return [cause(CauseType.NotSupported, field, `creation of the reserved kubevirt.io/ labels ${used.map((k) => JSON.stringify(k)).join(', ')} on a VMI object is prohibited`)];
}
