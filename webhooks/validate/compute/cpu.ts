/**
 * The guest CPU beyond dedicated placement: what NUMA passthrough, an isolated emulator thread and
 * realtime vCPUs need (A28–A30, A33, A34), CPU feature policies (A31), sockets within the hotplug
 * maximum (A32), and model and feature names as libvirt's grammar spells them (AX12, AX13).
 * A27 (the NUMA feature gate) is GA in KubeVirt v1.8 and never refuses; kubevirt-ts refuses NUMA
 * passthrough itself as not supported (AX03, unsupported.ts).
 * @see https://github.com/kubevirt/kubevirt/blob/main/pkg/virt-api/webhooks/validating-webhook/admitters/vmi-create-admitter.go (validateNUMA, validateCPUIsolatorThread, validateCPUFeaturePolicies, validateCPUHotplug, validateRealtime)
 */
import type { FieldPath } from '../../../core/field-path.js';
import { cause, CauseType, type Cause } from '../../cause.js';
import type { SpecValidator } from '../types.js';
import { at, type Spec } from './common.js';

const POLICIES: readonly string[] = ['', 'force', 'require', 'optional', 'disable', 'forbid'];
/** The models libvirt takes as modes, not names. */
const HOST_MODES: readonly string[] = ['', 'host-model', 'host-passthrough'];
/** libvirt's `featureName`, which the launcher also applies to model names. */
const CPU_NAME = /^[a-zA-Z0-9\-_.]+$/;
const CPU_NAME_WORDS = 'letters, digits, "-", "_" and "." only';

/** A28, A29: NUMA passthrough needs dedicated placement and hugepages. */
function numaCauses(spec: Spec, path: FieldPath): Cause[] {
  const cpu = spec.domain.cpu;
  if (cpu?.numa?.guestMappingPassthrough === undefined) return [];
  const field = at(path, 'domain.cpu.numa.guestMappingPassthrough');
  const out: Cause[] = [];
  if (cpu.dedicatedCpuPlacement !== true) out.push(cause(CauseType.Invalid, field, `${at(path, 'domain.cpu.dedicatedCpuPlacement')} must be set to true when the NUMA topology strategy ${field} is set`));
  if (spec.domain.memory?.hugepages === undefined) out.push(cause(CauseType.Invalid, field, `${at(path, 'domain.memory.hugepages')} must be requested when the NUMA topology strategy ${field} is set`));
  return out;
}

/** A28–A30: NUMA passthrough and the isolated emulator thread need dedicated placement (and hugepages). */
export const validateCpuPlacementNeeds: SpecValidator = (spec, path) => {
  const cpu = spec.domain.cpu;
  const out = numaCauses(spec, path);
  if (cpu?.isolateEmulatorThread === true && cpu.dedicatedCpuPlacement !== true) {
    const field = at(path, 'domain.cpu.isolateEmulatorThread');
    out.push(cause(CauseType.Invalid, field, `${field} true may only be set together with ${at(path, 'domain.cpu.dedicatedCpuPlacement')}`));
  }
  return out;
};

/** A31, AX12, AX13, A32: feature policies and names, the model, sockets within maxSockets. */
export const validateCpuModelAndTopology: SpecValidator = (spec, path) => {
  const cpu = spec.domain.cpu;
  if (cpu === undefined) return [];
  const out: Cause[] = [];
  (cpu.features ?? []).forEach((feature, i) => {
    const item = at(path, 'domain.cpu.features').index(i);
    const policy = feature.policy ?? '';
    if (!POLICIES.includes(policy)) {
      out.push(cause(CauseType.NotSupported, item.child('policy'), `CPU feature ${JSON.stringify(feature.name)} uses policy ${JSON.stringify(policy)}, which is not supported; use force, require, optional, disable or forbid (empty means require)`));
    }
    if (!CPU_NAME.test(feature.name)) {
      out.push(cause(CauseType.Invalid, item.child('name'), `${item.child('name')} ${JSON.stringify(feature.name)} is not allowed: libvirt accepts ${CPU_NAME_WORDS}`));
    }
  });
  const model = cpu.model ?? '';
  if (!HOST_MODES.includes(model) && !CPU_NAME.test(model)) {
    const field = at(path, 'domain.cpu.model');
    out.push(cause(CauseType.Invalid, field, `${field} ${JSON.stringify(model)} is not allowed: libvirt accepts ${CPU_NAME_WORDS}`));
  }
  const maxSockets = cpu.maxSockets ?? 0;
  if (maxSockets !== 0 && (cpu.sockets ?? 0) > maxSockets) {
    const field = at(path, 'domain.cpu.sockets');
    out.push(cause(CauseType.Invalid, field, `${field} ${cpu.sockets} is greater than the maximum of ${maxSockets} sockets (${at(path, 'domain.cpu.maxSockets')})`));
  }
  return out;
};

/** A33, A34: realtime vCPUs need dedicated placement and NUMA passthrough. */
export const validateRealtime: SpecValidator = (spec, path) => {
  const cpu = spec.domain.cpu;
  if (cpu?.realtime === undefined) return [];
  const realtime = at(path, 'domain.cpu.realtime');
  const out: Cause[] = [];
  if (cpu.dedicatedCpuPlacement !== true) {
    const field = at(path, 'domain.cpu.dedicatedCpuPlacement');
    out.push(cause(CauseType.Required, field, `${field} must be set to true when ${realtime} is used`));
  }
  if (cpu.numa?.guestMappingPassthrough === undefined) {
    const field = at(path, 'domain.cpu.numa.guestMappingPassthrough');
    out.push(cause(CauseType.Required, field, `${field} must be defined when ${realtime} is used`));
  }
  return out;
};
