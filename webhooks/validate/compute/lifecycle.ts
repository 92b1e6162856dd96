/**
 * How the guest starts, reboots and leaves a draining node: the start strategy (A35, A36), the
 * eviction strategy (A40) and the reboot policy (A62, AX24). kubevirt-ts implements the reboot
 * policy, so it is accepted without KubeVirt's RebootPolicy feature gate; only the two values the
 * launcher can express are.
 * @see https://github.com/kubevirt/kubevirt/blob/main/pkg/virt-api/webhooks/validating-webhook/admitters/vmi-create-admitter.go (validateStartStrategy, validateLiveMigration)
 */
import { cause, CauseType, type Cause } from '../../cause.js';
import type { SpecValidator } from '../types.js';
import { at } from './common.js';

const EVICTION_STRATEGIES: readonly string[] = ['LiveMigrate', 'LiveMigrateIfPossible', 'None', 'External'];
const REBOOT_POLICIES: readonly string[] = ['Reboot', 'Terminate'];

/** A35, A36: the only start strategy is Paused, and a paused start has no liveness probe. */
export const validateStartStrategy: SpecValidator = (spec, path) => {
  const strategy = spec.startStrategy as string | undefined;
  if (strategy === undefined) return [];
  const field = path.child('startStrategy');
  if (strategy !== 'Paused') return [cause(CauseType.Invalid, field, `${field} is set with an unrecognized option: ${JSON.stringify(strategy)}; the only start strategy is Paused`)];
  if (spec.livenessProbe === undefined) return [];
  return [cause(CauseType.Invalid, field, `either ${field} "Paused" or ${path.child('livenessProbe')} should be provided: a VMI with a liveness probe cannot start paused`)];
};

/** A40: the eviction strategy in force (the VMI's, else the cluster's) is one KubeVirt knows. */
export const validateEvictionStrategy: SpecValidator = (spec, path, ctx) => {
  const strategy = (spec.evictionStrategy as string | undefined) ?? ctx.cfg.evictionStrategy;
  if (strategy === undefined || EVICTION_STRATEGIES.includes(strategy)) return [];
  const field = path.child('evictionStrategy');
  return [cause(CauseType.Invalid, field, `${field} is set with an unrecognized option: ${JSON.stringify(strategy)}; use one of ${EVICTION_STRATEGIES.join(', ')}`)];
};

/** A62, AX24: a reboot policy, when set, is Reboot or Terminate (no feature gate needed). */
export const validateRebootPolicy: SpecValidator = (spec, path) => {
  const policy = spec.domain.rebootPolicy;
  const out: Cause[] = [];
  if (policy !== undefined && !REBOOT_POLICIES.includes(policy)) {
    const field = at(path, 'domain.rebootPolicy');
    out.push(cause(CauseType.NotSupported, field, `${field} ${JSON.stringify(policy)} is not supported; use Reboot or Terminate`));
  }
  return out;
};
