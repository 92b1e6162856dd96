/**
 * KubeVirt's VirtualMachineInstanceReplicaSet admission (C42–C45): a template is required, its
 * spec passes the VMI spec rules (prefix `spec.template.spec`; its metadata is not checked, as in
 * KubeVirt), and the selector parses and selects the template's labels. We also refuse a negative
 * replica count, which KubeVirt leaves to the controller (the schema may be stricter than KubeVirt
 * where KubeVirt has no rule).
 * @see https://github.com/kubevirt/kubevirt/blob/main/pkg/virt-api/webhooks/validating-webhook/admitters/vmirs-admitter.go
 */
import { path } from '../../core/field-path.js';
import type { VirtualMachineInstanceReplicaSet, VirtualMachineInstanceSpec } from '../../crd-gen/index.js';
import { cause, CauseType, type Cause } from '../cause.js';
import type { AdmissionContext } from '../context.js';
import { parseLabelSelector } from '../../core/labels.js';
import { validateVmiSpec } from './vmi-spec.js';

/** Go's zero value of a template spec, validated when a template has none. */
const EMPTY_SPEC: VirtualMachineInstanceSpec = { domain: { devices: {} } };

const SELECTOR = path('spec', 'selector');

/**
 * C44: the selector's first problem (KubeVirt reports `LabelSelectorAsSelector`'s error on
 * `spec.selector`; the message names the part). C45: a selector that does not select the
 * template's labels, which a missing selector never does.
 */
function selectorCauses(rs: Readonly<VirtualMachineInstanceReplicaSet>): Cause[] {
  const selector = rs.spec.selector as VirtualMachineInstanceReplicaSet['spec']['selector'] | undefined;
  const parsed = parseLabelSelector(selector);
  if (!parsed.ok) return [cause(CauseType.Invalid, SELECTOR, `${SELECTOR}.${parsed.field}: ${parsed.message}`)];
  const labels = rs.spec.template.metadata?.labels;
  if (selector !== undefined && parsed.matches(labels)) return [];
  const what = selector === undefined ? 'a missing selector selects nothing' : `it does not select the template's labels ${JSON.stringify(labels ?? {})}`;
  return [cause(CauseType.Invalid, SELECTOR, `selector does not match labels: ${what}; the selector must select spec.template.metadata.labels`)];
}

function replicaCauses(rs: Readonly<VirtualMachineInstanceReplicaSet>): Cause[] {
  const replicas = rs.spec.replicas;
  if (replicas === undefined || replicas >= 0) return [];
  return [cause(CauseType.Invalid, path('spec', 'replicas'), `replicas ${replicas} must not be negative`)];
}

/** Every cause KubeVirt's replica set admitter finds (plus the replica count), all gathered. */
export function validateReplicaSet(
  rs: Readonly<VirtualMachineInstanceReplicaSet>,
  _old: Readonly<VirtualMachineInstanceReplicaSet> | undefined,
  ctx: AdmissionContext,
): Cause[] {
  const template = rs.spec.template as VirtualMachineInstanceReplicaSet['spec']['template'] | undefined;
  if (template === undefined) return [cause(CauseType.Required, path('spec', 'template'), 'missing virtual machine template: spec.template is required')];
  const spec = validateVmiSpec(template.spec ?? EMPTY_SPEC, path('spec', 'template', 'spec'), {
    cfg: ctx.cfg,
    metadata: undefined,
    metadataPath: path('spec', 'template', 'metadata'),
    origin: 'template',
  });
  return [...spec, ...selectorCauses(rs), ...replicaCauses(rs)];
}
