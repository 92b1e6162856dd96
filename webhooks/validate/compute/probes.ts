/**
 * Readiness and liveness probes: exactly one handler each (A37, A38), and the network handlers
 * only where the pod network reaches the guest (A39).
 * @see https://github.com/kubevirt/kubevirt/blob/main/pkg/virt-api/webhooks/validating-webhook/admitters/vmi-create-admitter.go (validateProbe, appendStatusCauseForProbeNotAllowedWithNoPodNetworkPresent)
 */
import type { FieldPath } from '../../../core/field-path.js';
import type { Probe } from '../../../crd-gen/index.js';
import { cause, CauseType, type Cause } from '../../cause.js';
import type { SpecValidator } from '../types.js';

const HANDLERS = ['httpGet', 'tcpSocket', 'exec', 'guestAgentPing'] as const;

/** A37, A38: one handler. */
function handlerCauses(probe: Probe | undefined, field: FieldPath): Cause[] {
  if (probe === undefined) return [];
  const set = HANDLERS.filter((h) => probe[h] !== undefined);
  if (set.length > 1) return [cause(CauseType.Invalid, field, `${field} must have exactly one probe type set, not ${set.join(' and ')}`)];
  if (set.length === 1) return [];
  const names = ['tcpSocket', 'exec', 'httpGet', 'guestAgentPing'].map((h) => String(field.child(h)));
  return [cause(CauseType.Required, field, `one of ${names.join(', ')} must be set if a ${field} is specified`)];
}

/** A39: httpGet and tcpSocket need the pod network. */
function podNetworkCauses(probe: Probe | undefined, field: FieldPath, networks: FieldPath): Cause[] {
  if (probe === undefined) return [];
  return (['httpGet', 'tcpSocket'] as const)
    .filter((h) => probe[h] !== undefined)
    .map((h) => cause(CauseType.Invalid, field.child(h), `${field.child(h)} is only allowed if the pod network is attached (no network in ${networks} is the pod network)`));
}

/** A37–A39 for both probes, in KubeVirt's order. */
export const validateProbes: SpecValidator = (spec, path) => {
  const probes = [[spec.readinessProbe, path.child('readinessProbe')], [spec.livenessProbe, path.child('livenessProbe')]] as const;
  const out = probes.flatMap(([probe, field]) => handlerCauses(probe, field));
  const hasPodNetwork = (spec.networks ?? []).some((n) => n.pod !== undefined);
  if (!hasPodNetwork) out.push(...probes.flatMap(([probe, field]) => podNetworkCauses(probe, field, path.child('networks'))));
  return out;
};
