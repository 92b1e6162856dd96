/**
 * The facts of KubeVirt's API about starting and stopping a VirtualMachine that more than one
 * component reads: the effective run strategy, the state change requests virt-api writes into a VM's
 * status for virt-controller, and which VMI phases are final. In KubeVirt they are methods and
 * constants of the API types (`vm.RunStrategy()`, `vmi.IsFinal()`, `StartRequestDataPausedKey`), so
 * virt-api (webhooks/subresources/) and virt-controller (reconcilers/vm/) share one definition here.
 * Pure; typed by shape, since core depends on no other module.
 * @see https://github.com/kubevirt/kubevirt/blob/main/staging/src/kubevirt.io/api/core/v1/types.go
 */
import { isFinalPhase } from './phases.js';

/** The actions of `status.stateChangeRequests`. */
export const StateChange = { start: 'Start', stop: 'Stop' } as const;

/** The data key of a paused start request (its value is `"true"`). */
export const START_PAUSED_KEY = 'paused';

/** The part of a VirtualMachine {@link runStrategyOf} reads; `S` is the schema's run strategy enum. */
export interface RunStrategySpec<S extends string> {
  readonly spec: { readonly running?: boolean | undefined; readonly runStrategy?: S | undefined };
}

/** KubeVirt's `vm.RunStrategy()`: `spec.running` true → Always, false → Halted; else `spec.runStrategy`; neither → Halted. */
export function runStrategyOf<S extends string>(vm: RunStrategySpec<S>): S | 'Always' | 'Halted' {
  if (vm.spec.running !== undefined) return vm.spec.running ? 'Always' : 'Halted';
  return vm.spec.runStrategy ?? 'Halted';
}

/** KubeVirt's `vmi.IsFinal()`: Succeeded or Failed. */
export function isFinal(vmi: { readonly status?: { readonly phase?: string | undefined } | undefined }): boolean {
  return isFinalPhase(vmi.status?.phase);
}
