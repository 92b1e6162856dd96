/**
 * Disk I/O thread policy: one of shared, auto and supplementalPool (A41), a pool size for
 * supplementalPool (A42, reported on the real field `domain.ioThreads.supplementalPoolThreadCount`
 * where KubeVirt names a `domain.ioThreads.count` that does not exist), and supplementalPool
 * refused as not supported: the libvirt kubevirt-ts targets (9.0) cannot map disk queues to a
 * thread pool, so the launcher could not build it (AX07).
 * @see https://github.com/kubevirt/kubevirt/blob/main/pkg/virt-api/webhooks/validating-webhook/admitters/vmi-create-admitter.go (validateIOThreadsPolicy)
 */
import { cause, CauseType, type Cause } from '../../cause.js';
import type { SpecValidator } from '../types.js';
import { at, notSupported } from './common.js';

const POLICIES: readonly string[] = ['shared', 'auto', 'supplementalPool'];

/** A41, A42, AX07. */
export const validateIoThreads: SpecValidator = (spec, path) => {
  const policy = spec.domain.ioThreadsPolicy as string | undefined;
  if (policy === undefined) return [];
  const field = at(path, 'domain.ioThreadsPolicy');
  const out: Cause[] = [];
  if (!POLICIES.includes(policy)) out.push(cause(CauseType.Invalid, field, `${field} ${JSON.stringify(policy)} is not a valid I/O threads policy; use shared, auto or supplementalPool`));
  if (policy !== 'supplementalPool') return out;
  const count = spec.domain.ioThreads?.supplementalPoolThreadCount;
  if (count === undefined || count < 1) {
    const countField = at(path, 'domain.ioThreads.supplementalPoolThreadCount');
    out.push(cause(CauseType.Invalid, countField, `${countField} ${count ?? 'unset'}: the number of I/O threads must be set and positive for the supplementalPool policy`));
  }
  out.push(notSupported(field, 'the supplementalPool I/O threads policy', 'the libvirt it targets (9.0) cannot map disk queues to a thread pool'));
  return out;
};
