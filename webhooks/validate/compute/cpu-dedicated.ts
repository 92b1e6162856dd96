/**
 * KubeVirt's checks for dedicated CPU placement (A18–A26), evaluated only when
 * `domain.cpu.dedicatedCpuPlacement` is true: memory given somehow, whole CPUs, requests equal to
 * limits, consistent with the topology, and at most two threads. kubevirt-ts refuses the feature
 * itself as not supported (AX01, see unsupported.ts); these rules still say what KubeVirt would.
 * @see https://github.com/kubevirt/kubevirt/blob/main/pkg/virt-api/webhooks/validating-webhook/admitters/vmi-create-admitter.go (validateCpuPinning)
 */
import type { FieldPath } from '../../../core/field-path.js';
import type { CPU } from '../../../crd-gen/index.js';
import { cause, CauseType, type Cause } from '../../cause.js';
import type { SpecContext, SpecValidator } from '../types.js';
import { archOf, at, limitOf, milliOf, requestOf, shown, valueOf, type Spec } from './common.js';

/** vCPUs as KubeVirt counts them: cores × sockets × threads, skipping factors that are 0. */
export function vcpuCount(cpu: Readonly<CPU> | undefined): number {
  const factors = [cpu?.cores ?? 0, cpu?.sockets ?? 0, cpu?.threads ?? 0].filter((n) => n !== 0);
  return factors.length === 0 ? 0 : factors.reduce((a, b) => a * b, 1);
}

type Check = (spec: Spec, path: FieldPath, ctx: SpecContext) => Cause[];

/** A18: some memory amount is given. */
const memoryGiven: Check = (spec, path) => {
  const memory = spec.domain.memory;
  const none = valueOf(limitOf(spec, 'memory')) === 0 && valueOf(requestOf(spec, 'memory')) === 0
    && (memory === undefined || (memory.hugepages === undefined && valueOf(memory.guest) === 0));
  if (!none) return [];
  const names = ['domain.resources.requests.memory', 'domain.resources.limits.memory', 'domain.memory.hugepages', 'domain.memory.guest'].map((n) => String(at(path, n)));
  return [cause(CauseType.Invalid, at(path, 'domain.resources.limits.memory'), `${names.join(', ')}: one of them should be provided with dedicated CPU placement`)];
};

/** A19, A20: CPU request and limit are whole CPUs. */
const wholeCpus: Check = (spec, path) => {
  const out: Cause[] = [];
  for (const [kind, q] of [['requests', requestOf(spec, 'cpu')], ['limits', limitOf(spec, 'cpu')]] as const) {
    if (valueOf(q) > 0 && valueOf(q) * 1000 !== milliOf(q)) {
      const field = at(path, `domain.resources.${kind}.cpu`);
      out.push(cause(CauseType.Invalid, field, `${field} ${shown(q)} must be a whole number of CPUs with dedicated CPU placement`));
    }
  }
  return out;
};

/** A21: memory request and limit are equal when both are set. */
const memoryEqual: Check = (spec, path) => {
  const request = requestOf(spec, 'memory');
  const limit = limitOf(spec, 'memory');
  if (valueOf(request) <= 0 || valueOf(limit) <= 0 || valueOf(request) === valueOf(limit)) return [];
  const field = at(path, 'domain.resources.requests.memory');
  return [cause(CauseType.Invalid, field, `${field} ${shown(request)} must be equal to ${at(path, 'domain.resources.limits.memory')} ${shown(limit)} with dedicated CPU placement`)];
};

/** The CPU amounts A22–A24 compare, with their fields for messages. */
function cpuAmounts(spec: Spec, path: FieldPath): { request: number; limit: number; vcpus: number; req: string; lim: string } {
  return {
    request: valueOf(requestOf(spec, 'cpu')),
    limit: valueOf(limitOf(spec, 'cpu')),
    vcpus: vcpuCount(spec.domain.cpu),
    req: `${at(path, 'domain.resources.requests.cpu')} ${shown(requestOf(spec, 'cpu'))}`,
    lim: `${at(path, 'domain.resources.limits.cpu')} ${shown(limitOf(spec, 'cpu'))}`,
  };
}

/** A22: some vCPU count is given. */
const cpuGiven: Check = (spec, path) => {
  const { request, limit, vcpus } = cpuAmounts(spec, path);
  if (request !== 0 || limit !== 0 || vcpus !== 0) return [];
  return [cause(CauseType.Invalid, at(path, 'domain.cpu.dedicatedCpuPlacement'), `either ${at(path, 'domain.resources.requests.cpu')}, ${at(path, 'domain.resources.limits.cpu')} or ${at(path, 'domain.cpu.cores')} must be provided when dedicated CPU placement is true`)];
};

/** A23: CPU request equals the limit. */
const cpuEqual: Check = (spec, path) => {
  const { request, limit, req, lim } = cpuAmounts(spec, path);
  if (request <= 0 || limit <= 0 || request === limit) return [];
  return [cause(CauseType.Invalid, at(path, 'domain.cpu.dedicatedCpuPlacement'), `${req} and ${lim} must be equal when dedicated CPU placement is true`)];
};

/** A24: CPU request or limit agree with the topology. */
const cpuMatchesTopology: Check = (spec, path) => {
  const { request, limit, vcpus, req, lim } = cpuAmounts(spec, path);
  if ((request <= 0 && limit <= 0) || vcpus === 0 || request === vcpus || limit === vcpus) return [];
  return [cause(CauseType.Invalid, at(path, 'domain.cpu.dedicatedCpuPlacement'), `${req} or ${lim} must not be given together with a topology of ${vcpus} vCPUs (${at(path, 'domain.cpu.cores')}) unless they match it, when dedicated CPU placement is true`)];
};

/** A25, A26: threads per core: one on arm64, at most two anywhere. */
const threads: Check = (spec, path, ctx) => {
  const count = spec.domain.cpu?.threads ?? 0;
  const field = at(path, 'domain.cpu.threads');
  const out: Cause[] = [];
  if (count > 1 && archOf(spec, ctx.cfg) === 'arm64') {
    out.push(cause(CauseType.Invalid, path.child('architecture'), `threads must not be greater than 1 at ${field} (got ${count}) when ${path.child('architecture')} is arm64`));
  }
  if (count > 2) {
    out.push(cause(CauseType.Invalid, at(path, 'domain.cpu.dedicatedCpuPlacement'), `not more than two threads may be given at ${field} (got ${count}) when dedicated CPU placement is true`));
  }
  return out;
};

const CHECKS: readonly Check[] = [memoryGiven, wholeCpus, memoryEqual, cpuGiven, cpuEqual, cpuMatchesTopology, threads];

/** A18–A26, in KubeVirt's order, only with `dedicatedCpuPlacement: true`. */
export const validateDedicatedCpu: SpecValidator = (spec, path, ctx) => {
  if (spec.domain.cpu?.dedicatedCpuPlacement !== true) return [];
  return CHECKS.flatMap((check) => check(spec, path, ctx));
};
