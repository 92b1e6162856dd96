/**
 * What KubeVirt's virt-api start/stop/restart subresources do to a VM (`lifecycle.go`): either a
 * JSON patch of the VM's spec (run strategy flips) or of its status (state change requests), or a
 * refusal with KubeVirt's message. Pure; the subresource API (api.ts) sends the patch with its
 * `test` ops, so a concurrent change fails the patch rather than losing a request.
 * @see https://github.com/kubevirt/kubevirt/blob/main/pkg/virt-api/rest/lifecycle.go
 */
import type { Op } from '../../core/json-patch.js';
import type { StatusOwnership } from '../../core/status-ownership.js';
import { Gvk, type VirtualMachine, type VirtualMachineInstance, type VirtualMachineStateChangeRequest } from '../../crd-gen/index.js';
import { isFinal, runStrategyOf, START_PAUSED_KEY, StateChange } from '../../core/run-strategy.js';

/** The VM status fields virt-api writes: state change requests, and dropping a recorded start failure on start. */
export const VIRT_API_STATUS: StatusOwnership = { writer: 'virt-api', ...Gvk.VirtualMachine, fields: ['stateChangeRequests', 'startFailure'] };

/** The outcome of a start/stop/restart request. */
export type StateChangeResult =
  | { readonly ok: true; readonly subresource: 'spec' | 'status'; readonly patch: readonly Op[] }
  /** `status` 409 Conflict or 400 BadRequest, as virt-api answers. */
  | { readonly ok: false; readonly status: 409 | 400; readonly message: string };

const conflict = (message: string): StateChangeResult => ({ ok: false, status: 409, message });

/** virt-api's `getRunningPatch`: runStrategy Always/Halted, or `spec.running` when the VM uses it. */
function runningPatch(vm: Readonly<VirtualMachine>, running: boolean): StateChangeResult {
  const patch: Op[] = vm.spec.runStrategy !== undefined
    ? [{ op: 'test', path: '/spec/runStrategy', value: vm.spec.runStrategy }, { op: 'replace', path: '/spec/runStrategy', value: running ? 'Always' : 'Halted' }]
    : [{ op: 'test', path: '/spec/running', value: vm.spec.running ?? null }, { op: 'replace', path: '/spec/running', value: running }];
  return { ok: true, subresource: 'spec', patch };
}

function hasStatus(vm: Readonly<VirtualMachine>): boolean {
  return vm.status !== undefined && Object.keys(vm.status).length > 0;
}

/**
 * virt-api's `getChangeRequestJson`: requests added to an empty list, a lone Stop replaces the list,
 * anything else while requests are pending is refused; a recorded start failure is dropped.
 */
export function changeRequestPatch(vm: Readonly<VirtualMachine>, changes: readonly VirtualMachineStateChangeRequest[]): StateChangeResult {
  if (!hasStatus(vm)) return { ok: true, subresource: 'status', patch: [{ op: 'add', path: '/status', value: { stateChangeRequests: changes } }] };
  const requests = requestOps(vm.status?.stateChangeRequests, changes);
  if (requests === undefined) return conflict('unable to complete request: stop/start already underway');
  const dropFailure: Op[] = vm.status?.startFailure === undefined ? [] : [{ op: 'remove', path: '/status/startFailure' }];
  return { ok: true, subresource: 'status', patch: [...requests, ...dropFailure] };
}

function requestOps(pending: readonly VirtualMachineStateChangeRequest[] | undefined, changes: readonly VirtualMachineStateChangeRequest[]): Op[] | undefined {
  const path = '/status/stateChangeRequests';
  // RFC 6902 cannot test an absent member (Go's json-patch passes a null test there): no list, no test.
  if (pending === undefined) return [{ op: 'add', path, value: changes }];
  const test: Op = { op: 'test', path, value: pending };
  if (pending.length === 0) return [test, { op: 'add', path, value: changes }];
  if (changes.length === 1 && changes[0]?.action === StateChange.stop) return [test, { op: 'replace', path, value: changes }];
  return undefined;
}

function isLive(vmi: Readonly<VirtualMachineInstance> | undefined): boolean {
  const phase = vmi?.status?.phase;
  return vmi !== undefined && !isFinal(vmi) && phase !== 'Unknown' && phase !== undefined && phase !== '';
}

function startRequest(paused: boolean): VirtualMachineStateChangeRequest {
  return paused ? { action: StateChange.start, data: { [START_PAUSED_KEY]: 'true' } } : { action: StateChange.start };
}

function startManualOrRerun(vm: Readonly<VirtualMachine>, vmi: Readonly<VirtualMachineInstance> | undefined, paused: boolean): StateChangeResult {
  const strategy = runStrategyOf(vm);
  if (strategy === 'RerunOnFailure' && vmi?.status?.phase === 'Failed') return conflict('RerunOnFailure does not support starting VM from failed state');
  const restart = vmi !== undefined && (strategy === 'Manual' ? isFinal(vmi) : vmi.status?.phase === 'Succeeded');
  const stop: VirtualMachineStateChangeRequest[] = restart ? [{ action: StateChange.stop, uid: vmi.metadata.uid ?? '' }] : [];
  return changeRequestPatch(vm, [...stop, startRequest(paused)]);
}

/** `virtctl start` (`StartVMRequestHandler`). */
export function startVm(vm: Readonly<VirtualMachine>, vmi: Readonly<VirtualMachineInstance> | undefined, options: { readonly paused?: boolean } = {}): StateChangeResult {
  if (isLive(vmi)) return conflict('VM is already running');
  const paused = options.paused === true;
  switch (runStrategyOf(vm)) {
    case 'Halted':
      // A paused start goes through the controller, which flips the strategy on the request.
      return paused && vm.spec.template.spec?.startStrategy !== 'Paused' ? changeRequestPatch(vm, [startRequest(true)]) : runningPatch(vm, true);
    case 'Manual':
    case 'RerunOnFailure':
      return startManualOrRerun(vm, vmi, paused);
    default:
      return conflict(`${runStrategyOf(vm)} does not support manual start requests`);
  }
}

/** `virtctl stop` (`StopVMRequestHandler`, without the grace-period override). */
export function stopVm(vm: Readonly<VirtualMachine>, vmi: Readonly<VirtualMachineInstance> | undefined): StateChangeResult {
  const strategy = runStrategyOf(vm);
  if (strategy === 'Always' || strategy === 'Once') return runningPatch(vm, false);
  if (vmi === undefined || isFinal(vmi)) return conflict('VM is not running');
  if (strategy === 'Halted') return conflict('Halted only supports manual stop requests with a shorter graceperiod');
  return changeRequestPatch(vm, [{ action: StateChange.stop, uid: vmi.metadata.uid ?? '' }]);
}

/** `virtctl restart` (`RestartVMRequestHandler`): Stop of the current VMI, then Start. */
export function restartVm(vm: Readonly<VirtualMachine>, vmi: Readonly<VirtualMachineInstance> | undefined): StateChangeResult {
  const strategy = runStrategyOf(vm);
  if (strategy === 'Halted' || strategy === 'Once') return conflict(`RunStategy ${strategy} does not support manual restart requests`);
  if (vmi === undefined) return conflict('VM is not running: Halted');
  return changeRequestPatch(vm, [{ action: StateChange.stop, uid: vmi.metadata.uid ?? '' }, { action: StateChange.start }]);
}
