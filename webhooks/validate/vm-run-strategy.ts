/**
 * A VM's run strategy (C29–C32) and the effective strategy KubeVirt derives from `running` or
 * `runStrategy`. No mutator fills one in, so a VM must give exactly one of the two.
 * @see https://github.com/kubevirt/kubevirt/blob/main/pkg/virt-api/webhooks/validating-webhook/admitters/vms-admitter.go
 */
import type { ClusterConfig } from '../../core/cluster-config.js';
import { path } from '../../core/field-path.js';
import type { VirtualMachine } from '../../crd-gen/index.js';
import { cause, CauseType, type Cause } from '../cause.js';
import { runStrategyOf } from '../../core/run-strategy.js';

/** The run strategies KubeVirt accepts without a feature gate (case-sensitive). */
export const RUN_STRATEGIES: readonly string[] = ['Halted', 'Manual', 'Always', 'RerunOnFailure', 'Once'];
/** The strategy the DecentralizedLiveMigration gate adds. */
export const WAIT_AS_RECEIVER = 'WaitAsReceiver';

/** KubeVirt's `vm.RunStrategy()` of a VM spec (core/run-strategy.ts). */
export function effectiveRunStrategy(spec: Readonly<VirtualMachine['spec']>): string {
  return runStrategyOf({ spec });
}

function strategyCauses(strategy: string, cfg: ClusterConfig): Cause[] {
  const at = path('spec', 'runStrategy');
  if (strategy === WAIT_AS_RECEIVER) {
    return cfg.featureGates.includes('DecentralizedLiveMigration')
      ? []
      : [cause(CauseType.Invalid, at, `invalid runStrategy (${strategy}): the DecentralizedLiveMigration feature gate is not enabled`)];
  }
  if (RUN_STRATEGIES.includes(strategy)) return [];
  return [cause(CauseType.Invalid, at, `invalid runStrategy (${strategy}); valid values are ${RUN_STRATEGIES.join(', ')} (and ${WAIT_AS_RECEIVER} with the DecentralizedLiveMigration feature gate)`)];
}

/** C29–C32. */
export function runStrategyCauses(vm: Readonly<VirtualMachine>, cfg: ClusterConfig): Cause[] {
  const { running, runStrategy } = vm.spec;
  const out: Cause[] = [];
  if (running !== undefined && runStrategy !== undefined) {
    out.push(cause(CauseType.Invalid, path('spec', 'running'), `running (${running}) and runStrategy (${runStrategy}) are mutually exclusive; running is deprecated, keep runStrategy`));
  }
  if (running === undefined && runStrategy === undefined) out.push(cause(CauseType.Invalid, path('spec', 'running'), 'one of running or runStrategy must be given; running is deprecated, use runStrategy'));
  return runStrategy === undefined ? out : [...out, ...strategyCauses(runStrategy, cfg)];
}
