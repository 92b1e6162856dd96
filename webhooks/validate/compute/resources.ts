/**
 * CPU and memory requests and limits: none negative, a memory request of at least 1M, and no
 * request above its limit (rules A03–A06, A12–A14). Quantities are compared as KubeVirt does:
 * memory by `Value()` (bytes rounded up), CPU by `MilliValue()`.
 * @see https://github.com/kubevirt/kubevirt/blob/main/pkg/virt-api/webhooks/validating-webhook/admitters/vmi-create-admitter.go (validateMemoryRequestsNegativeOrNull, validateMemoryLimitsNegativeOrNull, validateCPURequestNotNegative, validateCpuRequestDoesNotExceedLimit)
 */
import type { FieldPath } from '../../../core/field-path.js';
import { parseQuantity } from '../../../core/quantity.js';
import type { Quantity } from '../../../crd-gen/index.js';
import { cause, CauseType, type Cause } from '../../cause.js';
import type { SpecValidator } from '../types.js';
import { at, limitOf, milliOf, requestOf, shown, valueOf } from './common.js';

/** KubeVirt's smallest memory request: `1M`, decimal. */
const MIN_MEMORY_BYTES = 1_000_000;

function negative(field: FieldPath, q: Quantity | undefined): Cause {
  return cause(CauseType.Invalid, field, `${field} ${shown(q)}: must be greater than or equal to 0`);
}

function requestAboveLimit(request: FieldPath, limit: FieldPath, values: readonly [Quantity | undefined, Quantity | undefined]): Cause {
  return cause(CauseType.Invalid, request, `${request} ${shown(values[0])} is greater than ${limit} ${shown(values[1])}`);
}

/** A03, A04: the memory request is not negative and, when set, at least 1M. */
function memoryRequest(request: Quantity | undefined, field: FieldPath): Cause[] {
  const bytes = valueOf(request);
  if (bytes < 0) return [negative(field, request)];
  const exact = parseQuantity(request) ?? 0;
  if (bytes > 0 && exact < MIN_MEMORY_BYTES) {
    return [cause(CauseType.Invalid, field, `${field} ${shown(request)}: must be greater than or equal to 1M (1000000 bytes)`)];
  }
  return [];
}

/** A03–A06: memory request and limit. */
export const validateMemoryResources: SpecValidator = (spec, path) => {
  const requestField = at(path, 'domain.resources.requests.memory');
  const limitField = at(path, 'domain.resources.limits.memory');
  const request = requestOf(spec, 'memory');
  const limit = limitOf(spec, 'memory');
  const out = memoryRequest(request, requestField);
  if (valueOf(limit) < 0) out.push(negative(limitField, limit));
  if (valueOf(limit) > 0 && valueOf(request) > valueOf(limit)) out.push(requestAboveLimit(requestField, limitField, [request, limit]));
  return out;
};

/** A12–A14: CPU request and limit, in thousandths of a CPU. */
export const validateCpuResources: SpecValidator = (spec, path) => {
  const requestField = at(path, 'domain.resources.requests.cpu');
  const limitField = at(path, 'domain.resources.limits.cpu');
  const request = requestOf(spec, 'cpu');
  const limit = limitOf(spec, 'cpu');
  const out: Cause[] = [];
  if (milliOf(request) < 0) out.push(negative(requestField, request));
  if (milliOf(limit) < 0) out.push(negative(limitField, limit));
  if (milliOf(limit) > 0 && milliOf(request) > milliOf(limit)) out.push(requestAboveLimit(requestField, limitField, [request, limit]));
  return out;
};
