/**
 * KubeVirt's admission rules for instancetypes and preferences, namespaced and cluster kinds alike
 * (C56–C60): the memory overcommit percentage, and the preferred CPU topology with its spread
 * options. Deprecated `prefer*` topologies are accepted with a warning.
 * @see https://github.com/kubevirt/kubevirt/blob/main/pkg/instancetype/webhooks/admitter.go
 * @see https://github.com/kubevirt/kubevirt/blob/main/pkg/instancetype/preference/webhooks/admitter.go
 */
import { path } from '../../core/field-path.js';
import type {
  VirtualMachineClusterInstancetype, VirtualMachineClusterPreference, VirtualMachineInstancetype, VirtualMachinePreference,
} from '../../crd-gen/index.js';
import { cause, CauseType, type Cause } from '../cause.js';
import type { AdmissionContext } from '../context.js';
import { DEPRECATED_TOPOLOGIES, KNOWN_TOPOLOGIES, preferredTopology, SPREAD_ACROSS, spreadOptions } from '../mutate/instancetype-cpu.js';

type Instancetype = Readonly<VirtualMachineInstancetype | VirtualMachineClusterInstancetype>;
type Preference = Readonly<VirtualMachinePreference | VirtualMachineClusterPreference>;

const OVERCOMMIT = path('spec', 'memory', 'overcommitPercent');

/**
 * C56: `overcommitPercent` outside 0–100; C57: a non-zero one together with hugepages. Both
 * are reported when both hold.
 */
export function validateInstancetype(it: Instancetype, _old: Instancetype | undefined, _ctx: AdmissionContext): Cause[] {
  const memory = it.spec.memory;
  const percent = memory.overcommitPercent ?? 0;
  const out: Cause[] = [];
  if (percent < 0 || percent > 100) out.push(cause(CauseType.Invalid, OVERCOMMIT, `${OVERCOMMIT} '${percent}': must be in range between 0 and 100`));
  if (percent !== 0 && memory.hugepages !== undefined) {
    out.push(cause(CauseType.Invalid, OVERCOMMIT, `${OVERCOMMIT} (${percent}) and spec.memory.hugepages must not be requested together: hugepages cannot be overcommitted`));
  }
  return out;
}

const COUNTS_AS_SPREAD = new Set(['spread', 'preferSpread']);

function spreadCauses(pref: Preference): Cause[] {
  const topology = pref.spec.cpu?.preferredCPUTopology;
  if (topology === undefined || !COUNTS_AS_SPREAD.has(topology)) return [];
  const { ratio, across } = spreadOptions(pref.spec);
  if (!(SPREAD_ACROSS as readonly string[]).includes(across)) {
    return [cause(CauseType.Invalid, path('spec', 'cpu', 'spreadOptions', 'across'), `across ${JSON.stringify(across)} is not supported; supported values are ${SPREAD_ACROSS.join(', ')}`)];
  }
  if (across === 'CoresThreads' && ratio !== 2) {
    return [cause(CauseType.Invalid, path('spec', 'cpu', 'spreadOptions', 'ratio'), `ratio ${ratio} is not allowed when spreading vCPUs over cores and threads: only a ratio of 2 (1 core, 2 threads) is`)];
  }
  return [];
}

/**
 * C58: an unknown `preferredCPUTopology`; C59: a spread over unsupported dimensions; C60: a
 * cores-and-threads spread with a ratio other than 2.
 */
export function validatePreference(pref: Preference, _old: Preference | undefined, _ctx: AdmissionContext): Cause[] {
  const topology: string | undefined = pref.spec.cpu?.preferredCPUTopology;
  if (topology !== undefined && !KNOWN_TOPOLOGIES.includes(topology)) {
    return [cause(CauseType.Invalid, path('spec', 'cpu', 'preferredCPUTopology'), `unknown preferredCPUTopology ${JSON.stringify(topology)}; allowed values are ${KNOWN_TOPOLOGIES.join(', ')}`)];
  }
  return spreadCauses(pref);
}

/** The admission warnings of an accepted preference: a deprecated `prefer*` topology. */
export function preferenceWarnings(pref: Preference): string[] {
  const topology: string | undefined = pref.spec.cpu?.preferredCPUTopology;
  if (topology === undefined || DEPRECATED_TOPOLOGIES[topology] === undefined) return [];
  return [`PreferredCPUTopology ${topology} is deprecated for removal in a future release, please use ${preferredTopology(pref.spec)} instead`];
}
